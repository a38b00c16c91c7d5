"""Every error of api.md's table over HTTP: the status, the code, the one body, the language — and nothing written."""
from __future__ import annotations

from datetime import date

import pytest

from tests.api.plans import vote
from tests.api.support import build_province
from tests.api.test_admission_api import new_applicant, open_admission, walk


@pytest.fixture(scope="module")
def province(api):
    return build_province(api)


@pytest.fixture(scope="module")
def case_at_opinions(api, province):
    person = new_applicant(api, province, "Hồ sơ lỗi")
    case, steps = open_admission(api, province, person)
    return walk(api, case, steps[:3], "opinions_collected"), steps


def unchanged(api, case):
    """The case still has the revision and the events it had."""
    now = api.ok("GET", f"/cases/{case['id']}")
    assert now["revision"] == case["revision"] and now["state"] == case["state"]
    assert len(api.ok("GET", f"/cases/{case['id']}/events")) == case["revision"]


# ---------------------------------------------------------------- 400 invalid_input


def test_malformed_json_is_400(api):
    """A body that is not JSON is refused with invalid_input."""
    error = api.fails("POST", "/organisations", 400, "invalid_input", data="{not json",
                      headers={"Content-Type": "application/json"})
    assert error["details"]["fields"]


def test_missing_and_ill_typed_fields_are_400_with_the_fields_named(api):
    """Missing and ill-typed fields are named in details.fields (marshmallow's 422 becomes 400)."""
    error = api.fails("POST", "/persons", 400, "invalid_input", json={"birth_date": "yesterday", "organisation_id": "x"})
    assert {"full_name", "birth_date", "organisation_id"} <= set(error["details"]["fields"])


def test_unknown_procedure_and_trigger_are_400(api, case_at_opinions, province):
    """An unknown procedure (POST /cases) or trigger (actions) is invalid_input, and writes nothing."""
    case, _ = case_at_opinions
    api.fails("POST", "/cases", 400, "invalid_input", json={
        "procedure": "coronation", "person_id": 1, "organisation_id": province.orgs["cell"], "data": {}})
    api.fails("POST", f"/cases/{case['id']}/actions/abdicate", 400, "invalid_input", json={"data": {}})
    unchanged(api, case)


def test_step_data_is_checked_by_the_engine(api, case_at_opinions):
    """A vote with more ballots than voters is invalid_input naming the vote field."""
    case, steps = case_at_opinions
    api.on(steps[3][2])
    bad = {"date": steps[3][2].isoformat(), "eligible": 3, "agree": 4, "disagree": 0, "method": "show_of_cards"}
    error = api.fails("POST", f"/cases/{case['id']}/actions/cell_vote", 400, "invalid_input",
                      json={"data": {"vote": bad}}, as_="secretary")
    assert "vote" in error["details"]["fields"]
    unchanged(api, case)


def test_nul_characters_are_refused(api, province):
    """Text with a NUL character (PostgreSQL cannot store it) is a 400, not a server error."""
    api.fails("POST", "/organisations", 400, "invalid_input", json={"name": "a\x00b", "kind": "cell",
                                                                  "parent_id": province.orgs["commune"]})


# ---------------------------------------------------------------- 401 unauthenticated


def test_no_token_bad_token_and_revoked_token_are_401(api):
    """No token, an unknown token and a revoked token are all unauthenticated."""
    api.fails("GET", "/cases", 401, "unauthenticated", as_=None)
    api.fails("GET", "/cases", 401, "unauthenticated", token="qt_not-a-real-token")
    api.fails("GET", "/cases", 401, "unauthenticated", as_=None, headers={"Authorization": "Basic YWRtaW46eA=="})
    issued = api.ok("POST", "/tokens", 201, json={"name": "short-lived"})
    api.ok("GET", "/users/me", token=issued["token"])
    api.ok("DELETE", f"/tokens/{issued['id']}", 204)
    api.fails("GET", "/users/me", 401, "unauthenticated", token=issued["token"])


# ---------------------------------------------------------------- 403 forbidden


def test_wrong_role_is_403_and_writes_nothing(api, case_at_opinions):
    """The committee member cannot record the cell's vote: forbidden, the case unchanged."""
    case, steps = case_at_opinions
    api.on(steps[3][2])
    api.fails("POST", f"/cases/{case['id']}/actions/cell_vote", 403, "forbidden",
              json={"data": {"vote": vote(steps[3][2], 5)}}, as_="committee")
    unchanged(api, case)


