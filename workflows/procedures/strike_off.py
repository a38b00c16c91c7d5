"""Strike-off (xóa tên đảng viên) — procedures.md §5. Not a discipline.

Sources: Điều lệ Đảng 2011 art. 8; QĐ 24-QĐ/TW (2021) §8; HD 01-HD/TW §11.1.
The person leaves the rolls on the decision and may appeal within 30 working
days of receiving it (the appeal procedure reads `appeal_until`).
"""
from __future__ import annotations

from workflows.domain.definition import (
    Decided,
    Field,
    Procedure,
    Rule,
    State,
    Step,
    StepContext,
    UpdatePerson,
)
from workflows.domain.forms import FormSpec
from workflows.domain.rulesets import RuleSet
from workflows.procedures import common, decisions

NAME = "strike_off"

SECRETARY, COMMITTEE, COMPETENT = common.SECRETARY, common.COMMITTEE, common.COMPETENT

STATES = (
    State("proposed", "Đề nghị xóa tên", "Strike-off proposed"),
    State("self_criticism_done", "Đã kiểm điểm (hoặc từ chối kiểm điểm)", "Self-criticism done (or refused)"),
    State("cell_approved", "Chi bộ đề nghị xóa tên", "Approved by the cell"),
    State("committee_approved", "Đảng ủy cơ sở đề nghị xóa tên", "Approved by the committee"),
    State("struck_off", "Đã xóa tên", "Struck off", final=True),
    State("dismissed", "Không xóa tên", "Dismissed", final=True),
    State("annulled", "Quyết định xóa tên bị hủy do khiếu nại", "Annulled on appeal", final=True),
)

GROUNDS = (
    "missed_activities_or_dues",        # ≥ 3 months within a year without good reason
    "returned_or_destroyed_card",
    "no_improvement_after_education",   # 12 months
    "standards_violated_two_years",
    "political_standard_not_met",
)
DECISION_TRIGGERS = ("decide_strike_off", "reject_strike_off")
SOURCE = "Điều lệ Đảng art. 8.1; QĐ 24-QĐ/TW §8; HD 01-HD/TW §11.1"

REFUSAL_REQUESTS = Rule(
    "refusal_requests", "HD 01-HD/TW §11.1",
    "Chỉ xem xét khi đảng viên từ chối kiểm điểm sau ít nhất 3 lần được yêu cầu.",
    "The cell may proceed without self-criticism only after at least 3 unanswered requests.",
    lambda ctx: ctx.data["requests"] >= ctx.settings["strike_off_refusal_requests"], field="requests",
)


def left_reason(ground: str) -> str:
    """The person's left_reason after a strike-off on this ground (re-admission reads it)."""
    return f"struck_off:{ground}"


def _struck_off(ctx: StepContext):
    decided = ctx.data["decision_date"]
    ground = ctx.recorded("open")["ground"]
    return [
        Decided(decided),
        UpdatePerson(ctx.person.id, {"membership_status": "former", "left_on": decided,
                                     "left_reason": left_reason(ground)}),
        decisions.appeal_window_data(ctx, NAME),
        *decisions.end_open_probation(ctx, decided),
    ]


def _rejected(ctx: StepContext):
    return [Decided(ctx.data["decision_date"])]


DECISION_FIELDS = (common.DECISION_NUMBER, common.DECISION_DATE, common.RECEIVED_DATE, common.DECISION_VOTE)
REJECT_FIELDS = (common.REFUSAL_DATE, common.REASON)


def _decisions(sources: tuple[str, ...], *, grassroots_cell: bool) -> list[Step]:
    applies = common.no_committee_level if grassroots_cell else None
    return [
        Step(
            trigger="decide_strike_off", sources=sources, dest="struck_off", who=COMPETENT,
            label_vi="Quyết định xóa tên", label_en="Strike-off decision", legal_basis=SOURCE,
            fields=DECISION_FIELDS, rules=(decisions.IS_MEMBER, common.DECISION_VOTE_RULE),
            effects=_struck_off, vote="decision", applies=applies, date_field="decision_date",
        ),
        Step(
            trigger="reject_strike_off", sources=sources, dest="dismissed", who=COMPETENT,
            label_vi="Quyết định không xóa tên", label_en="Reject the strike-off", legal_basis=SOURCE,
            fields=REJECT_FIELDS, effects=_rejected, applies=applies, date_field="decision_date",
        ),
    ]



