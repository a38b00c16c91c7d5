"""Acceptance: api.md as an outside integrator reads it, over real HTTP against a server process.

Every procedure of procedures.md is driven to every one of its final states by users holding the
roles the procedure names (the admin token administers the system and records no party step); lists, events, deadlines, persons,
reports (test_api_reports.py) and the calendar are checked against the shapes api.md gives;
errors: test_api_errors.py.
"""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from tests.acceptance.client import TODAY, Api, add_months, days_ago, iso, vote
from tests.acceptance.flows import (
    admission_steps,
    admit,
    appeal_data,
    applicant,
    decision,
    discipline_steps,
    drive,
    open_admission,
    open_discipline,
    open_strike_off,
    open_withdrawal,
    past_probation_ceremony,
    probation_case,
    probation_steps,
    strike_off_steps,
    withdrawal_steps,
)

MODES = ["roles"]
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
EVENT_KEYS = {"seq", "trigger", "from_state", "to_state", "actor", "at", "data", "comment"}
CASE_KEYS = {"id", "procedure", "rule_set", "state", "person_id", "organisation_id", "revision",
             "allowed_actions", "deadlines", "data"}


def status_of(tree, person_id: int) -> str:
    return tree.admin.get(f"/persons/{person_id}")["membership_status"]


def working_days_after(api: Api, start: date, days: int) -> str:
    return api.get("/calendar/add-working-days", start=iso(start), days=days)["date"]


def check_events(api: Api, case_id: int, triggers: list[str]) -> list[dict]:
    events = api.events(case_id)
    assert isinstance(events, list) and [e["trigger"] for e in events] == triggers, events
    for i, event in enumerate(events):
        assert EVENT_KEYS <= set(event), event
        assert i == 0 or event["seq"] > events[i - 1]["seq"]
        assert i == 0 or event["from_state"] == events[i - 1]["to_state"]
        assert isinstance(event["data"], dict)
    return events


def test_bootstrap_serves_the_openapi_document(server):
    """The server bootstrapped from the three commands serves its OpenAPI document."""
    document = Api(server.base_url, None).get("/openapi.json")
    assert any(path.endswith("/cases") for path in document["paths"]), list(document["paths"])


def test_organisations_and_persons_read_back(tree):
    """Organisations read back with parent_id and kind; persons with membership_status."""
    commune = tree.admin.get(f"/organisations/{tree.commune}")
    assert (commune["parent_id"], commune["kind"]) == (tree.province, "grassroots_committee")
    cell = tree.cell("ward", officials=1)
    assert tree.admin.get(f"/organisations/{cell.id}")["parent_id"] == tree.ward
    person = tree.admin.get(f"/persons/{cell.officials[0]}")
    assert person["membership_status"] == "official" and person["id"] == cell.officials[0]


def test_calendar_skips_tet_weekends_and_24_november(tree):
    """Working days after a date skip Tết 2026, weekends and (from 2026) 24/11; a bad date is a 400."""
    assert tree.admin.get("/calendar/add-working-days", start="2026-02-13", days=1) == {"date": "2026-02-23"}
    assert tree.admin.get("/calendar/add-working-days", start="2026-11-20", days=1)["date"] == "2026-11-23"
    assert tree.admin.get("/calendar/add-working-days", start="2026-11-23", days=1)["date"] == "2026-11-25"
    bad = tree.admin.get("/calendar/add-working-days", expect=400, start="13/02/2026", days=1)
    assert bad["error"]["code"] == "invalid_input"


def test_the_admin_token_records_no_party_step(tree):
    """admin keeps users, organisations and persons but may neither open a case nor take a step: 403 forbidden."""
    cell = tree.cell()
    person = applicant(tree, cell)
    refused = tree.admin.open_case("admission", person, cell.id, {"resolution_date": iso(days_ago(5)),
                                                                  "helper_id": cell.officials[0]}, expect=403)
    assert refused["error"]["code"] == "forbidden"
    case = open_admission(tree, "roles", cell, person, days_ago(5))
    refused = tree.admin.fire(case["id"], "withdraw", {"reason": "Thử"}, expect=403)
    assert refused["error"]["code"] == "forbidden"
    assert tree.admin.case(case["id"])["revision"] == case["revision"]


