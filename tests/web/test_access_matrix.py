"""Every web route × every role × own/foreign organisation answers as tests/web/route_table.py says."""
from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from models import CalendarOverride, RoleAssignment, write_transaction
from tests.support.world import PASSWORD
from tests.web.route_table import DELEGATED_PREFIXES, PRINCIPALS, ROUTES, Route
from tests.web.support import csrf_token, seed_objects, sign_in
from workflows.accounts.accounts import assign_role, create_user

IGNORED_METHODS = {"HEAD", "OPTIONS"}


def _app_routes(app) -> set[tuple[str, str]]:
    found = set()
    for rule in app.url_map.iter_rules():
        if any(rule.rule.startswith(prefix) for prefix in DELEGATED_PREFIXES):
            continue
        for method in rule.methods - IGNORED_METHODS:
            found.add((method, rule.rule))
    return found


def test_every_route_is_in_the_access_table(app):
    """A route added to the app without a row in the access table fails the suite (and so does a stale row)."""
    table = {(r.method, r.rule) for r in ROUTES}
    routes = _app_routes(app)
    missing = sorted(routes - table)
    stale = sorted(table - routes)
    assert not missing, f"routes missing from tests/web/route_table.py: {missing}"
    assert not stale, f"rows of tests/web/route_table.py with no route: {stale}"


def test_every_row_has_an_answer_per_principal():
    """Each row names one expected answer for each principal, own and foreign."""
    for route in ROUTES:
        for where in ("own", "foreign"):
            assert all(s in {"ok", "L", "R", "F", "N", "V", "C"} for s in route.expected(where)), route


def _seed(runtime, world):
    objects = seed_objects(runtime, world)
    grants, days = {}, {"own": date(2026, 12, 26), "foreign": date(2027, 1, 9)}
    with write_transaction(runtime.session_factory) as s:
        for where in ("own", "foreign"):
            spare = create_user(s, username=f"spare_{where}", password=PASSWORD)
            grants[where] = assign_role(s, user_id=spare.id, organisation_id=world.orgs["cell2"], role="inspector").id
            s.add(CalendarOverride(day=days[where], working=True, note="test"))
    runtime.calendar_source.invalidate()
    return objects, grants, days


def _url(route: Route, where: str, world, objects, grants, days) -> str:
    values = {
        "case_id": objects.case[where], "person_id": objects.person[where], "org_id": objects.org[where],
        "document_id": objects.document[where], "user_id": world.users["secretary2"], "grant_id": grants[where],
        "day": days[where].isoformat(), "trigger": "submit_application", "procedure": "admission",
        "path:filename": "css/app.css", "notification_id": 999999, "token": "no-such-feed", "job_id": "no-such-job",
        "form_id": "6-KND", "any(pdf, docx):fmt": "pdf",
    }

    def fill(match: re.Match) -> str:
        name = match.group(1)
        key = name.split(":", 1)[1] if name.startswith("int") and ":" in name else name
        assert key in values, f"no filler for <{name}> in {route.rule}"
        return str(values[key])

    return re.sub(r"<([^>]+)>", fill, route.rule) + route.query


def _classify(response) -> str:
    status = response.status_code
    if status in (301, 302, 303):
        return "L" if "/login" in response.headers.get("Location", "") else "R"
    return {200: "ok", 403: "F", 404: "N", 400: "V", 422: "V", 409: "C"}.get(status, str(status))


def test_access_matrix(app, runtime, world):
    """Walk the table: each principal, each route, an object in their own and in a foreign organisation."""
    objects, grants, days = _seed(runtime, world)
    clients = {}
    for principal in PRINCIPALS:
        client = app.test_client()
        if principal != "anonymous":
            assert sign_in(client, principal).status_code == 302
        clients[principal] = client
    mismatches = []
    for route in ROUTES:
        for where in ("own", "foreign"):
            url = _url(route, where, world, objects, grants, days)
            for principal, expected in zip(PRINCIPALS, route.expected(where)):
                client = clients[principal]
                if route.method == "GET":
                    response = client.get(url)
                else:
                    token = csrf_token(client, "/login" if principal == "anonymous" else "/account/preferences")
                    response = client.open(url, method=route.method, data={"csrf_token": token})
                got = _classify(response)
                if got != expected:
                    mismatches.append(f"{route.method} {url} [{where}] {principal}: expected {expected}, got {got}")
                assert response.status_code < 500, f"{route.method} {url} {principal}: {response.status_code}"
                if route.relogin and principal != "anonymous":
                    assert sign_in(client, principal).status_code == 302
    assert not mismatches, "\n".join(mismatches)


def test_forbidden_answers_are_audited(app, runtime, world):
    """A refused page (403) and an invisible case (404) each leave an audit record of the refusal."""
    from models import AuditRecord

    objects, _grants, _days = _seed(runtime, world)
    client = app.test_client()
    sign_in(client, "outsider")
    assert client.get("/admin/users").status_code == 403
    assert client.get(f"/cases/{objects.case['own']}").status_code == 404
    with runtime.session_factory() as s:
        rows = s.scalars(select(AuditRecord).where(AuditRecord.user_id == world.users["outsider"],
                                                   AuditRecord.outcome == "denied")).all()
    assert {r.action for r in rows} >= {"authz.denied", "case.view"}


@pytest.mark.parametrize("path", ["/", "/cases/", "/organisations", "/account/preferences"])
def test_pages_send_the_security_headers(app, world, path):
    """Every page carries a CSP without inline script, frame-ancestors none, nosniff and a referrer policy."""
    client = app.test_client()
    sign_in(client, "secretary1")
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    html = response.get_data(as_text=True)
    assert "<script>" not in html and not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert not re.search(r"\son[a-z]+=\"", html) and ' style="' not in html
