"""Probation and recognition (dự bị, công nhận đảng viên chính thức) — procedures.md §4.

Sources: Điều lệ Đảng 2011 art. 5; QĐ 24-QĐ/TW (2021) §4.2–4.3 as amended by
QĐ 232 and replaced by QĐ 294 (2025); HD 01-HD/TW §4; forms 10-KNĐ to 15-KNĐ.

The admission ceremony opens the case (system-fired, no authority check); a
cell secretary may also open one for a member admitted before the system was
in use. A strike-off or withdrawal decided meanwhile ends it (`terminate`).
"""
from __future__ import annotations

from datetime import date

from workflows.domain.calendar import add_months
from workflows.domain.definition import (
    STAY,
    Branch,
    DeadlineSpec,
    Decided,
    ExtendDeadline,
    Field,
    Procedure,
    Rule,
    State,
    Step,
    StepContext,
    UpdateCaseData,
    UpdatePerson,
)
from workflows.domain.forms import FormSpec
from workflows.domain.rulesets import RuleSet
from workflows.domain.votes import passes
from workflows.procedures import common, decisions

NAME = "probation"

SECRETARY, COMMITTEE, COMPETENT = common.SECRETARY, common.COMMITTEE, common.COMPETENT

STATES = (
    State("on_probation", "Đang trong thời gian dự bị", "On probation"),
    State("under_review", "Đang xét công nhận chính thức", "Under review"),
    State("cell_approved", "Chi bộ đề nghị công nhận chính thức", "Recognition proposed by the cell"),
    State("strike_off_proposed", "Chi bộ đề nghị xóa tên", "Strike-off proposed by the cell"),
    State("committee_approved", "Đảng ủy cơ sở đề nghị công nhận", "Recognition approved by the committee"),
    State("strike_off_confirmed", "Đảng ủy cơ sở đề nghị xóa tên", "Strike-off approved by the committee"),
    State("referred_to_superior", "Chuyển cấp ủy cấp trên xem xét", "Referred to the superior committee"),
    State("official", "Đã công nhận đảng viên chính thức", "Recognised as official member", final=True),
    State("struck_off", "Đã xóa tên (đảng viên dự bị)", "Struck off", final=True),
    State("annulled", "Quyết định xóa tên bị hủy do khiếu nại", "Strike-off annulled on appeal", final=True),
    State("terminated", "Kết thúc do quyết định khác (xóa tên, ra khỏi Đảng)",
          "Ended by another decision (strike-off, withdrawal)", final=True),
)

DECISION_TRIGGERS = ("recognise", "strike_off")
LEFT_REASON = "struck_off:probation_review"

# ---------------------------------------------------------------- rules


def _end(ctx: StepContext) -> date:
    return date.fromisoformat(ctx.case.data["probation_end"])


IS_PROBATIONARY = Rule(
    "is_probationary", "Điều lệ Đảng art. 5",
    "Chỉ mở hồ sơ dự bị cho đảng viên dự bị.",
    "A probation case can only be opened for a probationary member.",
    lambda ctx: ctx.person.membership_status == "probationary",
)


def _helper_ok(ctx: StepContext) -> bool:
    helper_id = ctx.data.get("helper_id")
    if helper_id is None:
        return True
    helper = ctx.lookups.person(helper_id)
    return helper is not None and helper.membership_status == "official" and helper.id != ctx.person.id


HELPER_OFFICIAL = Rule(
    "helper_official", "HD 01-HD/TW §4.1",
    "Đảng viên được phân công giúp đỡ phải là đảng viên chính thức.",
    "The helper member must be an official member.",
    _helper_ok, field="helper_id",
)

PROBATION_ENDED = Rule(
    "probation_ended", "Điều lệ Đảng art. 5.1; QĐ 24-QĐ/TW §4.2",
    "Chỉ xét công nhận chính thức khi đã hết 12 tháng dự bị (từ ngày kết thúc thời gian dự bị).",
    "The review can only start once the 12 months of probation are over (on or after the end date).",
    lambda ctx: ctx.data["date"] >= _end(ctx), field="date",
)



def _ended_by_decision(ctx: StepContext) -> bool:
    other = ctx.lookups.case(ctx.data["by_case_id"])
    return (other is not None and other.person_id == ctx.person.id
            and (other.procedure, other.state) in (("strike_off", "struck_off"), ("withdrawal", "removed")))


ENDED_BY_DECISION = Rule(
    "ended_by_decision", "Điều lệ Đảng art. 8",
    "Hồ sơ dự bị chỉ kết thúc theo một quyết định xóa tên hoặc cho ra khỏi Đảng của chính người này.",
    "A probation case only ends by a strike-off or withdrawal decision about the same person.",
    _ended_by_decision, field="by_case_id",
)

