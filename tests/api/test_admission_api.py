"""Admission over HTTP only, from a command-line bootstrap of an empty database, to each final state."""
from __future__ import annotations

from datetime import date

import pytest

from tests.api.plans import admission_steps, vote
from tests.api.support import Api, build_province

START = date(2025, 3, 3)


@pytest.fixture(scope="module")
def province(api):
    return build_province(api)


def new_applicant(api: Api, province, key: str, cell: str = "cell", born: str = "2000-04-02") -> int:
    return api.ok("POST", "/persons", 201, json={
        "full_name": key, "birth_date": born, "organisation_id": province.orgs[cell], "membership_status": "none",
        "education": "upper_secondary"})["id"]


def open_admission(api: Api, province, person_id: int, start: date = START, cell: str = "cell") -> tuple[dict, list]:
    steps = admission_steps(province.people[f"{cell}_m1"], (province.people[f"{cell}_m2"],
                                                             province.people[f"{cell}_m3"]), start)
    trigger, who, day, data = steps[0]
    api.on(day)
    case = api.ok("POST", "/cases", 201, as_=who, json={
        "procedure": "admission", "person_id": person_id, "organisation_id": province.orgs[cell], "data": data})
    return case, steps[1:]


def walk(api: Api, case: dict, steps, until: str) -> dict:
    for trigger, who, day, data in steps:
        case = api.fire(case, trigger, data, as_=who, day=day)
        if case["state"] == until:
            break
    return case


def test_admission_to_admitted(api, province):
    """A clean admission: each step's response shows the new state, revision and what the caller may do next."""
    person = new_applicant(api, province, "Nguyễn Văn An")
    case, steps = open_admission(api, province, person)
    assert (case["state"], case["revision"], case["procedure"]) == ("sympathiser", 1, "admission")
    assert "submit_application" in case["allowed_actions"]
    case = walk(api, case, steps, "admitted")
    assert case["state"] == "admitted" and case["revision"] == 7
    assert api.ok("GET", f"/persons/{person}")["membership_status"] == "probationary"
    deadlines = {d["kind"]: d for d in case["deadlines"]}
    assert deadlines["admission_decision"]["status"] == "met" and deadlines["ceremony"]["status"] == "open"
    assert api.ok("GET", f"/cases/{case['id']}", as_="secretary")["allowed_actions"] == ["hold_ceremony", "withdraw"]
    events = api.ok("GET", f"/cases/{case['id']}/events")
    assert [e["trigger"] for e in events][:2] == ["open", "submit_application"]
    assert events[0]["actor"] == "secretary" and events[-1]["to_state"] == "admitted"
    assert set(events[0]) >= {"seq", "trigger", "from_state", "to_state", "actor", "at", "data", "comment"}


def test_admission_rejected(api, province):
    """A failed cell vote refers the case to the superior committee, which refuses: `rejected` (final)."""
    person = new_applicant(api, province, "Trần Thị Bình")
    case, steps = open_admission(api, province, person)
    case = walk(api, case, steps[:3], "opinions_collected")
    day = steps[3][2]
    case = api.fire(case, "cell_vote", {"vote": vote(day, 5, agree=3)}, as_="secretary", day=day)
    assert case["state"] == "referred_to_superior"
    case = api.fire(case, "refuse_admission", {"decision_date": day.isoformat(), "reason": "Chưa đủ tín nhiệm."},
                    as_="standing")
    assert case["state"] == "rejected" and case["allowed_actions"] == []


def test_admission_withdrawn(api, province):
    """The applicant withdraws: `withdrawn` (final), the reason kept as the event's comment."""
    person = new_applicant(api, province, "Lê Văn Cường")
    case, steps = open_admission(api, province, person)
    case = walk(api, case, steps[:1], "application_submitted")
    case = api.fire(case, "withdraw", {"reason": "Chuyển công tác."}, as_="secretary")
    assert case["state"] == "withdrawn"
    assert api.ok("GET", f"/cases/{case['id']}/events")[-1]["comment"] == "Chuyển công tác."


def test_return_for_rework_goes_back_one_step(api, province):
    """The approver of the next step returns the dossier: the case goes back to the state before."""
    person = new_applicant(api, province, "Phạm Thị Dung")
    case, steps = open_admission(api, province, person)
    case = walk(api, case, steps[:2], "background_verified")
    case = api.fire(case, "return_for_rework", {"reason": "Thiếu lý lịch của mẹ."}, as_="secretary")
    assert case["state"] == "application_submitted"
