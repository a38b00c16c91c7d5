"""Forms and filters that forgive (issue 13 items 12 and «one validation»): dates typed 05-03-2001 or 05.03.2001,
date inputs that show dd/mm/yyyy whatever the locale, and the 5xx filter inputs that must be 4xx."""
from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from models import Person
from tests.web.support import post, sign_in


def _client(app, user):
    client = app.test_client()
    assert sign_in(client, user).status_code == 302
    return client


@pytest.mark.parametrize("typed", ["05-03-2001", "05.03.2001", "05/03/2001"])
def test_person_form_accepts_dates_with_dashes_or_dots(app, runtime, world, typed):
    """A birth date typed 05-03-2001, 05.03.2001 or 05/03/2001 is 5 March 2001."""
    client = _client(app, "secretary1")
    url = f"/organisations/{world.orgs['cell1']}/people/new"
    done = post(client, url, {"full_name": "Trần Văn Ngày", "birth_date": typed, "membership_status": "none"},
                token_from=url)
    assert done.status_code == 302
    with runtime.session_factory() as s:
        assert s.scalars(select(Person.birth_date).where(Person.full_name == "Trần Văn Ngày")).one() == date(2001, 3, 5)


def test_person_form_refuses_a_control_character_and_a_fake_e_mail(app, world):
    """The web form applies the same field rules as the API: no control characters, a real e-mail shape."""
    client = _client(app, "secretary1")
    url = f"/organisations/{world.orgs['cell1']}/people/new"
    bad = post(client, url, {"full_name": "Trần\x07 Văn", "birth_date": "05/03/2001", "membership_status": "none"},
               token_from=url)
    assert bad.status_code == 400
    bad = post(client, url, {"full_name": "Trần Văn", "birth_date": "05/03/2001", "membership_status": "none",
                             "email": "<script>@x"}, token_from=url)
    assert bad.status_code == 400


@pytest.mark.parametrize("query", ["from=0001-01-01&to=9999-12-31", "page=100000000000000000000", "from=31/02/2026",
                                   "page=-3"])
def test_audit_log_filters_out_of_range_are_400(app, world, query):
    """Dates outside 1900–2199, impossible dates and absurd page numbers are a 400 page, not a 500."""
    page = _client(app, "inspector").get(f"/audit-log?{query}")
    assert page.status_code == 400
    assert "Ngày" in page.get_data(as_text=True) or "trang" in page.get_data(as_text=True)


def test_audit_log_and_reports_read_day_first_dates_and_show_them_dd_mm_yyyy(app, world):
    """Filters take 01.11.2026 and show dd/mm/yyyy in text inputs (no browser-locale date input)."""
    inspector = _client(app, "inspector")
    html = inspector.get("/audit-log?from=01.11.2026&to=30-11-2026").get_data(as_text=True)
    assert 'value="01/11/2026"' in html and 'value="30/11/2026"' in html
    assert 'type="date"' not in html
    report = _client(app, "standing_province").get(
        f"/reports/{world.orgs['province']}/statistics?from=01.01.2026&to=30-11-2026").get_data(as_text=True)
    assert 'value="01/01/2026"' in report and 'value="30/11/2026"' in report and 'type="date"' not in report
    assert not re.search(r'<input[^>]+type="date"', report)


def test_reloading_a_refused_action_form_opens_the_case_page_with_that_form(app, world):
    """After a step form was refused, the address bar holds the action's address; opening it again (a reload,
    a language switch, the return after signing in) redirects to the case page with that form open — no 405."""
    from tests.web.support import admission_case

    client = _client(app, "secretary1")
    case = world and admission_case(app.extensions["quytrinh"], world, "cell1")
    action = f"/cases/{case.id}/actions/submit_application"
    refused = post(client, action, {}, token_from=f"/cases/{case.id}")
    assert refused.status_code in (400, 422)
    again = client.get(action)
    assert again.status_code == 302 and again.headers["Location"].endswith(
        f"/cases/{case.id}?act=submit_application#action-submit_application")
    page = client.get(again.headers["Location"]).get_data(as_text=True)
    assert re.search(r'<details[^>]+id="action-submit_application"[^>]* open', page)
    for part in ("comments", "documents"):
        assert client.get(f"/cases/{case.id}/{part}").status_code == 302
