"""My work, the case list and the case page: what each user sees."""
from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from models import AuditRecord
from tests.web.support import admission_case, sign_in


def _client(app, user):
    client = app.test_client()
    assert sign_in(client, user).status_code == 302
    return client


def test_my_work_lists_what_the_secretary_may_do_now(app, runtime, world):
    """A sympathiser's case waits for its secretary: it is under "Waiting for you" with the step to take."""
    case = admission_case(runtime, world, "cell1")
    page = _client(app, "secretary1").get("/").get_data(as_text=True)
    mine = page.split('id="mine-title"')[1].split("</section>")[0]
    assert f"/cases/{case.id}" in mine and "Nộp đơn, lý lịch và giới thiệu" in mine
    counts = page.split('id="counts-title"')[1].split("</section>")[0]
    assert "Kết nạp đảng viên" in counts


def test_my_work_shows_cases_waiting_on_others_with_who(app, runtime, world):
    """After the application the case waits on the grassroots committee/officer, named on the secretary's page."""
    case = admission_case(runtime, world, "cell1", until="application_submitted")
    page = _client(app, "secretary1").get("/").get_data(as_text=True)
    waiting = page.split('id="waiting-title"')[1].split("</section>")[0]
    assert f"/cases/{case.id}" in waiting and "Cán bộ tổ chức — Đảng ủy xã Tân Phú" in waiting
    officer_page = _client(app, "officer").get("/").get_data(as_text=True)
    assert f"/cases/{case.id}" in officer_page.split('id="mine-title"')[1].split("</section>")[0]


def test_my_work_shows_deadlines_with_working_days_left(app, runtime, world, clock):
    """Overdue deadlines and those due within 7 working days are listed with the working days left."""
    from datetime import timedelta

    calendar, today = runtime.calendar(), clock.today()
    # A cell resolution whose 60-working-day decision deadline falls 3 working days from today.
    start = today - timedelta(days=150)
    while calendar.working_days_between(today, calendar.add_working_days(start + timedelta(days=56), 60)) > 3:
        start -= timedelta(days=1)
    while calendar.working_days_between(today, calendar.add_working_days(start + timedelta(days=56), 60)) < 3:
        start += timedelta(days=1)
    soon = admission_case(runtime, world, "cell1", until="cell_approved", start=start)
    late = admission_case(runtime, world, "cell2", until="cell_approved", start=date(2026, 6, 1))
    page = _client(app, "standing_commune").get("/").get_data(as_text=True)
    section = page.split('id="due-title"')[1].split("</section>")[0]
    assert section.index(f"/cases/{late.id}") < section.index(f"/cases/{soon.id}")
    assert "còn 3 ngày làm việc" in section
    late_due = calendar.add_working_days(date(2026, 6, 1) + timedelta(days=56), 60)
    assert f"quá hạn {calendar.working_days_between(late_due, today)} ngày làm việc" in section


def test_supervisor_sees_the_subtree_and_a_secretary_only_their_cell(app, runtime, world):
    """The commune's standing committee sees both of its cells; cell 2's secretary sees only cell 2."""
    one = admission_case(runtime, world, "cell1")
    two = admission_case(runtime, world, "cell2")
    ward = admission_case(runtime, world, "cell3")
    supervisor = _client(app, "standing_commune").get("/cases/").get_data(as_text=True)
    assert f"/cases/{one.id}" in supervisor and f"/cases/{two.id}" in supervisor
    assert f"/cases/{ward.id}" not in supervisor
    secretary = _client(app, "secretary2").get("/cases/").get_data(as_text=True)
    assert f"/cases/{two.id}" in secretary and f"/cases/{one.id}" not in secretary


def test_case_list_filters_search_and_sort(app, runtime, world):
    """Filters by procedure, state, organisation, overdue; search by name; sort by deadline."""
    sympathiser = admission_case(runtime, world, "cell1")
    voted = admission_case(runtime, world, "cell2", until="cell_approved", start=date(2026, 5, 4))
    client = _client(app, "standing_commune")

    def ids(query: str) -> list[int]:
        html = client.get("/cases/" + query).get_data(as_text=True)
        return [int(i) for i in re.findall(r'href="/cases/(\d+)"', html)]

    assert set(ids("?procedure=admission")) == {sympathiser.id, voted.id}
    assert ids("?procedure=admission&state=cell_approved") == [voted.id]
    assert ids(f"?organisation_id={world.orgs['cell1']}") == [sympathiser.id]
    assert ids("?overdue=1") == [voted.id]  # 60 working days from 2026-06-29 have passed by 30/11
    assert ids("?q=cell2_applicant") == [voted.id]
    assert ids("?sort=deadline")[0] == voted.id
    assert ids("?q=nobody-like-this") == []


