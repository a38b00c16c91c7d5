"""Appeal (khiếu nại kỷ luật, xóa tên) — procedures.md §8.

Sources: Điều lệ Đảng 2011 art. 39; QĐ 24-QĐ/TW (2021) §8; QĐ 22-QĐ/TW.
Against a discipline decision (1 calendar month from receipt by default, C)
or a strike-off decision (30 working days), including a probationary
member's strike-off. A late appeal is refused at `open` (`deadline_passed`).
The decision stays in force meanwhile; `amend` and `annul` change the
decided case through its own system steps, so that case records the change.
"""
from __future__ import annotations

from datetime import date

from workflows.domain.definition import (
    Authority,
    DeadlineSpec,
    Decided,
    Field,
    FireStep,
    Procedure,
    Rule,
    State,
    Step,
    StepContext,
    UpdateCaseData,
)
from workflows.domain.rulesets import RuleSet
from workflows.procedures import common, decisions
from workflows.procedures.discipline import FORMS

NAME = "appeal"

STATES = (
    State("filed", "Đã nhận đơn khiếu nại", "Filed"),
    State("under_consideration", "Đang giải quyết", "Under consideration"),
    State("upheld", "Giữ nguyên quyết định", "Decision upheld", final=True),
    State("amended", "Thay đổi hình thức kỷ luật", "Decision amended", final=True),
    State("annulled", "Hủy quyết định", "Decision annulled", final=True),
    State("withdrawn", "Người khiếu nại rút đơn", "Appeal withdrawn", final=True),
)

SOURCE = "Điều lệ Đảng art. 39; QĐ 24-QĐ/TW §8"
WHO = decisions.appeal_authorities


def intake_authorities(ctx: StepContext | None) -> tuple[Authority, ...]:
    """Who records a received appeal: the body that hears it, or the organisation officer of that
    level's committee (its organisation board receives and prepares appeals for the committee)."""
    hearing = WHO(ctx)
    officers = tuple(dict.fromkeys(Authority("organisation_officer", a.scope) for a in hearing))
    return hearing + officers

# ---------------------------------------------------------------- rules at open


def _against(ctx: StepContext):
    """The decided case appealed against, when it is one that can be appealed (else None)."""
    case = ctx.lookups.case(ctx.data["against_case_id"])
    if case is None or case.person_id != ctx.person.id or case.procedure not in decisions.APPEALABLE:
        return None
    _trigger, states = decisions.APPEALABLE[case.procedure]
    return case if case.state in states else None


def _decision_date(case) -> date:
    trigger, _states = decisions.APPEALABLE[case.procedure]
    return date.fromisoformat(case.data[trigger]["decision_date"])


def _window_end(ctx: StepContext, case) -> date:
    return decisions.appeal_window_end(case.procedure, ctx.data["received_decision_on"], ctx.settings, ctx.calendar)


APPEALABLE = Rule(
    "appealable_decision", SOURCE,
    "Chỉ khiếu nại được quyết định kỷ luật hoặc quyết định xóa tên đang có hiệu lực đối với chính mình.",
    "Only a discipline or strike-off decision in force about the appellant can be appealed.",
    lambda ctx: _against(ctx) is not None, field="against_case_id",
)


def _dates_ok(ctx: StepContext) -> bool:
    case = _against(ctx)
    received, filed = ctx.data["received_decision_on"], ctx.data["filed_on"]
    return case is None or (_decision_date(case) <= received <= filed)


APPEAL_DATES = Rule(
    "appeal_dates", SOURCE,
    "Ngày nhận quyết định không thể trước ngày quyết định, ngày gửi đơn không thể trước ngày nhận quyết định.",
    "The decision cannot be received before its date, nor the appeal filed before the decision was received.",
    _dates_ok, field="received_decision_on",
)


def _in_time(ctx: StepContext) -> bool:
    case = _against(ctx)
    return case is None or ctx.data["filed_on"] <= _window_end(ctx, case)


DEADLINE_PASSED = Rule(
    "deadline_passed", "Điều lệ Đảng art. 39; QĐ 24-QĐ/TW §8; QĐ 22-QĐ/TW",
    "Đơn khiếu nại gửi quá thời hạn nên không được xem xét: khiếu nại quyết định kỷ luật trong 1 tháng, "
    "quyết định xóa tên trong 30 ngày làm việc kể từ ngày nhận quyết định.",
    "The appeal was filed too late and is not accepted: within 1 month of receiving a discipline decision, "
    "30 working days of receiving a strike-off decision.",
    _in_time, field="filed_on",
)


def _opened(ctx: StepContext):
    case = _against(ctx)
    return [UpdateCaseData({"against_procedure": case.procedure, "appeal_until": _window_end(ctx, case)})]


