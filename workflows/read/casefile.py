"""The case page's read model: everything one case shows, loaded after the access check.

Reading a case page reads a person's biography: it is audited (quality.md
Security 6). A case outside the reader's subtree answers NotFound, and the
refusal itself is audited as an authorisation failure.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import (
    Case,
    Comment,
    Deadline,
    Document,
    Event,
    Organisation,
    Person,
    User,
    write_transaction,
)
from workflows.domain.definition import Field, OrgFacts, Procedure, Step
from workflows.domain.errors import Forbidden, NotFound
from workflows.domain.organisations import grassroots_of, scope_organisation
from workflows.domain.rulesets import RULE_SETS
from workflows.engine.access import Actor, load_actor
from workflows.engine.audit import record_audit
from workflows.engine.facts import load_chain, load_roll
from workflows.engine.runtime import Runtime
from workflows.procedures.registry import get_procedure
from workflows.read.listing import SIDE_TRIGGERS, subtree
from workflows.read.choices import available_from, possible_choices
from workflows.read.queries import allowed_actions, step_context

REF_LIMIT = 500


@dataclass(frozen=True)
class Waiting:
    role: str
    organisation: str
    trigger: str
    step: Step


@dataclass
class CaseFile:
    case: Case
    definition: Procedure
    person: Person
    organisation: Organisation
    chain: list[OrgFacts]
    events: list[Event]
    actors: dict[int, str]  # user id -> display name
    deadlines: list[Deadline]
    documents: list[Document]
    comments: list[Comment]
    related: list[Case]  # parent and follow-on cases the reader may see
    actions: list[Step]  # the steps the reader may take now (forward steps first)
    waiting: list[Waiting]  # who must take the forward steps
    visited: set[str]
    can_write: bool  # comments and documents
    today: date
    ref_options: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    names: dict[int, str] = field(default_factory=dict)  # person id -> name, for refs in recorded data
    org_names: dict[int, str] = field(default_factory=dict)  # organisation id -> name (transfers, moves)
    days_left: dict[int, int] = field(default_factory=dict)  # open deadline id -> working days left
    official_members: int = 0  # of the case's organisation: the usual number entitled to a cell vote
    # trigger -> {field: the options its rules allow} (workflows.read.choices: offer only what can succeed)
    choices: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)
    # trigger -> the first day its date rules accept, for a step that cannot be taken yet (shown as «from …»)
    not_before: dict[str, date] = field(default_factory=dict)


def may_write(actor: Actor, path: str) -> bool:
    """Comments and documents: any role over the organisation except the read-only inspector."""
    return actor.superuser_over(path) or bool(actor.roles_over(path) - {"inspector"})


class HiddenCase(NotFound):
    """The case exists but lies outside the reader's subtree: answered as NotFound, audited as a refusal."""


def load_visible_case(session: Session, actor: Actor, case_id: int) -> Case:
    """The case if the actor may see it; NotFound otherwise (HiddenCase when it exists)."""
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound("hồ sơ", case_id)
    if not actor.can_see(case.organisation_path):
        raise HiddenCase("hồ sơ", case_id)
    return case


def audit_refusal(rt: Runtime, *, actor_id: int, action: str, case_id: int, remote_addr: str | None) -> None:
    """Record an authorisation failure (its own transaction: call it outside any other)."""
    with write_transaction(rt.session_factory) as session:
        record_audit(session, at=rt.clock.now(), user_id=actor_id, action=action, object_type="case",
                     object_id=case_id, outcome="denied", remote_addr=remote_addr)


def visible_case(rt: Runtime, *, actor_id: int, case_id: int, action: str, remote_addr: str | None,
                 write: bool = False) -> Case:
    """Check that the actor may see (and with `write`, work on) a case.

    A hidden case is audited here; a Forbidden is audited by the edge that answers it."""
    try:
        with rt.session_factory() as session:
            actor = load_actor(session, actor_id)
            case = load_visible_case(session, actor, case_id)
            if write and not may_write(actor, case.organisation_path):
                raise Forbidden("Bạn chỉ có quyền xem hồ sơ này.", "You may only read this case.")
            return case
    except HiddenCase:
        audit_refusal(rt, actor_id=actor_id, action=action, case_id=case_id, remote_addr=remote_addr)
        raise


