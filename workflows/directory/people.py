"""Organisations and people as the web UI shows them, with the access rule of each read and edit.

Visibility follows the organisation tree (roles apply to the subtree); a
person's page is a read of their biography and is audited.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from models import Case, Organisation, Person, write_transaction
from workflows.directory.directory import update_person
from workflows.directory.directory_access import PERSON_KEEPERS
from workflows.domain.definition import CaseFacts, Procedure, StepContext
from workflows.domain.errors import Forbidden, NotFound
from workflows.domain.rulesets import RULE_SETS, rule_set_in_force
from workflows.engine.access import Actor, forbidden_step, load_actor
from workflows.engine.audit import record_audit
from workflows.engine.facts import DbLookups, load_chain, person_facts
from workflows.engine.runtime import Runtime
from workflows.procedures.registry import get_procedure, procedure_names
from workflows.read.casefile import ref_options
from workflows.read.choices import may_open, possible_choices
from workflows.read.listing import subtree, visible


@dataclass(frozen=True)
class OrgNode:
    id: int
    name: str
    kind: str
    depth: int
    parent_id: int | None
    members: int
    open_cases: int
    visible: bool  # False for an ancestor shown only to place one's own organisations


@dataclass
class OrgPage:
    organisation: Organisation
    ancestors: list[Organisation]
    children: list[OrgNode]
    members: list[Person]
    open_cases: int
    can_add_person: bool
    member_counts: dict[str, int] = field(default_factory=dict)


@dataclass
class PersonPage:
    person: Person
    organisation: Organisation
    cases: list[Case]
    can_edit: bool
    can_open: bool
    openable: tuple[str, ...] = ()  # the procedures whose opening this person's record does not already rule out


def keeps_records(actor: Actor, path: str) -> bool:
    """May register and edit people at this organisation."""
    return actor.superuser_over(path) or bool(actor.roles_over(path) & PERSON_KEEPERS)


def organisation_tree(rt: Runtime, *, actor_id: int) -> list[OrgNode]:
    """The visible organisations in tree order, with their ancestors for context."""
    with rt.session_factory() as session:
        actor = load_actor(session, actor_id)
        seen = visible(actor, Organisation.path)
        query = select(Organisation)
        if seen is not None:
            query = query.where(seen)
        orgs = list(session.scalars(query.order_by(Organisation.path).limit(5000)))
        ids = {o.id for o in orgs}
        ancestor_ids = {int(p) for o in orgs for p in o.path.strip("/").split("/")} - ids
        ancestors = list(session.scalars(select(Organisation).where(Organisation.id.in_(ancestor_ids)))) \
            if ancestor_ids else []
        members = dict(session.execute(select(Person.organisation_id, func.count(Person.id))
                                       .where(Person.organisation_id.in_(ids),
                                              Person.membership_status.in_(("official", "probationary")))
                                       .group_by(Person.organisation_id)).all()) if ids else {}
        cases = dict(session.execute(select(Case.organisation_id, func.count(Case.id))
                                     .where(Case.organisation_id.in_(ids), Case.closed_at.is_(None))
                                     .group_by(Case.organisation_id)).all()) if ids else {}
    every = sorted(orgs + ancestors, key=lambda o: _sort_key(o.path, {x.id: x for x in orgs + ancestors}))
    return [OrgNode(o.id, o.name, o.kind, o.path.count("/") - 2, o.parent_id, members.get(o.id, 0),
                    cases.get(o.id, 0), o.id in ids) for o in every]


def _sort_key(path: str, by_id: dict[int, Organisation]) -> tuple:
    """Siblings by name, children under their parent."""
    return tuple((by_id[int(p)].name if int(p) in by_id else "", int(p)) for p in path.strip("/").split("/"))


def _visible_org(session: Session, actor: Actor, organisation_id: int) -> Organisation:
    org = session.get(Organisation, organisation_id)
    if org is None or not actor.can_see(org.path):
        raise NotFound("tổ chức", organisation_id)
    return org


def organisation_page(rt: Runtime, *, actor_id: int, organisation_id: int) -> OrgPage:
    """An organisation with its children and its members (name, status) for those who may see it."""
    with rt.session_factory() as session:
        actor = load_actor(session, actor_id)
        org = _visible_org(session, actor, organisation_id)
        ids = [int(p) for p in org.path.strip("/").split("/")][:-1]
        by_id = {o.id: o for o in session.scalars(select(Organisation).where(Organisation.id.in_(ids)))} if ids else {}
        children = list(session.scalars(select(Organisation).where(Organisation.parent_id == org.id)
                                        .order_by(Organisation.name)))
        child_ids = [c.id for c in children]
        member_counts = dict(session.execute(
            select(Organisation.id, func.count(Person.id)).join(Person, Person.organisation_id == Organisation.id)
            .where(Organisation.id.in_(child_ids), Person.membership_status.in_(("official", "probationary")))
            .group_by(Organisation.id)).all()) if child_ids else {}
        case_counts = dict(session.execute(
            select(Case.organisation_id, func.count(Case.id))
            .where(Case.organisation_id.in_(child_ids), Case.closed_at.is_(None))
            .group_by(Case.organisation_id)).all()) if child_ids else {}
        rank = case({"official": 0, "probationary": 1, "none": 2}, value=Person.membership_status, else_=3)
        members = list(session.scalars(select(Person).where(Person.organisation_id == org.id)
                                       .order_by(rank, Person.sort_key, Person.id).limit(2000)))
        open_cases = session.scalar(select(func.count(Case.id)).where(subtree(Case.organisation_path, org.path),
                                                                      Case.closed_at.is_(None))) or 0
        counts: dict[str, int] = {}  # in the order the members are listed
        for person in members:
            counts[person.membership_status] = counts.get(person.membership_status, 0) + 1
        return OrgPage(
            organisation=org, ancestors=[by_id[i] for i in ids if i in by_id],
            children=[OrgNode(c.id, c.name, c.kind, 0, c.parent_id, member_counts.get(c.id, 0),
                              case_counts.get(c.id, 0), True) for c in children],
            members=members, open_cases=open_cases, can_add_person=keeps_records(actor, org.path),
            member_counts=counts,
        )


def person_page(rt: Runtime, *, actor_id: int, person_id: int, remote_addr: str | None = None) -> PersonPage:
    """A person's biography and cases; the read is audited (and so is a refusal)."""
    refused = False
    with rt.session_factory() as session:
        actor = load_actor(session, actor_id)
        person = session.get(Person, person_id)
        org = session.get(Organisation, person.organisation_id) if person else None
        if person is None or org is None:
            raise NotFound("người", person_id)
        if not actor.can_see(org.path):
            refused = True
        else:
            cases = [c for c in session.scalars(select(Case).where(Case.person_id == person.id).order_by(Case.id.desc()))
                     if actor.can_see(c.organisation_path)]
            page = PersonPage(person, org, cases, can_edit=keeps_records(actor, org.path),
                              can_open=bool(actor.roles_over(org.path) - {"inspector", "admin"}),
                              openable=_openable(session, rt, actor, person, org, cases))
    with write_transaction(rt.session_factory) as session:
        record_audit(session, at=rt.clock.now(), user_id=actor_id, action="person.view", object_type="person",
                     object_id=person_id, outcome="denied" if refused else "ok", remote_addr=remote_addr)
    if refused:
        raise NotFound("người", person_id)
    return page


