"""The rows a transition reads and writes, as prebuilt SQLAlchemy Core statements.

A transition is the engine's hot path (quality.md Performance 1: within 2× a
hand-written raw-SQL twin). The ORM's identity map and unit of work cost more
than the statements themselves there, so the transition works on plain rows:
`CaseRow` and `DeadlineRow` are loaded by one statement each and written back
by one statement each, on the transaction's own connection. The statements are
built once at import and run as `Prepared` statements (models/prepared.py):
SQLAlchemy's SQL and types without its per-execution overhead.

Everything else (pages, reports, administration) keeps the ORM models, which
map the same tables.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from models import Case, Deadline, DecisionNumber, Event, Organisation, Person, Vote
from models.prepared import Prepared
from models.record import append_audit

CASES, DEADLINES, PERSONS = Case.__table__, Deadline.__table__, Person.__table__
EVENTS, VOTES, ORGS = Event.__table__, Vote.__table__, Organisation.__table__


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
    event_head: str | None = None  # the case chain's signed head (models/record.py)
    event_mac: str | None = None


CASE_COLUMNS = tuple(f.name for f in fields(CaseRow))
# What a step may change on its case (the rest is fixed when the case is opened).
CASE_MUTABLE = ("state", "revision", "organisation_id", "organisation_path", "data", "closed_at", "decided_on",
                "event_head", "event_mac")


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
    loaded: tuple = field(default=(), init=False)  # the mutable columns as read, for changes()

    def __post_init__(self) -> None:
        self.loaded = tuple(getattr(self, name) for name in DEADLINE_MUTABLE)

    def changes(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name, before in zip(DEADLINE_MUTABLE, self.loaded)
                if getattr(self, name) != before}


DEADLINE_COLUMNS = tuple(f.name for f in fields(DeadlineRow) if f.init)
# Columns a step may change on an open deadline (the scheduler owns next_reminder_on, except that a new
# due date clears it so the reminder stages are planned afresh).
DEADLINE_MUTABLE = ("due_date", "organisation_id", "status", "closed_at", "next_reminder_on", "met_on",
                    "working_days_taken", "working_days_allowed")

# The statements, built once; `Prepared` compiles each per dialect on first use (models/prepared.py).
_CASE_BY_ID = Prepared(select(*(CASES.c[name] for name in CASE_COLUMNS)).where(CASES.c.id == bindparam("id")))
_OPEN_DEADLINES = Prepared(
    select(*(DEADLINES.c[name] for name in DEADLINE_COLUMNS))
    .where(DEADLINES.c.case_id == bindparam("case_id"), DEADLINES.c.status == "open").order_by(DEADLINES.c.id))
_OPEN_CASE_OF_PERSON = Prepared(select(CASES.c.id).where(
    CASES.c.person_id == bindparam("person_id"), CASES.c.procedure == bindparam("procedure"),
    CASES.c.closed_at.is_(None)).limit(1))
_ORG_PATH = Prepared(select(ORGS.c.path).where(ORGS.c.id == bindparam("id")))


def _insert(table, names: tuple[str, ...], returning=None) -> Prepared:
    """INSERT naming every column it sets (a prepared statement applies no Python-side defaults)."""
    statement = insert(table).values({name: bindparam(name) for name in names})
    return Prepared(statement.returning(returning) if returning is not None else statement)


_INSERT_CASE = _insert(CASES, tuple(n for n in CASE_COLUMNS if n != "id"), returning=CASES.c.id)
_INSERT_EVENT = _insert(EVENTS, ("case_id", "seq", "trigger", "from_state", "to_state", "actor_id", "at", "data",
                                 "comment", "hash"))
_INSERT_VOTE = _insert(VOTES, ("case_id", "event_seq", "body", "held_on", "eligible", "agree", "disagree", "method",
                               "threshold", "passed"))
_INSERT_DEADLINE = _insert(DEADLINES, ("case_id", "kind", "due_date", "role", "organisation_id", "status",
                                       "opened_at", "legal_basis", "started_on"))
# UPDATEs of the columns a step changed: one statement per table and set of columns.
_updates: dict[tuple[str, tuple[str, ...]], Prepared] = {}


def _update_of(table, names: tuple[str, ...]) -> Prepared:
    """UPDATE table SET <names> WHERE id = :_id (cases: AND revision = :_expected; persons: revision + 1)."""
    statement = _updates.get((table.name, names))
    if statement is None:
        values: dict[str, Any] = {name: bindparam(name) for name in names}
        where = [table.c.id == bindparam("_id")]
        if table is CASES:
            where.append(CASES.c.revision == bindparam("_expected"))  # optimistic locking
        if table is PERSONS:
            values["revision"] = PERSONS.c.revision + 1
        statement = _updates[(table.name, names)] = Prepared(update(table).where(*where).values(values))
    return statement


def load_case(db, case_id: int) -> CaseRow | None:
    row = _CASE_BY_ID.first(db, {"id": case_id})
    return CaseRow(*row) if row is not None else None


def load_open_deadlines(db, case_id: int) -> list[DeadlineRow]:
    return [DeadlineRow(*values) for values in _OPEN_DEADLINES.rows(db, {"case_id": case_id})]


def organisation_path(db, organisation_id: int) -> str | None:
    row = _ORG_PATH.first(db, {"id": organisation_id})
    return row[0] if row is not None else None


def has_open_case(conn: Connection, person_id: int, procedure: str) -> bool:
    return _OPEN_CASE_OF_PERSON.first(conn, {"person_id": person_id, "procedure": procedure}) is not None


def insert_case(conn: Connection, case: CaseRow) -> int:
    values = {name: getattr(case, name) for name in CASE_COLUMNS if name != "id"}
    case.id = _INSERT_CASE.first(conn, values)[0]
    return case.id


def mutable_values(case: CaseRow) -> dict[str, Any]:
    """The columns a step may change, as they are now."""
    return {name: getattr(case, name) for name in CASE_MUTABLE}


def update_case(conn: Connection, case: CaseRow, before: dict[str, Any], expected_revision: int) -> bool:
    """Write the columns that differ from `before` if nobody moved the case since it was loaded.

    False when someone did (no row at the expected revision). Only changed columns are set, as the
    ORM would: SQLite rewrites the index entries of every column named in SET.
    """
    changes = {name: value for name, value in mutable_values(case).items() if value != before[name]}
    if not changes:
        return True
    statement = _update_of(CASES, tuple(sorted(changes)))
    return statement.run(conn, {**changes, "_id": case.id, "_expected": expected_revision}) == 1


def write_deadline(conn: Connection, deadline: DeadlineRow) -> None:
    """Write the columns the step changed (none: no statement)."""
    changes = deadline.changes()
    if not changes:
        return
    _update_of(DEADLINES, tuple(sorted(changes))).run(conn, {**changes, "_id": deadline.id})


def insert_deadline(conn: Connection, **values) -> None:
    _INSERT_DEADLINE.run(conn, values)


_person_reads: dict[tuple[str, ...], Prepared] = {}


def person_values(conn: Connection, person_id: int, names: tuple[str, ...]) -> tuple | None:
    """The person's current values of these columns, as this transaction sees them."""
    statement = _person_reads.get(names)
    if statement is None:
        statement = _person_reads[names] = Prepared(
            select(*(PERSONS.c[n] for n in names)).where(PERSONS.c.id == bindparam("id")))
    return statement.first(conn, {"id": person_id})