@pytest.mark.parametrize("mode,grassroots", [("roles", "commune"), ("roles", "ward")])
def test_admission_completed_opens_probation(tree, mode, grassroots):
    """Admission to completed: the person becomes probationary and a probation case opens."""
    cell = tree.cell(grassroots)
    person = applicant(tree, cell)
    case = admit(tree, mode, cell, person, days_ago(70))
    assert set(case) >= CASE_KEYS and case["state"] == "completed" and case["allowed_actions"] == []
    assert case["rule_set"] == "cpv-2025"  # the one in force since 1/7/2025
    assert status_of(tree, person) == "probationary"
    probation = probation_case(tree, person)
    assert probation["state"] == "on_probation" and probation["organisation_id"] == cell.id
    events = check_events(tree.admin, case["id"], ["open"] + [s[0] for s in admission_steps(cell, TODAY)])
    assert events[0]["to_state"] == "sympathiser" and events[-1]["to_state"] == "completed"
    assert all(d["status"] != "open" for d in tree.admin.case(case["id"])["deadlines"]), case


def test_admission_at_a_grassroots_cell_has_no_committee_vote(tree):
    """A grassroots cell's admission goes from the cell vote straight to the province's decision."""
    cell = tree.cell("grassroots_cell")
    person = applicant(tree, cell)
    steps = [s for s in admission_steps(cell, days_ago(30)) if s[0] != "committee_vote"]
    case = open_admission(tree, "roles", cell, person, days_ago(80))
    for trigger, who, data, state in steps:
        state = None if trigger == "cell_vote" else state
        case = tree.actor("roles", who, cell).fire(case["id"], trigger, data, state)
    assert case["state"] == "completed" and status_of(tree, person) == "probationary"


def test_admission_referred_to_superior_after_a_failed_cell_vote(tree):
    """A cell vote short of 2/3 refers the admission to the superior committee, which may still admit."""
    cell = tree.cell("ward")
    ceremony = days_ago(30)
    steps = admission_steps(cell, ceremony)
    case = admit(tree, "roles", cell, applicant(tree, cell), ceremony, until="opinions_collected")
    secretary = tree.actor("roles", "cell", cell)
    secretary.fire(case["id"], "cell_vote", vote(ceremony - timedelta(24), 4, 2, method="show_of_cards"),
                   "referred_to_superior")
    drive(tree, "roles", cell, case["id"], steps[5:6])


def test_admission_decision_deadline_is_60_working_days(tree):
    """After the cell vote the case carries the decision deadline: 60 working days after the resolution."""
    cell = tree.cell()
    ceremony = days_ago(20)
    case = admit(tree, "roles", cell, applicant(tree, cell), ceremony, until="cell_approved")
    assert case["deadlines"], case
    for deadline in case["deadlines"]:
        assert {"kind", "due_date", "status"} <= set(deadline) and DATE.match(deadline["due_date"]), deadline
    voted = date.fromisoformat(admission_steps(cell, ceremony)[3][2]["date"])
    assert working_days_after(tree.admin, voted, 60) in [d["due_date"] for d in case["deadlines"]], case


@pytest.mark.parametrize("mode", MODES)
def test_admission_rejected(tree, mode):
    """The competent committee refuses an admission: rejected, the person stays a non-member."""
    cell = tree.cell()
    person = applicant(tree, cell)
    case = admit(tree, mode, cell, person, days_ago(30), until="committee_approved")
    tree.actor(mode, "competent", cell).fire(case["id"], "refuse_admission",
                                             {"reason": "Chưa đủ tiêu chuẩn về đạo đức, lối sống."}, "rejected")
    assert status_of(tree, person) == "none"
    assert tree.admin.events(case["id"])[-1]["data"]["decision_date"] == iso(TODAY)  # undated: recorded today


@pytest.mark.parametrize("mode", MODES)
def test_admission_withdrawn(tree, mode):
    """The applicant withdraws after applying: withdrawn, no further action offered."""
    cell = tree.cell()
    case = admit(tree, mode, cell, applicant(tree, cell), days_ago(10), until="application_submitted")
    done = tree.actor(mode, "cell", cell).fire(case["id"], "withdraw",
                                               {"reason": "Người xin vào Đảng chuyển công tác nơi khác."}, "withdrawn")
    assert done["allowed_actions"] == []


