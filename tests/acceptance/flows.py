"""The procedures of procedures.md driven over HTTP with the data of api.md, at plausible past dates.

Each step is (trigger, who, data, expected state); `who` names the body that acts (tree.actor):
"cell" (cell secretary), "committee" (committee member of the grassroots committee),
"competent" (standing committee of the competent committee), "above", "inspection".
"""
from __future__ import annotations

from datetime import date, timedelta

from tests.acceptance.client import (
    COMMITTEE_SIZE,
    Cell,
    Tree,
    add_months,
    days_ago,
    iso,
    unique,
    vote,
)

Step = tuple[str, str, dict, str]


def drive(tree: Tree, mode: str, cell: Cell, case_id: int, steps: list[Step], until: str | None = None) -> dict:
    """Fire the steps in order (stopping after the one that reaches `until`); the case afterwards."""
    case = None
    for trigger, who, data, state in steps:
        case = tree.actor(mode, who, cell).fire(case_id, trigger, data, state)
        if state == until:
            break
    return case


def decision(on: date, **extra) -> dict:
    return {"decision_number": unique("") + "-QĐ/TU", "decision_date": iso(on), **extra}


# ---- admission -------------------------------------------------------------------------------------

def applicant(tree: Tree, cell: Cell, born: date | None = None) -> int:
    return tree.person(cell.id, "none", born=born or date(2000, 3, 8))


def application(cell: Cell, on: date, certificate_issued: date | None = None, introducers: int = 2) -> dict:
    return {"application_date": iso(on), "education": "upper_secondary",
            "certificate": {"number": unique("CN-") + "/2026",
                            "issued_on": iso(certificate_issued or on - timedelta(days=90))},
            "introducers": [{"person_id": p, "known_since": iso(on - timedelta(days=3 * 365))}
                            for p in cell.officials[1:1 + introducers]]}


def open_admission(tree: Tree, mode: str, cell: Cell, person_id: int, on: date) -> dict:
    case = tree.actor(mode, "cell", cell).open_case("admission", person_id, cell.id,
                                                   {"resolution_date": iso(on), "helper_id": cell.officials[0]})
    assert case["state"] == "sympathiser" and case["procedure"] == "admission", case
    return case


def admission_steps(cell: Cell, ceremony: date, **override) -> list[Step]:
    """Every step after `open`, dated backwards from the ceremony (all a few days apart)."""
    c = ceremony
    return [
        ("submit_application", "cell", override.get("application", application(cell, c - timedelta(44))),
         "application_submitted"),
        ("verify_background", "committee",
         {"date": iso(c - timedelta(37)), "conclusion": "Lý lịch rõ ràng, đủ tiêu chuẩn chính trị."},
         "background_verified"),
        ("collect_opinions", "cell",
         {"date": iso(c - timedelta(30)), "summary": "Chi ủy chi bộ nơi cư trú và đoàn thể đồng ý."},
         "opinions_collected"),
        ("cell_vote", "cell", vote(c - timedelta(24), len(cell.officials), len(cell.officials)), "cell_approved"),
        ("committee_vote", "committee", vote(c - timedelta(17), COMMITTEE_SIZE, 6), "committee_approved"),
        ("decide_admission", "competent",
         decision(c - timedelta(10), received_date=iso(c - timedelta(8))), "admitted"),
        ("hold_ceremony", "cell", {"ceremony_date": iso(c)}, "completed"),
    ]


def admit(tree: Tree, mode: str, cell: Cell, person_id: int, ceremony: date, until: str | None = None) -> dict:
    """An admission case opened 50 days before `ceremony` and driven to `until` (default: completed)."""
    case = open_admission(tree, mode, cell, person_id, ceremony - timedelta(50))
    return drive(tree, mode, cell, case["id"], admission_steps(cell, ceremony), until)


def probation_case(tree: Tree, person_id: int) -> dict:
    found = tree.admin.get("/cases", procedure="probation", person_id=person_id)
    assert found["total"] == 1, found
    return found["items"][0]


# ---- probation -------------------------------------------------------------------------------------

