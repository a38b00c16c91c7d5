"""One validation for every door (issue 13): the API refuses what the UI refuses — with a 400 and nothing
written — and the inputs that gave 500 give 4xx (nesting, lone surrogates, a 32-bit overflow on PostgreSQL)."""
from __future__ import annotations

import pytest

from tests.api.support import build_province
from tests.api.test_admission_api import new_applicant, open_admission, walk
from tests.api.test_errors_api import unchanged


@pytest.fixture(scope="module")
def province(api):
    return build_province(api)


@pytest.fixture(scope="module")
def case_at_opinions(api, province):
    person = new_applicant(api, province, "Hồ sơ biểu quyết")
    case, steps = open_admission(api, province, person)
    return walk(api, case, steps[:3], "opinions_collected"), steps


def _person(province, **values):
    return {"full_name": "Nguyễn Văn Bình", "birth_date": "1990-01-02", "organisation_id": province.orgs["cell"],
            **values}


@pytest.mark.parametrize("values, field", [
    ({"full_name": "Nguyễn\x07 Văn Bình"}, "full_name"),
    ({"full_name": "Lan\u202eTuyết"}, "full_name"),
    ({"email": "<script>@x"}, "email"),
    ({"membership_status": "official", "joined_on": "0001-01-01"}, "joined_on"),
    ({"birth_date": "1850-01-01"}, "birth_date"),
])
def test_person_fields_follow_the_ui_rules(api, province, values, field):
    """Control characters, a bidirectional override, a non-address e-mail and implausible dates are 400
    naming the field, and no person is created."""
    before = api.ok("POST", "/persons", 201, json=_person(province))["id"]
    error = api.fails("POST", "/persons", 400, "invalid_input", json=_person(province, **values))
    assert field in error["details"]["fields"]
    assert api.ok("POST", "/persons", 201, json=_person(province))["id"] == before + 1  # nothing between


def test_a_name_sent_decomposed_is_stored_nfc(api, province):
    """A name in decomposed Unicode (macOS, Unikey «Unicode tổ hợp») is stored precomposed."""
    import unicodedata

    created = api.ok("POST", "/persons", 201, json=_person(province, full_name=unicodedata.normalize("NFD", "Lê Thị Tuyết")))
    assert created["full_name"] == "Lê Thị Tuyết"


@pytest.mark.parametrize("eligible", [2147483648, 2**62, 100_001])
def test_vote_counts_are_bounded(api, case_at_opinions, eligible):
    """A vote's «eligible» above 100000 (2147483648 overflowed PostgreSQL's integer: a 500) is a 400."""
    case, steps = case_at_opinions
    api.on(steps[3][2])
    vote = {"date": steps[3][2].isoformat(), "eligible": eligible, "agree": 3, "disagree": 0, "method": "show_of_cards"}
    error = api.fails("POST", f"/cases/{case['id']}/actions/cell_vote", 400, "invalid_input",
                      json={"data": {"vote": vote}}, as_="secretary")
    assert "vote" in error["details"]["fields"]
    unchanged(api, case)


def test_control_characters_in_step_text_are_refused(api, case_at_opinions):
    """A step's text field with a control character is a 400 naming it."""
    case, _ = case_at_opinions
    error = api.fails("POST", f"/cases/{case['id']}/actions/withdraw", 400, "invalid_input",
                      json={"data": {"reason": "rút\x1b[31m hồ sơ"}}, as_="secretary")
    assert "reason" in error["details"]["fields"]
    unchanged(api, case)


def test_a_lone_surrogate_in_json_is_400(api, province):
    """A JSON string holding a lone surrogate (\\ud800) is refused before anything reads it."""
    body = '{"name": "Chi b\\ud800", "kind": "cell", "parent_id": %d}' % province.orgs["commune"]
    api.fails("POST", "/organisations", 400, "invalid_input", data=body, headers={"Content-Type": "application/json"})


def test_json_nested_5000_deep_is_400(api):
    """A body nested 5,000 levels deep (Python's parser raised RecursionError: a 500) is a 400."""
    body = '{"name": ' + "[" * 5000 + "]" * 5000 + "}"
    api.fails("POST", "/organisations", 400, "invalid_input", data=body, headers={"Content-Type": "application/json"})
