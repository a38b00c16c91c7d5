"""Rows to the plain facts rules see, and the lookups rules may call.

The loaders take any `db`: the transition's Core connection (statements run
prepared, see models/prepared.py) or a read session. They select columns,
never ORM entities, so a transition builds its facts without the identity map.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import bindparam, or_, select

from models import Case, Event, Organisation, Person
from models.prepared import Prepared
from workflows.domain.definition import (
    CaseFacts,
    EventFacts,
    Lookups,
    OrgFacts,
    PersonFacts,
    Roll,
)
from workflows.engine.store import (
    CASE_COLUMNS,
    CaseRow,
    load_case,
    load_open_deadlines,
    organisation_path,
)
from workflows.procedures.roll import ROLL_PROCEDURES, CaseRecord, Member, build_roll

_PEOPLE, _ORGS, _CASES = Person.__table__, Organisation.__table__, Case.__table__
# In PersonFacts' field order.
PERSON_FACT_COLUMNS = ("id", "full_name", "birth_date", "organisation_id", "membership_status", "gender",
                       "education", "email", "joined_on", "official_on", "left_on", "left_reason", "holds_post",
                       "flags")
_PERSON_COLUMNS = tuple(_PEOPLE.c[name] for name in PERSON_FACT_COLUMNS)
_CHAIN_COLUMNS = (_ORGS.c.id, _ORGS.c.name, _ORGS.c.kind, _ORGS.c.admission_authority, _ORGS.c.parent_id,
                  _ORGS.c.youth_union)
_PERSON = Prepared(select(*_PERSON_COLUMNS).where(_PEOPLE.c.id == bindparam("id")))
_CASES_OF_PERSON = Prepared(select(*(_CASES.c[name] for name in CASE_COLUMNS))
                            .where(_CASES.c.person_id == bindparam("person_id")).order_by(_CASES.c.id))
_EVENTS = Prepared(select(Event.seq, Event.trigger, Event.from_state, Event.to_state, Event.data)
                   .where(Event.case_id == bindparam("case_id")).order_by(Event.seq))
# A cell's roll on a date: the persons on its books, and their cases of the procedures that change who counts.
_ROLL_MEMBERS = Prepared(select(_PEOPLE.c.id, _PEOPLE.c.membership_status, _PEOPLE.c.official_on, _PEOPLE.c.left_on)
                         .where(_PEOPLE.c.organisation_id == bindparam("org"),
                                or_(_PEOPLE.c.membership_status == "official",
                                    _PEOPLE.c.membership_status == "former")))
_ROLL_CASES = Prepared(
    select(_CASES.c.procedure, _CASES.c.state, _CASES.c.person_id, _CASES.c.data)
    .select_from(_CASES.join(_PEOPLE, _PEOPLE.c.id == _CASES.c.person_id))
    .where(_PEOPLE.c.organisation_id == bindparam("org"),
           or_(*(_CASES.c.procedure == name for name in ROLL_PROCEDURES)))
)
# `id IN (:k0, :k1, …)` by the number of ids, each compiled once (an expanding IN is rendered anew on every
# execution).
_BY_IDS: dict[tuple[str, int], Prepared] = {}


def _rows_by_ids(db, columns: tuple, ids: list[int]) -> list[tuple]:
    """`columns` (the first is the table's id) of the rows with these ids."""
    id_column = columns[0]
    key = (id_column.table.name, len(ids))
    statement = _BY_IDS.get(key)
    if statement is None:
        statement = _BY_IDS[key] = Prepared(
            select(*columns).where(id_column.in_([bindparam(f"k{n}") for n in range(len(ids))])))
    return statement.rows(db, {f"k{n}": i for n, i in enumerate(ids)})


def path_ids(path: str) -> list[int]:
    """'/1/4/9/' -> [1, 4, 9]."""
    return [int(p) for p in path.strip("/").split("/") if p]


def org_facts(org: Organisation) -> OrgFacts:
    return OrgFacts(org.id, org.name, org.kind, org.admission_authority, org.parent_id, org.youth_union)


class OrgTable:
    """Organisations as rows, each made an `OrgFacts` only when asked for: a province's dashboard reads
    thousands of organisations and judges by a few of them (the rest only by kind, authority and parent)."""

    KIND, AUTHORITY, PARENT = 2, 3, 4  # positions in a row (_CHAIN_COLUMNS)

    def __init__(self, rows: dict[int, tuple]):
        self.rows, self.facts = rows, {}

    def __contains__(self, org_id) -> bool:
        return org_id in self.rows

    def __iter__(self):
        return iter(self.rows)

    def items(self):
        return ((org_id, self[org_id]) for org_id in self.rows)

    def __getitem__(self, org_id: int) -> OrgFacts:
        found = self.facts.get(org_id)
        if found is None:
            found = self.facts[org_id] = OrgFacts(*self.rows[org_id])
        return found

    def get(self, org_id, default=None):
        return self[org_id] if org_id in self.rows else default

    def update(self, other: "OrgTable") -> None:
        self.rows.update(other.rows)


def load_org_table(db, *where) -> OrgTable:
    """The organisations matching `where` (all when none), as Core rows (no ORM objects)."""
    return OrgTable({row[0]: tuple(row) for row in db.execute(select(*_CHAIN_COLUMNS).where(*where)).all()})


def load_chain(db, path: str) -> list[OrgFacts]:
    """The organisation at `path` and its ancestors, root first (one query)."""
    ids = path_ids(path)
    by_id = {row[0]: OrgFacts(*row) for row in _rows_by_ids(db, _CHAIN_COLUMNS, ids)}
    return [by_id[i] for i in ids if i in by_id]


def person_facts(person: Any) -> PersonFacts:
    """Facts of a Person (an ORM object, or anything with its columns as attributes)."""
    return PersonFacts(
        id=person.id, full_name=person.full_name, birth_date=person.birth_date,
        organisation_id=person.organisation_id, membership_status=person.membership_status,
        gender=person.gender, education=person.education, email=person.email,
        joined_on=person.joined_on, official_on=person.official_on, left_on=person.left_on,
        left_reason=person.left_reason, holds_post=person.holds_post, flags=dict(person.flags or {}),
    )


def _person_from_row(row: tuple) -> PersonFacts:
    return PersonFacts(*row[:-1], flags=dict(row[-1] or {}))


def load_person_facts(db, person_id: int) -> PersonFacts | None:
    row = _PERSON.first(db, {"id": person_id})
    return _person_from_row(row) if row is not None else None


def case_facts(case: Any, deadlines: list | None = None) -> CaseFacts:
    """Facts of a case (ORM object or CaseRow) with its open deadlines' due dates."""
    return CaseFacts(
        id=case.id, procedure=case.procedure, rule_set=case.rule_set, state=case.state,
        revision=case.revision, organisation_id=case.organisation_id, person_id=case.person_id,
        data=dict(case.data or {}), deadlines={d.kind: d.due_date for d in deadlines or []},
        parent_case_id=case.parent_case_id, closed=case.closed_at is not None, decided_on=case.decided_on,
    )


class DbLookups(Lookups):
    """Lookups answered inside the caller's transaction (same snapshot), from a session or a connection.

    `moving` holds the cases the transaction has moved but not written yet (a step's effects run
    before its case row is written): lookups see them as they are now, as a unit of work would.

    `memo` (the engine's transitions): persons and organisation chains read once per transaction — two
    rules of a step asking for the same introducers cost one statement, and an organisation on the
    case's own chain costs none. A transition writes no organisation, and it writes persons only through
    the UpdatePerson effect, which calls `forget_person`. Other users (imports, pages) write through
    their session while they look up, so they read afresh.
    """

    def __init__(self, db, moving: dict[int, CaseRow] | None = None, *, memo: bool = False):
        self.db = db
        self.moving = {} if moving is None else moving
        self._persons: dict[int, PersonFacts] | None = {} if memo else None
        self._chains: dict[int, list[OrgFacts]] | None = {} if memo else None

    def remember_person(self, person: PersonFacts) -> None:
        if self._persons is not None:
            self._persons[person.id] = person

    def remembered_person(self, person_id: int) -> PersonFacts | None:
        """The person as this transaction read them, if it did and has not written them since."""
        return self._persons.get(person_id) if self._persons is not None else None

    def forget_person(self, person_id: int) -> None:
        if self._persons is not None:
            self._persons.pop(person_id, None)

    def remember_chain(self, chain: list[OrgFacts]) -> None:
        """Every organisation on a loaded chain, with its own chain (a prefix of it)."""
        if self._chains is not None:
            for n, org in enumerate(chain):
                self._chains.setdefault(org.id, chain[: n + 1])

    def person(self, person_id: int) -> PersonFacts | None:
        found = self.remembered_person(person_id)
        if found is None:
            found = load_person_facts(self.db, person_id)
            if found is not None:
                self.remember_person(found)
        return found

    def persons(self, person_ids) -> dict[int, PersonFacts]:
        ids = list(dict.fromkeys(person_ids))
        known = {i: p for i in ids if (p := self.remembered_person(i)) is not None}
        missing = [i for i in ids if i not in known]
        if missing:
            for row in _rows_by_ids(self.db, _PERSON_COLUMNS, missing):
                known[row[0]] = person = _person_from_row(row)
                self.remember_person(person)
        return {i: known[i] for i in ids if i in known}

    def case_row(self, case_id: int) -> CaseRow | None:
        return self.moving.get(case_id) or load_case(self.db, case_id)

    def case(self, case_id: int) -> CaseFacts | None:
        case = self.case_row(case_id)
        return case_facts(case, load_open_deadlines(self.db, case_id)) if case else None

    def cases_of_person(self, person_id: int) -> list[CaseFacts]:
        rows = (CaseRow(*row) for row in _CASES_OF_PERSON.rows(self.db, {"person_id": person_id}))
        return [case_facts(self.moving.get(row.id, row)) for row in rows]

    def events(self, case_id: int) -> list[EventFacts]:
        return [EventFacts(seq, trigger, from_state, to_state, dict(data or {}))
                for seq, trigger, from_state, to_state, data in _EVENTS.rows(self.db, {"case_id": case_id})]

    def organisation_chain(self, organisation_id: int) -> list[OrgFacts]:
        chain = self._chains.get(organisation_id) if self._chains is not None else None
        if chain is None:
            path = organisation_path(self.db, organisation_id)
            chain = load_chain(self.db, path) if path else []
            self.remember_chain(chain)
        return list(chain)

    def roll(self, organisation_id: int, on: date) -> Roll:
        return load_roll(self.db, organisation_id, on)


def load_roll(db, organisation_id: int, on: date) -> Roll:
    """The organisation's official members on a date and, among them, those exempt, suspended or away."""
    members = [Member(*row) for row in _ROLL_MEMBERS.rows(db, {"org": organisation_id})]
    cases = [CaseRecord(procedure, state, person_id, dict(data or {}))
             for procedure, state, person_id, data in _ROLL_CASES.rows(db, {"org": organisation_id})]
    return build_roll(on, members, cases)
