"""A small HTTP client of api.md, and the organisation tree an integrator would set up with it.

Nothing of the project is imported: only `requests` and what api.md documents.
"""
from __future__ import annotations

import calendar
import itertools
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import requests

TODAY = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()
ERROR_KEYS = {"code", "message", "details"}
_serial = itertools.count(1)


def iso(d: date) -> str:
    return d.isoformat()


def days_ago(n: int) -> date:
    return TODAY - timedelta(days=n)


def add_months(d: date, months: int) -> date:
    """Calendar months, clamped to the month's last day (procedures.md §2)."""
    index = d.year * 12 + d.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(d.day, calendar.monthrange(year, month + 1)[1]))


def unique(prefix: str) -> str:
    return f"{prefix}{next(_serial)}"


def vote(on: date, eligible: int, agree: int, method: str = "secret_ballot", **extra) -> dict:
    return {"date": iso(on), "eligible": eligible, "agree": agree, "disagree": eligible - agree,
            "method": method, **extra}


def rule_ids(body: dict) -> list[str]:
    """The rule ids of a 422 body: api.md says `details.rules` lists them."""
    rules = body["error"]["details"]["rules"]
    assert rules and all(isinstance(r, str) for r in rules), rules
    return rules


class ApiError(AssertionError):
    pass


class Api:
    """One principal (a bearer token) speaking to the server."""

    def __init__(self, base_url: str, token: str | None, name: str = "?", language: str | None = None):
        self.base_url, self.token, self.name = base_url, token, name
        self.http = requests.Session()
        if token is not None:
            self.http.headers["Authorization"] = f"Bearer {token}"
        if language:
            self.http.headers["Accept-Language"] = language

    def raw(self, method: str, path: str, **kwargs) -> requests.Response:
        return self.http.request(method, self.base_url + path, timeout=30, **kwargs)

    def call(self, method: str, path: str, expect: int = 200, **kwargs):
        """The JSON answer, asserting its status (the body is shown when it differs)."""
        resp = self.raw(method, path, **kwargs)
        if resp.status_code != expect:
            raise ApiError(f"{self.name}: {method} {path} {kwargs.get('json', kwargs.get('params', ''))} "
                           f"→ {resp.status_code}, expected {expect}: {resp.text[:2000]}")
        if resp.status_code >= 400:
            body = resp.json()
            assert set(body) == {"error"} and ERROR_KEYS <= set(body["error"]), body
            assert isinstance(body["error"]["details"], dict), body
        return resp.json() if resp.content else None

    def get(self, path: str, expect: int = 200, **params):
        return self.call("GET", path, expect, params=params or None)

    def post(self, path: str, body, expect: int = 201):
        return self.call("POST", path, expect, json=body)

    def case(self, case_id: int) -> dict:
        return self.get(f"/cases/{case_id}")

    def events(self, case_id: int) -> list[dict]:
        return self.get(f"/cases/{case_id}/events")

    def open_case(self, procedure: str, person_id: int, organisation_id: int, data: dict,
                  expect: int = 201) -> dict:
        return self.post("/cases", {"procedure": procedure, "person_id": person_id,
                                    "organisation_id": organisation_id, "data": data}, expect)

    def fire(self, case_id: int, trigger: str, data: dict, state: str | None = None, comment: str | None = None,
             expect: int = 200) -> dict:
        """Fire a trigger the way a careful client does: check it is offered, send the revision read."""
        before = self.case(case_id)
        if expect == 200:
            assert trigger in before["allowed_actions"], (self.name, trigger, before["state"], before["allowed_actions"])
        body = {"data": data, "revision": before["revision"]}
        if comment is not None:
            body["comment"] = comment
        after = self.call("POST", f"/cases/{case_id}/actions/{trigger}", expect, json=body)
        if expect == 200:
            assert after["revision"] > before["revision"], (before, after)
            if state is not None:
                assert after["state"] == state, (trigger, after)
        return after


@dataclass
class Cell:
    id: int
    grassroots: str            # "commune" (admission authority) or "ward" (none)
    officials: list[int] = field(default_factory=list)