def read_case(rt: Runtime, *, actor_id: int, case_id: int, remote_addr: str | None = None,
              audited: bool = True) -> CaseFile:
    """The whole case page for a reader; the read is audited (`audited=False` when the page is
    loaded only to check a posted action, which the transition itself records)."""
    try:
        with rt.session_factory() as session:
            actor = load_actor(session, actor_id)
            case = load_visible_case(session, actor, case_id)
            result = _assemble(session, rt, actor, case)
    except HiddenCase:
        audit_refusal(rt, actor_id=actor_id, action="case.view", case_id=case_id, remote_addr=remote_addr)
        raise
    if not audited:
        return result
    with write_transaction(rt.session_factory) as audit_session:
        record_audit(audit_session, at=rt.clock.now(), user_id=actor_id, action="case.view", object_type="case",
                     object_id=case_id, remote_addr=remote_addr)
    return result


def _assemble(session: Session, rt: Runtime, actor: Actor, case: Case) -> CaseFile:
    definition = get_procedure(case.procedure, case.rule_set)
    chain = load_chain(session, case.organisation_path)
    rule_set = RULE_SETS[case.rule_set]
    events = list(session.scalars(select(Event).where(Event.case_id == case.id).order_by(Event.seq)))
    deadlines = list(session.scalars(select(Deadline).where(Deadline.case_id == case.id)
                                     .order_by(Deadline.status != "open", Deadline.due_date)))
    documents = list(session.scalars(select(Document).where(Document.case_id == case.id).order_by(Document.id)))
    comments = list(session.scalars(select(Comment).where(Comment.case_id == case.id).order_by(Comment.id)))
    user_ids = {e.actor_id for e in events} | {c.author_id for c in comments} | {d.uploaded_by for d in documents}
    user_ids.discard(None)
    actors = dict(session.execute(select(User.id, User.display_name).where(User.id.in_(user_ids))).all()) \
        if user_ids else {}
    related_ids = [case.parent_case_id] if case.parent_case_id else []
    related = [c for c in session.scalars(select(Case).where(
        (Case.id.in_(related_ids)) | (Case.parent_case_id == case.id)).order_by(Case.id))
        if actor.can_see(c.organisation_path)]
    triggers = allowed_actions(session, rt, actor, case) if case.state else []
    steps = [definition.step_from(t, case.state) for t in triggers]
    steps = [s for s in steps if s is not None and not getattr(s, "system", False)]
    steps.sort(key=lambda s: s.trigger in SIDE_TRIGGERS)
    waiting: list[Waiting] = []
    ctx = step_context(session, rt, case, chain) if case.state else None
    for step in definition.steps_from(case.state):
        if step.trigger in SIDE_TRIGGERS or getattr(step, "system", False):
            continue
        if step.applies is not None and not step.applies(ctx):
            continue
        try:
            authorities = step.authorities(ctx)  # a computed authority reads the case (e.g. the decider's level)
        except Exception:  # it may need the step's own data: nothing to announce yet
            continue
        for authority in authorities:
            try:
                org = scope_organisation(authority.scope, chain, rule_set)
            except Exception:  # a scope this page does not know must not break it
                continue
            waiting.append(Waiting(authority.role, org.name, step.trigger, step))
    calendar, today = rt.calendar(), rt.clock.today()
    days_left = {d.id: calendar.working_days_between(today, d.due_date) for d in deadlines if d.status == "open"}
    file = CaseFile(
        case=case, definition=definition, person=session.get(Person, case.person_id),
        organisation=session.get(Organisation, case.organisation_id), chain=chain, events=events, actors=actors,
        deadlines=deadlines, documents=documents, comments=comments, related=related, actions=steps,
        waiting=waiting, visited={e.to_state for e in events} | {e.from_state for e in events if e.from_state},
        can_write=may_write(actor, case.organisation_path), today=today, days_left=days_left,
    )
    file.ref_options = ref_options(session, actor, chain, case, steps)
    if ctx is not None:
        file.choices = {step.trigger: possible_choices(ctx, step) for step in steps}
        file.not_before = {step.trigger: day for step in steps if (day := available_from(ctx, step)) is not None}
    file.names, file.org_names = _names(session, events, file.ref_options)
    # The usual count of a cell vote: official members, but not those suspended or temporarily elsewhere
    # (exempt members count while they may attend; the secretary leaves out those absent).
    roll = load_roll(session, case.organisation_id, today)
    file.official_members = len(roll.official - roll.suspended - roll.away)
    return file


# ---------------------------------------------------------------- choices for reference fields


