"""The audit log in words: actions, outcomes, objects and details as a reader says them.

The records keep their machine form (`case.view`, `denied`, `in_force -> closed`):
filters and exports search it. The page shows each in the reader's language.
"""
from __future__ import annotations

import re

from flask import Flask
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from web.common.labels import role_label
from workflows.domain.rulesets import RULE_SETS
from workflows.procedures.registry import get_procedure, procedure_names

ACTIONS = {
    "login": _l("Signed in"), "logout": _l("Signed out"), "authz.denied": _l("Access refused"),
    "case.view": _l("Read a case"), "case.read": _l("Read a case (API)"), "person.view": _l("Read a person's record"),
    "person.read": _l("Read a person's record (API)"), "person.create": _l("Registered a person"),
    "person.update": _l("Edited a person's record"), "document.upload": _l("Uploaded a document"),
    "document.download": _l("Downloaded a document"), "comment.add": _l("Added a comment"),
    "audit_log.view": _l("Read the audit log"), "report.statistics.view": _l("Read the statistics"),
    "report.pipeline.view": _l("Read the pipeline report"), "report.compliance.view": _l("Read the compliance audit"),
    "report.register.view": _l("Read the member register"), "report.statistics.export": _l("Exported the statistics"),
    "report.pipeline.export": _l("Exported the pipeline report"),
    "report.compliance.export": _l("Exported the compliance audit"),
    "report.register.export": _l("Exported the member register"), "role.grant": _l("Granted a role"),
    "role.revoke": _l("Revoked a role"), "user.create": _l("Created an account"), "user.update": _l("Edited an account"),
    "organisation.create": _l("Created an organisation"), "organisation.update": _l("Edited an organisation"),
    "calendar.override": _l("Changed a working day"), "calendar.remove_override": _l("Removed a working-day change"),
    "password.change": _l("Changed the password"), "outbox.retry": _l("Resent a mail"),
    "api.token_issued": _l("Issued an API token"), "api.token_revoked": _l("Revoked an API token"),
    "api.token_use": _l("Used an API token"), "api.token_rejected": _l("API token refused"),
    "api.forbidden": _l("API access refused"),
    "case.list": _l("Listed cases"), "case.events": _l("Read a case's history"),
    "case.form": _l("Downloaded a document of a case"), "person.dossier": _l("Downloaded a person's dossier"),
    "import.members": _l("Imported organisations and members"),
}
# The keys of a bulk read's filters (workflows/read/listing.py, reports/pages.py), and their values in words.
FILTER_KEYS = {
    "page": _l("page"), "per_page": _l("rows per page"), "sort": _l("sorted by"), "status": _l("status"),
    "procedure": _l("procedure"), "state": _l("state"), "organisation_id": _l("organisation"), "q": _l("search"),
    "overdue": _l("overdue only"), "total": _l("found"), "kinds": _l("kinds of finding"), "checked": _l("cases checked"),
    "after": _l("after case"), "events": _l("events"), "draft": _l("draft"), "format": _l("format"),
    "person_id": _l("person"), "statuses": _l("statuses"), "form": _l("form"),
}
FILTER_VALUES = {
    "deadline": _l("nearest deadline"), "open": _l("open"), "closed": _l("closed"), "all": _l("all"),
    "True": _l("yes"), "False": _l("no"), "true": _l("yes"), "false": _l("no"), "None": "—",
}
OUTCOMES = {"ok": _l("done"), "denied": _l("refused"), "failed": _l("failed")}
OBJECTS = {
    "case": _l("case"), "person": _l("person"), "organisation": _l("organisation"), "user": _l("account"),
    "document": _l("document"), "comment": _l("comment"), "calendar": _l("day"), "incident": _l("incident"),
    "token": _l("token"), "api_token": _l("token"), "report": _l("report"), "audit_log": _l("audit log"),
}


def _step_label(trigger: str) -> str | None:
    """A step's name by its trigger, from the procedures in force (the record keeps only the trigger)."""
    for rule_set in reversed(list(RULE_SETS)):
        for name in procedure_names():
            steps = get_procedure(name, rule_set).steps_for(trigger)
            if steps:
                return _l_label(steps[0])
    return None


def _state_label(state: str) -> str:
    for rule_set in reversed(list(RULE_SETS)):
        for name in procedure_names():
            for s in get_procedure(name, rule_set).states:
                if s.name == state:
                    return _l_label(s)
    return state


def _l_label(thing) -> str:
    from web.common.i18n import label

    return label(thing)


