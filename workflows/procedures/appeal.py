"""Appeal (khiếu nại kỷ luật, xóa tên) — procedures.md §8.

Sources: Điều lệ Đảng 2011 art. 39; QĐ 24-QĐ/TW (2021) §8; QĐ 22-QĐ/TW.
Against a discipline decision (1 calendar month from receipt by default, C)
or a strike-off decision (30 working days), including a probationary
member's strike-off. A late appeal is refused at `open` (`deadline_passed`).
The decision stays in force meanwhile; `amend` and `annul` change the
decided case through its own system steps, so that case records the change.

Who hears it (issue 12): the level directly above the body that decided (levels.py) — a discipline
appeal by that level's committee or inspection commission, a strike-off appeal by its committee only.
An uphold or an amendment may itself be appealed, one level up, to the central level (final): each
level is its own appeal case, `against_case_id` the appeal before it, `origin_case_id` the decided case.
"""
from __future__ import annotations

from dataclasses import replace
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
from workflows.domain.forms import FormSpec
from workflows.domain.rulesets import RuleSet
from workflows.procedures import common, decisions, levels
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
SOURCE_LEVELS = (
    "Điều lệ Đảng art. 39.7: «Tổ chức đảng, đảng viên không đồng ý với quyết định kỷ luật thì trong vòng một tháng, "
    "kể từ ngày nhận quyết định, có quyền khiếu nại với cấp uỷ hoặc uỷ ban kiểm tra cấp trên cho đến Ban Chấp hành "
    "Trung ương»; QĐ 22-QĐ/TW art. 22; QĐ 24-QĐ/TW §8 (xóa tên): «có quyền khiếu nại với cấp ủy cấp trên cho đến "
    "Ban Bí thư Trung ương Đảng»"
)
# An appeal decision that stands and may be appealed to the level above.
APPEAL_DECIDED = ("upheld", "amended")
STRIKE_OFFS = ("strike_off", "probation")


def intake_authorities(ctx: StepContext | None) -> tuple[Authority, ...]:
    """Who records a received appeal: the body that hears it, or the organisation officer of that
    level's committee (its organisation board receives and prepares appeals for the committee)."""
    hearing = WHO(ctx)
    officers = tuple(dict.fromkeys(Authority("organisation_officer", a.scope) for a in hearing))
    return hearing + officers


# ---------------------------------------------------------------- the level that hears the appeal


def _against(ctx: StepContext):
    """The decided case (or appeal decision) appealed against, when it can be appealed (else None)."""
    case = ctx.lookups.case(ctx.data["against_case_id"])
    if case is None or case.person_id != ctx.person.id:
        return None
    if case.procedure == NAME:
        return case if case.state in APPEAL_DECIDED else None
    if case.procedure not in decisions.APPEALABLE:
        return None
    _trigger, states = decisions.APPEALABLE[case.procedure]
    return case if case.state in states else None


def origin_procedure(case) -> str:
    """The procedure whose decision the appeal chain is about (discipline, strike_off, probation)."""
    return case.data.get("origin_procedure") or case.procedure if case.procedure == NAME else case.procedure


def _hearing_index(ctx: StepContext, against) -> int | None:
    """The chain index of the level that hears an appeal against `against` (None: the central level)."""
    if against.procedure == NAME:
        return levels.level_above(ctx.chain, against.data.get("hearing_index"))
    if against.procedure == "discipline":
        index = against.data.get("decider_index")
        if index is None:  # decided before the deciding body was recorded: the lowest one competent
            decided_by = levels.default_decided_by(against.data.get("form"), ctx.chain, ctx.rule_set)
            index = levels.decider_index(ctx.chain, decided_by)
        return levels.level_above(ctx.chain, min(index, len(ctx.chain) - 1))
    return levels.level_above(ctx.chain, levels.competent_index(ctx.chain, ctx.rule_set))


def _hearing(ctx: StepContext) -> tuple[int | None, bool]:
    """(hearing index, whether an inspection commission may hear it) of this appeal case."""
    if "hearing_index" in ctx.case.data:
        return ctx.case.data["hearing_index"], ctx.case.data.get("origin_procedure") not in STRIKE_OFFS
    against = _against(ctx)
    if against is None:
        raise LookupError("no appealable decision")
    return _hearing_index(ctx, against), origin_procedure(against) not in STRIKE_OFFS


