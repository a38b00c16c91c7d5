"""Organisations and people pages; administration of users, roles, organisations and the calendar."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from models import (
    AuditRecord,
    CalendarOverride,
    Organisation,
    Person,
    RoleAssignment,
    User,
)
from tests.support.world import PASSWORD
from tests.web.support import post, sign_in


def _client(app, user):
    client = app.test_client()
    assert sign_in(client, user).status_code == 302
    return client


# ---------------------------------------------------------------- organisations and people


def test_organisation_tree_shows_the_subtree_with_its_ancestors(app, world):
    """The commune's committee member sees the commune and its cells as links, the province only as context."""
    html = _client(app, "committee").get("/organisations").get_data(as_text=True)
    assert f'/organisations/{world.orgs["cell1"]}"' in html and f'/organisations/{world.orgs["cell2"]}"' in html
    assert "Đảng bộ tỉnh Quảng Trị" in html and f'/organisations/{world.orgs["province"]}"' not in html
    assert f'/organisations/{world.orgs["cell3"]}"' not in html


def test_cell_page_lists_members_with_their_status(app, world):
    """A cell's page lists its people with membership status and counts."""
    html = _client(app, "secretary1").get(f"/organisations/{world.orgs['cell1']}").get_data(as_text=True)
    assert "cell1_m1" in html and "cell1_applicant" in html
    assert "Đảng viên chính thức: 4 · Chưa là đảng viên: 1" in html
    assert html.index("cell1_m4") < html.index("cell1_applicant")  # official members first


def test_add_a_person_and_refuse_a_bad_date(app, runtime, world):
    """A secretary registers a sympathiser; a birth date in the future is refused beside its field."""
    client = _client(app, "secretary1")
    url = f"/organisations/{world.orgs['cell1']}/people/new"
    bad = post(client, url, {"full_name": "Trần Văn Mới", "birth_date": "01/01/2090", "membership_status": "none"},
               token_from=url)
    assert bad.status_code == 400
    good = post(client, url, {"full_name": "Trần Văn Mới", "birth_date": "15/08/2001", "gender": "male",
                              "education": "upper_secondary", "membership_status": "none"}, token_from=url)
    assert good.status_code == 302
    with runtime.session_factory() as s:
        person = s.scalars(select(Person).where(Person.full_name == "Trần Văn Mới")).one()
    assert person.birth_date == date(2001, 8, 15) and person.organisation_id == world.orgs["cell1"]


def test_edit_a_person_keeps_the_membership(app, runtime, world):
    """Editing the biography changes the fields, never the membership status."""
    client = _client(app, "officer")
    pid = world.people["cell1_m1"]
    form = client.get(f"/people/{pid}/edit").get_data(as_text=True)
    assert 'value="cell1_m1"' in form
    response = post(client, f"/people/{pid}/edit", {"full_name": "Nguyễn Thị Sửa", "birth_date": "1976-03-02",
                                                    "occupation": "Giáo viên", "membership_status": "none"},
                    token_from=f"/people/{pid}/edit")
    assert response.status_code == 302
    with runtime.session_factory() as s:
        person = s.get(Person, pid)
    assert (person.full_name, person.occupation, person.membership_status) == ("Nguyễn Thị Sửa", "Giáo viên", "official")


def test_person_page_read_is_audited(app, runtime, world):
    """Reading a person's biography writes an audit record."""
    _client(app, "secretary1").get(f"/people/{world.people['cell1_m1']}")
    with runtime.session_factory() as s:
        row = s.scalars(select(AuditRecord).where(AuditRecord.action == "person.view")).one()
    assert row.object_id == str(world.people["cell1_m1"]) and row.outcome == "ok"


def test_open_form_exists_for_every_procedure(app, world):
    """Each procedure's open form renders for the secretary (the person page offers only those that can
    succeed for this member: tests/web/test_offer_only_what_can_succeed.py)."""
    from workflows.procedures.registry import procedure_names

    client = _client(app, "secretary1")
    pid = world.people["cell1_m1"]
    page = client.get(f"/people/{pid}").get_data(as_text=True)
    assert '<option value="discipline">' in page and '<option value="admission">' not in page
    for name in procedure_names():
        response = client.get(f"/people/{pid}/open/{name}")
        assert response.status_code in (200, 403), name
        if response.status_code == 200:
            assert 'class="step-form"' in response.get_data(as_text=True)
    assert client.get(f"/people/{pid}/open?procedure=admission").status_code == 302
    assert client.get(f"/people/{pid}/open/no_such_procedure").status_code == 404


# ---------------------------------------------------------------- administration


def test_admin_creates_a_user_and_gives_a_role(app, runtime, world):
    """The administrator creates an account, gives it a role at a cell; the new user sees that cell."""
    client = _client(app, "admin")
    response = post(client, "/admin/users/new", {"username": "bithu.moi", "display_name": "Bí thư mới",
                                                 "password": "a long enough phrase", "email": "moi@example.test"},
                    token_from="/admin/users/new")
    assert response.status_code == 302
    with runtime.session_factory() as s:
        user = s.scalars(select(User).where(User.username == "bithu.moi")).one()
    response = post(client, f"/admin/users/{user.id}/roles",
                    {"grant-role": "cell_secretary", "grant-organisation_id": str(world.orgs["cell2"])},
                    token_from=f"/admin/users/{user.id}")
    assert response.status_code == 302
    newcomer = app.test_client()
    assert sign_in(newcomer, "bithu.moi", "a long enough phrase").status_code == 302
    assert "Chi bộ thôn 2" in newcomer.get("/organisations").get_data(as_text=True)