def _ref_fields(fields: tuple[Field, ...]) -> list[Field]:
    found = []
    for f in fields:
        if f.kind == "ref":
            found.append(f)
        found.extend(_ref_fields(f.items))
    return found


def ref_kind(name: str) -> str | None:
    """What a reference field points at, from its name (person, organisation, case), or None."""
    if name in ("helper_id", "person_id", "introducer_id") or name.endswith("person_id") or name.endswith("member_id"):
        return "person"
    if name.endswith("destination_id"):
        return "destination"
    if name.endswith("organisation_id"):
        return "organisation"
    if name.endswith("case_id"):
        return "case"
    return None


def ref_options(session: Session, actor: Actor, chain: list[OrgFacts], case: Case | None,
                steps: list[Step], person_id: int | None = None) -> dict[str, list[tuple[int, str]]]:
    """Choices for each reference field of the given steps (by field name)."""
    options: dict[str, list[tuple[int, str]]] = {}
    for f in (f for s in steps for f in _ref_fields(s.fields)):
        kind = ref_kind(f.name)
        if f.name in options or kind is None:
            continue
        if kind == "person":
            # Official members of the case's grassroots organisation: helpers, introducers.
            root = session.get(Organisation, grassroots_of(chain).id)
            rows = session.execute(
                select(Person.id, Person.full_name, Person.birth_date, Organisation.name)
                .join(Organisation, Organisation.id == Person.organisation_id)
                .where(subtree(Organisation.path, root.path), Person.membership_status == "official")
                .order_by(Person.sort_key, Person.id).limit(REF_LIMIT)).all()
            # The birth year tells two people of the same name apart; Vietnamese order (given name first).
            options[f.name] = [(pid, f"{name} ({born.year}) — {org}") for pid, name, born, org in rows]
        elif kind == "organisation":
            query = select(Organisation.id, Organisation.name, Organisation.path).where(
                Organisation.kind.in_(("cell", "grassroots_cell"))).order_by(Organisation.path).limit(REF_LIMIT)
            options[f.name] = [(oid, name) for oid, name, path in session.execute(query) if actor.can_see(path)]
        elif kind == "destination":
            # Where a member's party activity may move: any cell, in the actor's subtree or not (a member moves
            # anywhere; only the names of the cells are shown, nothing in them).
            query = select(Organisation.id, Organisation.name).where(
                Organisation.kind.in_(("cell", "grassroots_cell"))).order_by(Organisation.path).limit(REF_LIMIT)
            options[f.name] = [(oid, name) for oid, name in session.execute(query)]
        elif kind == "case":
            who = person_id if person_id is not None else (case.person_id if case else None)
            rows = session.execute(select(Case.id, Case.procedure, Case.rule_set, Case.state, Case.decided_on)
                                   .where(Case.person_id == who, Case.id != (case.id if case else 0))
                                   .order_by(Case.id.desc()).limit(50)).all()
            options[f.name] = [(cid, f"#{cid} — {_procedure_label(proc, rs)}: {_state_label(proc, rs, state)}"
                                + (f" ({decided:%d/%m/%Y})" if decided else ""))
                               for cid, proc, rs, state, decided in rows]
    return options


def _procedure_label(name: str, rule_set: str) -> str:
    return get_procedure(name, rule_set).label_vi


def _state_label(name: str, rule_set: str, state: str) -> str:
    try:
        return get_procedure(name, rule_set).state(state).label_vi
    except KeyError:
        return state


def _names(session: Session, events: list[Event],
           options: dict[str, list[tuple[int, str]]]) -> tuple[dict[int, str], dict[int, str]]:
    """Names of the people (helpers, introducers…) and organisations (a transfer's cells) that the
    recorded data and effects refer to: the page shows names, never ids."""
    people: set[int] = set()
    orgs: set[int] = set()

    def walk(value: Any, key: str = "") -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, k)
        elif isinstance(value, list):
            for v in value:
                walk(v, key)
        elif isinstance(value, int) and not isinstance(value, bool):
            kind = "organisation" if key == "moved" else ref_kind(key)
            if kind == "person":
                people.add(value)
            elif kind == "organisation":
                orgs.add(value)

    for event in events:
        walk(event.data)
    person_names = dict(session.execute(select(Person.id, Person.full_name).where(Person.id.in_(people))).all()) \
        if people else {}
    org_names = dict(session.execute(select(Organisation.id, Organisation.name)
                                     .where(Organisation.id.in_(orgs))).all()) if orgs else {}
    return person_names, org_names
