"""Voluntary withdrawal (xin ra khỏi Đảng) — procedures.md §6.

Sources: Điều lệ Đảng 2011 art. 8; HD 01-HD/TW §11.2. Only for a member with
no open discipline case or recorded violation (one whose violation warrants
expulsion must be expelled instead). Leaving this way bars re-admission unless
the reason is recorded as extremely difficult family circumstances.
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

NAME = "withdrawal"

SECRETARY, COMMITTEE, COMPETENT = common.SECRETARY, common.COMMITTEE, common.COMPETENT

STATES = (
    State("requested", "Đảng viên xin ra khỏi Đảng", "Withdrawal requested"),
    State("cell_approved", "Chi bộ đề nghị cho ra khỏi Đảng", "Approved by the cell"),
    State("committee_approved", "Đảng ủy cơ sở đề nghị cho ra khỏi Đảng", "Approved by the committee"),
    State("referred_to_superior", "Chuyển cấp ủy cấp trên xem xét", "Referred to the superior committee"),
    State("removed", "Đã cho ra khỏi Đảng", "Removed from the rolls", final=True),
    State("rejected", "Không chấp thuận", "Rejected", final=True),
    State("withdrawn", "Đảng viên rút đơn", "Request withdrawn", final=True),
)

DECISION_TRIGGERS = ("decide_withdrawal", "reject_withdrawal")
SOURCE = "Điều lệ Đảng art. 8; HD 01-HD/TW §11.2"
LEFT_WITHDRAWAL = "withdrawal"
LEFT_WITHDRAWAL_HARDSHIP = "withdrawal_family_hardship"


def _no_open_discipline(ctx: StepContext) -> bool:
    if (ctx.person.flags or {}).get("violation_recorded"):
        return False
    return not any(c.procedure == "discipline" and not c.closed for c in ctx.lookups.cases_of_person(ctx.person.id))


OPEN_DISCIPLINE = Rule(
    "open_discipline", "HD 01-HD/TW §11.2",
    "Đảng viên đang bị xem xét kỷ luật hoặc có vi phạm đã được ghi nhận thì không giải quyết cho ra khỏi Đảng; "
    "nếu vi phạm đến mức khai trừ thì phải xử lý kỷ luật khai trừ.",
    "A member with an open discipline case or a recorded violation cannot withdraw; "
    "one whose violation warrants expulsion must be expelled instead.",
    _no_open_discipline,
)


def _removed(ctx: StepContext):
    decided = ctx.data["decision_date"]
    hardship = bool(ctx.recorded("open").get("family_hardship"))
    return [
        Decided(decided),
        UpdatePerson(ctx.person.id, {
            "membership_status": "former", "left_on": decided,
            "left_reason": LEFT_WITHDRAWAL_HARDSHIP if hardship else LEFT_WITHDRAWAL,
        }),
        *decisions.end_open_probation(ctx, decided),
    ]


def _rejected(ctx: StepContext):
    return [Decided(ctx.data["decision_date"])]


DECISION_FIELDS = (common.DECISION_NUMBER, common.DECISION_DATE, common.RECEIVED_DATE, common.DECISION_VOTE)


def _decisions(sources: tuple[str, ...], *, grassroots_cell: bool) -> list[Step]:
    applies = common.no_committee_level if grassroots_cell else None
    return [
        Step(
            trigger="decide_withdrawal", sources=sources, dest="removed", who=COMPETENT,
            label_vi="Quyết định cho ra khỏi Đảng", label_en="Withdrawal decision", legal_basis=SOURCE,
            fields=DECISION_FIELDS, rules=(decisions.IS_MEMBER, OPEN_DISCIPLINE, common.DECISION_VOTE_RULE),
            effects=_removed, vote="decision", applies=applies, date_field="decision_date",
        ),
        Step(
            trigger="reject_withdrawal", sources=sources, dest="rejected", who=COMPETENT,
            label_vi="Quyết định không chấp thuận", label_en="Reject the withdrawal", legal_basis=SOURCE,
            fields=(common.REFUSAL_DATE, common.REASON), effects=_rejected, applies=applies,
            date_field="decision_date",
        ),
    ]



# ---------------------------------------------------------------- the documents its steps record (issue 15)

DOCUMENTS = (
    FormSpec("NQ-RKD", "Nghị quyết đề nghị cho ra khỏi Đảng (chi bộ)", "cell_vote", issuer="case", kind="resolution"),
    FormSpec("NQ-RKD-DU", "Nghị quyết đề nghị cho ra khỏi Đảng (đảng ủy cơ sở)", "committee_vote",
             issuer="grassroots", kind="resolution"),
    FormSpec("QD-RKD", "Quyết định cho ra khỏi Đảng", "decide_withdrawal"),
    FormSpec("TB-KRKD", "Thông báo không chấp thuận đơn xin ra khỏi Đảng", "reject_withdrawal", kind="notice"),
    common.REVOKE_FORM,
    common.TRANSFER_FORM,
)

def build(rule_set: RuleSet) -> Procedure:
    """The withdrawal procedure under a rule set."""
    votes_source = common.SOURCE_CHARTER_VOTES
    open_step = Step(
        trigger="open", sources=(), dest="requested", who=SECRETARY,
        label_vi="Nhận đơn xin ra khỏi Đảng", label_en="Record the withdrawal request", legal_basis=SOURCE,
        fields=(
            Field("date", "date", label_vi="Ngày làm đơn", label_en="Request date"),
            common.REASON,
            Field("family_hardship", "bool", required=False,
                  label_vi="Vì hoàn cảnh gia đình đặc biệt khó khăn", label_en="Extremely difficult family circumstances"),
        ),
        rules=(decisions.IS_MEMBER, OPEN_DISCIPLINE), date_field="date",
    )
    steps = [
        open_step,
        *common.cell_and_committee_votes(
            cell_source="requested", on_fail="referred_to_superior", legal_basis=SOURCE + "; " + votes_source,
            cell_who=SECRETARY, committee_who=COMMITTEE),
        *_decisions(("committee_approved", "referred_to_superior"), grassroots_cell=False),
        *_decisions(("cell_approved",), grassroots_cell=True),
    ]
    steps = list(common.with_date_rules(steps))
    open_step, steps = steps[0], steps[1:]
    open_names = common.open_states(STATES)
    steps.append(common.withdraw_step(
        open_names, "withdrawn", SECRETARY, label_vi="Đảng viên rút đơn", label_en="The member withdraws the request",
        legal_basis=SOURCE,
    ))
    steps.extend(common.return_for_rework_steps(
        steps, ("cell_approved", "committee_approved", "referred_to_superior"), legal_basis=SOURCE))
    steps.append(common.transfer_step(open_names))
    steps.extend(decisions.revoke_steps(steps, DECISION_TRIGGERS, legal_basis=SOURCE + "; procedures.md §9"))
    return Procedure(
        forms=DOCUMENTS,
        name=NAME, rule_set=rule_set.name, label_vi="Xin ra khỏi Đảng", label_en="Voluntary withdrawal",
        states=STATES, open_step=open_step, steps=tuple(steps), legal_basis=SOURCE,
    )
