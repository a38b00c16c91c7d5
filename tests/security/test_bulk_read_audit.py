"""Bulk reads and exports are audited with what they returned (issue 14 item 7), not only the path.

A case list (page and API), an events read, an export and the audit log viewer each leave one audit
row naming the filters asked for (detail) and the ids read (object_ids "case:…", "person:…").
"""
from __future__ import annotations

from sqlalchemy import select

from models import AuditRecord, write_transaction
from tests.security.conftest import walk_case
from tests.web.support import sign_in
from workflows.accounts.accounts import issue_token
from workflows.engine.audit import parse_object_ids


def _last(runtime, action: str) -> AuditRecord:
    with runtime.session_factory() as s:
        return s.scalars(select(AuditRecord).where(AuditRecord.action == action)
                         .order_by(AuditRecord.id.desc())).first()


def _token(runtime, user_id: int) -> dict[str, str]:
    with write_transaction(runtime.session_factory) as s:
        return {"Authorization": f"Bearer {issue_token(s, user_id=user_id, name='test')}"}


def test_the_case_list_page_records_its_filters_and_the_cases_shown(app, runtime, world):
    """GET /cases?procedure=admission&q=…: one case.list row with the filters and exactly the ids listed."""
    cases = [walk_case(runtime, world, "application_submitted") for _ in range(3)]
    other = walk_case(runtime, world, "sympathiser", cell="cell2")
    client = app.test_client()
    sign_in(client, "secretary1")

    response = client.get("/cases/?procedure=admission&status=all&q=n%E1%BB%99p")  # q=nộp
    assert response.status_code == 200

    row = _last(runtime, "case.list")
    assert row.user_id == world.users["secretary1"] and row.object_type == "case"
    assert "procedure=admission" in row.detail and "q=nộp" in row.detail and "total=3" in row.detail
    kind, ids = parse_object_ids(row.object_ids)
    assert kind == "case"
    assert ids == sorted(c.id for c in cases) and other.id not in ids  # secretary1 sees cell1 only
    assert row.remote_addr == "127.0.0.1"


def test_the_api_case_list_records_its_filters_and_the_cases_returned(app, runtime, world):
    """GET /api/v1/cases?state=…: the audit row names the filters and the returned case ids, not only the path."""
    cases = [walk_case(runtime, world, "application_submitted") for _ in range(2)]
    walk_case(runtime, world, "sympathiser")
    client = app.test_client()

    response = client.get("/api/v1/cases?state=application_submitted&per_page=50",
                          headers=_token(runtime, world.users["admin"]))
    assert response.status_code == 200, response.get_data(as_text=True)
    returned = [item["id"] for item in response.get_json()["items"]]

    row = _last(runtime, "case.list")
    assert "state=application_submitted" in row.detail and "per_page=50" in row.detail
    assert parse_object_ids(row.object_ids) == ("case", sorted(returned))
    assert sorted(returned) == sorted(c.id for c in cases)


def test_an_events_read_records_the_case_it_read(app, runtime, world):
    """GET /api/v1/cases/<id>/events: a case.events row names the case and how many events went out."""
    case = walk_case(runtime, world, "cell_approved")
    response = app.test_client().get(f"/api/v1/cases/{case.id}/events", headers=_token(runtime, world.users["admin"]))
    assert response.status_code == 200

    row = _last(runtime, "case.events")
    assert (row.object_type, row.object_id) == ("case", str(case.id))
    assert row.detail == f"events={case.revision}"
    assert parse_object_ids(row.object_ids) == ("case", [case.id])


def test_a_register_export_records_the_persons_exported(app, runtime, world):
    """The member register's export names the statuses asked for and every person id in the file."""
    client = app.test_client()
    sign_in(client, "standing_commune")
    commune = world.orgs["commune"]

    response = client.get(f"/reports/{commune}/register/export?format=csv&status=official")
    assert response.status_code == 200
    lines = response.get_data(as_text=True).strip().splitlines()

    row = _last(runtime, "report.register.export")
    assert (row.object_type, row.object_id) == ("organisation", str(commune))
    assert "statuses=official" in row.detail
    kind, ids = parse_object_ids(row.object_ids)
    assert kind == "person" and len(ids) == len(lines) - 1 > 0


def test_a_compliance_export_records_the_cases_with_findings(app, runtime, world):
    """The compliance export names its period and kinds, and the ids of the cases its findings are about."""
    client = app.test_client()
    sign_in(client, "admin")
    province = world.orgs["province"]

    response = client.get(f"/reports/{province}/compliance/export?format=csv&from=2026-01-01&to=2026-12-31")
    assert response.status_code == 200

    row = _last(runtime, "report.compliance.export")
    assert "2026-01-01..2026-12-31" in row.detail and "kinds=" in row.detail and "checked=" in row.detail
    assert parse_object_ids(row.object_ids)[0] == "case"  # the cases its findings are about (none here)


def test_the_audit_log_viewer_records_its_filters_and_the_rows_shown(app, runtime, world):
    """Reading the audit log is audited with its filters and the rows shown; a list's row shows what it read."""
    walk_case(runtime, world, "sympathiser")
    client = app.test_client()
    sign_in(client, "admin")
    assert client.get("/cases/?status=all").status_code == 200  # a case.list row with the ids it read

    response = client.get("/audit-log?action=case.")
    assert response.status_code == 200

    row = _last(runtime, "audit_log.view")
    assert "action=case." in row.detail
    kind, ids = parse_object_ids(row.object_ids)
    with runtime.session_factory() as s:
        actions = s.scalars(select(AuditRecord.action).where(AuditRecord.id.in_(ids))).all()
    assert kind == "audit" and len(actions) == len(ids) > 0 and all(a.startswith("case.") for a in actions)
    assert "Đã đọc: hồ sơ" in response.get_data(as_text=True)
