"""Strike-off, withdrawal, discipline and appeal over HTTP only, to their final states.

The step data are the demo's clean plans (workflows/demo/plans.py): plain JSON a
client sends; every request goes through /api/v1 with the acting role's token.
"""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.api.support import Api, build_province
from workflows.demo.plans import (
    appeal_plan,
    discipline_plan,
    strike_off_plan,
    vote,
    withdrawal_plan,
)

AS = {"cell_secretary": "secretary", "committee_member": "committee", "standing_committee": "standing",
      "inspection_committee": "inspection", "organisation_officer": "officer"}


@pytest.fixture(scope="module")
def province(api):
    return build_province(api)


def member(api: Api, province, name: str) -> int:
    """A new official member of the cell."""
    return api.ok("POST", "/persons", 201, json={
        "full_name": name, "birth_date": "1985-06-15", "organisation_id": province.orgs["cell"],
        "membership_status": "official", "joined_on": "2010-03-01", "official_on": "2011-03-01"})["id"]


def run(api: Api, province, procedure: str, person: int, plan, until: str | None = None) -> dict:
    """Open the case (POST /cases) and fire the plan's steps until `until` (or the end)."""
    (_, role, day, data), rest = plan[0], plan[1:]
    api.on(day)
    case = api.ok("POST", "/cases", 201, as_=AS[role], json={
        "procedure": procedure, "person_id": person, "organisation_id": province.orgs["cell"], "data": data})
    for trigger, role, day, data in rest:
        if case["state"] == until:
            break
        case = api.fire(case, trigger, data, as_=AS[role], day=day)
    return case


def test_strike_off_to_struck_off(api, province):
    """Ground and evidence, self-criticism, votes, decision: `struck_off`, the person a former member."""
    person = member(api, province, "Xóa tên 1")
    case = run(api, province, "strike_off", person, strike_off_plan(date(2026, 2, 2)))
    assert case["state"] == "struck_off"
    assert api.ok("GET", f"/persons/{person}")["membership_status"] == "former"


def test_strike_off_after_refusals_then_rejected(api, province):
    """Three unanswered requests let the cell proceed; the competent committee rejects: `dismissed`."""
    person = member(api, province, "Xóa tên 2")
    plan = strike_off_plan(date(2026, 2, 2), refusal=True)
    case = run(api, province, "strike_off", person, plan, until="committee_approved")
    assert case["state"] == "committee_approved"
    day = plan[-1][2]
    case = api.fire(case, "reject_strike_off", {"decision_date": day.isoformat(), "reason": "Chưa đủ căn cứ."},
                    as_="standing", day=day)
    assert case["state"] == "dismissed"
    assert api.ok("GET", f"/persons/{person}")["membership_status"] == "official"


def test_strike_off_dismissed_by_the_cell_vote(api, province):
    """A cell vote below 2/3 dismisses the proposal."""
    person = member(api, province, "Xóa tên 3")
    plan = strike_off_plan(date(2026, 2, 2))
    case = run(api, province, "strike_off", person, plan, until="self_criticism_done")
    day = plan[2][2]
    case = api.fire(case, "cell_vote", {"vote": vote(day, 5, agree=2)}, as_="secretary", day=day)
    assert case["state"] == "dismissed"


def test_withdrawal_removed_rejected_and_withdrawn(api, province):
    """A withdrawal request decided (`removed`), refused (`rejected`), and taken back (`withdrawn`)."""
    start = date(2026, 3, 2)
    removed = run(api, province, "withdrawal", member(api, province, "Ra Đảng 1"), withdrawal_plan(start))
    assert removed["state"] == "removed"
    assert api.ok("GET", f"/persons/{removed['person_id']}")["membership_status"] == "former"
    plan = withdrawal_plan(start)
    case = run(api, province, "withdrawal", member(api, province, "Ra Đảng 2"), plan, until="committee_approved")
    day = plan[-1][2]
    case = api.fire(case, "reject_withdrawal", {"decision_date": day.isoformat(), "reason": "Cần vận động thêm."},
                    as_="standing", day=day)
    assert case["state"] == "rejected"
    case = run(api, province, "withdrawal", member(api, province, "Ra Đảng 3"), plan, until="requested")
    case = api.fire(case, "withdraw", {"reason": "Đảng viên rút đơn."}, as_="secretary")
    assert case["state"] == "withdrawn"


