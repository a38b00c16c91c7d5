"""Exemption from (or reduction of) party work and activities (miễn, giảm công tác và sinh hoạt đảng).

QĐ 24-QĐ/TW §7.1: «Đảng viên tuổi cao, sức khoẻ yếu không thể tham gia sinh hoạt đảng được, tự làm đơn hoặc
trực tiếp báo cáo với chi bộ xin giảm, miễn công tác và sinh hoạt đảng, chi bộ xem xét, quyết định. Chi uỷ hoặc
bí thư chi bộ báo cáo cấp uỷ cấp trên trực tiếp biết.» The 2025 text (QĐ 294 §7) was not found: the same rule
is kept for cpv-2025. While an exemption is in effect, an exempt member who is absent is left out of the cell's
vote count when the rule set's `exclude_exempt_from_denominator` is on (workflows/procedures/roll.py).
"""
from __future__ import annotations

from workflows.domain.definition import (
    STAY,
    Branch,
    Field,
    Procedure,
    State,
    Step,
    StepContext,
)
from workflows.domain.rulesets import RuleSet
from workflows.domain.votes import passes
from workflows.procedures import common, decisions

NAME = "exemption"
GROUNDS = ("old_age", "poor_health", "old_age_and_poor_health")
EXTENTS = ("exempt", "reduced")

SOURCE = "Điều lệ Đảng art. 7; QĐ 24-QĐ/TW §7.1"
SECRETARY = common.SECRETARY

STATES = (
    State("requested", "Đảng viên xin miễn, giảm công tác và sinh hoạt đảng", "Exemption requested"),
    State("exempt", "Được miễn công tác và sinh hoạt đảng", "Exempt from party work and activities"),
    State("reduced", "Được giảm công tác và sinh hoạt đảng", "Party work and activities reduced"),
    State("ended", "Đã thôi miễn, giảm", "Exemption ended", final=True),
    State("rejected", "Chi bộ không đồng ý", "Not granted by the cell", final=True),
    State("withdrawn", "Đảng viên rút đơn", "Request withdrawn", final=True),
)

def _outcome(ctx: StepContext) -> str:
    vote = ctx.data["vote"]
    if not passes("half", vote.agree, vote.eligible):
        return "failed"
    return ctx.recorded("open").get("extent") or "exempt"


def build(rule_set: RuleSet) -> Procedure:
    """The exemption procedure under a rule set (same texts in 2021 and 2025)."""
    open_step = Step(
        trigger="open", sources=(), dest="requested", who=SECRETARY,
        label_vi="Nhận đơn xin miễn, giảm công tác và sinh hoạt đảng",
        label_en="Record the request for exemption", legal_basis=SOURCE,
        fields=(
            Field("ground", "enum", choices=GROUNDS, label_vi="Lý do", label_en="Ground"),
            Field("extent", "enum", choices=EXTENTS, label_vi="Xin miễn hay giảm", label_en="Exempt or reduce"),
            Field("evidence", "text", required=False, label_vi="Căn cứ (bệnh án, tình trạng sức khỏe…)",
                  label_en="Evidence (medical record, health)"),
            Field("date", "date", label_vi="Ngày làm đơn hoặc báo cáo", label_en="Request date"),
        ),
        rules=(decisions.IS_MEMBER,), date_field="date",
    )
    steps = [
        open_step,
        Step(
            trigger="cell_decide", sources=("requested",), who=SECRETARY,
            dest=(Branch("exempt", "exempt"), Branch("reduced", "reduced"), Branch("rejected", "failed")),
            label_vi="Chi bộ xem xét, quyết định", label_en="Cell decision",
            # More than half of all official members: the cell's ordinary majority (Điều lệ art. 9.4,
            # "thiểu số phục tùng đa số"); the text names no other threshold.
            legal_basis="QĐ 24-QĐ/TW §7.1: «chi bộ xem xét, quyết định»; Điều lệ Đảng art. 9.4",
            fields=(common.VOTE,), outcome=_outcome, vote="cell", threshold="half",
            date_field="vote.date",
        ),
        Step(
            trigger="report_to_superior", sources=("exempt", "reduced"), dest=STAY, who=SECRETARY,
            label_vi="Báo cáo cấp ủy cấp trên trực tiếp", label_en="Report to the superior committee",
            legal_basis="QĐ 24-QĐ/TW §7.1: «Chi uỷ hoặc bí thư chi bộ báo cáo cấp uỷ cấp trên trực tiếp biết»",
            fields=(Field("date", "date", label_vi="Ngày báo cáo", label_en="Date reported"),),
            date_field="date",
        ),
        Step(
            trigger="end_exemption", sources=("exempt", "reduced"), dest="ended", who=SECRETARY,
            label_vi="Thôi miễn, giảm công tác và sinh hoạt đảng", label_en="End the exemption", legal_basis=SOURCE,
            fields=(Field("date", "date", label_vi="Từ ngày", label_en="From"), common.REASON),
            date_field="date",
        ),
    ]
    steps = list(common.with_date_rules(steps))
    open_step, steps = steps[0], steps[1:]
    steps.append(common.withdraw_step(("requested",), "withdrawn", SECRETARY, label_vi="Đảng viên rút đơn",
                                      label_en="The member withdraws the request", legal_basis=SOURCE))
    steps.append(common.transfer_step(common.open_states(STATES)))
    # An irregular cell decision found by an audit (procedures.md §9) is revoked from above.
    steps.extend(decisions.revoke_steps(steps, ("cell_decide",), legal_basis=SOURCE + "; procedures.md §9"))
    return Procedure(
        name=NAME, rule_set=rule_set.name, label_vi="Miễn, giảm công tác và sinh hoạt đảng",
        label_en="Exemption from party work and activities", states=STATES, open_step=open_step,
        steps=tuple(steps), legal_basis=SOURCE,
    )