def update_person(conn: Connection, person_id: int, changes: dict[str, Any]) -> None:
    """Set the changed biography/membership columns and count the person's revision up by one."""
    _update_of(PERSONS, tuple(sorted(changes))).run(conn, {**changes, "_id": person_id})


def insert_event(conn: Connection, **values) -> None:
    _INSERT_EVENT.run(conn, values)


def insert_vote(conn: Connection, **values) -> None:
    _INSERT_VOTE.run(conn, values)


def insert_audit(conn: Connection, **values) -> None:
    """Append an audit row, linked into a lane of the audit chain (models/record.py)."""
    append_audit(conn, values)


# (number_key, case_id) is the primary key: a number the case recorded before is skipped by the conflict
# clause, in one prepared statement (building an INSERT … WHERE NOT EXISTS per call cost ≈ 1 ms).
_INSERT_DECISION_NUMBER = {
    name: Prepared(dialect.insert(DecisionNumber.__table__).values(
        number_key=bindparam("number_key"), case_id=bindparam("case_id")).on_conflict_do_nothing())
    for name, dialect in (("sqlite", sqlite), ("postgresql", postgresql))
}


def insert_decision_number(conn: Connection, case_id: int, number_key: str) -> None:
    """Index a decision number the case recorded (folded), once per case however often it is recorded."""
    statement = _INSERT_DECISION_NUMBER["postgresql" if conn.dialect.name == "postgresql" else "sqlite"]
    statement.run(conn, {"number_key": number_key, "case_id": case_id})


__all__ = [
    "CaseRow", "DeadlineRow", "has_open_case", "insert_audit", "insert_case", "insert_deadline",
    "insert_decision_number",
    "insert_event", "insert_vote", "load_case", "load_open_deadlines", "organisation_path", "person_values",
    "update_case",
    "update_person", "write_deadline",
]