# ---------------------------------------------------------------- outcomes, deadlines, effects


def _cell_vote_outcome(ctx: StepContext) -> str:
    """recognise / strike_off when ≥ 2/3 agree; else inconclusive, and the 3rd time referred."""
    vote = ctx.data["vote"]
    if passes("two_thirds", vote.agree, vote.eligible):
        return ctx.data["proposal"]
    count = int(ctx.case.data.get("inconclusive_votes") or 0) + 1
    return "referred" if count >= ctx.settings["probation_inconclusive_votes_max"] else "inconclusive"


def _cell_vote_effects(ctx: StepContext):
    if _cell_vote_outcome(ctx) in ("inconclusive", "referred"):
        return [UpdateCaseData({"inconclusive_votes": int(ctx.case.data.get("inconclusive_votes") or 0) + 1})]
    return []


def _opened(ctx: StepContext):
    start = ctx.data["ceremony_date"]
    return [UpdateCaseData({"probation_start": start,
                            "probation_end": add_months(start, ctx.settings["probation_months"])})]


VOTE_DEADLINE = DeadlineSpec(
    "probation_vote",
    lambda ctx: ctx.calendar.add_working_days(add_months(ctx.data["ceremony_date"], ctx.settings["probation_months"]),
                                              ctx.settings["probation_vote_working_days"]),
    SECRETARY[0], "QĐ 24-QĐ/TW §4.2a",
    "Hạn chi bộ xét công nhận chính thức (30 ngày làm việc sau khi hết dự bị)",
    "Cell review due (30 working days after the end of probation)",
)
DECISION_DEADLINE = DeadlineSpec(
    "probation_decision",
    lambda ctx: ctx.calendar.add_working_days(ctx.data["vote"].date, ctx.settings["recognition_decision_working_days"]),
    COMPETENT[0], "QĐ 24-QĐ/TW, QĐ 232-QĐ/TW §4.3.1; quyết định chậm vẫn có hiệu lực (QĐ 24 §4.2 b)",
    "Hạn cấp ủy có thẩm quyền quyết định (30 ngày làm việc từ nghị quyết chi bộ)",
    "Decision due (30 working days from the cell resolution)",
    when=lambda ctx: _cell_vote_outcome(ctx) != "inconclusive",
    late_rule_id=common.LATE_DECISION_ID, late_source=common.LATE_DECISION_SOURCE,
)


def _recognised(ctx: StepContext):
    end = _end(ctx)
    # Official from the end of probation, whatever the decision date (QĐ 24 §4.2b).
    return [
        Decided(ctx.data["decision_date"]),
        UpdatePerson(ctx.person.id, {"membership_status": "official", "official_on": end}),
        UpdateCaseData({"official_from": end}),
    ]


def _struck_off(ctx: StepContext):
    decided = ctx.data["decision_date"]
    return [
        Decided(decided),
        UpdatePerson(ctx.person.id, {"membership_status": "former", "left_on": decided, "left_reason": LEFT_REASON}),
        decisions.appeal_window_data(ctx, NAME),
    ]


def _extend(ctx: StepContext):
    base = ctx.case.deadlines["probation_decision"]
    used = int(ctx.case.data.get("decision_extension_days") or 0)
    return [
        ExtendDeadline("probation_decision", ctx.calendar.add_working_days(base, ctx.data["days"])),
        UpdateCaseData({"decision_extension_days": used + ctx.data["days"]}),
    ]


HAS_DECISION_DEADLINE = common.deadline_to_extend_rule("probation_decision")


# ---------------------------------------------------------------- the procedure

DECISION_FIELDS = (common.DECISION_NUMBER, common.DECISION_DATE, common.RECEIVED_DATE, common.DECISION_VOTE)
PROPOSAL = Field("proposal", "enum", choices=("recognise", "strike_off"),
                 label_vi="Đề nghị biểu quyết", label_en="Proposal voted on")


def _decision(trigger: str, sources: tuple[str, ...], dest: str, effects, *, grassroots_cell: bool) -> Step:
    label_vi, label_en = {
        "recognise": ("Quyết định công nhận đảng viên chính thức", "Recognition decision"),
        "strike_off": ("Quyết định xóa tên đảng viên dự bị", "Strike-off decision"),
    }[trigger]
    return Step(
        trigger=trigger, sources=sources, dest=dest, who=COMPETENT, label_vi=label_vi, label_en=label_en,
        legal_basis="QĐ 24-QĐ/TW, QĐ 232-QĐ/TW §4.2b, §4.3; Điều lệ Đảng art. 5",
        fields=DECISION_FIELDS, rules=(common.DECISION_VOTE_RULE,),
        closes=("probation_decision",), effects=effects, vote="decision", date_field="decision_date",
        applies=common.no_committee_level if grassroots_cell else None,
    )