@dataclass
class Tree:
    """A province with a delegated commune committee and a ward committee without authority."""

    admin: Api
    province: int
    commune: int
    ward: int
    users: dict[str, Api] = field(default_factory=dict)     # role key → principal
    user_ids: dict[str, int] = field(default_factory=dict)

    def organisation(self, name: str, kind: str, parent_id: int | None, **extra) -> int:
        body = {"name": name, "kind": kind, "parent_id": parent_id, **extra}
        created = self.admin.post("/organisations", body)
        return created["id"]

    def person(self, organisation_id: int, status: str, born: date, joined_on: date | None = None,
               name: str | None = None) -> int:
        body = {"full_name": name or unique("Nguyễn Văn Thử "), "birth_date": iso(born),
                "organisation_id": organisation_id, "membership_status": status,
                "education": "upper_secondary", "email": f"{unique('person')}@example.vn"}
        if joined_on is not None:
            body["joined_on"] = iso(joined_on)
        return self.admin.post("/persons", body)["id"]

    def cell(self, grassroots: str = "commune", officials: int = 4) -> Cell:
        """A new cell with `officials` official members, its secretary (when users exist) holding the role.

        grassroots: "commune" (a cell of the delegated commune), "ward" (of the ward without authority),
        or "grassroots_cell" (a grassroots cell directly under the province: no committee level).
        """
        if grassroots == "grassroots_cell":
            cell = Cell(self.organisation(unique("Chi bộ cơ sở Trường THPT số "), "grassroots_cell", self.province),
                        grassroots)
        else:
            parent = self.commune if grassroots == "commune" else self.ward
            cell = Cell(self.organisation(unique("Chi bộ thôn "), "cell", parent), grassroots)
        for i in range(officials):
            cell.officials.append(self.official(cell.id))
        if "secretary" in self.user_ids:
            roles = ["cell_secretary"]
            if grassroots == "grassroots_cell":
                roles.append("committee_member")   # a grassroots cell's committee is its cell committee
            for role in roles:
                self.admin.post(f"/users/{self.user_ids['secretary']}/roles",
                                {"organisation_id": cell.id, "role": role})
        return cell

    def official(self, organisation_id: int) -> int:
        return self.person(organisation_id, "official", born=date(1975, 5, 19), joined_on=date(2005, 2, 3))

    def english(self, key: str) -> Api:
        """The same user asking for English messages (Accept-Language: en)."""
        api = self.users[key]
        return Api(api.base_url, api.token, f"{key}-en", language="en")

    def actor(self, mode: str, step: str, cell: Cell) -> Api:
        """Who fires `step` on a case of `cell`: the user whose role the procedure names (`mode` "roles";
        the admin token administers the system and records no party step)."""
        if mode != "roles":
            raise ValueError(f"unknown mode {mode!r}: party steps are taken by party roles")
        if step == "cell":
            return self.users["secretary"]
        if step == "committee":
            if cell.grassroots == "grassroots_cell":
                return self.users["secretary"]
            return self.users["committee_commune" if cell.grassroots == "commune" else "committee_ward"]
        if step == "competent":       # the competent committee: the delegated commune, else the province
            return self.users["standing_commune" if cell.grassroots == "commune" else "standing_province"]
        if step == "above":           # the level above the commune's standing committee
            return self.users["standing_province"]
        if step == "inspection":
            return self.users["inspection"]
        raise ValueError(step)


COMMITTEE_SIZE = 7


def build_tree(server, with_users: bool, label: str) -> Tree:
    """The organisations (and, when asked, users with roles and CLI tokens) of one province."""
    admin = Api(server.base_url, server.admin_token, "admin")
    tree = Tree(admin, 0, 0, 0)
    tree.province = tree.organisation(f"Đảng bộ tỉnh {label}", "province_committee", None)
    tree.commune = tree.organisation(f"Đảng bộ xã An Phú {label}", "grassroots_committee", tree.province,
                                     admission_authority=True)
    tree.ward = tree.organisation(f"Đảng bộ phường Bến Thành {label}", "grassroots_committee", tree.province,
                                  admission_authority=False)
    if not with_users:
        return tree
    roles = {"secretary": [],          # cell_secretary: given on each new cell
             "committee_commune": [(tree.commune, "committee_member")],
             "committee_ward": [(tree.ward, "committee_member")],
             "standing_commune": [(tree.commune, "standing_committee")],
             "standing_province": [(tree.province, "standing_committee")],
             "inspection": [(tree.province, "inspection_committee")]}
    names = {}
    for key, grants in roles.items():
        username = f"{key}_{label}".lower()
        created = admin.post("/users", {"username": username, "password": "Mật-khẩu-rất-dài-2026",
                                        "display_name": key.replace("_", " ").title(),
                                        "email": f"{username}@example.vn"})
        tree.user_ids[key] = created["id"]
        names[key] = username
        for organisation_id, role in grants:
            admin.post(f"/users/{created['id']}/roles", {"organisation_id": organisation_id, "role": role})
    tokens = server.issue_tokens(list(names.values()))
    tree.users = {key: Api(server.base_url, tokens[username], key) for key, username in names.items()}
    return tree