def test_only_admins_create_users(api):
    """A cell secretary may not create user accounts."""
    api.fails("POST", "/users", 403, "forbidden", as_="secretary",
              json={"username": "mallory", "password": "a long enough password", "display_name": "M", "email": None})


# ---------------------------------------------------------------- 404 not_found


def test_unknown_and_invisible_objects_are_404(api, case_at_opinions, province):
    """An unknown case, a case outside one's subtree, an unknown route: not_found, indistinguishable."""
    case, _ = case_at_opinions
    api.fails("GET", "/cases/999999", 404, "not_found")
    api.fails("GET", f"/cases/{case['id']}", 404, "not_found", as_="other_secretary")
    api.fails("GET", f"/persons/{case['person_id']}", 404, "not_found", as_="outsider")
    api.fails("GET", "/no/such/thing", 404, "not_found")
    api.fails("POST", "/no/such/thing", 404, "not_found", as_=None)


def test_wrong_method_is_405_in_the_same_body(api):
    """A known address with the wrong method answers 405 with the error body and an Allow header."""
    response = api.request("PATCH", "/cases")
    assert response.status_code == 405 and response.get_json()["error"]["code"] == "method_not_allowed"
    assert "GET" in response.headers["Allow"]


def test_oversized_body_is_413(api):
    """A body over the API's 1 MiB limit is refused before it is read in full."""
    response = api.request("POST", "/organisations", json={"name": "x" * (2 * 1024 * 1024), "kind": "cell"})
    assert response.status_code == 413 and response.get_json()["error"]["code"] == "payload_too_large"


# ---------------------------------------------------------------- 409 transition_not_allowed, conflict


def test_trigger_from_the_wrong_state_is_409(api, case_at_opinions):
    """Deciding an admission that has not been voted on: transition_not_allowed, even with empty data."""
    case, _ = case_at_opinions
    error = api.fails("POST", f"/cases/{case['id']}/actions/decide_admission", 409, "transition_not_allowed",
                      json={"data": {}}, as_="standing")
    assert error["details"]["state"] == "opinions_collected"
    unchanged(api, case)


def test_stale_revision_is_409_conflict(api, case_at_opinions):
    """A revision older than the case's is a conflict; nothing written."""
    case, steps = case_at_opinions
    api.on(steps[3][2])
    error = api.fails("POST", f"/cases/{case['id']}/actions/cell_vote", 409, "conflict", as_="secretary",
                      json={"data": {"vote": vote(steps[3][2], 5)}, "revision": case["revision"] - 1})
    assert error["details"]["current_revision"] == case["revision"]
    unchanged(api, case)


# ---------------------------------------------------------------- 422 rule_violated


def test_too_young_applicant_is_422_with_rule_ids_and_sources(api, province):
    """A 17-year-old at the cell vote: rule_violated listing age_min with its legal source, in both languages."""
    person = new_applicant(api, province, "Người quá trẻ", born="2008-01-15")
    start = date(2025, 9, 1)
    case, steps = open_admission(api, province, person, start=start)
    case = walk(api, case, steps[:3], "opinions_collected")
    trigger, who, day, data = steps[3]
    api.on(day)
    error = api.fails("POST", f"/cases/{case['id']}/actions/{trigger}", 422, "rule_violated", json={"data": data},
                      as_=who)
    rules = {r["id"]: r for r in error["details"]["violations"]}
    assert error["details"]["rules"] == list(rules)
    assert "age_min" in rules and rules["age_min"]["source"].startswith("QĐ 24")
    assert rules["age_min"]["message"] == rules["age_min"]["message_vi"] and "tuổi" in error["message"]
    english = api.fails("POST", f"/cases/{case['id']}/actions/{trigger}", 422, "rule_violated",
                        json={"data": data}, as_=who, lang="en")
    assert "18 years" in english["message"]
    unchanged(api, case)


def test_messages_are_vietnamese_by_default_and_english_on_request(api):
    """The same 404 speaks Vietnamese by default and English with Accept-Language: en."""
    assert "Không tìm thấy" in api.fails("GET", "/cases/424242", 404, "not_found")["message"]
    assert api.fails("GET", "/cases/424242", 404, "not_found", lang="en")["message"] == "No case '424242'."
