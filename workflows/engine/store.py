"""The rows a transition reads and writes, as prebuilt SQLAlchemy Core statements.

A transition is the engine's hot path (quality.md Performance 1: within 2× a
hand-written raw-SQL twin). The ORM's identity map and unit of work cost more
than the statements themselves there, so the transition works on plain rows:
`CaseRow` and `DeadlineRow` are loaded by one statement each and written back
by one statement each, on the transaction's own connection. The statements are
built once at import; SQLAlchemy caches their compiled form.

Everything else (pages, reports, administration) keeps the ORM models, which
map the same tables.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update

from models import AuditRecord, Case, Deadline, Event, Organisation, Person, Vote

CASES, DEADLINES, PERSONS = Case.__table__, Deadline.__table__, Person.__table__
EVENTS, VOTES, AUDIT, ORGS = Event.__table__, Vote.__table__, AuditRecord.__table__, Organisation.__table__


@dataclass(slots=True)
class CaseRow:
    """A case as the engine moves it: the `cases` row's columns (what `fire` returns)."""

    id: int | None
    procedure: str
    rule_set: str
    state: str | None
    revision: int
    organisation_id: int
    organisation_path: str
    person_id: int
    parent_case_id: int | None
    data: dict
    opened_at: datetime
    closed_at: datetime | None = None
    decided_on: date | None = None


CASE_COLUMNS = tuple(f.name for f in fields(CaseRow))
# What a step may change on its case (the rest is fixed when the case is opened).
CASE_MUTABLE = ("state", "revision", "organisation_id", "organisation_path", "data", "closed_at", "decided_on")


@dataclass(slots=True)
class DeadlineRow:
    """An open deadline of a case; `changes()` says which columns the step changed."""

    id: int
    case_id: int
    kind: str
    due_date: date
    role: str
    organisation_id: int
    status: str
    closed_at: datetime | None
    next_reminder_on: date | None
    started_on: date | None
    met_on: date | None
    working_days_taken: int | None
    working_days_allowed: int | None
    loaded: tuple = ()

    def changes(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name, before in zip(DEADLINE_MUTABLE, self.loaded)
                if getattr(self, name) != before}


DEADLINE_COLUMNS = tuple(f.name for f in fields(DeadlineRow) if f.name != "loaded")
# Columns a step may change on an open deadline (the scheduler owns next_reminder_on, except that a new
# due date clears it so the reminder stages are planned afresh).
DEADLINE_MUTABLE = ("due_date", "organisation_id", "status", "closed_at", "next_reminder_on", "met_on",
                    "working_days_taken", "working_days_allowed")

# Prebuilt statements: compiled once per dialect by SQLAlchemy's statement cache.
_CASE_BY_ID = select(*(CASES.c[name] for name in CASE_COLUMNS)).where(CASES.c.id == bindparam("id"))
_OPEN_DEADLINES = (select(*(DEADLINES.c[name] for name in DEADLINE_COLUMNS))
                   .where(DEADLINES.c.case_id == bindparam("case_id"), DEADLINES.c.status == "open")
                   .order_by(DEADLINES.c.id))
_UPDATE_CASE = (
    update(CASES)
    .where(CASES.c.id == bindparam("_id"), CASES.c.revision == bindparam("_expected"))
    .values({name: bindparam(name) for name in CASE_MUTABLE})
)
_INSERT_CASE = insert(CASES)
_INSERT_EVENT = insert(EVENTS)
_INSERT_VOTE = insert(VOTES)
_INSERT_DEADLINE = insert(DEADLINES)
_INSERT_AUDIT = insert(AUDIT)
_OPEN_CASE_OF_PERSON = select(CASES.c.id).where(
    CASES.c.person_id == bindparam("person_id"), CASES.c.procedure == bindparam("procedure"),
    CASES.c.closed_at.is_(None)).limit(1)
_ORG_PATH = select(ORGS.c.id, ORGS.c.path).where(ORGS.c.id == bindparam("id"))
_deadline_updates: dict[tuple[str, ...], Any] = {}
_person_updates: dict[tuple[str, ...], Any] = {}


def load_case(conn: Connection, case_id: int) -> CaseRow | None:
    row = conn.execute(_CASE_BY_ID, {"id": case_id}).first()
    return CaseRow(*row) if row is not None else None


def load_open_deadlines(conn: Connection, case_id: int) -> list[DeadlineRow]:
    rows = []
    for values in conn.execute(_OPEN_DEADLINES, {"case_id": case_id}):
        row = DeadlineRow(*values)
        row.loaded = tuple(getattr(row, name) for name in DEADLINE_MUTABLE)
        rows.append(row)
    return rows


def organisation_path(conn: Connection, organisation_id: int) -> str | None:
    row = conn.execute(_ORG_PATH, {"id": organisation_id}).first()
    return row.path if row is not None else None


def has_open_case(conn: Connection, person_id: int, procedure: str) -> bool:
    return conn.execute(_OPEN_CASE_OF_PERSON, {"person_id": person_id, "procedure": procedure}).first() is not None


def insert_case(conn: Connection, case: CaseRow) -> int:
    values = {name: getattr(case, name) for name in CASE_COLUMNS if name != "id"}
    case.id = conn.execute(_INSERT_CASE, values).inserted_primary_key[0]
    return case.id


def mutable_values(case: CaseRow) -> dict[str, Any]:
    """The columns a step may change, as they are now."""
    return {name: getattr(case, name) for name in CASE_MUTABLE}


def update_case(conn: Connection, case: CaseRow, expected_revision: int) -> bool:
    """Write the case back if nobody moved it since it was loaded; False when someone did."""
    values = mutable_values(case)
    result = conn.execute(_UPDATE_CASE, {**values, "_id": case.id, "_expected": expected_revision})
    return result.rowcount == 1


def write_deadline(conn: Connection, deadline: DeadlineRow) -> None:
    """Write the columns the step changed (none: no statement)."""
    changes = deadline.changes()
    if not changes:
        return
    names = tuple(sorted(changes))
    statement = _deadline_updates.get(names)
    if statement is None:
        statement = _deadline_updates[names] = (
            update(DEADLINES).where(DEADLINES.c.id == bindparam("_id"))
            .values({name: bindparam(name) for name in names}))
    conn.execute(statement, {**changes, "_id": deadline.id})


def insert_deadline(conn: Connection, **values) -> None:
    conn.execute(_INSERT_DEADLINE, values)


def update_person(conn: Connection, person_id: int, changes: dict[str, Any]) -> None:
    """Set the changed biography/membership columns and count the person's revision up by one."""
    names = tuple(sorted(changes))
    statement = _person_updates.get(names)
    if statement is None:
        statement = _person_updates[names] = (
            update(PERSONS).where(PERSONS.c.id == bindparam("_id"))
            .values({**{name: bindparam(name) for name in names}, "revision": PERSONS.c.revision + 1}))
    conn.execute(statement, {**changes, "_id": person_id})


def insert_event(conn: Connection, **values) -> None:
    conn.execute(_INSERT_EVENT, values)


def insert_vote(conn: Connection, **values) -> None:
    conn.execute(_INSERT_VOTE, values)


def insert_audit(conn: Connection, **values) -> None:
    conn.execute(_INSERT_AUDIT, {"outcome": "ok", **values})


__all__ = [
    "CaseRow", "DeadlineRow", "has_open_case", "insert_audit", "insert_case", "insert_deadline",
    "insert_event", "insert_vote", "load_case", "load_open_deadlines", "organisation_path", "update_case",
    "update_person", "write_deadline",
]