THREE_VOTES_SOURCE = (
    "QĐ 24-QĐ/TW §4.2 c) (như QĐ 29-QĐ/TW §4.2): «Trường hợp tổ chức đảng cấp dưới đã qua 3 lần biểu quyết nhưng "
    "không đủ hai phần ba số đảng viên chính thức hoặc cấp ủy viên tán thành công nhận một đảng viên dự bị là đảng "
    "viên chính thức hoặc đề nghị xóa tên trong danh sách đảng viên thì báo cáo cấp ủy cấp trên trực tiếp và cấp ủy "
    "có thẩm quyền xem xét, quyết định»"
)


def _committee_outcome(ctx: StepContext) -> str:
    """passed at ≥ 2/3 of the committee; short of it inconclusive, and the committee's 3rd time referred.

    The committee counts its own votes, as the cell does (each body "3 lần biểu quyết").
    """
    vote = ctx.data["vote"]
    if passes("two_thirds", vote.agree, vote.eligible):
        return "passed"
    count = int(ctx.case.data.get("committee_inconclusive_votes") or 0) + 1
    return "referred" if count >= ctx.settings["probation_inconclusive_votes_max"] else "inconclusive"


def _committee_vote_effects(ctx: StepContext):
    if _committee_outcome(ctx) == "passed":
        return []
    used = int(ctx.case.data.get("committee_inconclusive_votes") or 0)
    return [UpdateCaseData({"committee_inconclusive_votes": used + 1})]


def _committee_vote(source: str, passed: str) -> Step:
    return Step(
        trigger="committee_vote", sources=(source,), who=COMMITTEE,
        dest=(Branch(passed, "passed"), Branch(source, "inconclusive"), Branch("referred_to_superior", "referred")),
        label_vi="Đảng ủy cơ sở biểu quyết (15-KNĐ)", label_en="Committee vote (15-KNĐ)",
        legal_basis=THREE_VOTES_SOURCE + "; QĐ 24-QĐ/TW §4.3; " + common.SOURCE_CHARTER_VOTES,
        fields=(common.VOTE,), outcome=_committee_outcome, effects=_committee_vote_effects, vote="committee",
        threshold="two_thirds", applies=common.committee_level, date_field="vote.date",
    )



# ---------------------------------------------------------------- the documents its steps record (issue 15)

DOCUMENTS = (
    FormSpec("13-KND", "Nghị quyết đề nghị công nhận đảng viên chính thức (chi bộ)", "cell_vote", issuer="case",
             kind="resolution"),
    FormSpec("15-KND", "Nghị quyết đề nghị công nhận đảng viên chính thức (đảng ủy cơ sở)", "committee_vote",
             issuer="grassroots", kind="resolution"),
    FormSpec("16-KND", "Quyết định công nhận đảng viên chính thức", "recognise"),
    FormSpec("QD-XTDB", "Quyết định xóa tên đảng viên dự bị", "strike_off"),
    common.REVOKE_FORM,
    common.TRANSFER_FORM,
)