def test_admin_refuses_a_weak_password_beside_the_field(app, world):
    """A common password is refused with the rule's message; no account is created."""
    client = _client(app, "admin")
    response = post(client, "/admin/users/new", {"username": "weak", "display_name": "Weak", "password": "123456789012"},
                    token_from="/admin/users/new")
    assert response.status_code == 400 and "quá dễ đoán" in response.get_data(as_text=True)


def test_admin_disables_an_account_and_revokes_a_role(app, runtime, world):
    """A disabled account can no longer sign in; a revoked role is gone."""
    client = _client(app, "admin")
    uid = world.users["secretary2"]
    response = post(client, f"/admin/users/{uid}", {"display_name": "secretary2", "email": ""},
                    token_from=f"/admin/users/{uid}")
    assert response.status_code == 302
    assert sign_in(app.test_client(), "secretary2").status_code == 401
    with runtime.session_factory() as s:
        grant = s.scalars(select(RoleAssignment).where(RoleAssignment.user_id == uid)).one()
    assert post(client, f"/admin/roles/{grant.id}/revoke", {"user_id": str(uid)},
                token_from=f"/admin/users/{uid}").status_code == 302
    with runtime.session_factory() as s:
        assert s.get(RoleAssignment, grant.id) is None


def test_admin_cannot_lock_themselves_out(app, world):
    """Disabling one's own account is refused."""
    client = _client(app, "admin")
    uid = world.users["admin"]
    response = post(client, f"/admin/users/{uid}", {"display_name": "admin", "is_admin": "y"},
                    token_from=f"/admin/users/{uid}")
    assert response.status_code == 400


def test_admin_creates_and_renames_an_organisation(app, runtime, world):
    """A new cell under the commune, then renamed; a cell cannot hold admission authority."""
    client = _client(app, "admin")
    response = post(client, "/admin/organisations", {"name": "Chi bộ thôn 5", "kind": "cell",
                                                    "parent_id": str(world.orgs["commune"])},
                    token_from="/admin/organisations")
    assert response.status_code == 302
    with runtime.session_factory() as s:
        org = s.scalars(select(Organisation).where(Organisation.name == "Chi bộ thôn 5")).one()
    assert org.path.startswith(f"/{world.orgs['province']}/{world.orgs['commune']}/")
    refused = post(client, f"/admin/organisations/{org.id}", {"name": "Chi bộ thôn 5", "admission_authority": "y"},
                   token_from=f"/admin/organisations/{org.id}")
    assert refused.status_code == 400
    renamed = post(client, f"/admin/organisations/{org.id}", {"name": "Chi bộ thôn Năm"},
                   token_from=f"/admin/organisations/{org.id}")
    assert renamed.status_code == 302
    with runtime.session_factory() as s:
        assert s.get(Organisation, org.id).name == "Chi bộ thôn Năm"


def test_calendar_override_changes_working_days_at_once(app, runtime, world):
    """Declaring a Saturday a working day changes the working-day arithmetic; removing it restores it."""
    client = _client(app, "admin")
    engine_rt = app.extensions["quytrinh"]
    friday = date(2027, 3, 5)
    assert engine_rt.calendar().add_working_days(friday, 1) == date(2027, 3, 8)
    response = post(client, "/admin/calendar", {"day": "06/03/2027", "working": "1", "note": "Làm bù"},
                    token_from="/admin/calendar")
    assert response.status_code == 302
    assert engine_rt.calendar().add_working_days(friday, 1) == date(2027, 3, 6)
    page = client.get("/admin/calendar?year=2027").get_data(as_text=True)
    assert "06/03/2027" in page and "Làm bù" in page and "Tết Nguyên Đán" in page
    assert post(client, "/admin/calendar/2027-03-06/delete", token_from="/admin/calendar").status_code == 302
    assert engine_rt.calendar().add_working_days(friday, 1) == date(2027, 3, 8)
    with runtime.session_factory() as s:
        assert s.scalars(select(CalendarOverride)).all() == []


def test_admin_records_whether_a_unit_has_a_youth_union(app, runtime, world):
    """The organisation page sets youth_union yes / no / not recorded; the directory shows it in Vietnamese."""
    client = _client(app, "admin")
    url = f"/admin/organisations/{world.orgs['commune']}"
    page = client.get(url).get_data(as_text=True)
    assert "Tổ chức Đoàn thanh niên ở đơn vị" in page and "chưa ghi nhận" in page
    saved = post(client, url, {"name": "Đảng ủy xã", "admission_authority": "y", "youth_union": "yes"}, token_from=url)
    assert saved.status_code == 302
    with runtime.session_factory() as s:
        assert s.get(Organisation, world.orgs["commune"]).youth_union is True
    html = client.get(f"/organisations/{world.orgs['commune']}").get_data(as_text=True)
    assert "có tổ chức Đoàn thanh niên" in html
    post(client, url, {"name": "Đảng ủy xã", "admission_authority": "y", "youth_union": ""}, token_from=url)
    with runtime.session_factory() as s:
        assert s.get(Organisation, world.orgs["commune"]).youth_union is None
