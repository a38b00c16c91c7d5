"""The case page's timeline in words: transfers, membership changes and vote results, never codes."""
from __future__ import annotations

from datetime import date

from tests.web.support import admission_case, sign_in
from workflows.demo.walk import at_day
from workflows.engine import fire


def _page(app, user: str, case_id: int) -> tuple[int, str]:
    client = app.test_client()
    assert sign_in(client, user).status_code == 302
    response = client.get(f"/cases/{case_id}")
    return response.status_code, response.get_data(as_text=True)


def test_a_transferred_case_page_names_both_cells(app, runtime, world):
    """A case moved to another cell opens (it was a 500) and its timeline names the cells, not their ids."""
    case = admission_case(runtime, world, "cell1", until="application_submitted")
    day = date(2026, 10, 1)
    fire(at_day(runtime, day), case_id=case.id, trigger="transfer", actor_id=world.users["officer"],
         data={"organisation_id": world.orgs["cell2"], "date": day.isoformat()})
    status, html = _page(app, "officer", case.id)
    assert status == 200
    assert "Chi bộ thôn 1 → Chi bộ thôn 2" in html
    assert f"#{world.orgs['cell2']}" not in html


def test_a_decision_timeline_says_membership_changes_in_vietnamese(app, runtime, world):
    """The admission decision's effects read «Ngày vào Đảng», not «joined on», with dd/mm/yyyy dates."""
    case = admission_case(runtime, world, "cell1", until="admitted")
    status, html = _page(app, "standing_commune", case.id)
    assert status == 200
    for english in ("joined on", "official on", "left on", "left reason"):
        assert english not in html
    assert "Ngày vào Đảng" in html
