"""Applying what a step changes beyond its case's state: effects, deadlines, votes.

Everything runs on the transition's Core connection (store.py) inside its
one transaction; nothing here commits.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from workflows.domain.definition import (
    Decided,
    Effect,
    ExtendDeadline,
    FireStep,
    MoveCase,
    OpenCase,
    Procedure,
    Step,
    StepContext,
    UpdateCaseData,
    UpdatePerson,
)
from workflows.domain.errors import NotFound
from workflows.domain.fields import to_json
from workflows.domain.organisations import decision_threshold, scope_organisation
from workflows.domain.votes import passes
from workflows.engine import store
from workflows.engine.facts import PERSON_FACT_COLUMNS, DbLookups, load_chain
from workflows.engine.workdays import (
    working_days_between,  # constant time: a probation deadline spans a year
)
from workflows.procedures.registry import get_procedure


_PERSON_FACTS = frozenset(PERSON_FACT_COLUMNS) - {"flags"}  # flags: PersonFacts holds a copy


@dataclass
class StepWrite:
    """What an effect applier works on: the transaction, the step's actor, the case and its open deadlines."""

    conn: Connection
    rt: Any
    actor: Any
    case: store.CaseRow
    deadlines: list[store.DeadlineRow]
    now: datetime
    lookups: DbLookups  # shared by every step of the transaction (cases moved but not yet written)
    # The use cases an effect may run inside this transaction (open a case, fire another case's step).
    # transitions.py passes its own functions in, so this module never imports it back (no cycle).
    open_in: Callable[..., Any]
    run_system_step: Callable[..., Any]


def apply_effects(write: StepWrite, step: Step, ctx: StepContext) -> dict[str, Any]:
    """Apply the step's effects; return what they changed, for the event record."""
    if step.effects is None:
        return {}
    record: dict[str, Any] = {}
    for effect in step.effects(ctx):
        _APPLIERS[type(effect)](write, effect, record)
    return record


def _update_person(write: StepWrite, effect: UpdatePerson, record) -> None:
    names = tuple(effect.changes)
    # The person as this transaction read them for the step's rules (lookups forget a person once written),
    # else read now: an earlier effect of this transaction may have changed them already.
    known = write.lookups.remembered_person(effect.person_id)
    if known is not None and all(name in _PERSON_FACTS for name in names):
        row = tuple(getattr(known, name) for name in names)
    else:
        row = store.person_values(write.conn, effect.person_id, names)
    if row is None:
        raise NotFound("người", effect.person_id)
    changes = record.setdefault("person", {})
    written = {}
    for name, before in zip(names, row):
        value = effect.changes[name]
        if before != value:
            changes[name] = [to_json(before), to_json(value)]
            written[name] = value
    if written:
        store.update_person(write.conn, effect.person_id, written)
        write.lookups.forget_person(effect.person_id)
    record["person_id"] = effect.person_id


def _open_case(write: StepWrite, effect: OpenCase, record) -> None:
    definition = get_procedure(effect.procedure, write.case.rule_set)
    opened = write.open_in(write.conn, write.rt, write.actor, definition, effect.person_id, effect.organisation_id,
                     to_json(effect.data), None, parent_case_id=write.case.id, system=True, lookups=write.lookups)
    record.setdefault("opened_cases", []).append({"id": opened.id, "procedure": opened.procedure})


def _update_case_data(write: StepWrite, effect: UpdateCaseData, record) -> None:
    values = to_json(effect.values)
    write.case.data = {**write.case.data, **values}
    record.setdefault("case_data", {}).update(values)


def _decided(write: StepWrite, effect: Decided, record) -> None:
    record["decided_on"] = [to_json(write.case.decided_on), to_json(effect.on)]
    write.case.decided_on = effect.on


def _extend_deadline(write: StepWrite, effect: ExtendDeadline, record) -> None:
    for deadline in write.deadlines:
        if deadline.kind == effect.kind and deadline.status == "open":
            record.setdefault("deadlines", {})[effect.kind] = [deadline.due_date.isoformat(),
                                                               effect.due_date.isoformat()]
            deadline.due_date = effect.due_date
            deadline.next_reminder_on = None  # a new due date: the reminder scan plans its stages afresh


def _move_case(write: StepWrite, effect: MoveCase, record) -> None:
    from workflows.engine.access import require_visible

    path = store.organisation_path(write.conn, effect.organisation_id)
    if path is None:
        raise NotFound("tổ chức", effect.organisation_id)
    require_visible(write.actor, path, "tổ chức", effect.organisation_id)  # no moving a case out of one's sight
    case = write.case
    old_org = case.organisation_id
    record["moved"] = [old_org, effect.organisation_id]
    case.organisation_id, case.organisation_path = effect.organisation_id, path
    for deadline in write.deadlines:
        if deadline.status == "open" and deadline.organisation_id == old_org:
            deadline.organisation_id = effect.organisation_id


