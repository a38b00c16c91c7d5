"""Rows to the plain facts rules see, and the lookups rules may call."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Case, Deadline, Event, Organisation, Person
from ..definition import CaseFacts, EventFacts, Lookups, OrgFacts, PersonFacts


def path_ids(path: str) -> list[int]:
    """'/1/4/9/' -> [1, 4, 9]."""
    return [int(p) for p in path.strip("/").split("/") if p]


def org_facts(org: Organisation) -> OrgFacts:
    return OrgFacts(org.id, org.name, org.kind, org.admission_authority, org.parent_id)


def load_chain(session: Session, path: str) -> list[OrgFacts]:
    """The organisation at `path` and its ancestors, root first (one query)."""
    ids = path_ids(path)
    rows = session.scalars(select(Organisation).where(Organisation.id.in_(ids))).all()
    by_id = {o.id: org_facts(o) for o in rows}
    return [by_id[i] for i in ids if i in by_id]


def person_facts(person: Person) -> PersonFacts:
    return PersonFacts(
        id=person.id, full_name=person.full_name, birth_date=person.birth_date,
        organisation_id=person.organisation_id, membership_status=person.membership_status,
        gender=person.gender, education=person.education, email=person.email,
        joined_on=person.joined_on, official_on=person.official_on, left_on=person.left_on,
        left_reason=person.left_reason, holds_post=person.holds_post, flags=dict(person.flags or {}),
    )


def open_deadlines(session: Session, case_id: int) -> list[Deadline]:
    return list(session.scalars(
        select(Deadline).where(Deadline.case_id == case_id, Deadline.status == "open")
    ))


def case_facts(case: Case, deadlines: list[Deadline] | None = None) -> CaseFacts:
    return CaseFacts(
        id=case.id, procedure=case.procedure, rule_set=case.rule_set, state=case.state,
        revision=case.revision, organisation_id=case.organisation_id, person_id=case.person_id,
        data=dict(case.data or {}), deadlines={d.kind: d.due_date for d in deadlines or []},
        parent_case_id=case.parent_case_id, closed=case.closed_at is not None, decided_on=case.decided_on,
    )


class SessionLookups(Lookups):
    """Lookups answered from the unit of work's own session (same transaction, same snapshot)."""

    def __init__(self, session: Session):
        self.session = session

    def person(self, person_id: int) -> PersonFacts | None:
        person = self.session.get(Person, person_id)
        return person_facts(person) if person else None

    def case(self, case_id: int) -> CaseFacts | None:
        case = self.session.get(Case, case_id)
        return case_facts(case, open_deadlines(self.session, case_id)) if case else None

    def cases_of_person(self, person_id: int) -> list[CaseFacts]:
        cases = self.session.scalars(select(Case).where(Case.person_id == person_id).order_by(Case.id))
        return [case_facts(c) for c in cases]

    def events(self, case_id: int) -> list[EventFacts]:
        rows = self.session.scalars(select(Event).where(Event.case_id == case_id).order_by(Event.seq))
        return [EventFacts(e.seq, e.trigger, e.from_state, e.to_state, dict(e.data or {})) for e in rows]

    def organisation_chain(self, organisation_id: int) -> list[OrgFacts]:
        org = self.session.get(Organisation, organisation_id)
        return load_chain(self.session, org.path) if org else []
