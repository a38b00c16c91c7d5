"""Plans of clean runs of the procedures after admission, for the demo and the tests.

A plan is a list of (trigger, role that fires it, date, data) for `walk()`;
every date is the one the step records, so the engine's date rules hold.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from workflows.domain.calendar import add_months

Plan = list[tuple[str, str, date, dict[str, Any]]]


def vote(day: date, eligible: int, agree: int | None = None, method: str = "show_of_cards") -> dict[str, Any]:
    """A vote record; unanimous unless `agree` says otherwise."""
    agree = eligible if agree is None else agree
    return {"date": day.isoformat(), "eligible": eligible, "agree": agree, "disagree": eligible - agree,
            "method": method}


def decision(number: str | None, day: date, received: date | None = None, **extra: Any) -> dict[str, Any]:
    """A decision's data; with no number, the deciding body's register gives the next of its year."""
    data = {"decision_date": day.isoformat(), **extra}
    if number is not None:
        data = {"decision_number": number, **data}
    if received is not None:
        data["received_date"] = received.isoformat()
    return data


def probation_plan(ceremony: date, *, eligible: int = 5, proposal: str = "recognise",
                   helper_id: int | None = None, committee: int = 7) -> Plan:
    """Open at the ceremony, review on the end date, cell vote a week later, the decision three weeks later."""
    end = add_months(ceremony, 12)
    d = lambda days: end + timedelta(days=days)  # noqa: E731
    decide = "recognise" if proposal == "recognise" else "strike_off"
    opened = {"ceremony_date": ceremony.isoformat()}
    if helper_id is not None:
        opened["helper_id"] = helper_id
    return [
        ("open", "cell_secretary", ceremony, opened),
        ("submit_review", "cell_secretary", end, {
            "date": end.isoformat(), "self_assessment": "Hoàn thành tốt nhiệm vụ đảng viên dự bị.",
            "helper_report": "Đảng viên giúp đỡ nhận xét đủ tư cách."}),
        ("cell_vote", "cell_secretary", d(7), {"vote": vote(d(7), eligible), "proposal": proposal}),
        ("committee_vote", "committee_member", d(14), {"vote": vote(d(14), committee)}),
        (decide, "standing_committee", d(21), decision(None, d(21), d(23))),
    ]


def strike_off_plan(start: date, *, eligible: int = 5, ground: str = "missed_activities_or_dues",
                    refusal: bool = False, committee: int = 7) -> Plan:
    d = lambda days: start + timedelta(days=days)  # noqa: E731
    heard = ("record_refusal", "cell_secretary", d(20), {"date": d(20).isoformat(), "requests": 3}) if refusal else \
        ("record_self_criticism", "cell_secretary", d(10), {
            "date": d(10).isoformat(), "summary": "Đảng viên thừa nhận bỏ sinh hoạt, không nêu được lý do chính đáng."})
    return [
        ("open", "cell_secretary", d(0), {
            "ground": ground, "date": d(0).isoformat(),
            "evidence": "Sổ theo dõi sinh hoạt chi bộ: vắng 4 kỳ liên tiếp, không đóng đảng phí 4 tháng."}),
        heard,
        ("cell_vote", "cell_secretary", d(25), {"vote": vote(d(25), eligible)}),
        ("committee_vote", "committee_member", d(32), {"vote": vote(d(32), committee)}),
        ("decide_strike_off", "standing_committee", d(40), decision(None, d(40), d(42))),
    ]


def withdrawal_plan(start: date, *, eligible: int = 5, hardship: bool = False, committee: int = 7) -> Plan:
    d = lambda days: start + timedelta(days=days)  # noqa: E731
    opened = {"date": d(0).isoformat(), "reason": "Hoàn cảnh gia đình, xin thôi sinh hoạt đảng."}
    if hardship:
        opened["family_hardship"] = True
    return [
        ("open", "cell_secretary", d(0), opened),
        ("cell_vote", "cell_secretary", d(10), {"vote": vote(d(10), eligible)}),
        ("committee_vote", "committee_member", d(17), {"vote": vote(d(17), committee)}),
        ("decide_withdrawal", "standing_committee", d(25), decision(None, d(25), d(27))),
    ]


def discipline_plan(start: date, *, violation_date: date, form: str = "reprimand", eligible: int = 5,
                    decider: str | None = None) -> Plan:
    """Open, self-review, secret-ballot cell vote, decision (by the cell secretary for the lighter forms)."""
    d = lambda days: start + timedelta(days=days)  # noqa: E731
    decided = decision(None, d(30), d(32), form=form)
    if form == "expulsion":
        decided["vote"] = vote(d(30), 9, 7, method="secret_ballot")
    role = decider or ("cell_secretary" if form in ("reprimand", "warning") else "standing_committee")
    return [
        ("open", "cell_secretary", d(0), {
            "violation": "Vi phạm quy định về những điều đảng viên không được làm.",
            "violation_date": violation_date.isoformat(), "proposed_form": form}),
        ("record_self_review", "cell_secretary", d(10), {
            "date": d(10).isoformat(), "summary": "Đảng viên nhận khuyết điểm.", "proposed_form": form}),
        ("cell_vote", "cell_secretary", d(20), {"vote": vote(d(20), eligible, method="secret_ballot"), "form": form}),
        ("decide_discipline", role, d(30), decided),
    ]


def appeal_plan(against_case_id: int, received: date, filed: date, *, outcome: str = "uphold",
                form: str | None = None, role: str = "inspection_committee") -> Plan:
    """Filed, considered five days later, resolved a month after filing, by `role` of the hearing level.

    A strike-off is appealed to the superior committee only (QĐ 24 §8): pass that committee's role.
    """
    d = lambda days: filed + timedelta(days=days)  # noqa: E731
    resolved = decision(None, d(30))
    if form is not None:
        resolved["form"] = form
    return [
        ("open", role, filed, {
            "against_case_id": against_case_id, "received_decision_on": received.isoformat(),
            "filed_on": filed.isoformat(), "grounds": "Đề nghị xem xét lại vì quyết định chưa đúng mức độ vi phạm."}),
        ("start_consideration", role, d(5), {"date": d(5).isoformat()}),
        (outcome, role, d(30), resolved),
    ]
