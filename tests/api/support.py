"""Speaking only api.md: a small HTTP client over the WSGI app, and a province built through it."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from workflows.engine import LOCAL_ZONE, FixedClock

PASSWORD = "correct horse battery staple"


class ApiError(AssertionError):
    pass


@dataclass
class Api:
    """A client of /api/v1 acting with bearer tokens; `clock` is the app's (tests move it)."""

    client: Any
    clock: FixedClock
    admin_token: str
    tokens: dict[str, str] = field(default_factory=dict)

    def request(self, method: str, path: str, *, as_: str | None = "admin", token: str | None = None,
                json: Any = None, lang: str | None = None, **kwargs):
        headers = dict(kwargs.pop("headers", {}) or {})
        bearer = token if token is not None else (self.admin_token if as_ == "admin" else self.tokens.get(as_))
        if bearer:
            headers["Authorization"] = f"Bearer {bearer}"
        if lang:
            headers["Accept-Language"] = lang
        return self.client.open("/api/v1" + path, method=method, json=json, headers=headers, **kwargs)

    def ok(self, method: str, path: str, status: int = 200, **kwargs) -> Any:
        response = self.request(method, path, **kwargs)
        if response.status_code != status:
            raise ApiError(f"{method} {path}: expected {status}, got {response.status_code}: {response.get_data(True)}")
        return response.get_json(silent=True)

    def fails(self, method: str, path: str, status: int, code: str, **kwargs) -> dict:
        response = self.request(method, path, **kwargs)
        body = response.get_json(silent=True)
        if response.status_code != status or not body or body.get("error", {}).get("code") != code:
            raise ApiError(f"{method} {path}: expected {status} {code}, got {response.status_code}: "
                           f"{response.get_data(True)}")
        assert set(body["error"]) == {"code", "message", "details"} and body["error"]["message"]
        return body["error"]

    def on(self, day: date) -> None:
        """Move the application's clock to 09:00 in Vietnam on `day`."""
        self.clock.instant = datetime.combine(day, time(9, 0), tzinfo=LOCAL_ZONE)

    def fire(self, case: dict, trigger: str, data: dict, *, as_: str, day: date | None = None,
             status: int = 200, **extra) -> dict:
        if day is not None:
            self.on(day)
        body = {"data": data, "revision": case["revision"], **extra}
        return self.ok("POST", f"/cases/{case['id']}/actions/{trigger}", status, json=body, as_=as_)


@dataclass
class Province:
    """Ids of what `build_province` created."""

    orgs: dict[str, int] = field(default_factory=dict)
    users: dict[str, int] = field(default_factory=dict)
    people: dict[str, int] = field(default_factory=dict)


def build_province(api: Api) -> Province:
    """Province → commune (delegated admission authority) → cell; a grassroots cell; users with tokens; members.

    Everything through the API, as the admin bootstrapped from the command line.
    """
    p = Province()

    def org(key, name, kind, parent=None, authority=False):
        p.orgs[key] = api.ok("POST", "/organisations", 201, json={
            "name": name, "kind": kind, "parent_id": p.orgs.get(parent), "admission_authority": authority})["id"]

    org("province", "Đảng bộ tỉnh Quảng Trị", "province_committee")
    org("commune", "Đảng ủy xã Tân Phú", "grassroots_committee", "province", authority=True)
    org("cell", "Chi bộ thôn 1", "cell", "commune")
    org("other_cell", "Chi bộ thôn 2", "cell", "commune")
    org("gcell", "Chi bộ cơ sở Công ty Nam Việt", "grassroots_cell", "province")

    def user(key, role=None, at=None):
        created = api.ok("POST", "/users", 201, json={
            "username": key, "password": PASSWORD, "display_name": key, "email": f"{key}@example.test"})
        p.users[key] = created["id"]
        if role:
            api.ok("POST", f"/users/{created['id']}/roles", 201, json={"organisation_id": p.orgs[at], "role": role})
        api.tokens[key] = api.ok("POST", "/tokens", 201, json={"name": "tests", "user_id": created["id"]})["token"]

    user("secretary", "cell_secretary", "cell")
    user("other_secretary", "cell_secretary", "other_cell")
    user("secretary_g", "cell_secretary", "gcell")
    user("committee", "committee_member", "commune")
    user("officer", "organisation_officer", "commune")
    user("standing", "standing_committee", "commune")
    user("standing_province", "standing_committee", "province")
    user("inspection", "inspection_committee", "province")
    user("inspector", "inspector", "province")
    user("outsider")

    def person(key, cell, status, born, **extra):
        if status in ("official", "probationary"):
            extra.setdefault("joined_on", "2010-05-19")
        if status == "official":
            extra.setdefault("official_on", "2011-05-19")
        p.people[key] = api.ok("POST", "/persons", 201, json={
            "full_name": key, "birth_date": born, "organisation_id": p.orgs[cell], "membership_status": status,
            "education": "upper_secondary", **extra})["id"]

    for cell in ("cell", "gcell"):
        for i in range(1, 6):
            person(f"{cell}_m{i}", cell, "official", f"198{i}-03-1{i}")
    return p