def _openable(session: Session, rt: Runtime, actor: Actor, person: Person, org: Organisation,
              cases: list[Case]) -> tuple[str, ...]:
    """Procedures this actor may open for the person: none already open, the actor is among those who may open
    it (an appeal: the bodies hearing it at whatever level that is), and the open step's rules about the person
    hold (no admission case for a member, no appeal without a decision to appeal, …)."""
    rule_set = rule_set_in_force(rt.clock.today()).name
    chain = load_chain(session, org.path)
    already = {c.procedure for c in cases if c.closed_at is None}
    found = []
    for name in procedure_names():
        definition = get_procedure(name, rule_set)
        ctx = StepContext(
            rule_set=RULE_SETS[rule_set], chain=chain, calendar=rt.calendar(), lookups=DbLookups(session),
            case=CaseFacts(None, name, rule_set, None, 0, org.id, person.id, {}, {}),
            person=person_facts(person), data={}, today=rt.clock.today(),
        )
        if name in already or not may_open(ctx, definition.open_step):
            continue
        if actor.may(intake_authorities(rt, session, definition, chain, person), chain,
                     RULE_SETS[definition.rule_set]):
            found.append(name)
    return tuple(found)


def person_for_edit(rt: Runtime, *, actor_id: int, person_id: int) -> Person:
    """The person to edit, if the actor keeps records there."""
    with rt.session_factory() as session:
        actor = load_actor(session, actor_id)
        person = session.get(Person, person_id)
        org = session.get(Organisation, person.organisation_id) if person else None
        if person is None or org is None or not actor.can_see(org.path):
            raise NotFound("người", person_id)
        if not keeps_records(actor, org.path):
            raise Forbidden("Bạn không có quyền sửa hồ sơ cá nhân ở tổ chức này.",
                            "You may not edit people's records at this organisation.")
        return person


