"""Turning a case's recorded data and events into words for the case page."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import gettext as _

from web.common.i18n import format_date, label
from web.common.labels import (
    choice_label,
    left_reason_label,
    membership_label,
    person_field_label,
    procedure_label,
    role_label,
    state_label,
)
from workflows.domain.definition import Field, Procedure
from workflows.read.casefile import CaseFile, ref_kind

# The states in which a decision stands and may still be appealed (discipline in force, struck off).
APPEALABLE_STATES = frozenset({"in_force", "struck_off"})


@dataclass(frozen=True)
class Entry:
    label: str
    text: str


def _fields_of(definition: Procedure, trigger: str) -> dict[str, Field]:
    fields: dict[str, Field] = {}
    for step in definition.steps_for(trigger):
        for f in step.fields:
            fields.setdefault(f.name, f)
    return fields


def vote_text(vote: dict[str, Any]) -> str:
    return _("%(date)s: %(agree)s of %(eligible)s agree, %(disagree)s disagree (%(method)s)",
             date=format_date(vote.get("date")), agree=vote.get("agree"), eligible=vote.get("eligible"),
             disagree=vote.get("disagree"), method=choice_label(vote.get("method")))


def value_text(f: Field | None, value: Any, names: dict[int, str], key: str = "",
               org_names: dict[int, str] | None = None) -> str:
    """One recorded value in words: dates dd/mm/yyyy, people by name, choices translated."""
    kind = f.kind if f else None
    if value is None or value == "":
        return "—"
    if kind == "vote" or (isinstance(value, dict) and {"agree", "eligible"} <= set(value)):
        return vote_text(value)
    if kind == "date":
        return format_date(value)
    if kind == "bool" or isinstance(value, bool):
        return _("yes") if value else _("no")
    if kind == "enum":
        return choice_label(value)
    if kind == "ref" or (isinstance(value, int) and ref_kind(key)):
        kind_of = ref_kind(f.name if f else key)
        if kind_of == "person":
            return names.get(value, f"#{value}")
        if kind_of == "organisation":
            return (org_names or {}).get(value, "—")
        return f"#{value}"
    if kind == "object" or isinstance(value, dict):
        items = {i.name: i for i in (f.items if f else ())}
        return "; ".join(f"{label(items.get(k), k)}: {value_text(items.get(k), v, names, k)}" for k, v in value.items())
    if kind == "list" or isinstance(value, list):
        items = {i.name: i for i in (f.items if f else ())}
        rows = []
        for item in value:
            if isinstance(item, dict):
                rows.append(", ".join(value_text(items.get(k), v, names, k) for k, v in item.items()
                                      if not (isinstance(v, bool) and not v)))
            else:
                rows.append(str(item))
        return " | ".join(rows)
    return str(value)


def recorded(file: CaseFile, trigger: str, data: dict[str, Any]) -> list[Entry]:
    """What a step recorded, labelled with the step's own field labels."""
    fields = _fields_of(file.definition, trigger)
    entries = []
    for key, value in data.items():
        if key in ("effects", "outcome", "late", "forms"):
            continue
        f = fields.get(key)
        entries.append(Entry(label(f, key.replace("_", " ")) if f else key.replace("_", " "),
                             value_text(f, value, file.names, key, file.org_names)))
    if "outcome" in data:
        entries.append(Entry(_("Result"), outcome_text(file, trigger, data["outcome"])))
    for late in data.get("late") or []:
        entries.append(Entry(_("Late"), _("due %(due)s, taken %(on)s: %(days)s working days late",
                                          due=format_date(late.get("due")), on=format_date(late.get("on")),
                                          days=late.get("working_days"))))
    return entries


def outcome_text(file: CaseFile, trigger: str, outcome: str) -> str:
    """A step's outcome in words: a vote's result, else the state the outcome led to."""
    words = {"passed": _("threshold reached"), "failed": _("threshold not reached"),
             "inconclusive": _("no proposal reached two thirds"),
             "referred": _("referred to the superior committee")}
    if outcome in words:
        return words[outcome]
    for step in file.definition.steps_for(trigger):
        for branch in step.dest if isinstance(step.dest, tuple) else ():
            if branch.when == outcome:
                return state_label(file.case.procedure, file.case.rule_set, branch.dest)
    if outcome in {s.name for s in file.definition.states}:
        return state_label(file.case.procedure, file.case.rule_set, outcome)
    return choice_label(outcome)


