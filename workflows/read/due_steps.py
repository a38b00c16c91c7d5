"""What a case waits for now: the forward steps of its state, each with the one body that must take it.

A deadline names the body answerable for the *whole* time limit (e.g. the
competent committee's decision, opened at the cell vote), but on the way the
case may first wait for someone else (the grassroots committee's vote). A
reminder must name the step actually due and go to the people of the body that
takes it: this is that answer, from the definition, the case's state, its
organisation chain and its recorded data alone (no database access), so the
deadline scan can ask it for many deadlines cheaply.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from workflows.domain.calendar import WorkingCalendar
from workflows.domain.definition import (
    Authority,
    CaseFacts,
    Lookups,
    OrgFacts,
    PersonFacts,
    Procedure,
    Step,
    StepContext,
)
from workflows.domain.errors import InvalidInput
from workflows.domain.organisations import scope_organisation
from workflows.domain.rulesets import RULE_SETS
from workflows.read.listing import SIDE_TRIGGERS


@dataclass(frozen=True)
class DueStep:
    """Steps one body may take now (usually one; alternatives such as recognise / strike off share a body)."""

    triggers: tuple[str, ...]
    labels_vi: tuple[str, ...]
    labels_en: tuple[str, ...]
    role: str
    organisation: OrgFacts
    path: str  # the organisation's materialised path, '/1/4/'

    @property
    def label_vi(self) -> str:
        return " hoặc ".join(self.labels_vi)

    @property
    def label_en(self) -> str:
        return " or ".join(self.labels_en)


def _context(definition: Procedure, state: str, chain: Sequence[OrgFacts], data: Mapping[str, Any],
             calendar: WorkingCalendar, today: date) -> StepContext:
    """A context with the case's state, organisation and recorded data, and no step data or lookups."""
    org_id = chain[-1].id
    return StepContext(
        rule_set=RULE_SETS[definition.rule_set],
        case=CaseFacts(None, definition.name, definition.rule_set, state, 0, org_id, 0, dict(data or {}), {}),
        person=PersonFacts(0, "", date(2000, 1, 1), org_id, "none"), data={}, chain=list(chain),
        calendar=calendar, lookups=Lookups(), today=today,
    )


def has_computed_steps(definition: Procedure, state: str) -> bool:
    """True when a forward step's authority is computed from the case (answers differ case by case)."""
    return any(callable(s.who) for s in forward_steps(definition, state))


def forward_steps(definition: Procedure, state: str):
    return [s for s in definition.steps_from(state) if s.trigger not in SIDE_TRIGGERS and not s.system]


def due_steps(definition: Procedure, state: str, chain: Sequence[OrgFacts], data: Mapping[str, Any], *,
              calendar: WorkingCalendar, today: date, prefer_role: str | None = None) -> list[DueStep]:
    """The forward steps that apply in `state`, grouped by the body that takes them; a step that only
    ends the case (a refusal) is left out when another carries the case on.

    Of a step's authorities the one whose role is `prefer_role` (the deadline's own) is the body
    when the step names it; else the step's first authority (the procedures list the body that
    usually acts first). A computed authority that needs data the case does not hold yet is skipped.
    """
    if not chain:
        return []
    ctx = _context(definition, state, chain, data, calendar, today)
    rule_set = RULE_SETS[definition.rule_set]
    applicable: list[tuple[Step, Sequence[Authority]]] = []
    seen: set[str] = set()
    for step in forward_steps(definition, state):
        if step.trigger in seen:
            continue
        try:
            if step.applies is not None and not step.applies(ctx):
                continue
            authorities: Sequence[Authority] = step.authorities(ctx)
        except (KeyError, TypeError, AttributeError, ValueError, NotImplementedError):
            continue
        if authorities:
            seen.add(step.trigger)
            applicable.append((step, authorities))
    # A refusal may come at any time; what the case waits for is the step that carries it on.
    final = definition.final_states
    carrying_on = [(s, a) for s, a in applicable if any(d not in final for d in s.destinations)]
    groups: dict[tuple[str, int], dict[str, Any]] = {}
    for step, authorities in carrying_on or applicable:
        body = next((a for a in authorities if a.role == prefer_role), authorities[0])
        try:
            org = scope_organisation(body.scope, chain, rule_set)
        except InvalidInput:
            continue
        group = groups.setdefault((body.role, org.id), {"triggers": [], "vi": [], "en": [], "org": org})
        group["triggers"].append(step.trigger)
        for key, text in (("vi", step.label_vi), ("en", step.label_en)):
            if text not in group[key]:
                group[key].append(text)
    result = []
    for (role, _org_id), group in groups.items():
        org: OrgFacts = group["org"]
        ids = [o.id for o in chain[: chain.index(org) + 1]]
        result.append(DueStep(tuple(group["triggers"]), tuple(group["vi"]), tuple(group["en"]), role, org,
                              "/" + "/".join(str(i) for i in ids) + "/"))
    return result