def edit_person(rt: Runtime, *, actor_id: int, person_id: int, values: dict[str, Any],
                remote_addr: str | None = None) -> Person:
    """Change a person's biography (never their membership: only decisions do that)."""
    with write_transaction(rt.session_factory) as session:
        actor = load_actor(session, actor_id)
        person = session.get(Person, person_id)
        org = session.get(Organisation, person.organisation_id) if person else None
        if person is None or org is None or not actor.can_see(org.path):
            raise NotFound("người", person_id)
        if not keeps_records(actor, org.path):
            raise Forbidden("Bạn không có quyền sửa hồ sơ cá nhân ở tổ chức này.",
                            "You may not edit people's records at this organisation.")
        update_person(session, person, values)
        record_audit(session, at=rt.clock.now(), user_id=actor.id, action="person.update", object_type="person",
                     object_id=person.id, remote_addr=remote_addr)
        return person


def organisation_for_people(rt: Runtime, *, actor_id: int, organisation_id: int) -> Organisation:
    """The organisation a new person would join, if the actor keeps records there."""
    with rt.session_factory() as session:
        actor = load_actor(session, actor_id)
        org = _visible_org(session, actor, organisation_id)
        if not keeps_records(actor, org.path):
            raise Forbidden("Bạn không có quyền thêm người ở tổ chức này.",
                            "You may not register people at this organisation.")
        return org


def intake_authorities(rt: Runtime, session: Session, definition: Procedure, chain, person: Person):
    """Who may open a case of the procedure for this person, before anything is typed in.

    A computed authority (an appeal's: the level above the decider) is asked with a context of the
    person's organisation and no step data; if it needs the data, its static fallback answers. The
    engine checks again, with the data, when the form is submitted.
    """
    step = definition.open_step
    if not callable(step.who):
        return step.who
    ctx = StepContext(
        rule_set=RULE_SETS[definition.rule_set],
        case=CaseFacts(None, definition.name, definition.rule_set, None, 0, chain[-1].id, person.id, {}, {}),
        person=person_facts(person), data={}, chain=chain, calendar=rt.calendar(), lookups=DbLookups(session),
        today=rt.clock.today(),
    )
    try:
        return step.authorities(ctx)
    except (KeyError, TypeError, AttributeError):
        return step.authorities(None)


@dataclass
class OpenForm:
    person: Person
    organisation: Organisation
    definition: Procedure
    ref_options: dict[str, list[tuple[int, str]]]
    choices: dict[str, tuple[str, ...]] = field(default_factory=dict)  # options the open step's rules allow


def open_case_form(rt: Runtime, *, actor_id: int, person_id: int, procedure: str) -> OpenForm:
    """What the form opening a case for a person needs: the procedure's open step and its choices."""
    with rt.session_factory() as session:
        actor = load_actor(session, actor_id)
        person = session.get(Person, person_id)
        org = session.get(Organisation, person.organisation_id) if person else None
        if person is None or org is None or not actor.can_see(org.path):
            raise NotFound("người", person_id)
        definition = get_procedure(procedure, rule_set_in_force(rt.clock.today()).name)
        chain = load_chain(session, org.path)
        authorities = intake_authorities(rt, session, definition, chain, person)
        if not actor.may(authorities, chain, RULE_SETS[definition.rule_set]):
            raise forbidden_step(definition.open_step, authorities, chain, RULE_SETS[definition.rule_set])
        options = ref_options(session, actor, chain, None, [definition.open_step], person_id=person.id)
        ctx = StepContext(
            rule_set=RULE_SETS[definition.rule_set], chain=chain, calendar=rt.calendar(), lookups=DbLookups(session),
            case=CaseFacts(None, definition.name, definition.rule_set, None, 0, org.id, person.id, {}, {}),
            person=person_facts(person), data={}, today=rt.clock.today(),
        )
        return OpenForm(person, org, definition, options, possible_choices(ctx, definition.open_step))
