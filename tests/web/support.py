"""Helpers for the web tests: sign in with the test client, read CSRF tokens, seed cases."""
from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date

from flask.testing import FlaskClient

from tests.support.world import PASSWORD, World
from workflows.demo.walk import admission_plan, at_day, walk
from workflows.dossier.documents import store_document
from workflows.engine import Runtime

_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    """A valid CSRF token for this client's session, read from a page's form."""
    html = client.get(path).get_data(as_text=True)
    match = _TOKEN.search(html)
    assert match, f"no CSRF token on {path}"
    return match.group(1) or match.group(2)


def sign_in(client: FlaskClient, username: str, password: str = PASSWORD):
    token = csrf_token(client, "/login")
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token})


def post(client: FlaskClient, path: str, data: dict | None = None, token_from: str = "/account/preferences", **kw):
    """POST a form with this client's CSRF token (taken from a page it may open)."""
    body = dict(data or {})
    body.setdefault("csrf_token", csrf_token(client, token_from))
    return client.post(path, data=body, **kw)


START = date(2026, 9, 1)


def plan_for(world: World, cell: str, start: date = START):
    return admission_plan(world.people[f"{cell}_m1"], (world.people[f"{cell}_m2"], world.people[f"{cell}_m3"]), start)


def admission_case(runtime: Runtime, world: World, cell: str, until: str = "sympathiser", start: date = START):
    """An admission case of the cell's applicant walked to `until` through the engine."""
    return walk(runtime, plan_for(world, cell, start), person_id=world.people[f"{cell}_applicant"],
                organisation_id=world.orgs[cell], actor_for=world.actor_for(cell), procedure="admission", until=until)


def upload(runtime: Runtime, world: World, case_id: int, user: str, name: str = "don-1-KND.pdf", content: bytes = PDF):
    return store_document(runtime, actor_id=world.users[user], case_id=case_id, filename=name,
                          stream=io.BytesIO(content), kind="1-KNĐ")


@dataclass
class Objects:
    """Things in an own (cell1 / commune) and a foreign (cell3 / ward) organisation, for access tests."""

    case: dict[str, int]
    person: dict[str, int]
    org: dict[str, int]
    document: dict[str, int]


def seed_objects(runtime: Runtime, world: World) -> Objects:
    cases = {"own": admission_case(runtime, world, "cell1").id, "foreign": admission_case(runtime, world, "cell3").id}
    docs = {"own": upload(runtime, world, cases["own"], "secretary1").id,
            "foreign": upload(runtime, world, cases["foreign"], "secretary3").id}
    return Objects(
        case=cases,
        person={"own": world.people["cell1_m1"], "foreign": world.people["cell3_m1"]},
        org={"own": world.orgs["cell1"], "foreign": world.orgs["cell3"]},
        document=docs,
    )


def at(runtime: Runtime, day: date) -> Runtime:
    return at_day(runtime, day)