def probation_steps(cell: Cell, end: date, proposal: str) -> list[Step]:
    if proposal == "recognise":
        return [("submit_review", "cell", {"date": iso(end + timedelta(1))}, "under_review"),
                ("cell_vote", "cell", vote(end + timedelta(5), len(cell.officials), len(cell.officials),
                                           proposal="recognise"), "cell_approved"),
                ("committee_vote", "committee", vote(end + timedelta(10), COMMITTEE_SIZE, 6), "committee_approved"),
                ("recognise", "competent", decision(end + timedelta(15)), "official")]
    return [("submit_review", "cell", {"date": iso(end + timedelta(1))}, "under_review"),
            ("cell_vote", "cell", vote(end + timedelta(5), len(cell.officials), len(cell.officials) - 1,
                                       proposal="strike_off"), "strike_off_proposed"),
            ("committee_vote", "committee", vote(end + timedelta(10), COMMITTEE_SIZE, 5), "strike_off_confirmed"),
            ("strike_off", "competent", decision(end + timedelta(15)), "struck_off")]


def past_probation_ceremony() -> date:
    """A ceremony whose 12 months of probation ended 25 days ago."""
    return add_months(days_ago(25), -12)


# ---- strike-off, withdrawal, discipline, appeal ---------------------------------------------------

def strike_off_steps(cell: Cell, start: date, eligible: int) -> list[Step]:
    return [("record_self_criticism", "cell", {"date": iso(start + timedelta(7)),
                                               "summary": "Đồng chí nhận khuyết điểm, không có lý do chính đáng."},
             "self_criticism_done"),
            ("cell_vote", "cell", vote(start + timedelta(14), eligible, eligible - 1), "cell_approved"),
            ("committee_vote", "committee", vote(start + timedelta(20), COMMITTEE_SIZE, 6), "committee_approved"),
            ("decide_strike_off", "competent",
             decision(start + timedelta(25), received_date=iso(start + timedelta(27))), "struck_off")]


def open_strike_off(tree: Tree, mode: str, cell: Cell, person_id: int, start: date) -> dict:
    case = tree.actor(mode, "cell", cell).open_case("strike_off", person_id, cell.id, {
        "ground": "missed_activities_or_dues", "date": iso(start),
        "evidence": "Bỏ sinh hoạt chi bộ và không đóng đảng phí 4 tháng trong năm, không có lý do chính đáng."})
    assert case["state"] == "proposed", case
    return case


def withdrawal_steps(cell: Cell, start: date, eligible: int) -> list[Step]:
    return [("cell_vote", "cell", vote(start + timedelta(10), eligible, eligible - 1), "cell_approved"),
            ("committee_vote", "committee", vote(start + timedelta(17), COMMITTEE_SIZE, 6), "committee_approved"),
            ("decide_withdrawal", "competent",
             decision(start + timedelta(24), received_date=iso(start + timedelta(26))), "removed")]


def open_withdrawal(tree: Tree, mode: str, cell: Cell, person_id: int, start: date) -> dict:
    case = tree.actor(mode, "cell", cell).open_case("withdrawal", person_id, cell.id, {
        "date": iso(start), "reason": "Hoàn cảnh gia đình đặc biệt khó khăn, xin ra khỏi Đảng.",
        "family_hardship": True})
    assert case["state"] == "requested", case
    return case


def open_discipline(tree: Tree, mode: str, cell: Cell, person_id: int, violation_on: date, form: str,
                    expect: int = 201) -> dict:
    return tree.actor(mode, "cell", cell).open_case("discipline", person_id, cell.id, {
        "violation": "Vi phạm quy định về những điều đảng viên không được làm.",
        "violation_date": iso(violation_on), "proposed_form": form}, expect)


def discipline_steps(cell: Cell, start: date, eligible: int, form: str) -> list[Step]:
    decider = "cell" if form in ("reprimand", "warning") else "competent"
    return [("record_self_review", "cell", {"date": iso(start + timedelta(5)), "proposed_form": form,
                                            "summary": "Đồng chí tự kiểm điểm, nhận hình thức kỷ luật."}, "reviewed"),
            ("cell_vote", "cell", vote(start + timedelta(10), eligible, eligible, form=form), "proposed"),
            ("decide_discipline", decider, decision(start + timedelta(15), form=form), "in_force")]


def appeal_data(against_case_id: int, decided: date) -> dict:
    return {"against_case_id": against_case_id, "received_decision_on": iso(decided + timedelta(2)),
            "filed_on": iso(decided + timedelta(9)),
            "grounds": "Đảng viên cho rằng hình thức kỷ luật nặng so với mức độ vi phạm."}
