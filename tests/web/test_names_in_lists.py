"""Telling people apart (issue 13 item 7): the birth year beside every name in lists and pickers, and members
listed in Vietnamese order (given name, then family name; Đ after D; tones in order)."""
from __future__ import annotations

import re
from datetime import date

from models import Person, write_transaction
from tests.web.support import admission_case, sign_in
from workflows.directory.directory import update_person


def _client(app, user):
    client = app.test_client()
    assert sign_in(client, user).status_code == 302
    return client


def _rename(runtime, world, key, name):
    with write_transaction(runtime.session_factory) as s:
        update_person(s, s.get(Person, world.people[key]), {"full_name": name})


def test_members_are_listed_in_vietnamese_order_with_their_birth_year(app, runtime, world):
    """Official members named Trần Đức, Lê Dũng, Nguyễn Ánh, Phạm Anh are listed Phạm Anh, Nguyễn Ánh, Lê Dũng,
    Trần Đức (by given name; Anh before Ánh; D before Đ), each with a birth year."""
    for key, name in (("cell1_m1", "Trần Đức"), ("cell1_m2", "Lê Dũng"), ("cell1_m3", "Nguyễn Ánh"),
                      ("cell1_m4", "Phạm Anh")):
        _rename(runtime, world, key, name)
    html = _client(app, "secretary1").get(f"/organisations/{world.orgs['cell1']}").get_data(as_text=True)
    names = re.findall(r'/people/\d+">([^<]+)</a> <span class="muted">\((\d{4})\)</span>', html)
    members = [n for n, _ in names if n in ("Trần Đức", "Lê Dũng", "Nguyễn Ánh", "Phạm Anh")]
    assert members == ["Phạm Anh", "Nguyễn Ánh", "Lê Dũng", "Trần Đức"]
    assert all(1900 < int(year) < 2026 for _, year in names)


def test_case_list_dashboard_and_pickers_show_the_birth_year(app, runtime, world):
    """The case list, «My work» and a person picker show «Name (year)»."""
    case = admission_case(runtime, world, "cell1", start=date(2026, 11, 2))
    with runtime.session_factory() as s:
        person = s.get(Person, case.person_id)
        name, year = person.full_name, person.birth_date.year
        helper = s.get(Person, world.people["cell1_m1"])
    client = _client(app, "secretary1")
    marker = f'{name}</a> <span class="muted">({year})</span>'
    assert marker in client.get("/cases/").get_data(as_text=True)
    assert marker in client.get("/").get_data(as_text=True)
    page = client.get(f"/people/{world.people['cell1_applicant']}/open/admission")
    assert f"{helper.full_name} ({helper.birth_date.year}) — " in page.get_data(as_text=True)
