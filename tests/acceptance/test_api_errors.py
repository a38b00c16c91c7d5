"""Acceptance: every error of api.md's table over real HTTP — its status, code and body, in both languages,
the rule ids of 422s, and that nothing is written when an error is returned.
"""
from __future__ import annotations

import re
from datetime import timedelta

from tests.acceptance.client import Api, add_months, days_ago, iso, rule_ids, vote
from tests.acceptance.flows import (
    admission_steps,
    admit,
    applicant,
    application,
    decision,
    discipline_steps,
    open_admission,
)

VIETNAMESE = re.compile(r"[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]", re.I)
UNKNOWN = 987654321


def snapshot(api: Api, case_id: int) -> tuple:
    case = api.case(case_id)
    return case["state"], case["revision"], len(api.events(case_id))


def code_of(body: dict) -> str:
    return body["error"]["code"]


def refused(api: Api, case_id: int, trigger: str, data: dict, status: int, code: str, revision=None,
            observer: Api | None = None) -> dict:
    """Fire and expect an error; the case is left exactly as it was (as `observer`, default `api`, sees it)."""
    observer = observer or api
    before = snapshot(observer, case_id)
    body = {"data": data} if revision is None else {"data": data, "revision": revision}
    answer = api.call("POST", f"/cases/{case_id}/actions/{trigger}", status, json=body)
    assert code_of(answer) == code, answer
    assert snapshot(observer, case_id) == before
    return answer


def first_refusal(tree, cell, case_id: int, steps, latest: str) -> tuple[str, dict]:
    """Fire the steps, each as the body the procedure names, until one is refused with 422 (no later than
    `latest`): that trigger and the body."""
    for trigger, who, data, state in steps:
        api = tree.actor("roles", who, cell)
        before = snapshot(api, case_id)
        resp = api.raw("POST", f"/cases/{case_id}/actions/{trigger}", json={"data": data})
        if resp.status_code != 200:
            assert resp.status_code == 422 and code_of(resp.json()) == "rule_violated", (trigger, resp.text)
            assert snapshot(api, case_id) == before, "something was written"
            return trigger, resp.json()
        assert resp.json()["state"] == state, resp.text
        assert trigger != latest, f"{latest} was accepted"
    raise AssertionError("no step was refused")


def opened_or_refused(api: Api, procedure: str, person_id: int, organisation_id: int, data: dict):
    """POST /cases: the case when accepted, or the 422 body (and no case written) when refused."""
    before = api.get("/cases", person_id=person_id)["total"]
    resp = api.raw("POST", "/cases", json={"procedure": procedure, "person_id": person_id,
                                           "organisation_id": organisation_id, "data": data})
    if resp.status_code == 201:
        return resp.json(), None
    assert resp.status_code == 422 and code_of(resp.json()) == "rule_violated", resp.text
    assert api.get("/cases", person_id=person_id)["total"] == before
    return None, resp.json()


def test_unauthenticated_without_or_with_a_bad_token(server, tree):
    """No token, or a token that is not one: 401 unauthenticated, nothing written."""
    cell = tree.cell()
    person = applicant(tree, cell)
    for anonymous in (Api(server.base_url, None), Api(server.base_url, "qt_this-is-not-a-token")):
        assert code_of(anonymous.get("/cases", expect=401)) == "unauthenticated"
        body = {"procedure": "admission", "person_id": person, "organisation_id": cell.id,
                "data": {"resolution_date": iso(days_ago(3)), "helper_id": cell.officials[0]}}
        assert code_of(anonymous.post("/cases", body, expect=401)) == "unauthenticated"
    assert tree.admin.get("/cases", person_id=person)["total"] == 0


def test_not_found_for_unknown_or_invisible_objects(tree):
    """Unknown ids are 404 not_found; so is a case outside the caller's organisations."""
    for path in (f"/cases/{UNKNOWN}", f"/cases/{UNKNOWN}/events", f"/persons/{UNKNOWN}", f"/organisations/{UNKNOWN}"):
        assert code_of(tree.admin.get(path, expect=404)) == "not_found"
    assert code_of(tree.admin.call("POST", f"/cases/{UNKNOWN}/actions/withdraw", 404,
                                   json={"data": {"reason": "x"}})) == "not_found"
    cell = tree.cell("commune")
    case = open_admission(tree, "roles", cell, applicant(tree, cell), days_ago(3))
    outsider = tree.users["committee_ward"]
    assert code_of(outsider.get(f"/cases/{case['id']}", expect=404)) == "not_found"
    refused(outsider, case["id"], "withdraw", {"reason": "Không thuộc quyền."}, 404, "not_found", observer=tree.admin)


