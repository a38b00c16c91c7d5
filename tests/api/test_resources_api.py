"""The remaining resources of api.md: lists and filters, calendar, reports, tokens and their audit, the document."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from models import AuditRecord
from tests.api.support import build_province
from tests.api.test_admission_api import new_applicant, open_admission, walk
from workflows.domain.rulesets import RULE_SETS
from workflows.procedures.registry import PROCEDURE_BUILDERS, get_procedure


@pytest.fixture(scope="module")
def province(api):
    return build_province(api)


@pytest.fixture(scope="module")
def cases(api, province):
    """Three admissions in the cell (one admitted), one in the grassroots cell."""
    made = []
    for name in ("Danh sách 1", "Danh sách 2", "Danh sách 3"):
        case, steps = open_admission(api, province, new_applicant(api, province, name))
        made.append(walk(api, case, steps, "admitted") if name.endswith("1") else case)
    person = new_applicant(api, province, "Danh sách G", cell="gcell")
    made.append(api.ok("POST", "/cases", 201, as_="secretary_g", json={
        "procedure": "admission", "person_id": person, "organisation_id": province.orgs["gcell"],
        "data": {"resolution_date": "2025-03-03", "helper_id": province.people["gcell_m1"]}}))
    return made


def test_case_list_paginates_and_filters(api, province, cases):
    """GET /cases pages newest first and filters by procedure, state, subtree, person and overdue."""
    page = api.ok("GET", "/cases?per_page=2&page=1")
    assert (page["total"], page["page"], page["per_page"], len(page["items"])) == (4, 1, 2, 2)
    assert page["items"][0]["id"] == cases[-1]["id"]
    assert len(api.ok("GET", "/cases?per_page=2&page=2")["items"]) == 2
    assert api.ok("GET", "/cases?per_page=2&page=3")["items"] == []
    assert api.ok("GET", "/cases?state=admitted")["total"] == 1
    assert api.ok("GET", "/cases?procedure=admission")["total"] == 4
    assert api.ok("GET", f"/cases?organisation_id={province.orgs['commune']}")["total"] == 3
    assert api.ok("GET", f"/cases?organisation_id={province.orgs['gcell']}")["total"] == 1
    assert [c["id"] for c in api.ok("GET", f"/cases?person_id={cases[1]['person_id']}")["items"]] == [cases[1]["id"]]
    api.on(date(2026, 11, 30))  # the ceremony deadline of the admitted case (mid-2025) is long past
    overdue = api.ok("GET", "/cases?overdue=true")
    assert [c["id"] for c in overdue["items"]] == [cases[0]["id"]]
    assert api.ok("GET", "/cases?overdue=false")["total"] == 3


def test_case_list_shows_only_what_the_caller_may_see(api, province, cases):
    """A secretary sees their cell's cases only; an outsider sees none; allowed_actions are the caller's."""
    mine = api.ok("GET", "/cases", as_="secretary")
    assert mine["total"] == 3 and all(c["organisation_id"] == province.orgs["cell"] for c in mine["items"])
    assert api.ok("GET", "/cases", as_="other_secretary")["total"] == 0
    assert api.ok("GET", "/cases", as_="outsider")["total"] == 0
    sympathiser = api.ok("GET", f"/cases/{cases[1]['id']}", as_="secretary")
    assert "submit_application" in sympathiser["allowed_actions"]
    assert api.ok("GET", f"/cases/{cases[1]['id']}", as_="inspector")["allowed_actions"] == []


def test_case_json_has_the_fields_of_api_md(api, cases):
    """A case carries id, procedure, rule_set, state, person, organisation, revision, actions, deadlines, data."""
    case = api.ok("GET", f"/cases/{cases[0]['id']}")
    assert set(case) >= {"id", "procedure", "rule_set", "state", "person_id", "organisation_id", "revision",
                         "allowed_actions", "deadlines", "data"}
    assert case["rule_set"] in RULE_SETS
    assert {"kind", "due_date", "status"} <= set(case["deadlines"][0])


def test_calendar_adds_working_days(api):
    """The 5th working day after Friday 2026-04-24 skips the weekend and the 30/4 and 1/5 holidays."""
    assert api.ok("GET", "/calendar/add-working-days?start=2026-04-24&days=5") == {"date": "2026-05-06"}
    api.fails("GET", "/calendar/add-working-days?start=2026-04-24", 400, "invalid_input")
    api.fails("GET", "/calendar/add-working-days?start=24/04/2026&days=1", 400, "invalid_input")


def test_report_summary_counts_decisions_in_the_subtree_and_period(api, province, cases):
    """The admitted case counts for its commune and the province in its decision period, not elsewhere."""
    decided = date.fromisoformat(cases[0]["decided_on"])
    query = f"from={decided.year}-01-01&to={decided.year}-12-31"
    figures = api.ok("GET", f"/reports/summary?organisation_id={province.orgs['province']}&{query}")
    assert set(figures) >= {"admitted", "recognised", "struck_off", "struck_off_probationary", "expelled", "withdrawn"}
    assert figures["admitted"] == 1
    assert api.ok("GET", f"/reports/summary?organisation_id={province.orgs['gcell']}&{query}")["admitted"] == 0
    assert api.ok("GET", f"/reports/summary?organisation_id={province.orgs['province']}"
                         f"&from={decided.year + 1}-01-01&to={decided.year + 1}-12-31")["admitted"] == 0
    api.fails("GET", f"/reports/summary?organisation_id={province.orgs['province']}&{query}", 404, "not_found",
              as_="outsider")


def test_tokens_are_listed_revoked_and_their_use_audited(api, api_app):
    """A user issues a token for themself, uses it (audited), lists it, revokes it; others cannot revoke it."""
    issued = api.ok("POST", "/tokens", 201, json={"name": "laptop"}, as_="secretary")
    me = api.ok("GET", "/users/me", token=issued["token"])
    assert me["username"] == "secretary" and me["roles"][0]["role"] == "cell_secretary"
    listed = api.ok("GET", "/tokens", as_="secretary")
    assert issued["id"] in [t["id"] for t in listed] and all("token" not in t for t in listed)
    api.fails("DELETE", f"/tokens/{issued['id']}", 404, "not_found", as_="other_secretary")
    api.ok("DELETE", f"/tokens/{issued['id']}", 204, as_="secretary")
    api.fails("GET", "/users/me", 401, "unauthenticated", token=issued["token"])
    with api_app.extensions["quytrinh"].session_factory() as session:
        rows = session.scalars(select(AuditRecord).where(AuditRecord.object_type == "api_token",
                                                         AuditRecord.object_id == str(issued["id"]))).all()
    actions = [(r.action, r.outcome) for r in rows]
    assert ("api.token_use", "ok") in actions and ("api.token_revoked", "ok") in actions
    assert ("api.token_rejected", "denied") in actions
    assert all(issued["token"] not in (r.detail or "") for r in rows)


def test_openapi_document_describes_every_trigger_of_every_procedure(api):
    """The generated document has a data schema for each trigger of each registered procedure."""
    spec = api.ok("GET", "/openapi.json", as_=None)
    assert spec["openapi"].startswith("3.")
    schemas = spec["components"]["schemas"]
    for name in PROCEDURE_BUILDERS:
        definition = get_procedure(name, sorted(RULE_SETS)[-1])
        for step in (definition.open_step, *definition.steps):
            if getattr(step, "system", False):
                continue
            title = "".join(p.title() for part in (name, step.trigger) for p in part.split("_")) + "Data"
            assert title in schemas, title
            assert set(schemas[title].get("properties", {})) == {f.name for f in step.fields}
    action = spec["paths"]["/api/v1/cases/{case_id}/actions/{trigger}"]["post"]
    assert {"400", "401", "403", "404", "409", "422"} <= set(action["responses"])
    error = schemas["Error"]["properties"]["error"]
    assert error


def test_docs_page_is_served_without_internet(api):
    """The Swagger UI page and its assets come from this server: no external script or stylesheet."""
    page = api.client.get("/api/v1/docs")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "swagger-ui" in html and "http" not in html.replace("http-equiv", "")
    assert api.client.get("/api/v1/docs/assets/swagger-ui-bundle.js").status_code == 200
    assert api.client.get("/api/v1/docs/init.js").status_code == 200
    assert api.client.get("/api/v1/docs/assets/../../app.py").status_code == 404