def test_return_for_rework_needs_a_reason(tree):
    """The committee returns an application for rework with a reason; without one it is refused (400)."""
    cell = tree.cell()
    case = admit(tree, "roles", cell, applicant(tree, cell), days_ago(10), until="application_submitted")
    committee = tree.actor("roles", "committee", cell)
    body = committee.fire(case["id"], "return_for_rework", {}, expect=400)
    assert body["error"]["code"] == "invalid_input"
    committee.fire(case["id"], "return_for_rework", {"reason": "Thiếu bản sao chứng chỉ."}, "sympathiser")


@pytest.mark.parametrize("mode", MODES)
def test_probation_recognised_official_from_end_of_probation(tree, mode):
    """Probation reviewed after 12 months and recognised: official from the end date of probation."""
    cell = tree.cell()
    person = applicant(tree, cell)
    ceremony = past_probation_ceremony()
    admit(tree, mode, cell, person, ceremony)
    probation = probation_case(tree, person)
    end = add_months(ceremony, 12)
    done = drive(tree, mode, cell, probation["id"], probation_steps(cell, end, "recognise"))
    assert done["data"]["official_from"] == iso(end)
    assert status_of(tree, person) == "official"


def test_probation_referred_after_three_inconclusive_votes(tree):
    """Three inconclusive cell votes refer the review to the superior committee, which recognises."""
    cell = tree.cell()
    person = applicant(tree, cell)
    ceremony = past_probation_ceremony()
    admit(tree, "roles", cell, person, ceremony)
    probation = probation_case(tree, person)
    end = add_months(ceremony, 12)
    secretary, competent = tree.actor("roles", "cell", cell), tree.actor("roles", "competent", cell)
    secretary.fire(probation["id"], "submit_review", {"date": iso(end + timedelta(1))}, "under_review")
    for n, state in ((1, "under_review"), (2, "under_review"), (3, "referred_to_superior")):
        secretary.fire(probation["id"], "cell_vote", vote(end + timedelta(2 + 3 * n), len(cell.officials), 2,
                                                          proposal="recognise"), state)
    competent.fire(probation["id"], "recognise", decision(end + timedelta(16)), "official")
    assert status_of(tree, person) == "official"


@pytest.mark.parametrize("mode", MODES)
def test_probation_struck_off(tree, mode):
    """A probationary member not recognised is struck off and becomes a former member."""
    cell = tree.cell()
    person = applicant(tree, cell)
    ceremony = past_probation_ceremony()
    admit(tree, mode, cell, person, ceremony)
    probation = probation_case(tree, person)
    drive(tree, mode, cell, probation["id"], probation_steps(cell, add_months(ceremony, 12), "strike_off"))
    assert status_of(tree, person) == "former"


@pytest.mark.parametrize("mode", MODES)
def test_strike_off_struck_off(tree, mode):
    """A member who missed activities for months is struck off: former member."""
    cell = tree.cell()
    member = tree.official(cell.id)
    case = open_strike_off(tree, mode, cell, member, days_ago(60))
    drive(tree, mode, cell, case["id"], strike_off_steps(cell, days_ago(60), len(cell.officials) + 1))
    assert status_of(tree, member) == "former"


def test_strike_off_dismissed_by_vote_and_by_committee(tree):
    """A strike-off the cell votes down, and one the committee rejects, end dismissed; the member stays."""
    cell = tree.cell()
    first, second = tree.official(cell.id), tree.official(cell.id)
    eligible = len(cell.officials) + 2
    start = days_ago(40)
    case = open_strike_off(tree, "roles", cell, first, start)
    secretary = tree.actor("roles", "cell", cell)
    secretary.fire(case["id"], "record_refusal", {"date": iso(start + timedelta(10)), "requests": 3},
                   "self_criticism_done")
    secretary.fire(case["id"], "cell_vote", vote(start + timedelta(14), eligible, 2), "dismissed")
    case = open_strike_off(tree, "roles", cell, second, start)
    drive(tree, "roles", cell, case["id"], strike_off_steps(cell, start, eligible), until="committee_approved")
    tree.actor("roles", "competent", cell).fire(case["id"], "reject_strike_off",
                                                {"reason": "Chưa đủ căn cứ xóa tên."}, "dismissed")
    assert status_of(tree, first) == status_of(tree, second) == "official"