def build(rule_set: RuleSet) -> Procedure:
    """The probation procedure under a rule set."""
    open_step = Step(
        trigger="open", sources=(), dest="on_probation", who=SECRETARY,
        label_vi="Bắt đầu thời gian dự bị", label_en="Start probation",
        legal_basis="Điều lệ Đảng art. 5.1; QĐ 24-QĐ/TW §4.1",
        fields=(
            Field("ceremony_date", "date", label_vi="Ngày lễ kết nạp", label_en="Ceremony date"),
            Field("helper_id", "ref", required=False, label_vi="Đảng viên giúp đỡ", label_en="Helper member"),
            Field("admission_case_id", "ref", required=False,
                  label_vi="Hồ sơ kết nạp", label_en="Admission case"),
        ),
        rules=(IS_PROBATIONARY, HELPER_OFFICIAL), opens=(VOTE_DEADLINE,), effects=_opened,
        date_field="ceremony_date",
    )
    steps = [
        open_step,
        Step(
            trigger="submit_review", sources=("on_probation",), dest="under_review", who=SECRETARY,
            label_vi="Nộp hồ sơ xét công nhận (10, 11, 12-KNĐ)", label_en="Submit the review (10, 11, 12-KNĐ)",
            legal_basis="QĐ 24-QĐ/TW §4.2; HD 01-HD/TW §4; mẫu 10-KNĐ, 11-KNĐ, 12-KNĐ",
            fields=(
                Field("date", "date", label_vi="Ngày nộp", label_en="Date"),
                Field("self_assessment", "text", required=False,
                      label_vi="Bản tự kiểm điểm (10-KNĐ)", label_en="Self-assessment (10-KNĐ)"),
                Field("helper_report", "text", required=False,
                      label_vi="Nhận xét của đảng viên giúp đỡ (11-KNĐ)", label_en="Helper's report (11-KNĐ)"),
                Field("opinions", "text", required=False,
                      label_vi="Ý kiến nhận xét của đoàn thể, nơi cư trú (12-KNĐ)", label_en="Opinions (12-KNĐ)"),
                Field("course_certificate", "object", required=False, items=(
                    Field("number", "str", label_vi="Số giấy chứng nhận", label_en="Certificate number", max_length=100),
                    Field("issued_on", "date", label_vi="Ngày cấp", label_en="Issued on"),
                ), label_vi="Giấy chứng nhận lớp đảng viên mới", label_en="New-member course certificate"),
            ),
            rules=(PROBATION_ENDED,), date_field="date",
        ),
        Step(
            trigger="cell_vote", sources=("under_review",), who=SECRETARY,
            dest=(Branch("cell_approved", "recognise"), Branch("strike_off_proposed", "strike_off"),
                  Branch("under_review", "inconclusive"), Branch("referred_to_superior", "referred")),
            label_vi="Chi bộ biểu quyết (13-KNĐ)", label_en="Cell vote (13-KNĐ)",
            legal_basis="QĐ 24-QĐ/TW §4.2a; " + THREE_VOTES_SOURCE + "; " + common.SOURCE_CHARTER_VOTES,
            fields=(common.VOTE, PROPOSAL), outcome=_cell_vote_outcome, vote="cell", threshold="two_thirds",
            closes=("probation_vote",), opens=(DECISION_DEADLINE,), effects=_cell_vote_effects,
            date_field="vote.date",
        ),
        _committee_vote("cell_approved", "committee_approved"),
        _committee_vote("strike_off_proposed", "strike_off_confirmed"),
        _decision("recognise", ("committee_approved", "referred_to_superior"), "official", _recognised,
                  grassroots_cell=False),
        _decision("recognise", ("cell_approved",), "official", _recognised, grassroots_cell=True),
        _decision("strike_off", ("strike_off_confirmed", "referred_to_superior"), "struck_off", _struck_off,
                  grassroots_cell=False),
        _decision("strike_off", ("strike_off_proposed",), "struck_off", _struck_off, grassroots_cell=True),
    ]
    steps = list(common.with_date_rules(steps))
    open_step, steps = steps[0], steps[1:]
    waiting = ("cell_approved", "strike_off_proposed", "committee_approved", "strike_off_confirmed",
               "referred_to_superior")
    steps.append(Step(
        trigger="extend_deadline", sources=waiting, dest=STAY, who=COMPETENT,
        label_vi="Gia hạn thời hạn xem xét", label_en="Extend the decision deadline",
        legal_basis="QĐ 24-QĐ/TW, QĐ 232-QĐ/TW §4.3.1",
        fields=(common.EXTENSION_DAYS, common.REASON),
        rules=(HAS_DECISION_DEADLINE, common.extension_rule("decision_extension_days")), effects=_extend,
    ))
    steps.extend(common.return_for_rework_steps(
        steps, ("under_review", "cell_approved", "strike_off_proposed", "committee_approved",
                "strike_off_confirmed", "referred_to_superior"),
        legal_basis="QĐ 24-QĐ/TW §4.2",
    ))
    open_names = common.open_states(STATES)
    steps.append(common.transfer_step(open_names))
    steps.extend(decisions.revoke_steps(steps, DECISION_TRIGGERS, legal_basis="QĐ 24-QĐ/TW §4.3; procedures.md §9",
                                        clear_keys=("official_from", "appeal_until")))
    steps.append(decisions.annul_step(("struck_off",), ("strike_off",), clear_keys=("appeal_until",)))
    steps.append(Step(
        trigger="terminate", sources=open_names, dest="terminated", who=(), system=True,
        label_vi="Kết thúc do quyết định xóa tên / ra khỏi Đảng", label_en="Ended by another decision",
        legal_basis="Điều lệ Đảng art. 8",
        fields=(Field("by_case_id", "ref", label_vi="Hồ sơ quyết định", label_en="Deciding case"),
                Field("date", "date", label_vi="Ngày quyết định", label_en="Decision date")),
        rules=(ENDED_BY_DECISION,),
    ))
    return Procedure(
        forms=DOCUMENTS,
        name=NAME, rule_set=rule_set.name, label_vi="Dự bị và công nhận đảng viên chính thức",
        label_en="Probation and recognition", states=STATES, open_step=open_step, steps=tuple(steps),
        legal_basis="Điều lệ Đảng art. 5; QĐ 24-QĐ/TW §4; HD 01-HD/TW §4",
    )
