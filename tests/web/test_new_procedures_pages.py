"""The web pages pick the new procedures (transfer of activity, exemption, suspension) up from the registry."""
from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select

from models import Case
from tests.support.flows import act as fire_as, open_as
from tests.web.support import post, sign_in


def _client(app, user):
    client = app.test_client()
    assert sign_in(client, user).status_code == 302
    return client


def test_open_a_transfer_from_the_person_page(app, runtime, world):
    """The open form lists receiving cells by name (outside the secretary's own cell too) and opens the case."""
    client = _client(app, "secretary1")
    person = world.people["cell1_m1"]
    path = f"/people/{person}/open/activity_transfer"
    form = client.get(path).get_data(as_text=True)
    assert 'name="d.destination_id"' in form and "Chi bộ khu phố 3" in form
    assert "Chuyển sinh hoạt đảng chính thức" in form and "activity_transfer</" not in form
    response = post(client, path, {"d.kind": "official", "d.ground": "job_change",
                                   "d.destination_id": str(world.orgs["cell2"]), "d.basis_date": "2026-11-02",
                                   "d.date": "2026-11-05"}, token_from=path)
    assert response.status_code == 302
    case_id = int(response.headers["Location"].rsplit("/", 1)[1])
    with runtime.session_factory() as s:
        assert s.get(Case, case_id).state == "requested"


def test_transfer_case_page_at_the_receiving_cell(app, runtime, world):
    """After the letter the receiving secretary sees the case: step, diagram, the 30-day deadline, the arrival form."""
    case = open_as(runtime, world, "activity_transfer", "cell1_m1", date(2026, 11, 5), {
        "kind": "official", "ground": "retirement", "destination_id": world.orgs["cell2"],
        "basis_date": "2026-11-02", "date": "2026-11-05"})
    fire_as(runtime, world, case, "issue_letter", "organisation_officer", date(2026, 11, 6),
            {"letter_number": "12-GGT/ĐU", "letter_date": "2026-11-06"}, actor="officer")
    html = _client(app, "secretary2").get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Chuyển sinh hoạt đảng" in html and "Đã giới thiệu chuyển sinh hoạt đảng" in html
    assert re.search(r'<g class="[^"]*diagram__state--current[^"]*" aria-current="step">', html)
    assert "Hạn xuất trình giấy giới thiệu sinh hoạt đảng" in html
    assert "Ghi nhận đảng viên đến sinh hoạt" in html and 'name="d.late_reason"' in html


def test_exemption_and_suspension_pages(app, runtime, world):
    """An exemption's cell decision form and a suspension's decision form render in Vietnamese."""
    exemption = open_as(runtime, world, "exemption", "cell1_m2", date(2026, 11, 2),
                        {"ground": "poor_health", "extent": "exempt", "date": "2026-11-02"})
    html = _client(app, "secretary1").get(f"/cases/{exemption.id}").get_data(as_text=True)
    assert "Miễn, giảm công tác và sinh hoạt đảng" in html and "Chi bộ xem xét, quyết định" in html
    assert 'name="d.vote.eligible"' in html
    suspension = open_as(runtime, world, "suspension", "cell1_m3", date(2026, 11, 2), {
        "ground": "prosecuted", "legal_document": "Quyết định truy tố 5/QĐ-VKS", "legal_document_date": "2026-10-30",
        "date": "2026-11-02"})
    html = _client(app, "standing_commune").get(f"/cases/{suspension.id}").get_data(as_text=True)
    assert "Đình chỉ sinh hoạt đảng" in html and "Quyết định đình chỉ sinh hoạt đảng" in html
    assert "Bị truy tố" in html


def test_the_vote_form_counts_the_roll_without_the_suspended(app, runtime, world):
    """The cell vote form's count is the cell's official members less those suspended (4 − 1)."""
    suspension = open_as(runtime, world, "suspension", "cell1_m4", date(2026, 11, 2), {
        "ground": "detained", "legal_document": "Lệnh tạm giam 7/LTG", "legal_document_date": "2026-11-01",
        "date": "2026-11-02"})
    fire_as(runtime, world, suspension, "suspend", "standing_committee", date(2026, 11, 3),
            {"decision_number": "4-QĐ/ĐU", "decision_date": "2026-11-03"}, actor="standing_commune")
    exemption = open_as(runtime, world, "exemption", "cell1_m2", date(2026, 11, 2),
                        {"ground": "old_age", "extent": "exempt", "date": "2026-11-02"})
    html = _client(app, "secretary1").get(f"/cases/{exemption.id}").get_data(as_text=True)
    assert re.search(r'name="d\.vote\.eligible"[^>]*value="3"|value="3"[^>]*name="d\.vote\.eligible"', html)
    with runtime.session_factory() as s:
        assert s.scalars(select(Case.state).where(Case.id == suspension.id)).one() == "suspended"