def _person_value(name: str, value: Any, org_names: dict[int, str]) -> str:
    """One membership field's value in words (dates, organisations by name, reasons translated)."""
    if value is None or value == "":
        return "—"
    if name == "left_reason":
        return left_reason_label(value)
    if name == "organisation_id":
        return org_names.get(value, "—")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, dict):
        return "; ".join(choice_label(k) for k, v in value.items() if v) or "—"
    return format_date(value) or "—"


def effects(file: CaseFile, data: dict[str, Any]) -> list[Entry]:
    """What the step changed beyond the case: membership, follow-on cases, deadlines."""
    found = data.get("effects") or {}
    entries = []
    person = found.get("person") or {}
    if "membership_status" in person:
        before, after = person["membership_status"]
        entries.append(Entry(_("Membership"), f"{membership_label(before)} → {membership_label(after)}"))
    for name, pair in person.items():
        if name == "membership_status" or not isinstance(pair, list) or len(pair) != 2:
            continue
        if name == "organisation_id" and found.get("moved"):
            continue  # the case moved with the member: said once below
        entries.append(Entry(person_field_label(name), f"{_person_value(name, pair[0], file.org_names)} → "
                                                       f"{_person_value(name, pair[1], file.org_names)}"))
    moved = found.get("moved")
    if isinstance(moved, list) and len(moved) == 2:
        entries.append(Entry(_("Transferred"), f"{file.org_names.get(moved[0], '—')} → "
                                               f"{file.org_names.get(moved[1], '—')}"))
    for opened in found.get("opened_cases") or []:
        entries.append(Entry(_("Case opened"), f"#{opened['id']} {procedure_label(opened['procedure'], file.case.rule_set)}"))
    for kind, (before, after) in (found.get("deadlines") or {}).items():
        entries.append(Entry(_("Deadline moved"), f"{format_date(before)} → {format_date(after)}"))
    decided = (found.get("decided_on") or [None, None])[1]
    if decided and decided != data.get("decision_date"):  # the decision's own date is shown once, as recorded
        entries.append(Entry(_("Decision date"), format_date(decided)))
    return entries


@dataclass(frozen=True)
class AppealWindow:
    ends: date
    days_left: int | None  # working days; None once the window has passed
    legal_basis: str


def appeal_window(file: CaseFile, calendar) -> AppealWindow | None:
    """The appeal window a discipline or strike-off decision opened (case data `appeal_until`, counted from the
    decision's receipt), while the decision stands; its legal basis is the deciding step's."""
    until = (file.case.data or {}).get("appeal_until")
    if not until or file.case.state not in APPEALABLE_STATES:
        return None
    ends = date.fromisoformat(until) if isinstance(until, str) else until
    left = calendar.working_days_between(file.today, ends) if ends >= file.today else None
    deciding = next((e for e in reversed(file.events) if e.to_state == file.case.state), None)
    steps = file.definition.steps_for(deciding.trigger) if deciding else ()
    return AppealWindow(ends, left, steps[0].legal_basis if steps else "")


def current_step_text(file: CaseFile) -> str:
    """The current step in plain words."""
    state = state_label(file.case.procedure, file.case.rule_set, file.case.state)
    if file.case.closed_at is not None:
        return _("This case is closed: %(state)s.", state=state)
    return _("The case is at the step: %(state)s.", state=state)


def waiting_text(file: CaseFile) -> list[str]:
    """Who must do what next, one line per next step."""
    lines: dict[str, list[str]] = {}
    for w in file.waiting:
        lines.setdefault(label(w.step), []).append(f"{role_label(w.role)} — {w.organisation}")
    return [_("Next: %(step)s, by %(who)s.", step=step, who=_(" or ").join(who)) for step, who in lines.items()]