@pytest.mark.parametrize("mode", MODES)
def test_withdrawal_removed(tree, mode):
    """A voluntary withdrawal decided by the competent committee: removed, former member."""
    cell = tree.cell("ward")
    member = tree.official(cell.id)
    case = open_withdrawal(tree, mode, cell, member, days_ago(50))
    drive(tree, mode, cell, case["id"], withdrawal_steps(cell, days_ago(50), len(cell.officials) + 1))
    assert status_of(tree, member) == "former"


def test_withdrawal_rejected_and_withdrawn(tree):
    """A withdrawal request the committee rejects, and one the member takes back; both stay members."""
    cell = tree.cell()
    first, second = tree.official(cell.id), tree.official(cell.id)
    eligible = len(cell.officials) + 2
    case = open_withdrawal(tree, "roles", cell, first, days_ago(50))
    drive(tree, "roles", cell, case["id"], withdrawal_steps(cell, days_ago(50), eligible), until="committee_approved")
    tree.actor("roles", "competent", cell).fire(case["id"], "reject_withdrawal",
                                                {"decision_date": iso(days_ago(2)),
                                                 "reason": "Đề nghị chi bộ tiếp tục giúp đỡ đảng viên."}, "rejected")
    case = open_withdrawal(tree, "roles", cell, second, days_ago(5))
    tree.actor("roles", "cell", cell).fire(case["id"], "withdraw", {"reason": "Đảng viên rút đơn."}, "withdrawn")
    assert status_of(tree, first) == status_of(tree, second) == "official"


def test_discipline_dismissed_by_the_cell(tree):
    """A discipline proposal without a majority of the cell's official members is dismissed."""
    cell = tree.cell()
    member = tree.official(cell.id)
    start = days_ago(30)
    case = open_discipline(tree, "roles", cell, member, days_ago(60), "reprimand")
    tree.actor("roles", "cell", cell).fire(case["id"], "record_refusal",
                                           {"date": iso(start + timedelta(5)), "requests": 3}, "reviewed")
    tree.actor("roles", "cell", cell).fire(
        case["id"], "cell_vote", vote(start + timedelta(10), len(cell.officials) + 1, 2, form="reprimand"),
        "dismissed")


@pytest.mark.parametrize("mode", MODES)
def test_discipline_expulsion_in_force_then_closed(tree, mode):
    """An expulsion decided months ago is in force, closed by the decider after the appeal window: former."""
    cell = tree.cell()
    member = tree.official(cell.id)
    start = days_ago(150)
    case = open_discipline(tree, mode, cell, member, days_ago(200), "expulsion")
    drive(tree, mode, cell, case["id"], discipline_steps(cell, start, len(cell.officials) + 1, "expulsion"))
    tree.actor(mode, "competent", cell).fire(case["id"], "close", {}, "closed")
    assert status_of(tree, member) == "former"


@pytest.mark.parametrize("mode,outcome", [("roles", "uphold"), ("roles", "amend"), ("roles", "annul")])
def test_appeal_against_a_warning(tree, mode, outcome):
    """An appeal against a cell's warning, filed in time, is upheld, amended to a reprimand or annulled."""
    cell = tree.cell()
    member = tree.official(cell.id)
    start = days_ago(30)
    discipline = open_discipline(tree, mode, cell, member, days_ago(90), "warning")
    decided = drive(tree, mode, cell, discipline["id"], discipline_steps(cell, start, len(cell.officials) + 1,
                                                                         "warning"))
    assert "close" not in decided["allowed_actions"]  # not before the appeal window has passed
    inspection = tree.actor(mode, "inspection", cell)
    case = inspection.open_case("appeal", member, cell.id, appeal_data(discipline["id"], start + timedelta(15)))
    assert case["state"] == "filed", case
    inspection.fire(case["id"], "start_consideration", {"date": iso(days_ago(4))}, "under_consideration")
    extra = {"form": "reprimand"} if outcome == "amend" else {}
    final = {"uphold": "upheld", "amend": "amended", "annul": "annulled"}[outcome]
    inspection.fire(case["id"], outcome, decision(days_ago(2), **extra), final)


