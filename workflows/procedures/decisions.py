"""What decisions share across procedures (procedures.md §5, §8, §9).

Who stands above a decider, how a reversal (revoke, an annulling appeal)
restores what the decision changed, the appeal windows, and the membership
rule every removal checks. A person's membership only changes through a
decision's `UpdatePerson` effect, which the engine records in the event as
`effects.person = {field: [before, after]}`: that record is what is restored.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from workflows.domain import organisations as orgs
from workflows.domain.calendar import WorkingCalendar, add_months
from workflows.domain.definition import (
    Authority,
    Branch,
    CaseFacts,
    Decided,
    EventFacts,
    Field,
    FireStep,
    Rule,
    Step,
    StepContext,
    UpdateCaseData,
    UpdatePerson,
)
from workflows.procedures import common

MEMBER_STATUSES = ("probationary", "official")

# ---------------------------------------------------------------- membership


def _is_member(ctx: StepContext) -> bool:
    return ctx.person.membership_status in MEMBER_STATUSES


IS_MEMBER = Rule(
    "is_member", "Điều lệ Đảng art. 1, 8",
    "Người này hiện không phải là đảng viên (dự bị hoặc chính thức).",
    "This person is not currently a member (probationary or official).",
    _is_member,
)

# ---------------------------------------------------------------- who stands above the decider


def above_competent_scope(ctx: StepContext | None) -> str:
    """The scope of the committee directly above the competent committee.

    A delegated grassroots committee decides: the committee above it is the
    superior of the grassroots organisation. Otherwise a district or province
    standing committee decides: above it stands the province (the top of the
    tree this system holds).
    """
    if ctx is None:
        return "province"
    return "superior" if orgs.is_delegated(ctx.chain, ctx.rule_set) else "province"


def revoke_authorities(ctx: StepContext | None) -> tuple[Authority, ...]:
    """The standing committee above the decider (procedures.md §9)."""
    return (Authority("standing_committee", above_competent_scope(ctx)),)


def appeal_authorities(ctx: StepContext | None) -> tuple[Authority, ...]:
    """The inspection committee or standing committee of the level above the decider (§8)."""
    scope = above_competent_scope(ctx)
    return (Authority("inspection_committee", scope), Authority("standing_committee", scope))


# ---------------------------------------------------------------- restoring what a decision changed

# Membership fields a decision may change; the person's organisation is not one (transfers move it).
RESTORABLE = ("membership_status", "joined_on", "official_on", "left_on", "left_reason", "holds_post", "flags")
_DATE_FIELDS = ("joined_on", "official_on", "left_on")


def latest_decision(ctx: StepContext, triggers: Sequence[str]) -> EventFacts | None:
    """The decision event the case's current state rests on (None when none, or it was revoked)."""
    for event in reversed(ctx.lookups.events(ctx.case.id)):
        if event.trigger in triggers:
            return event
        if event.trigger == "revoke":
            return None
    return None


def person_before(ctx: StepContext, since_seq: int) -> dict[str, Any]:
    """The person's membership fields as they were before the events from `since_seq` on changed them."""
    before: dict[str, Any] = {}
    for event in ctx.lookups.events(ctx.case.id):
        if event.seq < since_seq:
            continue
        effects = event.data.get("effects") or {}
        if effects.get("person_id") not in (None, ctx.person.id):
            continue
        for name, (old, _new) in (effects.get("person") or {}).items():
            if name in RESTORABLE and name not in before:
                before[name] = date.fromisoformat(old) if name in _DATE_FIELDS and old else old
    return before


def restore_effects(ctx: StepContext, since_seq: int) -> list[UpdatePerson]:
    """An UpdatePerson putting back what the events from `since_seq` changed (empty when nothing)."""
    changes = person_before(ctx, since_seq)
    return [UpdatePerson(ctx.person.id, changes)] if changes else []


# ---------------------------------------------------------------- revoke (§9)

REVOKE_FIELDS = (common.DECISION_NUMBER, common.DECISION_DATE, common.REASON)


def revoke_steps(steps: Sequence[Step], decision_triggers: Sequence[str], *, legal_basis: str,
                 also_from: Mapping[str, Sequence[str]] | None = None,
                 clear_keys: Sequence[str] = ()) -> tuple[Step, ...]:
    """For each state a decision leads to, a `revoke` step back to the state before the decision.

    The standing committee above the decider revokes an irregular decision
    with its reason; the person's membership is restored and the case reopens.
    `also_from` adds states a decided case moves on to (discipline: in_force → closed).
    `clear_keys` are derived case-data values the decision set.
    """
    triggers = tuple(decision_triggers)
    by_dest: dict[str, list[str]] = {}
    for step in steps:
        if step.trigger in triggers:
            for dest in step.destinations:
                preds = by_dest.setdefault(dest, [])
                preds.extend(s for s in step.sources if s not in preds)

    def revocable(ctx: StepContext) -> bool:
        event = latest_decision(ctx, triggers)
        return event is not None and event.from_state in _all_preds()

    def _all_preds() -> set[str]:
        return {p for preds in by_dest.values() for p in preds}

    def after_decision(ctx: StepContext) -> bool:
        event = latest_decision(ctx, triggers)
        decided = event.data.get("decision_date") if event else None
        return decided is None or ctx.data["decision_date"] >= date.fromisoformat(decided)

    def outcome(ctx: StepContext) -> str:
        return latest_decision(ctx, triggers).from_state

    def effects(ctx: StepContext):
        event = latest_decision(ctx, triggers)
        result: list = list(restore_effects(ctx, event.seq))
        result.append(Decided(None))
        if clear_keys:
            result.append(UpdateCaseData({key: None for key in clear_keys}))
        return result

    rules = (
        Rule("revocable", legal_basis,
             "Hồ sơ không có quyết định nào còn hiệu lực để thu hồi.",
             "The case has no decision in force to revoke.", revocable),
        Rule("revoke_after_decision", legal_basis,
             "Ngày quyết định thu hồi không thể trước ngày của quyết định bị thu hồi.",
             "The revoking decision cannot be dated before the decision it revokes.",
             after_decision, field="decision_date"),
    )
    result = []
    for dest, preds in by_dest.items():
        sources = (dest, *((also_from or {}).get(dest, ())))
        step = Step(
            trigger="revoke", sources=sources, dest=tuple(Branch(p, when=p) for p in preds),
            who=revoke_authorities,
            label_vi="Thu hồi quyết định sai quy trình", label_en="Revoke an irregular decision",
            legal_basis=legal_basis, fields=REVOKE_FIELDS, outcome=outcome, effects=effects,
            comment_required=True, date_field="decision_date",
        )
        result.append(_with_rules(step, rules + (common.date_not_future_rule(step),)))
    return tuple(result)


