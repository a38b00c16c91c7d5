"""Probation over HTTP: opened by the admission ceremony, to `official` and to `struck_off`."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.api.plans import vote
from tests.api.support import Api, build_province
from tests.api.test_admission_api import new_applicant, open_admission, walk

START = date(2025, 3, 3)


@pytest.fixture(scope="module")
def province(api):
    return build_province(api)


def admitted_member(api: Api, province, name: str) -> tuple[int, dict]:
    """An applicant walked through admission to the ceremony: (person id, the probation case it opened)."""
    person = new_applicant(api, province, name)
    case, steps = open_admission(api, province, person, start=START)
    case = walk(api, case, steps, "completed")
    assert case["state"] == "completed" and case["allowed_actions"] == []
    page = api.ok("GET", f"/cases?procedure=probation&person_id={person}")
    assert page["total"] == 1
    probation = page["items"][0]
    assert probation["state"] == "on_probation" and probation["parent_case_id"] == case["id"]
    return person, probation


def review_and_vote(api: Api, probation: dict, proposal: str) -> dict:
    end = date.fromisoformat(probation["data"]["probation_end"])
    case = api.fire(probation, "submit_review", {"date": end.isoformat()}, as_="secretary", day=end)
    assert case["state"] == "under_review"
    day = end + timedelta(days=7)
    return api.fire(case, "cell_vote", {"vote": vote(day, 6), "proposal": proposal}, as_="secretary", day=day)


def test_admission_ceremony_opens_probation_and_recognition_makes_official(api, province):
    """Ceremony → probation case; review, votes and the decision: `official` from the end of probation."""
    person, probation = admitted_member(api, province, "Đỗ Văn Em")
    assert api.ok("GET", f"/persons/{person}")["membership_status"] == "probationary"
    review = probation["data"]["probation_end"]
    early = api.fails("POST", f"/cases/{probation['id']}/actions/submit_review", 422, "rule_violated",
                      as_="secretary", json={"data": {"date": probation["data"]["probation_start"]}})
    assert "probation_ended" in early["details"]["rules"]
    case = review_and_vote(api, probation, "recognise")
    assert case["state"] == "cell_approved"
    day = date.fromisoformat(review) + timedelta(days=14)
    case = api.fire(case, "committee_vote", {"vote": vote(day, 7)}, as_="committee", day=day)
    assert case["state"] == "committee_approved" and "recognise" in api.ok("GET", f"/cases/{case['id']}",
                                                                           as_="standing")["allowed_actions"]
    day += timedelta(days=7)
    case = api.fire(case, "recognise", {"decision_number": "45-QĐ/ĐU", "decision_date": day.isoformat()},
                    as_="standing", day=day)
    assert case["state"] == "official" and case["data"]["official_from"] == review
    member = api.ok("GET", f"/persons/{person}")
    assert (member["membership_status"], member["official_on"]) == ("official", review)


def test_probation_strike_off(api, province):
    """The cell proposes striking off, the committee confirms, the competent committee decides: `struck_off`."""
    person, probation = admitted_member(api, province, "Vũ Thị Giang")
    case = review_and_vote(api, probation, "strike_off")
    assert case["state"] == "strike_off_proposed"
    day = date.fromisoformat(probation["data"]["probation_end"]) + timedelta(days=14)
    case = api.fire(case, "committee_vote", {"vote": vote(day, 7)}, as_="committee", day=day)
    assert case["state"] == "strike_off_confirmed"
    day += timedelta(days=7)
    case = api.fire(case, "strike_off", {"decision_number": "46-QĐ/ĐU", "decision_date": day.isoformat()},
                    as_="standing", day=day)
    assert case["state"] == "struck_off"
    assert api.ok("GET", f"/persons/{person}")["membership_status"] == "former"