# ---------------------------------------------------------------- the documents its steps record (issue 15)

DOCUMENTS = (
    FormSpec("NQ-XT", "Nghị quyết đề nghị xóa tên đảng viên (chi bộ)", "cell_vote", issuer="case", kind="resolution"),
    FormSpec("NQ-XT-DU", "Nghị quyết đề nghị xóa tên đảng viên (đảng ủy cơ sở)", "committee_vote",
             issuer="grassroots", kind="resolution"),
    FormSpec("QD-XT", "Quyết định xóa tên đảng viên", "decide_strike_off"),
    FormSpec("TB-KXT", "Thông báo không xóa tên đảng viên", "reject_strike_off", kind="notice"),
    common.REVOKE_FORM,
    common.TRANSFER_FORM,
)

def build(rule_set: RuleSet) -> Procedure:
    """The strike-off procedure under a rule set."""
    votes_source = common.SOURCE_CHARTER_VOTES
    open_step = Step(
        trigger="open", sources=(), dest="proposed", who=SECRETARY,
        label_vi="Đề nghị xóa tên", label_en="Propose a strike-off", legal_basis=SOURCE,
        fields=(
            Field("ground", "enum", choices=GROUNDS, label_vi="Căn cứ xóa tên", label_en="Ground"),
            Field("evidence", "text", label_vi="Chứng cứ", label_en="Evidence"),
            Field("date", "date", label_vi="Ngày đề nghị", label_en="Date"),
        ),
        rules=(decisions.IS_MEMBER,), date_field="date",
    )
    steps = [
        open_step,
        Step(
            trigger="record_self_criticism", sources=("proposed",), dest="self_criticism_done", who=SECRETARY,
            label_vi="Ghi nhận bản tự kiểm điểm", label_en="Record the self-criticism", legal_basis=SOURCE,
            fields=(Field("date", "date", label_vi="Ngày kiểm điểm", label_en="Date"),
                    Field("summary", "text", label_vi="Tóm tắt nội dung", label_en="Summary")),
            date_field="date",
        ),
        Step(
            trigger="record_refusal", sources=("proposed",), dest="self_criticism_done", who=SECRETARY,
            label_vi="Ghi nhận đảng viên không kiểm điểm", label_en="Record the refusal to self-criticise",
            legal_basis="HD 01-HD/TW §11.1",
            fields=(Field("date", "date", label_vi="Ngày ghi nhận", label_en="Date"),
                    Field("requests", "int", label_vi="Số lần đã yêu cầu", label_en="Requests made")),
            rules=(REFUSAL_REQUESTS,), date_field="date",
        ),
        *common.cell_and_committee_votes(
            cell_source="self_criticism_done", on_fail="dismissed", legal_basis=SOURCE + "; " + votes_source,
            cell_who=SECRETARY, committee_who=COMMITTEE),
        *_decisions(("committee_approved",), grassroots_cell=False),
        *_decisions(("cell_approved",), grassroots_cell=True),
    ]
    steps = list(common.with_date_rules(steps))
    open_step, steps = steps[0], steps[1:]
    steps.extend(common.return_for_rework_steps(
        steps, ("self_criticism_done", "cell_approved", "committee_approved"), legal_basis=SOURCE))
    steps.append(common.transfer_step(common.open_states(STATES)))
    steps.extend(decisions.revoke_steps(steps, DECISION_TRIGGERS, legal_basis=SOURCE + "; procedures.md §9",
                                        clear_keys=("appeal_until",)))
    steps.append(decisions.annul_step(("struck_off",), ("decide_strike_off",), clear_keys=("appeal_until",)))
    return Procedure(
        forms=DOCUMENTS,
        name=NAME, rule_set=rule_set.name, label_vi="Xóa tên đảng viên", label_en="Strike-off",
        states=STATES, open_step=open_step, steps=tuple(steps), legal_basis=SOURCE,
    )