def test_invalid_input_nothing_written(tree):
    """Malformed JSON, a missing or ill-typed field, an unknown procedure or trigger: 400 invalid_input."""
    cell = tree.cell()
    secretary = tree.users["secretary"]  # who opens an admission case: the input is then checked
    person = applicant(tree, cell)
    good = {"procedure": "admission", "person_id": person, "organisation_id": cell.id,
            "data": {"resolution_date": iso(days_ago(3)), "helper_id": cell.officials[0]}}
    resp = secretary.raw("POST", "/cases", data=b'{"procedure": "admission", ',
                          headers={"Content-Type": "application/json"})
    assert resp.status_code == 400 and code_of(resp.json()) == "invalid_input", resp.text
    bad_bodies = [
        {k: v for k, v in good.items() if k != "person_id"},
        {**good, "person_id": "một"},
        {**good, "procedure": "promotion"},
        {**good, "data": {"resolution_date": "30/11/2026", "helper_id": cell.officials[0]}},
        {**good, "data": {"helper_id": cell.officials[0]}},
    ]
    english_left = re.compile(r"Must be|Not a valid|Missing data|Unknown field")
    for body in bad_bodies + [{**good, "per_page": 5}]:
        error = secretary.post("/cases", body, expect=400)["error"]
        assert error["code"] == "invalid_input" and not english_left.search(error["message"]), (body, error)
    assert tree.admin.get("/cases", person_id=person)["total"] == 0
    case = secretary.post("/cases", good)
    refused(secretary, case["id"], "promote", {}, 400, "invalid_input")
    refused(secretary, case["id"], "withdraw", {"reason": 42}, 400, "invalid_input")


def test_transition_not_allowed_and_stale_revision(tree):
    """A trigger not applying in the state is 409 transition_not_allowed; a stale revision is 409 conflict."""
    cell = tree.cell()
    secretary = tree.users["secretary"]
    case = open_admission(tree, "roles", cell, applicant(tree, cell), days_ago(20))
    refused(secretary, case["id"], "hold_ceremony", {"ceremony_date": iso(days_ago(1))}, 409,
            "transition_not_allowed")
    stale = case["revision"]
    secretary.fire(case["id"], "submit_application", application(cell, days_ago(15)), "application_submitted")
    refused(secretary, case["id"], "withdraw", {"reason": "Rút đơn."}, 409, "conflict", revision=stale)


def test_forbidden_for_a_role_that_does_not_allow_the_step(tree):
    """The secretary may not decide an admission nor create users; the committee may not record the cell vote."""
    cell = tree.cell()
    case = admit(tree, "roles", cell, applicant(tree, cell), days_ago(30), until="opinions_collected")
    committee, secretary = tree.users["committee_commune"], tree.users["secretary"]
    assert "cell_vote" not in committee.case(case["id"])["allowed_actions"]
    refused(committee, case["id"], "cell_vote", vote(days_ago(6), 4, 4), 403, "forbidden")
    steps = admission_steps(cell, days_ago(30))
    secretary.fire(case["id"], "cell_vote", steps[3][2], "cell_approved")
    committee.fire(case["id"], "committee_vote", steps[4][2], "committee_approved")
    assert "decide_admission" not in secretary.case(case["id"])["allowed_actions"]
    refused(secretary, case["id"], "decide_admission", steps[5][2], 403, "forbidden")
    body = secretary.post("/users", {"username": "intruder", "password": "Mật-khẩu-rất-dài-2026",
                                     "display_name": "X", "email": "x@example.vn"}, expect=403)
    assert code_of(body) == "forbidden"