def action_text(action: str) -> str:
    if action in ACTIONS:
        return str(ACTIONS[action])
    if action.startswith("case."):
        step = _step_label(action[5:])
        if step:
            return _("Case step: %(step)s", step=step)
    return action


def outcome_text(outcome: str | None) -> str:
    return str(OUTCOMES.get(outcome or "", outcome or ""))


def object_text(object_type: str | None, object_id) -> str:
    if not object_type:
        return "—"
    name = str(OBJECTS.get(object_type, object_type))
    return f"{name} #{object_id}" if object_id not in (None, "") else name


_PATTERNS = (
    (re.compile(r"^(\S+) -> (\S+)$"), lambda m: f"{_state_label(m[1]) if m[1] != '-' else '—'} → {_state_label(m[2])}"),
    (re.compile(r"^(\w+)@(\d+)$"), lambda m: _("%(role)s at organisation #%(id)s", role=role_label(m[1]), id=m[2])),
    (re.compile(r"^page (\d+)$"), lambda m: _("page %(n)s", n=m[1])),
    (re.compile(r"^(\S+) (pdf|docx)( draft)?$"),
     lambda m: _("form %(form)s, %(fmt)s", form=m[1], fmt=m[2].upper()) + (f" ({_('draft')})" if m[3] else "")),
    (re.compile(r"^(\d+) documents$"), lambda m: _("%(n)s documents", n=m[1])),
    (re.compile(r"^case (\d+), (\d+) bytes$"), lambda m: _("case #%(id)s, %(n)s bytes", id=m[1], n=m[2])),
    (re.compile(r"^username=(.*)$"), lambda m: _("user name: %(name)s", name=m[1])),
    (re.compile(r"^for user (\d+)$"), lambda m: _("for account #%(id)s", id=m[1])),
    (re.compile(r"^outbox (\d+)$"), lambda m: _("mail #%(id)s", id=m[1])),
    (re.compile(r"^password reset$"), lambda m: _("password reset")),
    (re.compile(r"^working$"), lambda m: _("working day")),
    (re.compile(r"^day off$"), lambda m: _("day off")),
    (re.compile(r"^resolved$"), lambda m: _("resolved")),
    (re.compile(r"^(\d{4})-(\d{2})-(\d{2})\.\.(\d{4})-(\d{2})-(\d{2})$"),
     lambda m: f"{m[3]}/{m[2]}/{m[1]} – {m[6]}/{m[5]}/{m[4]}"),
)


def _procedure_label(code: str) -> str | None:
    for rule_set in reversed(list(RULE_SETS)):
        if code in procedure_names():
            return _l_label(get_procedure(code, rule_set))
    return None


def _value_text(value: str) -> str:
    """A filter's value in words: procedures, states, finding kinds, statuses; numbers and dates as they are."""
    from workflows.reports.compliance import KIND_LABELS_VI

    words = []
    for part in value.split(","):
        found = FILTER_VALUES.get(part) or _procedure_label(part) or KIND_LABELS_VI.get(part)
        if found is None and re.fullmatch(r"[a-z_]+", part):
            from web.common.labels import membership_label

            membership = membership_label(part)
            found = membership if str(membership) != part else _state_label(part)
        words.append(str(found) if found is not None else part)
    return ", ".join(words)


_PAIRS = re.compile(r"(\w+)=(\S*)")


def filters_text(detail: str) -> str | None:
    """`page=1 per_page=25 sort=deadline total=3` (a bulk read's filters) in words; None if not of that shape."""
    head = re.sub(r"^\d{4}-\d{2}-\d{2}\.\.\d{4}-\d{2}-\d{2}\s*", "", detail)
    pairs = _PAIRS.findall(head)
    if not pairs or _PAIRS.sub("", head).strip():
        return None
    period = detail[: len(detail) - len(head)].strip()
    parts = [f"{FILTER_KEYS.get(key, key)}: {_value_text(value)}" for key, value in pairs]
    return "; ".join(([detail_text(period)] if period else []) + parts)


def detail_text(detail: str | None) -> str:
    """A record's detail in words where its shape is known; requests (METHOD /path) as they are."""
    if not detail:
        return ""
    in_words = filters_text(detail)
    if in_words is not None:
        return in_words
    for pattern, words in _PATTERNS:
        found = pattern.match(detail)
        if found:
            return words(found)
    if re.fullmatch(r"[a-z_]+(,[a-z_]+)*", detail):  # a list of codes (membership statuses of a register)
        from web.common.labels import membership_label

        return ", ".join(membership_label(code) for code in detail.split(","))
    return detail


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(audit_action=action_text, audit_outcome=outcome_text, audit_object=object_text,
                                 audit_detail=detail_text)