def _fire_step(write: StepWrite, effect: FireStep, record) -> None:
    if effect.case_id == write.case.id:
        raise ValueError("a step's FireStep effect names its own case")  # a definition error, never a user's
    other = write.lookups.case_row(effect.case_id)
    if other is None:
        raise NotFound("hồ sơ", effect.case_id)
    write.run_system_step(write.conn, write.rt, write.actor, other, effect.trigger, to_json(effect.data),
                    lookups=write.lookups)
    record.setdefault("fired", []).append({"case_id": other.id, "trigger": effect.trigger, "to_state": other.state})


_APPLIERS = {
    UpdatePerson: _update_person,
    OpenCase: _open_case,
    UpdateCaseData: _update_case_data,
    Decided: _decided,
    ExtendDeadline: _extend_deadline,
    MoveCase: _move_case,
    FireStep: _fire_step,
}


def register_effect(effect_type: type[Effect], applier) -> None:
    """Teach the engine a new kind of effect: `applier(write: StepWrite, effect, record)`."""
    _APPLIERS[effect_type] = applier


def record_deadlines(write: StepWrite, definition: Procedure, step: Step, ctx: StepContext, dest: str) -> None:
    """Meet, cancel and open deadline rows as the step says; write the rows that changed."""
    cancel_kinds: set[str] = set()
    if step.trigger in ("return_for_rework", "revoke"):
        # The steps to be redone will open their deadlines again.
        cancel_kinds = {spec.kind for s in definition.steps_from(dest) for spec in s.opens}
    final = dest in definition.final_states
    now = write.now
    for deadline in write.deadlines:
        if deadline.kind in step.closes:
            deadline.status, deadline.closed_at = "met", now
            _record_timing(deadline, step, ctx)
        elif final or deadline.kind in cancel_kinds or any(s.kind == deadline.kind for s in step.opens):
            deadline.status, deadline.closed_at = "cancelled", now
        store.write_deadline(write.conn, deadline)
    if final:
        return
    chain = ctx.chain
    if step.opens and write.case.organisation_id != chain[-1].id:
        # The step moved its case (MoveCase): what it opens belongs to the case's new place, as the open
        # deadlines that moved with it do.
        chain = load_chain(write.conn, write.case.organisation_path)
    for spec in step.opens:
        if spec.when is not None and not spec.when(ctx):
            continue
        org = scope_organisation(spec.authority.scope, chain, ctx.rule_set)
        store.insert_deadline(
            write.conn, case_id=write.case.id, kind=spec.kind, due_date=spec.due(ctx), role=spec.authority.role,
            organisation_id=org.id, status="open", opened_at=now, legal_basis=spec.legal_basis,
            started_on=step.recorded_date(ctx.data) or ctx.today,
        )


def lateness(write: StepWrite, definition: Procedure, step: Step, ctx: StepContext) -> list[dict[str, Any]]:
    """The deadlines this step meets after their due date, for the event's `late` record.

    Lateness never voids a step by itself (QĐ 24-QĐ/TW §4.2 b: a recognition decided late still
    recognises): where a window bars, the step has its own `deadline_passed` rule. This is what the
    case page shows and the compliance audit counts.
    """
    on = step.recorded_date(ctx.data) or ctx.today
    found = []
    for deadline in write.deadlines:
        if deadline.kind in step.closes and deadline.status == "open" and on > deadline.due_date:
            spec = next((spec for st in (definition.open_step, *definition.steps) for spec in st.opens
                         if spec.kind == deadline.kind), None)
            found.append({
                "deadline": deadline.kind, "due": deadline.due_date.isoformat(), "on": on.isoformat(),
                "working_days": working_days_between(ctx.calendar, deadline.due_date, on),
                "rule": (spec.late_rule_id if spec and spec.late_rule_id else f"deadline:{deadline.kind}"),
                "source": (spec.late_source or spec.legal_basis) if spec else step.legal_basis,
            })
    return found


def _record_timing(deadline: store.DeadlineRow, step: Step, ctx: StepContext) -> None:
    """For the reports' step timings: the date the meeting step recorded, working days taken and allowed."""
    deadline.met_on = step.recorded_date(ctx.data) or ctx.today
    if deadline.started_on is not None:
        deadline.working_days_taken = working_days_between(ctx.calendar, deadline.started_on, deadline.met_on)
        deadline.working_days_allowed = working_days_between(ctx.calendar, deadline.started_on, deadline.due_date)


def record_vote(write: StepWrite, step: Step, ctx: StepContext, seq: int) -> None:
    """A row per recorded vote, with the threshold it was measured against."""
    vote = ctx.data["vote"]
    threshold = step.threshold(ctx) if callable(step.threshold) else step.threshold
    threshold = threshold or decision_threshold(ctx.chain, ctx.rule_set)
    store.insert_vote(
        write.conn, case_id=write.case.id, event_seq=seq, body=step.vote, held_on=vote.date,
        eligible=vote.eligible, agree=vote.agree, disagree=vote.disagree, method=vote.method,
        threshold=threshold, passed=passes(threshold, vote.agree, vote.eligible),
    )