def disciplined(api: Api, province, name: str, form: str = "reprimand") -> dict:
    start = date(2026, 1, 5)
    case = run(api, province, "discipline", member(api, province, name),
               discipline_plan(start, violation_date=date(2025, 11, 20), form=form))
    assert case["state"] == "in_force"
    return case


def test_discipline_in_force_and_dismissed(api, province):
    """A reprimand decided by the cell is in force; a vote short of the majority dismisses another case."""
    disciplined(api, province, "Kỷ luật 1")
    plan = discipline_plan(date(2026, 1, 5), violation_date=date(2025, 11, 20))
    case = run(api, province, "discipline", member(api, province, "Kỷ luật 2"), plan, until="reviewed")
    day = plan[2][2]
    case = api.fire(case, "cell_vote", {"vote": vote(day, 5, agree=2, method="secret_ballot"), "form": "reprimand"},
                    as_="secretary", day=day)
    assert case["state"] == "dismissed"


@pytest.mark.parametrize("outcome", ["uphold", "amend", "annul"])
def test_appeal_against_a_discipline_decision(api, province, outcome):
    """An appeal filed within the month is upheld, amended (new form) or annulled (the decision falls)."""
    decided = disciplined(api, province, f"Khiếu nại {outcome}", form="warning")
    received = date.fromisoformat(decided["data"]["decide_discipline"]["received_date"])
    plan = appeal_plan(decided["id"], received, received + timedelta(days=10), outcome=outcome,
                       form="reprimand" if outcome == "amend" else None)
    (_, role, day, data), rest = plan[0], plan[1:]
    api.on(day)
    case = api.ok("POST", "/cases", 201, as_="inspection", json={
        "procedure": "appeal", "person_id": decided["person_id"], "organisation_id": province.orgs["cell"],
        "data": data})
    for trigger, role, day, data in rest:
        case = api.fire(case, trigger, data, as_=AS[role], day=day)
    assert case["state"] == {"uphold": "upheld", "amend": "amended", "annul": "annulled"}[outcome]
    if outcome == "annul":
        assert api.ok("GET", f"/cases/{decided['id']}")["state"] == "annulled"


def test_appeal_annuls_a_strike_off(api, province):
    """A strike-off annulled on appeal ends `annulled`, and the member is official again."""
    person = member(api, province, "Xóa tên khiếu nại")
    struck = run(api, province, "strike_off", person, strike_off_plan(date(2026, 2, 2)))
    received = date.fromisoformat(struck["data"]["decide_strike_off"]["received_date"])
    # Heard by the superior committee (QĐ 24 §8: "cấp ủy cấp trên"), not an inspection commission.
    plan = appeal_plan(struck["id"], received, received + timedelta(days=7), outcome="annul",
                       role="province_standing_committee")
    (_, _, day, data), rest = plan[0], plan[1:]
    api.on(day)
    api.fails("POST", "/cases", 403, "forbidden", as_="inspection", json={
        "procedure": "appeal", "person_id": person, "organisation_id": province.orgs["cell"], "data": data})
    case = api.ok("POST", "/cases", 201, as_="standing_province", json={
        "procedure": "appeal", "person_id": person, "organisation_id": province.orgs["cell"], "data": data})
    for trigger, _role, day, data in rest:
        case = api.fire(case, trigger, data, as_="standing_province", day=day)
    assert case["state"] == "annulled"
    assert api.ok("GET", f"/cases/{struck['id']}")["state"] == "annulled"
    assert api.ok("GET", f"/persons/{person}")["membership_status"] == "official"