RESOLUTION_DEADLINE = DeadlineSpec(
    "appeal_resolution",
    lambda ctx: ctx.calendar.add_working_days(ctx.data["filed_on"],
                                              ctx.settings["appeal_resolution_working_days"]["province"]),
    Authority("inspection_committee", "superior"), SOURCE,
    "Hạn giải quyết khiếu nại (90 ngày làm việc)", "Appeal resolution due (90 working days)",
)

# ---------------------------------------------------------------- outcomes


def _against_id(ctx: StepContext) -> int:
    return ctx.recorded("open")["against_case_id"]


AMEND_DISCIPLINE_ONLY = Rule(
    "amend_discipline_only", SOURCE,
    "Chỉ thay đổi hình thức đối với quyết định kỷ luật; quyết định xóa tên chỉ giữ nguyên hoặc hủy.",
    "Only a discipline decision can have its form amended; a strike-off is upheld or annulled.",
    lambda ctx: ctx.case.data.get("against_procedure") == "discipline", field="form",
)


def _fire(trigger: str):
    def effects(ctx: StepContext):
        data = {"appeal_case_id": ctx.case.id, "decision_number": ctx.data["decision_number"],
                "decision_date": ctx.data["decision_date"]}
        if trigger == "amend":
            data["form"] = ctx.data["form"]
        return [Decided(ctx.data["decision_date"]), FireStep(_against_id(ctx), trigger, data)]

    return effects


DECISION_FIELDS = (common.DECISION_NUMBER, common.DECISION_DATE)


def _outcome_step(trigger: str, dest: str, label_vi: str, label_en: str, *, fields=(), rules=(), effects=None) -> Step:
    return Step(
        trigger=trigger, sources=("under_consideration",), dest=dest, who=WHO, label_vi=label_vi, label_en=label_en,
        legal_basis=SOURCE, fields=DECISION_FIELDS + tuple(fields), rules=tuple(rules),
        closes=("appeal_resolution",), effects=effects or (lambda ctx: [Decided(ctx.data["decision_date"])]),
        date_field="decision_date",
    )


def build(rule_set: RuleSet) -> Procedure:
    """The appeal procedure under a rule set."""
    open_step = Step(
        trigger="open", sources=(), dest="filed", who=intake_authorities,
        label_vi="Nhận đơn khiếu nại", label_en="Record an appeal", legal_basis=SOURCE,
        fields=(
            Field("against_case_id", "ref", label_vi="Hồ sơ có quyết định bị khiếu nại",
                  label_en="Case whose decision is appealed"),
            Field("received_decision_on", "date", label_vi="Ngày nhận quyết định", label_en="Decision received on"),
            Field("filed_on", "date", label_vi="Ngày gửi đơn khiếu nại", label_en="Appeal filed on"),
            Field("grounds", "text", label_vi="Nội dung khiếu nại", label_en="Grounds"),
        ),
        rules=(APPEALABLE, APPEAL_DATES, DEADLINE_PASSED), opens=(RESOLUTION_DEADLINE,), effects=_opened,
        date_field="filed_on",
    )
    steps = [
        open_step,
        Step(
            trigger="start_consideration", sources=("filed",), dest="under_consideration", who=WHO,
            label_vi="Bắt đầu giải quyết", label_en="Start consideration", legal_basis=SOURCE,
            fields=(Field("date", "date", label_vi="Ngày bắt đầu", label_en="Date"),), date_field="date",
        ),
        _outcome_step("uphold", "upheld", "Giữ nguyên quyết định", "Uphold the decision"),
        _outcome_step("amend", "amended", "Thay đổi hình thức kỷ luật", "Amend the form",
                      fields=(Field("form", "enum", choices=FORMS, label_vi="Hình thức mới", label_en="New form"),),
                      rules=(AMEND_DISCIPLINE_ONLY,), effects=_fire("amend")),
        _outcome_step("annul", "annulled", "Hủy quyết định", "Annul the decision", effects=_fire("annul")),
    ]
    steps = list(common.with_date_rules(steps))
    open_step, steps = steps[0], steps[1:]
    open_names = common.open_states(STATES)
    steps.append(common.withdraw_step(
        open_names, "withdrawn", WHO, label_vi="Người khiếu nại rút đơn", label_en="The appellant withdraws",
        legal_basis=SOURCE,
    ))
    steps.append(common.transfer_step(open_names))
    # Only an uphold is revoked here: an amendment or annulment changed the decided case, which a new
    # appeal to the level above handles.
    steps.extend(decisions.revoke_steps(steps, ("uphold",), legal_basis=SOURCE + "; procedures.md §9"))
    return Procedure(
        name=NAME, rule_set=rule_set.name, label_vi="Khiếu nại kỷ luật, xóa tên", label_en="Appeal",
        states=STATES, open_step=open_step, steps=tuple(steps), legal_basis=SOURCE,
    )
