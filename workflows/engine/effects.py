"""Applying what a step changes beyond its case's state: effects, deadlines, votes."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from models import Case, Deadline, Organisation, Person, Vote
from ..definition import (
    Decided, Effect, ExtendDeadline, FireStep, MoveCase, OpenCase, Procedure, Step, StepContext,
    UpdateCaseData, UpdatePerson,
)
from ..errors import NotFound
from ..fields import to_json
from ..organisations import decision_threshold, scope_organisation
from ..registry import get_procedure
from ..votes import passes
from .workdays import working_days_between  # constant time: a probation deadline spans a year


def apply_effects(session: Session, rt, actor, definition: Procedure, case: Case, step: Step,
                  ctx: StepContext, now: datetime) -> dict[str, Any]:
    """Apply the step's effects; return what they changed, for the event record."""
    if step.effects is None:
        return {}
    record: dict[str, Any] = {}
    for effect in step.effects(ctx):
        _APPLIERS[type(effect)](session, rt, actor, case, effect, record, now)
    return record


def _update_person(session, rt, actor, case, effect: UpdatePerson, record, now) -> None:
    person = session.get(Person, effect.person_id)
    changes = record.setdefault("person", {})
    for name, value in effect.changes.items():
        before = getattr(person, name)
        if before != value:
            changes[name] = [to_json(before), to_json(value)]
            setattr(person, name, value)
    if changes:
        person.revision += 1
    record["person_id"] = person.id


def _open_case(session, rt, actor, case, effect: OpenCase, record, now) -> None:
    from .transitions import _open  # the same use case, run inside this transaction

    definition = get_procedure(effect.procedure, case.rule_set)
    opened = _open(session, rt, actor, definition, effect.person_id, effect.organisation_id,
                   to_json(effect.data), None, parent_case_id=case.id, system=True)
    record.setdefault("opened_cases", []).append({"id": opened.id, "procedure": opened.procedure})


def _update_case_data(session, rt, actor, case, effect: UpdateCaseData, record, now) -> None:
    values = to_json(effect.values)
    case.data = {**case.data, **values}
    record.setdefault("case_data", {}).update(values)


def _decided(session, rt, actor, case, effect: Decided, record, now) -> None:
    record["decided_on"] = [to_json(case.decided_on), to_json(effect.on)]
    case.decided_on = effect.on


def _extend_deadline(session, rt, actor, case, effect: ExtendDeadline, record, now) -> None:
    for deadline in session.query(Deadline).filter_by(case_id=case.id, kind=effect.kind, status="open"):
        record.setdefault("deadlines", {})[effect.kind] = [deadline.due_date.isoformat(), effect.due_date.isoformat()]
        deadline.due_date = effect.due_date
        deadline.next_reminder_on = None  # a new due date: the reminder scan plans its stages afresh


def _move_case(session, rt, actor, case, effect: MoveCase, record, now) -> None:
    from .access import require_visible

    target = session.get(Organisation, effect.organisation_id)
    if target is None:
        raise NotFound("tổ chức", effect.organisation_id)
    require_visible(actor, target.path, "tổ chức", target.id)  # no moving a case out of one's sight
    old_org = case.organisation_id
    record["moved"] = [old_org, target.id]
    case.organisation_id = target.id
    case.organisation_path = target.path
    for deadline in session.query(Deadline).filter_by(case_id=case.id, status="open", organisation_id=old_org):
        deadline.organisation_id = target.id


def _fire_step(session, rt, actor, case, effect: FireStep, record, now) -> None:
    from .transitions import run_system_step  # the same use case, run inside this transaction

    other = session.get(Case, effect.case_id)
    if other is None:
        raise NotFound("hồ sơ", effect.case_id)
    run_system_step(session, rt, actor, other, effect.trigger, to_json(effect.data))
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
    """Teach the engine a new kind of effect (one applier per effect type)."""
    _APPLIERS[effect_type] = applier


def record_deadlines(session: Session, definition: Procedure, case: Case, step: Step, ctx: StepContext,
                     dest: str, now: datetime, open_rows: list[Deadline]) -> None:
    """Meet, cancel and open deadline rows as the step says."""
    cancel_kinds: set[str] = set()
    if step.trigger in ("return_for_rework", "revoke"):
        # The steps to be redone will open their deadlines again.
        cancel_kinds = {spec.kind for s in definition.steps_from(dest) for spec in s.opens}
    final = dest in definition.final_states
    for deadline in open_rows:
        if deadline.kind in step.closes:
            deadline.status, deadline.closed_at = "met", now
            _record_timing(deadline, step, ctx)
        elif final or deadline.kind in cancel_kinds or any(s.kind == deadline.kind for s in step.opens):
            deadline.status, deadline.closed_at = "cancelled", now
    if final:
        return
    for spec in step.opens:
        if spec.when is not None and not spec.when(ctx):
            continue
        org = scope_organisation(spec.authority.scope, ctx.chain, ctx.rule_set)
        session.add(Deadline(
            case_id=case.id, kind=spec.kind, due_date=spec.due(ctx), role=spec.authority.role,
            organisation_id=org.id, status="open", opened_at=now, legal_basis=spec.legal_basis,
            started_on=step.recorded_date(ctx.data) or ctx.today,
        ))


def _record_timing(deadline: Deadline, step: Step, ctx: StepContext) -> None:
    """For the reports' step timings: the date the meeting step recorded, working days taken and allowed."""
    deadline.met_on = step.recorded_date(ctx.data) or ctx.today
    if deadline.started_on is not None:
        deadline.working_days_taken = working_days_between(ctx.calendar, deadline.started_on, deadline.met_on)
        deadline.working_days_allowed = working_days_between(ctx.calendar, deadline.started_on, deadline.due_date)


def record_vote(session: Session, case: Case, step: Step, ctx: StepContext, seq: int, outcome: str | None) -> None:
    """A row per recorded vote, with the threshold it was measured against."""
    vote = ctx.data["vote"]
    threshold = step.threshold(ctx) if callable(step.threshold) else step.threshold
    threshold = threshold or decision_threshold(ctx.chain, ctx.rule_set)
    session.add(Vote(
        case_id=case.id, event_seq=seq, body=step.vote, held_on=vote.date, eligible=vote.eligible,
        agree=vote.agree, disagree=vote.disagree, method=vote.method, threshold=threshold,
        passed=passes(threshold, vote.agree, vote.eligible),
    ))
