"""The engine's use cases: open a case and fire a step — one transaction each.

load → check visibility and revision → find the step → check the actor's role
on the organisation subtree → validate the data → check the rules → let the
shared state machine pick the destination → write state, event, votes,
deadlines and effects → commit once. Any error leaves nothing written.

The reads and writes are prebuilt Core statements on one connection
(store.py): the transition is the hot path, and the ORM's unit of work cost
several times the statements themselves (bench/transition.py).
"""
from __future__ import annotations

import random
import time
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError, IntegrityError

from models import write_connection
from models.record import link_event, record_key
from workflows.domain.definition import Procedure, Step, StepContext
from workflows.domain.errors import (
    ConflictingUpdate,
    Forbidden,
    InvalidInput,
    NotFound,
    RuleViolation,
    TransitionNotAllowed,
)
from workflows.domain.fields import parse_data, to_json
from workflows.domain.rulesets import RULE_SETS
from workflows.domain.text import fold
from workflows.engine import issuing, store, tallies
from workflows.engine.access import Actor, forbidden_step, load_actor, require_visible
from workflows.engine.effects import (
    StepWrite,
    apply_effects,
    lateness,
    record_deadlines,
    record_vote,
)
from workflows.engine.facts import DbLookups, case_facts, load_chain, load_person_facts
from workflows.engine.machine import machine_for
from workflows.engine.runtime import Runtime
from workflows.engine.store import CaseRow
from workflows.procedures.registry import get_procedure

ONE_OPEN_CASE = {
    "id": "one_open_case",
    "source": "Nguyên tắc quản lý hồ sơ: mỗi người một hồ sơ đang mở cho mỗi thủ tục",
    "message_vi": "Người này đã có một hồ sơ đang mở của thủ tục này.",
    "message_en": "This person already has an open case of this procedure.",
    "field": None,
}
PERSON_IN_ORGANISATION = {
    "id": "person_in_organisation",
    "source": "Điều lệ Đảng, Điều 4 (chi bộ nơi người đó sinh hoạt)",
    "message_vi": "Người này không thuộc tổ chức đảng của hồ sơ.",
    "message_en": "This person does not belong to the case's organisation.",
    "field": "organisation_id",
}


def open_case(rt: Runtime, *, procedure: str, person_id: int, organisation_id: int, actor_id: int,
              data: Mapping[str, Any] | None = None, rule_set: str | None = None,
              comment: str | None = None) -> CaseRow:
    """Open a case of a procedure for a person: its `open` step fires at once."""
    def attempt() -> CaseRow:
        with write_connection(rt.engine) as conn:
            actor = load_actor(conn, actor_id)
            definition = get_procedure(procedure, rule_set or _rule_set_in_force(rt))
            return open_in(conn, rt, actor, definition, person_id, organisation_id, data, comment,
                           parent_case_id=None, system=False)

    with rt.observed("open"):
        return _retrying(attempt, None)


def fire(rt: Runtime, *, case_id: int, trigger: str, actor_id: int, data: Mapping[str, Any] | None = None,
         comment: str | None = None, revision: int | None = None) -> CaseRow:
    """Fire a step of a case. Raises a named domain error, writing nothing, when anything is wrong.

    `revision`: the revision the caller saw; a stale one raises ConflictingUpdate. Without it, losing a
    race to a concurrent writer of the same case is not the caller's conflict: the step is retried on
    the case as that writer left it (it may then no longer apply: TransitionNotAllowed).
    """
    def attempt() -> CaseRow:
        loaded: int | None = None
        try:
            with write_connection(rt.engine) as conn:
                case = store.load_case(conn, case_id)
                loaded = case.revision if case is not None else None
                actor = load_actor(conn, actor_id)
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
                _run_step(conn, rt, actor, definition, case, step, data, comment)
                return case
        except (IntegrityError, RuleViolation):
            # Racing the same step on PostgreSQL, the loser's effects (e.g. the probation case a ceremony opens)
            # may meet the winner's rows (a unique index, the one-open-case rule) before its revision-checked
            # UPDATE does. The case moved on under it: a lost race (retried), not a broken rule.
            if loaded is not None and _revision_now(rt, case_id) != loaded:
                raise LostRace(case_id, loaded, None) from None
            raise

    with rt.observed(trigger):
        return _retrying(attempt, case_id)


def _revision_now(rt: Runtime, case_id: int) -> int | None:
    with rt.engine.connect() as conn:
        case = store.load_case(conn, case_id)
    return case.revision if case is not None else None


class LostRace(ConflictingUpdate):
    """Another transaction moved the case between this one's read and its write (not a stale revision)."""


