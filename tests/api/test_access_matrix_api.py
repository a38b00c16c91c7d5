"""The API's access matrix: every /api/ route × every principal × an object in their organisation or a foreign one.

The web UI's matrix (tests/web/route_table.py) delegates the /api/ prefix here.
A route of app.url_map under /api/ missing from ROUTES fails the suite, and so
does a listed route that no longer exists. Symbols: numbers are HTTP statuses.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Callable

import pytest

from tests.api.support import build_province

PRINCIPALS = ("anonymous", "secretary", "committee", "officer", "standing", "inspection", "inspector", "outsider",
              "admin")
ID = "<int(max=2147483647):{}>"
counter = itertools.count(1)


@dataclass(frozen=True)
class Route:
    method: str
    rule: str
    request: Callable  # (ctx, where) -> (path under /api/v1, json body or None)
    own: str
    foreign: str | None = None

    def expected(self, where: str) -> list[int]:
        row = (self.foreign if where == "foreign" and self.foreign else self.own).split()
        assert len(row) == len(PRINCIPALS), self.rule
        return [int(x) for x in row]


def org(ctx, where):
    return ctx["orgs"]["cell" if where == "own" else "gcell"]


def new_person_body(ctx, where):
    return {"full_name": f"Người {next(counter)}", "birth_date": "1990-01-01", "organisation_id": org(ctx, where),
            "membership_status": "none"}


def open_case_body(ctx, where):
    person = ctx["api"].ok("POST", "/persons", 201, json=new_person_body(ctx, where))["id"]
    helper = ctx["people"]["cell_m1" if where == "own" else "gcell_m1"]
    return {"procedure": "admission", "person_id": person, "organisation_id": org(ctx, where),
            "data": {"resolution_date": "2026-11-02", "helper_id": helper}}


def fresh_token(ctx, where):
    return ctx["api"].ok("POST", "/tokens", 201, json={"user_id": ctx["users"]["secretary"]})["id"]


#                                                                  anon sec comm offi stand insp inspr outs admin
ROUTES = [
    Route("POST", "/api/v1/organisations",
          lambda c, w: ("/organisations", {"name": f"Chi bộ {next(counter)}",
                                           "kind": "cell" if w == "own" else "grassroots_cell",
                                           "parent_id": c["orgs"]["commune" if w == "own" else "province"]}),
          own="401 403 403 403 403 403 403 404 201", foreign="401 403 403 403 403 403 403 404 201"),
    Route("GET", "/api/v1/organisations/" + ID.format("organisation_id"),
          lambda c, w: (f"/organisations/{org(c, w)}", None),
          own="401 200 200 200 200 200 200 404 200", foreign="401 404 404 404 404 200 200 404 200"),
    Route("POST", "/api/v1/users",
          lambda c, w: ("/users", {"username": f"u{next(counter)}", "password": "a long enough password",
                                   "display_name": "U", "email": None}),
          own="401 403 403 403 403 403 403 403 201"),
    Route("GET", "/api/v1/users/me", lambda c, w: ("/users/me", None), own="401 200 200 200 200 200 200 200 200"),
    Route("GET", "/api/v1/users/" + ID.format("user_id"),
          lambda c, w: (f"/users/{c['users']['secretary']}", None), own="401 200 404 404 404 404 404 404 200"),
    Route("POST", "/api/v1/users/" + ID.format("user_id") + "/roles",
          lambda c, w: (f"/users/{c['grantee']}/roles", {"organisation_id": org(c, w), "role": "inspector"}),
          own="401 403 403 403 403 403 403 403 201"),
    Route("POST", "/api/v1/persons", lambda c, w: ("/persons", new_person_body(c, w)),
          own="401 201 201 201 201 403 403 404 201", foreign="401 404 404 404 404 403 403 404 201"),
    Route("GET", "/api/v1/persons/" + ID.format("person_id"),
          lambda c, w: (f"/persons/{c['people']['cell_m2' if w == 'own' else 'gcell_m2']}", None),
          own="401 200 200 200 200 200 200 404 200", foreign="401 404 404 404 404 200 200 404 200"),
    # admin administers the system and records no party step (issue 13).
    Route("POST", "/api/v1/cases", lambda c, w: ("/cases", open_case_body(c, w)),
          own="401 201 403 403 403 403 403 404 403", foreign="401 404 404 404 404 403 403 404 403"),
    Route("GET", "/api/v1/cases", lambda c, w: ("/cases", None), own="401 200 200 200 200 200 200 200 200"),
    Route("GET", "/api/v1/cases/" + ID.format("case_id"), lambda c, w: (f"/cases/{c['cases'][w]}", None),
          own="401 200 200 200 200 200 200 404 200", foreign="401 404 404 404 404 200 200 404 200"),
    # The case waits for submit_application (the secretary's step): empty data → 400 once access is granted.
    Route("POST", "/api/v1/cases/" + ID.format("case_id") + "/actions/<trigger>",
          lambda c, w: (f"/cases/{c['cases'][w]}/actions/submit_application", {"data": {}}),
          own="401 400 403 403 403 403 403 404 403", foreign="401 404 404 404 404 403 403 404 403"),
    Route("GET", "/api/v1/cases/" + ID.format("case_id") + "/events",
          lambda c, w: (f"/cases/{c['cases'][w]}/events", None),
          own="401 200 200 200 200 200 200 404 200", foreign="401 404 404 404 404 200 200 404 200"),
    # Documents (issue 15): whoever may read the case (or the person) may read its documents.
    Route("GET", "/api/v1/cases/" + ID.format("case_id") + "/forms",
          lambda c, w: (f"/cases/{c['cases'][w]}/forms", None),
          own="401 200 200 200 200 200 200 404 200", foreign="401 404 404 404 404 200 200 404 200"),
    Route("GET", "/api/v1/cases/" + ID.format("case_id") + "/forms/<form_id>",
          lambda c, w: (f"/cases/{c['cases'][w]}/forms/6-KND?draft=true", None),
          own="401 200 200 200 200 200 200 404 200", foreign="401 404 404 404 404 200 200 404 200"),
    Route("GET", "/api/v1/persons/" + ID.format("person_id") + "/dossier",
          lambda c, w: (f"/persons/{c['people']['cell_m2' if w == 'own' else 'gcell_m2']}/dossier", None),
          own="401 200 200 200 200 200 200 404 200", foreign="401 404 404 404 404 200 200 404 200"),
    Route("POST", "/api/v1/tokens", lambda c, w: ("/tokens", {"name": "matrix"}),
          own="401 201 201 201 201 201 201 201 201"),
    Route("GET", "/api/v1/tokens", lambda c, w: ("/tokens", None), own="401 200 200 200 200 200 200 200 200"),
    Route("DELETE", "/api/v1/tokens/<int(max=2147483647):token_id>",
          lambda c, w: (f"/tokens/{fresh_token(c, w)}", None), own="401 204 404 404 404 404 404 404 204"),
    Route("GET", "/api/v1/calendar/add-working-days",
          lambda c, w: ("/calendar/add-working-days?start=2026-01-02&days=3", None),
          own="401 200 200 200 200 200 200 200 200"),
    Route("GET", "/api/v1/reports/summary",
          lambda c, w: (f"/reports/summary?organisation_id={org(c, w)}&from=2026-01-01&to=2026-12-31", None),
          own="401 200 200 200 200 200 200 404 200", foreign="401 404 404 404 404 200 200 404 200"),
    # The caller's own notifications and calendar feed (issue 17): everyone signed in; another's notice is 404.
    Route("GET", "/api/v1/me/notifications", lambda c, w: ("/me/notifications", None),
          own="401 200 200 200 200 200 200 200 200"),
    Route("POST", "/api/v1/me/notifications/" + ID.format("notification_id") + "/read",
          lambda c, w: ("/me/notifications/999999/read", None), own="401 404 404 404 404 404 404 404 404"),
    Route("POST", "/api/v1/me/calendar-feed", lambda c, w: ("/me/calendar-feed", None),
          own="401 201 201 201 201 201 201 201 201"),
    Route("DELETE", "/api/v1/me/calendar-feed", lambda c, w: ("/me/calendar-feed", None),
          own="401 204 204 204 204 204 204 204 204"),
    # Imports (issue 16): administrators and organisation officers; no file → 400 once access is granted.
    Route("POST", "/api/v1/imports", lambda c, w: ("/imports", None), own="401 403 403 400 403 403 403 403 400"),
    # Public: the document and its browsable page.
    Route("GET", "/api/v1/openapi.json", lambda c, w: ("/openapi.json", None), own="200 200 200 200 200 200 200 200 200"),
    Route("GET", "/api/v1/docs", lambda c, w: ("/docs", None), own="200 200 200 200 200 200 200 200 200"),
    Route("GET", "/api/v1/docs/", lambda c, w: ("/docs/", None), own="200 200 200 200 200 200 200 200 200"),
    Route("GET", "/api/v1/docs/init.js", lambda c, w: ("/docs/init.js", None),
          own="200 200 200 200 200 200 200 200 200"),
    Route("GET", "/api/v1/docs/assets/<name>", lambda c, w: ("/docs/assets/swagger-ui.css", None),
          own="200 200 200 200 200 200 200 200 200"),
]


@pytest.fixture(scope="module")
def ctx(api):
    province = build_province(api)
    cases = {}
    for where in ("own", "foreign"):
        body = open_case_body({"api": api, "orgs": province.orgs, "people": province.people}, where)
        # Opened by the cell's secretary: a party step is a party role's (admin records none).
        cases[where] = api.ok("POST", "/cases", 201, json=body,
                              as_="secretary" if where == "own" else "secretary_g")["id"]
    grantee = api.ok("POST", "/users", 201, json={"username": "grantee", "password": "a long enough password"})["id"]
    return {"api": api, "orgs": province.orgs, "people": province.people, "users": province.users, "cases": cases,
            "grantee": grantee}


def test_every_api_route_is_in_the_matrix(api_app):
    """The matrix lists exactly the routes the app serves under /api/."""
    served = {(m, r.rule) for r in api_app.url_map.iter_rules() if r.rule.startswith("/api/")
              for m in r.methods - {"HEAD", "OPTIONS"}}
    listed = {(r.method, r.rule) for r in ROUTES}
    assert served == listed, {"missing from the matrix": served - listed, "no longer served": listed - served}


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r.method} {r.rule}")
@pytest.mark.parametrize("where", ["own", "foreign"])
def test_route_answers_each_principal_as_the_matrix_says(ctx, route, where):
    """Each principal gets the matrix's answer for an object in their own organisation and in a foreign one."""
    api = ctx["api"]
    got = []
    for principal in PRINCIPALS:
        path, body = route.request(ctx, where)
        response = api.request(route.method, path, as_=None if principal == "anonymous" else principal, json=body)
        got.append(response.status_code)
        if response.status_code >= 400:
            assert response.get_json()["error"]["code"]
    assert got == route.expected(where), dict(zip(PRINCIPALS, got))