def test_messages_are_vietnamese_by_default_and_english_on_request(server, tree):
    """The error message is Vietnamese without Accept-Language, English with Accept-Language: en."""
    english = Api(server.base_url, server.admin_token, "admin-en", language="en")
    vi = tree.admin.get(f"/cases/{UNKNOWN}", expect=404)["error"]["message"]
    en = english.get(f"/cases/{UNKNOWN}", expect=404)["error"]["message"]
    assert VIETNAMESE.search(vi) and not VIETNAMESE.search(en) and en.strip(), (vi, en)
    vi = Api(server.base_url, None).get("/cases", expect=401)["error"]["message"]
    en = Api(server.base_url, None, language="en").get("/cases", expect=401)["error"]["message"]
    assert VIETNAMESE.search(vi) and not VIETNAMESE.search(en), (vi, en)


# ---- 422: each rule api.md names, provoked once ---------------------------------------------------

def admission_refused(tree, cell, person_id: int, ceremony, rule: str, **override) -> dict:
    case = open_admission(tree, "roles", cell, person_id, ceremony - timedelta(50))
    trigger, body = first_refusal(tree, cell, case["id"], admission_steps(cell, ceremony, **override), "cell_vote")
    assert rule in rule_ids(body), body
    return body


def test_rule_age_min(tree):
    """An applicant under 18 on the cell vote date: 422 age_min (message in English on request too)."""
    cell = tree.cell()
    ceremony = days_ago(30)
    born = add_months(ceremony - timedelta(24), -18 * 12) + timedelta(days=10)
    body = admission_refused(tree, cell, applicant(tree, cell, born=born), ceremony, "age_min")
    assert VIETNAMESE.search(body["error"]["message"])


def test_rule_introducers(tree):
    """A single introducer without a union resolution: 422 introducers."""
    cell = tree.cell()
    ceremony = days_ago(30)
    admission_refused(tree, cell, applicant(tree, cell), ceremony, "introducers",
                      application=application(cell, ceremony - timedelta(44), introducers=1))


def test_rule_certificate_valid(tree):
    """A Party-awareness course certificate older than 60 months: 422 certificate_valid."""
    cell = tree.cell()
    ceremony = days_ago(30)
    applied = ceremony - timedelta(44)
    admission_refused(tree, cell, applicant(tree, cell), ceremony, "certificate_valid",
                      application=application(cell, applied, certificate_issued=add_months(applied, -62)))


def test_rule_deadline_passed(tree, server):
    """A ceremony ~2 months after the decision was received (30 working days at most): 422 deadline_passed in English."""
    cell = tree.cell()
    ceremony = days_ago(100)
    case = admit(tree, "roles", cell, applicant(tree, cell), ceremony, until="admitted")
    english = tree.english("secretary")  # the cell secretary, who holds the ceremony, asking in English
    before = snapshot(tree.admin, case["id"])
    body = english.call("POST", f"/cases/{case['id']}/actions/hold_ceremony", 422,
                        json={"data": {"ceremony_date": iso(days_ago(40))}})
    assert "deadline_passed" in rule_ids(body) and not VIETNAMESE.search(body["error"]["message"]), body
    assert snapshot(tree.admin, case["id"]) == before


def test_a_late_admission_decision_is_taken_and_marked_late(tree):
    """late_decision: decided ~4 months after the cell resolution (60 working days): admitted, the event marked late."""
    cell = tree.cell()
    case = admit(tree, "roles", cell, applicant(tree, cell), days_ago(100), until="committee_approved")
    done = tree.actor("roles", "competent", cell).fire(
        case["id"], "decide_admission", decision(days_ago(5), received_date=iso(days_ago(3))), "admitted")
    (late,) = tree.admin.events(done["id"])[-1]["data"]["late"]
    assert late["deadline"] == "admission_decision" and late["rule"] == "late_decision" and late["working_days"] > 0


def test_rule_deadline_passed_for_a_late_ceremony_unless_consented(tree):
    """A ceremony ~2 months after the decision was received: 422 deadline_passed; with superior_consent, completed."""
    cell = tree.cell()
    case = admit(tree, "roles", cell, applicant(tree, cell), days_ago(100), until="admitted")
    late = {"ceremony_date": iso(days_ago(40))}
    secretary = tree.users["secretary"]
    body = refused(secretary, case["id"], "hold_ceremony", late, 422, "rule_violated")
    assert "deadline_passed" in rule_ids(body), body
    secretary.fire(case["id"], "hold_ceremony", {**late, "superior_consent": True}, "completed")


