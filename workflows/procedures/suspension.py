"""Suspension of party activity (đình chỉ sinh hoạt đảng) of a member prosecuted or held in custody.

QĐ 22-QĐ/TW (2021) art. 28–31. The 2025 text (QĐ 296-QĐ/TW) was not found article by article: its
rules are kept for cpv-2025. A suspended member is left out of the cell's vote count
(workflows/procedures/roll.py) and cannot transfer officially (activity_transfer).
"""
from __future__ import annotations

from datetime import date

from workflows.domain.definition import (
    STAY,
    Authority,
    DeadlineSpec,
    Field,
    Procedure,
    Rule,
    State,
    Step,
    StepContext,
)
from workflows.domain.rulesets import RuleSet
from workflows.procedures import common, decisions

NAME = "suspension"
GROUNDS = ("prosecuted", "detained")
LIFT_GROUNDS = ("measure_ended", "charges_dropped", "acquitted")

SOURCE = "QĐ 22-QĐ/TW art. 28–31"
CASES_SOURCE = ("QĐ 22-QĐ/TW art. 28: «… bị cơ quan pháp luật có thẩm quyền ra quyết định truy tố, tạm giam thì "
                "phải đình chỉ sinh hoạt đảng»")
WHO_SOURCE = ("QĐ 22-QĐ/TW art. 29.2.1: «Tổ chức đảng quyết định đình chỉ sinh hoạt đảng của đảng viên là tổ chức "
              "đảng có thẩm quyền khai trừ đối với đảng viên đó»; art. 29.2.2: «Ủy ban kiểm tra từ cấp huyện … trở "
              "lên được quyền quyết định đình chỉ sinh hoạt đảng … khi bị tạm giam, truy tố»")
TERM_SOURCE = ("QĐ 22-QĐ/TW art. 31.2: «Thời hạn đình chỉ sinh hoạt đảng của đảng viên … bị truy tố, bị tạm "
               "giam … được tính theo thời hạn quy định của pháp luật (kể cả gia hạn, nếu có)»")

# The body that may expel the member decides (a delegated grassroots committee, else the competent standing
# committee), or the inspection commission of the level above the grassroots organisation.
DECIDERS = (Authority("standing_committee", "competent"), Authority("inspection_committee", "superior"))
# "Đình chỉ sinh hoạt đảng của đảng viên do chi bộ và đảng ủy cơ sở đề nghị" (QĐ 30 art. 40.4.2, kept since).
PROPOSERS = (Authority("cell_secretary", "case"), Authority("organisation_officer", "grassroots"),
             Authority("committee_member", "grassroots"), Authority("inspection_committee", "superior"))

STATES = (
    State("proposed", "Đề nghị đình chỉ sinh hoạt đảng", "Suspension proposed"),
    State("suspended", "Đang bị đình chỉ sinh hoạt đảng", "Party activity suspended"),
    State("lifted", "Đã hết đình chỉ, sinh hoạt trở lại", "Suspension lifted", final=True),
    State("closed", "Kết thúc đình chỉ (đã xem xét kỷ luật)", "Ended: discipline took over", final=True),
    State("rejected", "Không đình chỉ", "Not suspended", final=True),
)


def _legal_document_first(ctx: StepContext) -> bool:
    return ctx.data["legal_document_date"] <= ctx.data["date"]


LEGAL_DOCUMENT_FIRST = Rule(
    "legal_document_first", CASES_SOURCE,
    "Chỉ đề nghị đình chỉ sau khi đã có quyết định truy tố hoặc lệnh tạm giam (ngày văn bản không được sau "
    "ngày đề nghị).",
    "A suspension is proposed only once the prosecution or custody decision exists (its date not after the "
    "proposal).",
    _legal_document_first, field="legal_document_date", confidence="H",
)


def _term_after_decision(ctx: StepContext) -> bool:
    until = ctx.data.get("until")
    return until is None or until > ctx.data.get("decision_date", ctx.data.get("date"))


TERM_AFTER_DECISION = Rule(
    "suspension_term", TERM_SOURCE,
    "Thời hạn đình chỉ (theo thời hạn truy tố, tạm giam) phải kết thúc sau ngày quyết định.",
    "The suspension's term (the prosecution or custody term) must end after the decision.",
    _term_after_decision, field="until", confidence="H",
)


def _discipline_under_way(ctx: StepContext) -> bool:
    # Case ids grow: a discipline case with a larger id was opened after this suspension was.
    if ctx.person.membership_status not in decisions.MEMBER_STATUSES:
        return True
    return any(c.procedure == "discipline" and (c.id or 0) > (ctx.case.id or 0)
               for c in ctx.lookups.cases_of_person(ctx.person.id))


DISCIPLINE_UNDER_WAY = Rule(
    "discipline_under_way", "QĐ 22-QĐ/TW art. 28, 31",
    "Chỉ kết thúc đình chỉ theo cách này khi đã mở hồ sơ kỷ luật sau khi đình chỉ, hoặc đảng viên đã ra khỏi Đảng.",
    "End it this way only once a discipline case was opened after the suspension, or the person is no longer "
    "a member.",
    _discipline_under_way, confidence="M",
)