def test_case_list_refuses_bad_filters_clearly(app, world):
    """An unknown procedure or a foreign organisation in the filter answers with a clear error, not a crash."""
    client = _client(app, "secretary1")
    assert client.get("/cases/?procedure=nonsense").status_code == 400
    assert client.get(f"/cases/?organisation_id={world.orgs['cell3']}").status_code == 404
    assert client.get("/cases/?page=abc").status_code == 400


def test_case_list_pages(app, runtime, world):
    """Pagination: 25 a page, a link to the next page."""
    for cell in ("cell1", "cell2"):
        admission_case(runtime, world, cell)
    html = _client(app, "standing_commune").get("/cases/?per_page=1").get_data(as_text=True)
    assert "Trang 1/2" in html and 'rel="next"' in html


def test_case_page_shows_person_step_diagram_timeline_and_deadlines(app, runtime, world):
    """The case page: the person, the current step in words, the diagram with the state highlighted, history."""
    case = admission_case(runtime, world, "cell1", until="cell_approved", start=date(2026, 6, 1))
    html = _client(app, "secretary1").get(f"/cases/{case.id}").get_data(as_text=True)
    assert "cell1_applicant" in html
    assert "Hồ sơ đang ở bước: Chi bộ đã biểu quyết đề nghị kết nạp." in html
    assert re.search(r'<g class="[^"]*diagram__state--current[^"]*" aria-current="step">', html)
    assert "<svg" in html and "<script" not in html.split("<svg")[1].split("</svg>")[0]
    assert "Chi bộ biểu quyết (6-KNĐ)" in html  # the timeline names the step
    assert "7/7 tán thành" in html or "tán thành" in html
    assert "Hạn ra quyết định kết nạp" in html
    assert "Bước tiếp theo: Đảng ủy cơ sở biểu quyết (8-KNĐ)" in html
    # The decision straight after the cell vote is only for a grassroots cell: not announced here.
    assert "Bước tiếp theo: Quyết định kết nạp (9-KNĐ)" not in html


def test_reading_a_case_page_is_audited(app, runtime, world):
    """Every read of a case page writes an audit record (who, what, when, where), never the content."""
    case = admission_case(runtime, world, "cell1")
    _client(app, "inspector").get(f"/cases/{case.id}")
    with runtime.session_factory() as s:
        row = s.scalars(select(AuditRecord).where(AuditRecord.action == "case.view")).one()
    assert (row.user_id, row.object_id, row.outcome) == (world.users["inspector"], str(case.id), "ok")
    assert row.detail is None


def test_read_only_inspector_gets_no_forms(app, runtime, world):
    """The inspector reads the case but sees no action, upload or comment form."""
    case = admission_case(runtime, world, "cell1")
    html = _client(app, "inspector").get(f"/cases/{case.id}").get_data(as_text=True)
    assert "/actions/" not in html and "/documents\"" not in html and "/comments\"" not in html


def test_english_case_page(app, runtime, world):
    """In English the same page shows the English labels of states and steps."""
    from tests.web.support import post

    case = admission_case(runtime, world, "cell1")
    client = _client(app, "secretary1")
    post(client, "/language", {"locale": "en"})
    html = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "The case is at the step: Sympathiser." in html and "Submit the application" in html


@pytest.mark.parametrize("value", ["²", "١٢", "٣"])
def test_a_number_filter_in_other_digits_is_refused_not_a_server_error(app, world, value):
    """A case-list filter written in superscript or non-ASCII digits gets a clear 400, never a 500."""
    client = app.test_client()
    sign_in(client, "secretary1")
    response = client.get("/cases/", query_string={"organisation_id": value})
    assert response.status_code == 400