def test_appeal_against_a_strike_off_is_annulled(tree):
    """A member struck off appeals within 30 working days of receiving the decision; the appeal is annulled."""
    cell = tree.cell()
    member = tree.official(cell.id)
    start = days_ago(40)
    strike_off = open_strike_off(tree, "roles", cell, member, start)
    drive(tree, "roles", cell, strike_off["id"], strike_off_steps(cell, start, len(cell.officials) + 1))
    hearing = tree.actor("roles", "above", cell)  # the superior committee hears a strike-off appeal (QĐ 24 §8)
    case = hearing.open_case("appeal", member, cell.id, appeal_data(strike_off["id"], start + timedelta(25)))
    hearing.fire(case["id"], "start_consideration", {"date": iso(days_ago(3))}, "under_consideration")
    hearing.fire(case["id"], "annul", decision(days_ago(1)), "annulled")
    assert status_of(tree, member) == "official"  # the annulled strike-off no longer holds


def test_transfer_keeps_state_and_history(tree):
    """A probation case transferred to another cell keeps its state and history; its organisation changes."""
    cell, other = tree.cell(), tree.cell()
    person = applicant(tree, cell)
    admit(tree, "roles", cell, person, days_ago(40))
    probation = probation_case(tree, person)
    before = len(tree.admin.events(probation["id"]))
    grassroots = tree.users["standing_commune"]  # the grassroots committee moves its member's case
    moved = grassroots.fire(probation["id"], "transfer", {"organisation_id": other.id, "date": iso(days_ago(3))},
                            "on_probation")
    assert moved["organisation_id"] == other.id
    assert len(tree.admin.events(probation["id"])) == before + 1


def test_revoke_reopens_at_the_step_before_the_decision(tree):
    """The standing committee above the decider revokes a strike-off: the case is back before the decision."""
    cell = tree.cell()
    member = tree.official(cell.id)
    case = open_strike_off(tree, "roles", cell, member, days_ago(60))
    drive(tree, "roles", cell, case["id"], strike_off_steps(cell, days_ago(60), len(cell.officials) + 1))
    above = tree.actor("roles", "above", cell)
    reopened = above.fire(case["id"], "revoke", decision(days_ago(5), reason="Quyết định trái quy trình."),
                          "committee_approved")
    assert "decide_strike_off" in tree.actor("roles", "competent", cell).case(reopened["id"])["allowed_actions"]
    assert status_of(tree, member) == "official"


def test_case_list_filters_and_pages(tree):
    """GET /cases filters by procedure, state, organisation and person, and pages as {items,total,page,per_page}."""
    cell = tree.cell()
    people = [applicant(tree, cell) for _ in range(3)]
    ids = [open_admission(tree, "roles", cell, p, days_ago(5))["id"] for p in people]
    listing = tree.admin.get("/cases", organisation_id=cell.id, per_page=2, page=1)
    assert set(listing) >= {"items", "total", "page", "per_page"}
    assert (listing["total"], listing["page"], listing["per_page"], len(listing["items"])) == (3, 1, 2, 2)
    second = tree.admin.get("/cases", organisation_id=cell.id, per_page=2, page=2)
    assert sorted(c["id"] for c in listing["items"] + second["items"]) == sorted(ids)
    assert tree.admin.get("/cases", person_id=people[1])["items"][0]["id"] == ids[1]
    assert tree.admin.get("/cases", organisation_id=cell.id, procedure="admission", state="sympathiser")["total"] == 3
    assert tree.admin.get("/cases", organisation_id=cell.id, procedure="discipline")["total"] == 0
    assert tree.admin.get("/cases", organisation_id=tree.commune, person_id=people[0])["total"] == 1


def test_overdue_filter(tree):
    """A case whose decision deadline has passed is listed with overdue=true, not with overdue=false."""
    cell = tree.cell()
    late = admit(tree, "roles", cell, applicant(tree, cell), days_ago(90), until="cell_approved")
    fresh = open_admission(tree, "roles", cell, applicant(tree, cell), days_ago(3))
    overdue = tree.admin.get("/cases", organisation_id=cell.id, overdue="true")
    assert [c["id"] for c in overdue["items"]] == [late["id"]]
    assert [c["id"] for c in tree.admin.get("/cases", organisation_id=cell.id, overdue="false")["items"]] == [fresh["id"]]
    assert any(d["due_date"] < iso(TODAY) for d in tree.admin.case(late["id"])["deadlines"])