# A lost race or a PostgreSQL serialisation failure / deadlock is retried on fresh data, within one call,
# up to RACE_ATTEMPTS times with a short random pause that doubles (at most ~50 ms): twenty writers of
# one case settle in a few rounds. A caller's stale revision is found by the retry itself (409 then).
RACE_ATTEMPTS = 12
_RETRYABLE_SQLSTATES = {"40001", "40P01"}  # serialization_failure, deadlock_detected


def _retrying(attempt, case_id):
    for n in range(1, RACE_ATTEMPTS + 1):
        try:
            try:
                return attempt()
            except IntegrityError as exc:
                raise _integrity_to_domain(exc, case_id) from None
        except LostRace:
            if n == RACE_ATTEMPTS:
                raise
        except DBAPIError as exc:
            if n == RACE_ATTEMPTS or _sqlstate(exc) not in _RETRYABLE_SQLSTATES:
                raise
        time.sleep(random.uniform(0, min(0.05, 0.001 * 2 ** n)))
    raise AssertionError("unreachable")


def _sqlstate(exc: DBAPIError) -> str | None:
    return getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)


def run_system_step(conn: Connection, rt: Runtime, actor: Actor, case: CaseRow, trigger: str,
                    data: Mapping[str, Any] | None, comment: str | None = None, *,
                    lookups: DbLookups | None = None) -> None:
    """Fire a step inside the caller's transaction without an authority check.

    For steps the engine takes itself: another case's FireStep effect (whose
    own step was authorised) or a scheduled job. Rules still apply.
    """
    definition = get_procedure(case.procedure, case.rule_set)
    step = definition.step_from(trigger, case.state)
    if step is None:
        raise TransitionNotAllowed(trigger, case.state)
    _run_step(conn, rt, actor, definition, case, step, data, comment, system=True, lookups=lookups)


def open_in(conn: Connection, rt: Runtime, actor: Actor, definition: Procedure, person_id: int,
            organisation_id: int, data, comment, *, parent_case_id: int | None, system: bool,
            lookups: DbLookups | None = None) -> CaseRow:
    """Create a case and fire its `open` step inside the caller's transaction.

    `system` is True when another step opens it (e.g. probation after the
    ceremony): that step's actor was already authorised.
    """
    path = store.organisation_path(conn, organisation_id)
    if path is None:
        raise NotFound("tổ chức", organisation_id)
    require_visible(actor, path, "tổ chức", organisation_id)
    person = load_person_facts(conn, person_id)
    if person is None:
        raise NotFound("người", person_id)
    person_path = store.organisation_path(conn, person.organisation_id)
    require_visible(actor, person_path, "người", person_id)
    if not person_path.startswith(path):
        raise RuleViolation([PERSON_IN_ORGANISATION])
    if store.has_open_case(conn, person_id, definition.name):
        raise RuleViolation([ONE_OPEN_CASE])
    case = CaseRow(
        id=None, procedure=definition.name, rule_set=definition.rule_set, state=None, revision=0,
        organisation_id=organisation_id, organisation_path=path, person_id=person_id,
        parent_case_id=parent_case_id, data={}, opened_at=rt.clock.now(),
    )
    _run_step(conn, rt, actor, definition, case, definition.open_step, data, comment, system=system, person=person,
              lookups=lookups)
    return case


# ---------------------------------------------------------------- internals


def _rule_set_in_force(rt: Runtime) -> str:
    from workflows.domain.rulesets import rule_set_in_force

    return rule_set_in_force(rt.clock.today()).name