def who(ctx: StepContext | None) -> tuple[Authority, ...]:
    """The standing committee (and, for discipline, the inspection commission) of the hearing level.

    Before a decision is named (the intake form, the person page's offer), the bodies that hear an appeal
    against any of the person's appealable decisions: a cell's reprimand is heard by the commune committee,
    a district's strike-off by the province, and each of them must get the form (issue 13, item 1).
    """
    if ctx is None:
        return decisions.appeal_authorities(None)
    if "hearing_index" not in ctx.case.data and "against_case_id" not in ctx.data:
        found = tuple(dict.fromkeys(a for case in appealable_decisions(ctx) for a in who(_naming(ctx, case))))
        return found or decisions.appeal_authorities(ctx)  # nothing to appeal: the rules will say so
    try:
        index, inspection = _hearing(ctx)
    except (LookupError, KeyError, TypeError):  # the named case is not appealable: the rules will say so
        return decisions.appeal_authorities(ctx)
    return levels.hearing_authorities(index, inspection=inspection)


def _naming(ctx: StepContext, case) -> StepContext:
    """The context as if the intake form named `case` as the decision appealed against."""
    return replace(ctx, data={**ctx.data, "against_case_id": case.id})


def appealable_decisions(ctx: StepContext) -> list:
    """The person's decisions an appeal may be filed against now: in force, not final, not yet decided on
    appeal (the same rules `open` checks once one is named)."""
    try:
        cases = ctx.lookups.cases_of_person(ctx.person.id)
    except NotImplementedError:  # facts built without a database: nothing can be looked up
        return []
    return [case for case in cases
            if _against(named := _naming(ctx, case)) is not None and _not_final(named) and _latest_decision(named)]


WHO = who


def _decision_date(case) -> date:
    if case.procedure == NAME:
        return case.decided_on
    trigger, _states = decisions.APPEALABLE[case.procedure]
    return date.fromisoformat(case.data[trigger]["decision_date"])


def _window_end(ctx: StepContext, case) -> date:
    return decisions.appeal_window_end(origin_procedure(case), ctx.data["received_decision_on"], ctx.settings,
                                       ctx.calendar)


APPEALABLE = Rule(
    "appealable_decision", SOURCE,
    "Chỉ khiếu nại được quyết định kỷ luật hoặc quyết định xóa tên đang có hiệu lực đối với chính mình "
    "(hoặc quyết định giải quyết khiếu nại giữ nguyên, thay đổi hình thức).",
    "Only a discipline or strike-off decision in force about the appellant (or an appeal decision upholding or "
    "amending it) can be appealed.",
    lambda ctx: _against(ctx) is not None if "against_case_id" in ctx.data else bool(appealable_decisions(ctx)),
    field="against_case_id",
)


def _not_final(ctx: StepContext) -> bool:
    against = _against(ctx)
    return against is None or against.procedure != NAME or against.data.get("hearing_index") is not None


APPEAL_FINAL = Rule(
    "appeal_final", SOURCE_LEVELS,
    "Quyết định giải quyết khiếu nại của cấp Trung ương là quyết định cuối cùng, không khiếu nại tiếp được.",
    "The central level's appeal decision is final: it cannot be appealed further.",
    _not_final, field="against_case_id", confidence="H",
)


def _latest_decision(ctx: StepContext) -> bool:
    """Against the latest decision of the chain: nothing decided on appeal against it yet."""
    against = _against(ctx)
    if against is None:
        return True
    return not any(c.procedure == NAME and c.state in APPEAL_DECIDED
                   and (c.data.get("open") or {}).get("against_case_id") == against.id
                   for c in ctx.lookups.cases_of_person(ctx.person.id))