def _with_rules(step: Step, rules: tuple[Rule, ...]) -> Step:
    import dataclasses

    return dataclasses.replace(step, rules=step.rules + rules)


# ---------------------------------------------------------------- appeals (§5, §8)

# procedure -> (its decision trigger, the states in which that decision stands and may be appealed)
APPEALABLE: dict[str, tuple[str, tuple[str, ...]]] = {
    "discipline": ("decide_discipline", ("in_force", "closed")),
    "strike_off": ("decide_strike_off", ("struck_off",)),
    "probation": ("strike_off", ("struck_off",)),
}


def appeal_window_end(procedure: str, received: date, settings: Mapping[str, Any],
                      calendar: WorkingCalendar) -> date:
    """The last day an appeal against the decision may be filed, counted from its receipt.

    Discipline: 1 calendar month by default (C: or 30 working days); strike-off: 30 working days.
    """
    if procedure == "discipline":
        period = settings["discipline_appeal_period"]
        if settings["discipline_appeal_unit"] == "months":
            return add_months(received, period)
        return calendar.add_working_days(received, period)
    return calendar.add_working_days(received, settings["strike_off_appeal_working_days"])


def appeal_window_data(ctx: StepContext, procedure: str) -> UpdateCaseData:
    """Case data `appeal_until`: the end of the appeal window the decision being taken opens.

    Counted from the recorded receipt of the decision, else from its date.
    """
    received = ctx.data.get("received_date") or ctx.data["decision_date"]
    end = appeal_window_end(procedure, received, ctx.settings, ctx.calendar)
    return UpdateCaseData({"appeal_until": end})


def open_appeals_against(ctx: StepContext, case_id: int) -> list[CaseFacts]:
    """Appeal cases still open against a case."""
    return [c for c in ctx.lookups.cases_of_person(ctx.person.id)
            if c.procedure == "appeal" and not c.closed
            and case_id in ((c.data.get("open") or {}).get("against_case_id"), c.data.get("origin_case_id"))]


APPEAL_CASE = Field("appeal_case_id", "ref", label_vi="Hồ sơ khiếu nại", label_en="Appeal case")


def by_appeal_rule(appeal_state: str) -> Rule:
    """The referenced appeal case reached `appeal_state` against this very case."""

    def check(ctx: StepContext) -> bool:
        appeal = ctx.lookups.case(ctx.data["appeal_case_id"])
        origin = appeal.data.get("origin_case_id") or (appeal.data.get("open") or {}).get("against_case_id") \
            if appeal is not None else None
        return (appeal is not None and appeal.procedure == "appeal" and appeal.state == appeal_state
                and origin == ctx.case.id)

    return Rule(
        "by_appeal", "Điều lệ Đảng art. 39; QĐ 24-QĐ/TW §8",
        "Chỉ cấp giải quyết khiếu nại mới thay đổi được quyết định này (qua hồ sơ khiếu nại).",
        "Only the body resolving an appeal can change this decision (through the appeal case).",
        check, field="appeal_case_id",
    )


def annul_step(sources: Sequence[str], decision_triggers: Sequence[str], *, clear_keys: Sequence[str] = ()) -> Step:
    """System step an annulling appeal fires: the case ends `annulled`, the person is restored."""
    triggers = tuple(decision_triggers)

    def effects(ctx: StepContext):
        event = latest_decision(ctx, triggers)
        result: list = list(restore_effects(ctx, event.seq)) if event else []
        result.append(UpdateCaseData({"annulled_by_appeal": ctx.data["appeal_case_id"],
                                      **{key: None for key in clear_keys}}))
        return result

    return Step(
        trigger="annul", sources=tuple(sources), dest="annulled", who=(), system=True,
        label_vi="Quyết định bị hủy do khiếu nại", label_en="Decision annulled on appeal",
        legal_basis="Điều lệ Đảng art. 39; QĐ 24-QĐ/TW §8",
        fields=(APPEAL_CASE, common.DECISION_NUMBER, common.DECISION_DATE),
        rules=(by_appeal_rule("annulled"),), effects=effects, date_field="decision_date",
    )


def end_open_probation(ctx: StepContext, on: date) -> list[FireStep]:
    """A removal decided for a probationary member ends their open probation case (`terminate`)."""
    return [FireStep(c.id, "terminate", {"by_case_id": ctx.case.id, "date": on})
            for c in ctx.lookups.cases_of_person(ctx.person.id) if c.procedure == "probation" and not c.closed]