def _run_step(conn: Connection, rt: Runtime, actor: Actor, definition: Procedure, case: CaseRow, step: Step,
              raw_data, comment: str | None, *, system: bool = False, person=None,
              lookups: DbLookups | None = None) -> None:
    new = case.id is None
    lookups = lookups or DbLookups(conn, memo=True)
    chain = load_chain(conn, case.organisation_path)
    lookups.remember_chain(chain)  # the rules' lookups of these organisations cost no statement
    rule_set = RULE_SETS[definition.rule_set]
    if person is None:
        person = lookups.person(case.person_id)
    else:
        lookups.remember_person(person)
    deadlines = [] if new else store.load_open_deadlines(conn, case.id)
    ctx = StepContext(
        rule_set=rule_set, case=case_facts(case, deadlines), person=person, data={}, chain=chain,
        calendar=rt.calendar(conn), lookups=lookups, today=rt.clock.today(), actor_id=actor.id,
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
        raise forbidden_step(step, step.who, chain, rule_set)
    ctx.data = parse_data(step.fields, raw_data)
    if step.date_field in {f.name for f in step.fields if not f.required} and step.date_field not in ctx.data:
        ctx.data[step.date_field] = ctx.today  # an optional step date (a refusal's): the day it is recorded
    if not system and callable(step.who):
        authorities = step.authorities(ctx)
        if not actor.may(authorities, chain, rule_set):
            raise forbidden_step(step, authorities, chain, rule_set)
    failures = [rule.describe() for rule in step.rules if not rule.check(ctx)]
    if failures:
        raise RuleViolation(failures)
    outcome = step.outcome(ctx) if step.outcome else None
    if new:
        dest = step.destinations[0]
    else:
        dest = machine_for(definition).next_state(case.state, step.trigger, outcome)
    _record(StepWrite(conn, rt, actor, case, deadlines, rt.clock.now(), lookups, open_in, run_system_step), definition, step, ctx, dest, outcome,
            comment)


def _record(write: StepWrite, definition: Procedure, step: Step, ctx: StepContext, dest: str,
            outcome: str | None, comment: str | None) -> None:
    """Write the transition: case, event, vote, deadlines, effects (all in the caller's transaction)."""
    conn, case, now = write.conn, write.case, write.now
    # Numbers first: an omitted decision number is filled in before the data is stored.
    taken = issuing.take_numbers(conn, definition, step, ctx) if definition.forms_for(step.trigger) else []
    stored = to_json(ctx.data)
    event_data: dict[str, Any] = dict(stored)
    if outcome is not None:
        event_data["outcome"] = outcome
    from_state, loaded_revision, before = case.state, case.revision, store.mutable_values(case)
    case.state = dest
    case.revision = loaded_revision + 1
    case.data = {**(case.data or {}), step.trigger: stored}
    if dest in definition.final_states and case.closed_at is None:
        case.closed_at = now
    elif dest not in definition.final_states and case.closed_at is not None:
        case.closed_at = None  # reopened (a revoked decision): it counts as open again
    new = case.id is None
    if new:
        store.insert_case(conn, case)  # the case id is needed by the event, the deadlines and the effects
        before = store.mutable_values(case)
    else:
        write.lookups.moving[case.id] = case  # the effects' steps see this case in its new state
    late = lateness(write, definition, step, ctx)  # read before record_deadlines meets the rows
    if late:
        event_data["late"] = late
    effects_record = apply_effects(write, step, ctx)
    if effects_record:
        event_data["effects"] = effects_record
    record_deadlines(write, definition, step, ctx, dest)
    # Link the event into the case's chain: the head moves with the revision, in the same UPDATE.
    seq, comment = case.revision, comment or ctx.data.get("reason")
    if taken:  # the documents' facts and their hashes are part of the event, so before it is hashed
        event_data["forms"] = issuing.record_issued(conn, taken, definition, ctx, case_id=case.id, seq=seq,
                                                    case_data=case.data, outcome=outcome, now=now)
    case.event_head, case.event_mac = link_event(
        record_key(conn), case.event_head, case.id, seq, step.trigger, from_state, dest, write.actor.id, now,
        event_data, comment)
    # A new case was inserted before its effects ran: write what they changed (usually nothing).
    if not store.update_case(conn, case, before, case.revision if new else loaded_revision):
        # Another transaction moved the case since we loaded it: nothing of ours is committed.
        raise LostRace(case.id, loaded_revision, None)
    if case.decided_on is not None or before["decided_on"] is not None:  # the yearly figures, kept in step
        tallies.record_change(
            conn, None if new else tallies.tally_key(conn, case.id, case.procedure, before),
            tallies.tally_key(conn, case.id, case.procedure, store.mutable_values(case),
                              event_data if dest != from_state else None))
    write.lookups.moving.pop(case.id, None)
    if step.vote and ctx.data.get("vote") is not None:
        record_vote(write, step, ctx, seq)
    store.insert_event(
        conn, case_id=case.id, seq=seq, trigger=step.trigger, from_state=from_state, to_state=dest,
        actor_id=write.actor.id, at=now, data=event_data, comment=comment, hash=case.event_head,
    )
    number = fold(stored.get("decision_number") or "")[:100] if isinstance(stored.get("decision_number"), str) else ""
    if number:  # the search finds a case by its decision number (workflows.read.search)
        store.insert_decision_number(conn, case.id, number)
    store.insert_audit(conn, at=now, user_id=write.actor.id, action=f"case.{step.trigger}", object_type="case",
                       object_id=str(case.id), detail=f"{from_state or '-'} -> {dest}")


def _integrity_to_domain(exc: IntegrityError, case_id):
    text = str(exc.orig).lower()
    if "uq_form_numbers_body_year_number" in text or "form_numbers.organisation_id" in text:
        return RuleViolation([issuing.NUMBER_TAKEN])
    if "uq_cases_open_person_procedure" in text or ("cases.person_id" in text and "cases.procedure" in text):
        return RuleViolation([ONE_OPEN_CASE])
    if "uq_events_case_id_seq" in text or "events.case_id, events.seq" in text:
        return LostRace(case_id, None, None)  # the event's (case, seq) was taken by a concurrent writer
    return ConflictingUpdate(case_id, None, None)