TERM = DeadlineSpec(
    "suspension_term", lambda ctx: ctx.data["until"], DECIDERS[0], TERM_SOURCE,
    "Hết thời hạn đình chỉ sinh hoạt đảng (theo thời hạn truy tố, tạm giam)",
    "Suspension term ends (the prosecution or custody term)",
    when=lambda ctx: ctx.data.get("until") is not None,
)

UNTIL = Field("until", "date", required=False, label_vi="Đình chỉ đến ngày (thời hạn truy tố, tạm giam)",
              label_en="Suspended until (the legal term)")


def _term_ended_or_lifted(ctx: StepContext) -> bool:
    due: date | None = ctx.case.deadlines.get("suspension_term")
    return ctx.data["ground"] != "measure_ended" or due is None or ctx.data["date"] >= due


TERM_ENDED = Rule(
    "suspension_term_ended", TERM_SOURCE,
    "Hết thời hạn truy tố, tạm giam mới được ghi là hết thời hạn; trước đó phải có căn cứ khác (đình chỉ điều "
    "tra, vô tội).",
    "'Term ended' can only be recorded once the term has ended; before that another ground is needed.",
    _term_ended_or_lifted, field="ground", confidence="H",
)


def build(rule_set: RuleSet) -> Procedure:
    """The suspension procedure under a rule set."""
    open_step = Step(
        trigger="open", sources=(), dest="proposed", who=PROPOSERS,
        label_vi="Đề nghị đình chỉ sinh hoạt đảng", label_en="Propose the suspension", legal_basis=CASES_SOURCE,
        fields=(
            Field("ground", "enum", choices=GROUNDS, label_vi="Căn cứ", label_en="Ground"),
            Field("legal_document", "str", max_length=200, label_vi="Quyết định truy tố / lệnh tạm giam (số, cơ quan)",
                  label_en="Prosecution decision / custody order (number, body)"),
            Field("legal_document_date", "date", label_vi="Ngày của văn bản", label_en="Its date"),
            Field("date", "date", label_vi="Ngày đề nghị", label_en="Proposal date"),
        ),
        rules=(decisions.IS_MEMBER, LEGAL_DOCUMENT_FIRST), date_field="date",
    )
    steps = [
        open_step,
        Step(
            trigger="suspend", sources=("proposed",), dest="suspended", who=DECIDERS,
            label_vi="Quyết định đình chỉ sinh hoạt đảng", label_en="Suspension decision", legal_basis=WHO_SOURCE,
            fields=(common.DECISION_NUMBER, common.DECISION_DATE, UNTIL),
            rules=(decisions.IS_MEMBER, TERM_AFTER_DECISION), opens=(TERM,), date_field="decision_date",
        ),
        Step(
            trigger="extend_suspension", sources=("suspended",), dest=STAY, who=DECIDERS,
            label_vi="Gia hạn đình chỉ (gia hạn truy tố, tạm giam)", label_en="Extend the suspension",
            legal_basis=TERM_SOURCE,
            fields=(Field("until", "date", label_vi="Đình chỉ đến ngày", label_en="Suspended until"),
                    Field("date", "date", label_vi="Ngày ghi nhận", label_en="Date")),
            rules=(TERM_AFTER_DECISION,), opens=(TERM,), date_field="date",
        ),
        Step(
            trigger="lift", sources=("suspended",), dest="lifted", who=DECIDERS,
            label_vi="Kết thúc đình chỉ, cho sinh hoạt đảng trở lại", label_en="Lift the suspension",
            legal_basis=TERM_SOURCE,
            fields=(Field("ground", "enum", choices=LIFT_GROUNDS, label_vi="Căn cứ", label_en="Ground"),
                    Field("date", "date", label_vi="Từ ngày", label_en="From")),
            rules=(TERM_ENDED,), closes=("suspension_term",), date_field="date",
        ),
        Step(
            trigger="close_after_discipline", sources=("suspended",), dest="closed", who=DECIDERS,
            label_vi="Kết thúc đình chỉ (đã xem xét kỷ luật)", label_en="End: discipline took over",
            legal_basis="QĐ 22-QĐ/TW art. 28, 31",
            fields=(Field("date", "date", label_vi="Ngày", label_en="Date"), common.REASON),
            rules=(DISCIPLINE_UNDER_WAY,), closes=("suspension_term",), date_field="date",
        ),
        Step(
            trigger="reject_suspension", sources=("proposed",), dest="rejected", who=DECIDERS,
            label_vi="Quyết định không đình chỉ", label_en="Do not suspend", legal_basis=WHO_SOURCE,
            fields=(common.REFUSAL_DATE, common.REASON), date_field="decision_date",
        ),
    ]
    steps = list(common.with_date_rules(steps))
    open_step, steps = steps[0], steps[1:]
    steps.append(common.transfer_step(common.open_states(STATES)))
    steps.extend(decisions.revoke_steps(steps, ("suspend", "reject_suspension"),
                                        legal_basis=SOURCE + "; procedures.md §9"))
    return Procedure(
        name=NAME, rule_set=rule_set.name, label_vi="Đình chỉ sinh hoạt đảng", label_en="Suspension of party activity",
        states=STATES, open_step=open_step, steps=tuple(steps), legal_basis=SOURCE,
    )
