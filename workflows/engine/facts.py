"""Rows to the plain facts rules see, and the lookups rules may call.

The loaders take any `db` with `.execute()`: the transition's Core connection
or a read session. They select columns, never ORM entities, so a transition
builds its facts without the identity map (see store.py).
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, select

from models import Case, Event, Organisation, Person
from ..definition import CaseFacts, EventFacts, Lookups, OrgFacts, PersonFacts
from .store import CASE_COLUMNS, CaseRow, load_case, load_open_deadlines

PERSON_FACT_COLUMNS = ("id", "full_name", "birth_date", "organisation_id", "membership_status", "gender",
                       "education", "email", "joined_on", "official_on", "left_on", "left_reason", "holds_post",
                       "flags")
_PERSON = select(*(Person.__table__.c[name] for name in PERSON_FACT_COLUMNS)).where(
    Person.__table__.c.id == bindparam("id"))
_ORGS = Organisation.__table__
_CHAIN = select(_ORGS.c.id, _ORGS.c.name, _ORGS.c.kind, _ORGS.c.admission_authority, _ORGS.c.parent_id).where(
    _ORGS.c.id.in_(bindparam("ids", expanding=True)))
_CASES_OF_PERSON = select(*(Case.__table__.c[name] for name in CASE_COLUMNS)).where(
    Case.__table__.c.person_id == bindparam("person_id")).order_by(Case.__table__.c.id)
_EVENTS = select(Event.seq, Event.trigger, Event.from_state, Event.to_state, Event.data).where(
    Event.case_id == bindparam("case_id")).order_by(Event.seq)


def path_ids(path: str) -> list[int]:
    """'/1/4/9/' -> [1, 4, 9]."""
    return [int(p) for p in path.strip("/").split("/") if p]


def org_facts(org: Organisation) -> OrgFacts:
    return OrgFacts(org.id, org.name, org.kind, org.admission_authority, org.parent_id)


def load_chain(db, path: str) -> list[OrgFacts]:
    """The organisation at `path` and its ancestors, root first (one query)."""
    ids = path_ids(path)
    by_id = {row[0]: OrgFacts(*row) for row in db.execute(_CHAIN, {"ids": ids})}
    return [by_id[i] for i in ids if i in by_id]


def person_facts(person: Any) -> PersonFacts:
    """Facts of a Person (ORM object or row with its columns)."""
    return PersonFacts(
        id=person.id, full_name=person.full_name, birth_date=person.birth_date,
        organisation_id=person.organisation_id, membership_status=person.membership_status,
        gender=person.gender, education=person.education, email=person.email,
        joined_on=person.joined_on, official_on=person.official_on, left_on=person.left_on,
        left_reason=person.left_reason, holds_post=person.holds_post, flags=dict(person.flags or {}),
    )


def load_person_facts(db, person_id: int) -> PersonFacts | None:
    row = db.execute(_PERSON, {"id": person_id}).first()
    return person_facts(row) if row is not None else None


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
    """

    def __init__(self, db, moving: dict[int, CaseRow] | None = None):
        self.db = db
        self.moving = {} if moving is None else moving

    def person(self, person_id: int) -> PersonFacts | None:
        return load_person_facts(self.db, person_id)

    def case_row(self, case_id: int) -> CaseRow | None:
        return self.moving.get(case_id) or load_case(self.db, case_id)

    def case(self, case_id: int) -> CaseFacts | None:
        case = self.case_row(case_id)
        return case_facts(case, load_open_deadlines(self.db, case_id)) if case else None

    def cases_of_person(self, person_id: int) -> list[CaseFacts]:
        rows = (CaseRow(*row) for row in self.db.execute(_CASES_OF_PERSON, {"person_id": person_id}))
        return [case_facts(self.moving.get(row.id, row)) for row in rows]

    def events(self, case_id: int) -> list[EventFacts]:
        return [EventFacts(seq, trigger, from_state, to_state, dict(data or {}))
                for seq, trigger, from_state, to_state, data in self.db.execute(_EVENTS, {"case_id": case_id})]

    def organisation_chain(self, organisation_id: int) -> list[OrgFacts]:
        path = self.db.execute(select(_ORGS.c.path).where(_ORGS.c.id == organisation_id)).scalar()
        return load_chain(self.db, path) if path else []