def test_rule_deadline_passed_for_a_late_appeal(tree):
    """An appeal filed more than a month after receiving the discipline decision: 422 deadline_passed at open."""
    cell = tree.cell()
    member = tree.official(cell.id)
    start = days_ago(100)
    case, _ = opened_or_refused(tree.users["secretary"], "discipline", member, cell.id, {
        "violation": "Vi phạm quy định về những điều đảng viên không được làm.",
        "violation_date": iso(days_ago(150)), "proposed_form": "reprimand"})
    for trigger, who, data, state in discipline_steps(cell, start, len(cell.officials) + 1, "reprimand"):
        tree.actor("roles", who, cell).fire(case["id"], trigger, data, state)
    late = {"against_case_id": case["id"], "received_decision_on": iso(start + timedelta(16)),
            "filed_on": iso(days_ago(1)), "grounds": "Đảng viên không đồng ý với hình thức kỷ luật."}
    appeal, body = opened_or_refused(tree.users["inspection"], "appeal", member, cell.id, late)
    assert appeal is None and "deadline_passed" in rule_ids(body), body


def test_one_open_admission_per_person(tree):
    """A second admission case for a person with one open is refused with an error body; nothing written."""
    cell = tree.cell()
    person = applicant(tree, cell)
    open_admission(tree, "roles", cell, person, days_ago(10))
    resp = tree.users["secretary"].raw("POST", "/cases", json={
        "procedure": "admission", "person_id": person, "organisation_id": cell.id,
        "data": {"resolution_date": iso(days_ago(2)), "helper_id": cell.officials[0]}})
    assert resp.status_code in (409, 422) and code_of(resp.json()) in ("conflict", "rule_violated"), resp.text
    assert tree.admin.get("/cases", person_id=person)["total"] == 1


def test_a_secretary_registers_persons_in_their_own_cell_only(tree):
    """A cell secretary registers an applicant in their cell; elsewhere it is refused (403 or 404)."""
    cell, other = tree.cell(), tree.organisation("Chi bộ không có quyền", "cell", tree.ward)
    secretary = tree.users["secretary"]
    body = {"full_name": "Trần Thị Mới", "birth_date": "2001-09-02", "organisation_id": cell.id,
            "membership_status": "none", "education": "higher"}
    created = secretary.post("/persons", body)
    assert secretary.get(f"/persons/{created['id']}")["membership_status"] == "none"
    resp = secretary.raw("POST", "/persons", json={**body, "organisation_id": other})
    assert resp.status_code in (403, 404) and code_of(resp.json()) in ("forbidden", "not_found"), resp.text


def test_rule_form_not_allowed(tree):
    """Expulsion proposed for a probationary member: 422 form_not_allowed."""
    cell = tree.cell()
    member = tree.person(cell.id, "probationary", born=add_months(days_ago(0), -30 * 12), joined_on=days_ago(120))
    eligible = len(cell.officials)
    case, body = opened_or_refused(tree.users["secretary"], "discipline", member, cell.id, {
        "violation": "Vi phạm quy định về những điều đảng viên không được làm.",
        "violation_date": iso(days_ago(60)), "proposed_form": "expulsion"})
    if case is not None:
        trigger, body = first_refusal(tree, cell, case["id"], discipline_steps(cell, days_ago(30), eligible,
                                                                                 "expulsion"), "decide_discipline")
    assert "form_not_allowed" in rule_ids(body), body


def test_rule_statute_of_limitations(tree):
    """A reprimand-level violation more than 60 months before the decision: 422 statute_of_limitations."""
    cell = tree.cell()
    member = tree.official(cell.id)
    case, body = opened_or_refused(tree.users["secretary"], "discipline", member, cell.id, {
        "violation": "Vi phạm quy định về những điều đảng viên không được làm.",
        "violation_date": iso(add_months(days_ago(0), -62)), "proposed_form": "reprimand"})
    if case is not None:
        steps = discipline_steps(cell, days_ago(30), len(cell.officials) + 1, "reprimand")
        trigger, body = first_refusal(tree, cell, case["id"], steps, "decide_discipline")
    assert "statute_of_limitations" in rule_ids(body), body
