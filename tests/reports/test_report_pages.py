"""The report pages over HTTP: figures, charts without scripts, exports, access, audit of reads, the audit log viewer."""
from __future__ import annotations

import io
from datetime import date

from openpyxl import load_workbook
from sqlalchemy import select

from models import AuditRecord
from tests.reports.imported import admission_steps, import_case
from tests.web.support import admission_case, sign_in
from workflows.reports.statistics import CATEGORY_LABELS_VI

PERIOD = "from=2026-01-01&to=2026-11-30"


def client_for(app, user):
    client = app.test_client()
    sign_in(client, user)
    return client


def audit_actions(runtime, user_id):
    with runtime.session_factory() as s:
        return [a for a in s.scalars(select(AuditRecord.action).where(AuditRecord.user_id == user_id))]


def test_statistics_page_shows_the_figures_a_chart_and_exports(app, runtime, world):
    """The province page shows the seed-style sentence and an inline SVG chart (no script); its Excel export opens."""
    admission_case(runtime, world, "cell1", until="admitted", start=date(2026, 3, 2))
    client = client_for(app, "standing_province")
    page = client.get(f"/reports/{world.orgs['province']}/statistics?{PERIOD}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "kết nạp 1, công nhận chính thức 0, khai trừ 0, xóa tên 0 (trong đó 0 đảng viên dự bị)" in html
    assert "<svg" in html and "<script" not in html.split("</head>")[1]
    export = client.get(f"/reports/{world.orgs['province']}/statistics/export?{PERIOD}&format=xlsx")
    assert export.status_code == 200 and "attachment" in export.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(export.data), read_only=True)
    rows = {r[0]: r[1] for r in book["Tổng hợp"].iter_rows(values_only=True) if r and r[0]}
    assert rows[CATEGORY_LABELS_VI["admitted"]] == 1
    csv = client.get(f"/reports/{world.orgs['province']}/statistics/export?{PERIOD}&format=csv&table=by_month")
    assert csv.status_code == 200 and csv.data.decode("utf-8-sig").startswith("Tháng,Kết nạp")
    assert {"report.statistics.view", "report.statistics.export"} <= set(
        audit_actions(runtime, world.users["standing_province"]))


def test_report_of_an_invisible_organisation_is_not_found(app, world):
    """A cell secretary asking for another commune's reports gets 404, the same as for no such organisation."""
    client = client_for(app, "secretary1")
    assert client.get(f"/reports/{world.orgs['cell3']}/statistics").status_code == 404
    assert client.get(f"/reports/{world.orgs['cell1']}/statistics").status_code == 200
    assert client.get("/reports/999999/statistics").status_code == 404


def test_bad_period_and_format_are_refused_with_a_message(app, world):
    """A reversed period or an unknown export format is a 400 with a Vietnamese message."""
    client = client_for(app, "inspector")
    reversed_period = client.get(f"/reports/{world.orgs['province']}/statistics?from=2026-05-01&to=2026-01-01")
    assert reversed_period.status_code == 400 and "Ngày bắt đầu" in reversed_period.get_data(as_text=True)
    assert client.get(f"/reports/{world.orgs['province']}/statistics?from=31-12-2026").status_code == 400
    assert client.get(f"/reports/{world.orgs['province']}/statistics/export?format=pdf").status_code == 400


def test_reports_index_leads_to_the_top_organisation(app, world):
    """/reports/ sends a user to the statistics of the highest organisation they hold a role at."""
    response = client_for(app, "secretary1").get("/reports/")
    assert response.status_code == 302 and f"/reports/{world.orgs['cell1']}/statistics" in response.headers["Location"]
    assert client_for(app, "outsider").get("/reports/").status_code == 403


def test_compliance_page_lists_irregular_cases_and_offers_revoke_above_the_decider(app, runtime, world):
    """The province inspector and standing committee see the finding; only the standing committee gets the revoke link."""
    case_id = import_case(
        runtime, procedure="admission", person_id=world.people["cell3_applicant"], organisation_id=world.orgs["cell3"],
        steps=admission_steps(world, "cell3", date(2026, 3, 2), actor={"decide_admission": "standing_ward"}),
        decided_on=date(2026, 5, 11),
        person_changes={"membership_status": ("none", "probationary"), "joined_on": (None, date(2026, 5, 11))})
    standing = client_for(app, "standing_province").get(f"/reports/{world.orgs['province']}/compliance?{PERIOD}")
    html = standing.get_data(as_text=True)
    assert standing.status_code == 200
    assert f'data-case="{case_id}" data-kind="no_competence"' in html and "action-revoke" in html
    inspector = client_for(app, "inspector").get(f"/reports/{world.orgs['province']}/compliance?{PERIOD}")
    assert inspector.status_code == 200
    assert f'data-case="{case_id}"' in inspector.get_data(as_text=True)
    assert "action-revoke" not in inspector.get_data(as_text=True)
    assert client_for(app, "secretary1").get(f"/reports/{world.orgs['cell1']}/compliance").status_code == 403


def test_register_page_and_export(app, world):
    """A cell secretary reads the cell's register and downloads it as Excel."""
    client = client_for(app, "secretary1")
    page = client.get(f"/reports/{world.orgs['cell1']}/register")
    assert page.status_code == 200 and "cell1_m1" in page.get_data(as_text=True)
    export = client.get(f"/reports/{world.orgs['cell1']}/register/export?format=xlsx")
    book = load_workbook(io.BytesIO(export.data), read_only=True)
    names = [r[1] for r in book["Danh sách đảng viên"].iter_rows(values_only=True) if r and isinstance(r[0], int)]
    assert names == [f"cell1_m{i}" for i in range(1, 5)]


def test_pipeline_page(app, runtime, world):
    """The pipeline page lists the open case of the commune."""
    admission_case(runtime, world, "cell1", until="cell_approved", start=date(2026, 3, 2))
    page = client_for(app, "standing_commune").get(f"/reports/{world.orgs['commune']}/pipeline?{PERIOD}")
    assert page.status_code == 200 and "Chi bộ đã biểu quyết đề nghị kết nạp" in page.get_data(as_text=True)


def test_audit_log_viewer_filters_and_is_read_only(app, runtime, world):
    """An inspector sees who read a report, filtered by action; a secretary is refused; the viewer has no form that writes."""
    client_for(app, "secretary1").get(f"/reports/{world.orgs['cell1']}/statistics")
    inspector = client_for(app, "inspector")
    page = inspector.get("/audit-log?action=report.&user=secretary1")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    main = html.split("<main")[1].split("</main>")[0]
    assert "report.statistics.view" in main and "secretary1" in main and 'method="post"' not in main
    assert 'data-action="login"' not in main  # the filter keeps sign-ins out
    assert client_for(app, "secretary1").get("/audit-log").status_code == 403
    assert inspector.post("/audit-log").status_code in (400, 405)
    assert "audit_log.view" in audit_actions(runtime, world.users["inspector"])