APPEAL_NEXT_LEVEL = Rule(
    "appeal_next_level", SOURCE_LEVELS,
    "Quyết định này đã được cấp trên giải quyết khiếu nại: nếu không đồng ý, hãy khiếu nại quyết định giải quyết khiếu "
    "nại đó lên cấp trên tiếp theo.",
    "This decision has already been decided on appeal: appeal that appeal decision to the next level up instead.",
    _latest_decision, field="against_case_id", confidence="H",
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
    index = _hearing_index(ctx, case)
    chained = case.procedure == NAME
    return [UpdateCaseData({
        "against_procedure": case.procedure, "appeal_until": _window_end(ctx, case),
        "origin_case_id": case.data.get("origin_case_id") if chained else case.id,
        "origin_procedure": origin_procedure(case),
        "appeal_level": int(case.data.get("appeal_level") or 1) + 1 if chained else 1,
        "hearing_index": index, "hearing_org_id": None if index is None else ctx.chain[index].id,
    })]


def _resolution_due(ctx: StepContext) -> date:
    """90 working days at a province-or-lower level, 180 at the central level (C: settings)."""
    against = _against(ctx)
    level = "central" if against is not None and _hearing_index(ctx, against) is None else "province"
    return ctx.calendar.add_working_days(ctx.data["filed_on"], ctx.settings["appeal_resolution_working_days"][level])


def _is_strike_off(ctx: StepContext) -> bool:
    against = _against(ctx)
    return against is not None and origin_procedure(against) in STRIKE_OFFS


# Who is reminded: the hearing level's inspection commission for discipline, its committee for a strike-off.
RESOLUTION_DEADLINES = (
    DeadlineSpec("appeal_resolution", _resolution_due, Authority("inspection_committee", "superior"), SOURCE,
                 "Hạn giải quyết khiếu nại (90 ngày làm việc; cấp Trung ương 180)",
                 "Appeal resolution due (90 working days; central level 180)",
                 when=lambda ctx: not _is_strike_off(ctx)),
    DeadlineSpec("appeal_resolution", _resolution_due, Authority("standing_committee", "superior"), SOURCE,
                 "Hạn giải quyết khiếu nại (90 ngày làm việc; cấp Trung ương 180)",
                 "Appeal resolution due (90 working days; central level 180)",
                 when=_is_strike_off),
)

# ---------------------------------------------------------------- outcomes


def _origin_id(ctx: StepContext) -> int:
    """The decided case an outcome changes (the start of the chain, whichever level hears it)."""
    return ctx.case.data.get("origin_case_id") or ctx.recorded("open")["against_case_id"]


AMEND_DISCIPLINE_ONLY = Rule(
    "amend_discipline_only", SOURCE,
    "Chỉ thay đổi hình thức đối với quyết định kỷ luật; quyết định xóa tên chỉ giữ nguyên hoặc hủy.",
    "Only a discipline decision can have its form amended; a strike-off is upheld or annulled.",
    lambda ctx: (ctx.case.data.get("origin_procedure") or ctx.case.data.get("against_procedure")) == "discipline",
    field="form",
)


def _fire(trigger: str):
    def effects(ctx: StepContext):
        data = {"appeal_case_id": ctx.case.id, "decision_number": ctx.data["decision_number"],
                "decision_date": ctx.data["decision_date"]}
        if trigger == "amend":
            data["form"] = ctx.data["form"]
        return [Decided(ctx.data["decision_date"]), FireStep(_origin_id(ctx), trigger, data)]

    return effects


DECISION_FIELDS = (common.DECISION_NUMBER, common.DECISION_DATE)


def _outcome_step(trigger: str, dest: str, label_vi: str, label_en: str, *, fields=(), rules=(), effects=None) -> Step:
    return Step(
        trigger=trigger, sources=("under_consideration",), dest=dest, who=WHO, label_vi=label_vi, label_en=label_en,
        legal_basis=SOURCE, fields=DECISION_FIELDS + tuple(fields), rules=tuple(rules),
        closes=("appeal_resolution",), effects=effects or (lambda ctx: [Decided(ctx.data["decision_date"])]),
        date_field="decision_date",
    )



# ---------------------------------------------------------------- the documents its steps record (issue 15)

DOCUMENTS = (
    FormSpec("QD-GQKN-GN", "Quyết định giải quyết khiếu nại (giữ nguyên quyết định)", "uphold",
             issuer="above_competent", template="QD-GQKN.v1"),
    FormSpec("QD-GQKN-TD", "Quyết định giải quyết khiếu nại (thay đổi hình thức kỷ luật)", "amend",
             issuer="above_competent", template="QD-GQKN.v1"),
    FormSpec("QD-GQKN-HUY", "Quyết định giải quyết khiếu nại (hủy quyết định)", "annul",
             issuer="above_competent", template="QD-GQKN.v1"),
    common.REVOKE_FORM,
    common.TRANSFER_FORM,
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
        rules=(APPEALABLE, APPEAL_FINAL, APPEAL_NEXT_LEVEL, APPEAL_DATES, DEADLINE_PASSED), opens=RESOLUTION_DEADLINES,
        effects=_opened,
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
        forms=DOCUMENTS,
        name=NAME, rule_set=rule_set.name, label_vi="Khiếu nại kỷ luật, xóa tên", label_en="Appeal",
        states=STATES, open_step=open_step, steps=tuple(steps), legal_basis=SOURCE,
    )
