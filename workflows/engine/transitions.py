"""The engine's use cases: open a case and fire a step — one transaction each.

load → check visibility and revision → find the step → check the actor's role
on the organisation subtree → validate the data → check the rules → let the
shared state machine pick the destination → write state, event, votes,
deadlines and effects → commit once. Any error leaves nothing written.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from models import AuditRecord, Case, Event, Organisation, Person, write_transaction
from ..definition import Procedure, Step, StepContext
from ..errors import ConflictingUpdate, Forbidden, InvalidInput, NotFound, RuleViolation, TransitionNotAllowed
from ..fields import parse_data, to_json
from ..machine import machine_for
from ..registry import get_procedure
from ..rulesets import RULE_SETS
from .access import Actor, forbidden_step, load_actor, require_visible
from .effects import apply_effects, record_deadlines, record_vote
from .facts import SessionLookups, case_facts, load_chain, open_deadlines, person_facts
from .runtime import Runtime

ONE_OPEN_CASE = {
    "id": "one_open_case",
    "source": "procedures.md §3 (mỗi người một hồ sơ đang mở cho mỗi thủ tục)",
    "message_vi": "Người này đã có một hồ sơ đang mở của thủ tục này.",
    "message_en": "This person already has an open case of this procedure.",
    "field": None,
}
PERSON_IN_ORGANISATION = {
    "id": "person_in_organisation",
    "source": "Điều lệ Đảng art. 4 (chi bộ nơi người đó sinh hoạt)",
    "message_vi": "Người này không thuộc tổ chức đảng của hồ sơ.",
    "message_en": "This person does not belong to the case's organisation.",
    "field": "organisation_id",
}


def open_case(rt: Runtime, *, procedure: str, person_id: int, organisation_id: int, actor_id: int,
              data: Mapping[str, Any] | None = None, rule_set: str | None = None,
              comment: str | None = None) -> Case:
    """Open a case of a procedure for a person: its `open` step fires at once."""
    with write_transaction(rt.session_factory) as session:
        actor = load_actor(session, actor_id)
        name = rule_set or _rule_set_in_force(rt)
        definition = get_procedure(procedure, name)
        try:
            case = _open(session, rt, actor, definition, person_id, organisation_id, data, comment,
                         parent_case_id=None, system=False)
            session.flush()
        except IntegrityError as exc:
            raise _integrity_to_domain(exc, None) from None
    return case


def fire(rt: Runtime, *, case_id: int, trigger: str, actor_id: int, data: Mapping[str, Any] | None = None,
         comment: str | None = None, revision: int | None = None) -> Case:
    """Fire a step of a case. Raises a named domain error, writing nothing, when anything is wrong."""
    try:
        with write_transaction(rt.session_factory) as session:
            case = session.get(Case, case_id)
            actor = load_actor(session, actor_id)
            if case is None:
                raise NotFound("hồ sơ", case_id)
            require_visible(actor, case.organisation_path, "hồ sơ", case_id)
            definition = get_procedure(case.procedure, case.rule_set)
            if trigger == "open" or trigger not in definition.triggers:
                raise InvalidInput(
                    f"Thủ tục «{definition.label_vi}» không có bước «{trigger}».",
                    f"Procedure '{definition.name}' has no step '{trigger}'.", {"trigger": "unknown"},
                )
            if revision is not None and revision != case.revision:
                raise ConflictingUpdate(case.id, revision, case.revision)
            step = definition.step_from(trigger, case.state)
            if step is None:
                raise TransitionNotAllowed(trigger, case.state)
            _run_step(session, rt, actor, definition, case, step, data, comment)
    except StaleDataError:
        # Another transaction moved the case after we loaded it (PostgreSQL row-level race).
        raise ConflictingUpdate(case_id, revision, None) from None
    except IntegrityError as exc:
        raise _integrity_to_domain(exc, case_id) from None
    return case


def run_system_step(session: Session, rt: Runtime, actor: Actor, case: Case, trigger: str,
                    data: Mapping[str, Any] | None, comment: str | None = None) -> None:
    """Fire a step inside the caller's transaction without an authority check.

    For steps the engine takes itself: another case's FireStep effect (whose
    own step was authorised) or a scheduled job. Rules still apply.
    """
    definition = get_procedure(case.procedure, case.rule_set)
    step = definition.step_from(trigger, case.state)
    if step is None:
        raise TransitionNotAllowed(trigger, case.state)
    _run_step(session, rt, actor, definition, case, step, data, comment, system=True)


# ---------------------------------------------------------------- internals shared with effects


def _rule_set_in_force(rt: Runtime) -> str:
    from ..rulesets import rule_set_in_force

    return rule_set_in_force(rt.clock.today()).name


def _open(session: Session, rt: Runtime, actor: Actor, definition: Procedure, person_id: int,
          organisation_id: int, data, comment, *, parent_case_id: int | None, system: bool) -> Case:
    """Create a case and fire its `open` step inside the caller's transaction.

    `system` is True when another step opens it (e.g. probation after the
    ceremony): that step's actor was already authorised.
    """
    organisation = session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound("tổ chức", organisation_id)
    require_visible(actor, organisation.path, "tổ chức", organisation_id)
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound("người", person_id)
    person_org = session.get(Organisation, person.organisation_id)
    require_visible(actor, person_org.path, "người", person_id)
    if not person_org.path.startswith(organisation.path):
        raise RuleViolation([PERSON_IN_ORGANISATION])
    if session.query(Case.id).filter(
        Case.person_id == person_id, Case.procedure == definition.name, Case.closed_at.is_(None)
    ).first():
        raise RuleViolation([ONE_OPEN_CASE])
    case = Case(
        procedure=definition.name, rule_set=definition.rule_set, state=None, revision=0,
        organisation_id=organisation.id, organisation_path=organisation.path, person_id=person.id,
        parent_case_id=parent_case_id, data={}, opened_at=rt.clock.now(),
    )
    _run_step(session, rt, actor, definition, case, definition.open_step, data, comment, system=system,
              new=True)
    return case


def _run_step(session: Session, rt: Runtime, actor: Actor, definition: Procedure, case: Case, step: Step,
              raw_data, comment: str | None, *, system: bool = False, new: bool = False) -> None:
    chain = load_chain(session, case.organisation_path)
    rule_set = RULE_SETS[definition.rule_set]
    person = session.get(Person, case.person_id)
    deadlines = [] if new else open_deadlines(session, case.id)
    ctx = StepContext(
        rule_set=rule_set, case=case_facts(case, deadlines), person=person_facts(person), data={},
        chain=chain, calendar=rt.calendar(session), lookups=SessionLookups(session), today=rt.clock.today(),
        actor_id=actor.id,
    )
    if step.applies is not None and not step.applies(ctx):
        raise TransitionNotAllowed(step.trigger, case.state or "—")
    if step.system and not system:
        raise Forbidden(
            f"Bước «{step.trigger}» do hệ thống tự thực hiện, không thể thực hiện bằng tay.",
            f"Step '{step.trigger}' is taken by the system itself, not by a user.",
            {"trigger": step.trigger, "roles": []},
        )
    if not system and not callable(step.who) and not actor.may(step.who, chain, rule_set):
        raise forbidden_step(step.trigger, step.who)
    ctx.data = parse_data(step.fields, raw_data)
    if step.date_field in {f.name for f in step.fields if not f.required} and step.date_field not in ctx.data:
        ctx.data[step.date_field] = ctx.today  # an optional step date (a refusal's): the day it is recorded
    if not system and callable(step.who):
        authorities = step.authorities(ctx)
        if not actor.may(authorities, chain, rule_set):
            raise forbidden_step(step.trigger, authorities)
    failures = [rule.describe() for rule in step.rules if not rule.check(ctx)]
    if failures:
        raise RuleViolation(failures)
    outcome = step.outcome(ctx) if step.outcome else None
    if new:
        dest = step.destinations[0]
    else:
        dest = machine_for(definition).next_state(case.state, step.trigger, outcome)
    _record(session, rt, actor, definition, case, step, ctx, dest, outcome, comment, deadlines, new=new)


def _record(session: Session, rt: Runtime, actor: Actor, definition: Procedure, case: Case, step: Step,
            ctx: StepContext, dest: str, outcome: str | None, comment: str | None, deadlines: list,
            *, new: bool) -> None:
    """Write the transition: case, event, vote, deadlines, effects (all in the caller's transaction)."""
    now = rt.clock.now()
    stored = to_json(ctx.data)
    event_data: dict[str, Any] = dict(stored)
    if outcome is not None:
        event_data["outcome"] = outcome
    from_state = case.state
    case.state = dest
    case.revision = case.revision + 1
    case.data = {**(case.data or {}), step.trigger: stored}
    if dest in definition.final_states and case.closed_at is None:
        case.closed_at = now
    elif dest not in definition.final_states and case.closed_at is not None:
        case.closed_at = None  # reopened (a revoked decision): it counts as open again
    if new:
        session.add(case)
        session.flush()  # the case id is needed by the event and the deadlines
    effects_record = apply_effects(session, rt, actor, definition, case, step, ctx, now)
    if effects_record:
        event_data["effects"] = effects_record
    record_deadlines(session, definition, case, step, ctx, dest, now, deadlines)
    seq = case.revision
    if step.vote and ctx.data.get("vote") is not None:
        record_vote(session, case, step, ctx, seq, outcome)
    session.add(Event(
        case_id=case.id, seq=seq, trigger=step.trigger, from_state=from_state, to_state=dest,
        actor_id=actor.id, at=now, data=event_data, comment=comment or ctx.data.get("reason"),
    ))
    session.add(AuditRecord(at=now, user_id=actor.id, action=f"case.{step.trigger}", object_type="case",
                            object_id=str(case.id), detail=f"{from_state or '-'} -> {dest}"))
    session.flush()


def _integrity_to_domain(exc: IntegrityError, case_id):
    text = str(exc.orig).lower()
    if "uq_cases_open_person_procedure" in text or ("cases.person_id" in text and "cases.procedure" in text):
        return RuleViolation([ONE_OPEN_CASE])
    return ConflictingUpdate(case_id, None, None)
