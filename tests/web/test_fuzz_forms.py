"""Fuzzing every form and the list filters with hypothesis: any input gets an answer, never a 5xx."""
from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.web.support import admission_case, csrf_token, sign_in
from workflows.procedures.registry import get_procedure, procedure_names

TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["", " ", "0", "-1", "99999999999", "1e9", "2026-02-30", "31/12/2026", "07/05/2026",
                     "2026-05-07", "true", "on", "null", "<script>alert(1)</script>", "' OR 1=1 --", "%", "\\",
                     "\x00", "A\x00B", "\x1b[31m", "Nguyễn Văn Ả", "a" * 5000, "secret_ballot", "admission", "cell_secretary"]),
)
FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                       HealthCheck.too_slow])


def _names(html: str) -> list[str]:
    return sorted(set(re.findall(r'name="([^"]+)"', html)) - {"csrf_token"})


def _fuzz_form(client, page: str, action: str):
    """Post random values (and a random extra field) into every input the page's form has."""
    names = _names(client.get(page).get_data(as_text=True))

    @FUZZ
    @given(values=st.fixed_dictionaries({n: TEXT for n in names}), extra=st.dictionaries(TEXT, TEXT, max_size=2))
    def run(values, extra):
        data = {**extra, **values, "csrf_token": csrf_token(client, page)}
        response = client.post(action, data=data)
        assert response.status_code < 500, (action, data, response.status_code)

    run()


def test_fuzz_account_and_admin_forms(app, world):
    """Sign-in, password, preferences, users, roles, organisations and calendar forms survive any input."""
    anonymous = app.test_client()
    _fuzz_form(anonymous, "/login", "/login")
    admin = app.test_client()
    sign_in(admin, "admin")
    uid = world.users["secretary2"]
    for page, action in [
        ("/account/password", "/account/password"), ("/account/preferences", "/account/preferences"),
        ("/admin/users/new", "/admin/users/new"), (f"/admin/users/{uid}", f"/admin/users/{uid}"),
        (f"/admin/users/{uid}", f"/admin/users/{uid}/roles"), ("/admin/organisations", "/admin/organisations"),
        (f"/admin/organisations/{world.orgs['cell2']}", f"/admin/organisations/{world.orgs['cell2']}"),
        ("/admin/calendar", "/admin/calendar"),
    ]:
        _fuzz_form(admin, page, action)


def test_fuzz_people_forms(app, world):
    """Adding and editing people, and opening a case of every procedure, survive any input."""
    client = app.test_client()
    sign_in(client, "secretary1")
    org, person = world.orgs["cell1"], world.people["cell1_applicant"]
    _fuzz_form(client, f"/organisations/{org}/people/new", f"/organisations/{org}/people/new")
    _fuzz_form(client, f"/people/{person}/edit", f"/people/{person}/edit")
    for name in procedure_names():
        page = f"/people/{person}/open/{name}"
        if client.get(page).status_code == 200:
            _fuzz_form(client, page, page)


def test_fuzz_case_actions_comments_and_filters(app, runtime, world):
    """Every action form of an admission case, comments and the list's query string survive any input."""
    case = admission_case(runtime, world, "cell1", until="opinions_collected")
    client = app.test_client()
    sign_in(client, "secretary1")
    page = f"/cases/{case.id}"
    html = client.get(page).get_data(as_text=True)
    for trigger in re.findall(r'action="/cases/\d+/actions/([a-z_]+)"', html):
        _fuzz_form(client, page, f"/cases/{case.id}/actions/{trigger}")
    _fuzz_form(client, page, f"/cases/{case.id}/comments")
    # Any trigger name at all, including ones of other procedures.
    triggers = sorted({s.trigger for n in procedure_names() for s in get_procedure(n, "cpv-2025").steps})

    @FUZZ
    @given(trigger=st.one_of(st.sampled_from(triggers), st.from_regex(r"[a-z_]{1,30}", fullmatch=True)))
    def any_trigger(trigger):
        response = client.post(f"/cases/{case.id}/actions/{trigger}", data={"csrf_token": csrf_token(client, page)})
        assert response.status_code < 500

    any_trigger()

    @FUZZ
    @given(query=st.dictionaries(st.sampled_from(["procedure", "state", "organisation_id", "overdue", "q", "status",
                                                  "sort", "page", "per_page", "x"]), TEXT, max_size=5))
    def any_filter(query):
        assert client.get("/cases/", query_string=query).status_code < 500

    any_filter()


def test_control_characters_are_refused_before_reaching_the_database(app, runtime, world):
    """A NUL byte in an otherwise valid form is refused with a clear 400 (PostgreSQL would reject it)."""
    from sqlalchemy import func, select

    from models import Person
    from tests.web.support import post

    client = app.test_client()
    sign_in(client, "secretary1")
    url = f"/organisations/{world.orgs['cell1']}/people/new"
    with runtime.session_factory() as s:
        before = s.scalar(select(func.count(Person.id)))
    response = post(client, url, {"full_name": "A\x00B", "birth_date": "01/01/2000", "membership_status": "none"},
                    token_from=url)
    assert response.status_code == 400 and "ký tự điều khiển" in response.get_data(as_text=True)
    assert client.get("/cases/?q=a%00b").status_code == 400
    with runtime.session_factory() as s:
        assert s.scalar(select(func.count(Person.id))) == before
