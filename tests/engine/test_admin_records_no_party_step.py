"""System administration and party authority are separate: `admin` keeps the system and records no party step."""
from __future__ import annotations

from datetime import date

import pytest

from models import write_transaction
from tests.support.flows import open_as
from tests.web.support import admission_case, sign_in
from workflows.accounts.accounts import assign_role, create_user
from workflows.demo.walk import at_day
from workflows.domain.errors import Forbidden
from workflows.engine import fire, open_case


def test_the_administrator_may_not_open_or_advance_a_case(runtime, world):
    """open_case and fire refuse `admin` (is_admin) with a Forbidden naming who may; nothing is written."""
    with pytest.raises(Forbidden) as refused:
        open_as(runtime, world, "admission", "cell1_applicant", date(2026, 11, 2),
                {"resolution_date": "2026-11-02", "helper_id": world.people["cell1_m1"]}, actor="admin")
    assert "bí thư chi bộ" in refused.value.message_vi
    case = admission_case(runtime, world, "cell1")
    with pytest.raises(Forbidden):
        fire(at_day(runtime, date(2026, 11, 20)), case_id=case.id, trigger="withdraw", actor_id=world.users["admin"],
             data={"reason": "Thử"})


def test_the_admin_role_over_a_subtree_grants_no_party_step(runtime, world):
    """A user holding the `admin` role at the commune administers it but cannot record the cell's steps."""
    with write_transaction(runtime.session_factory) as s:
        user = create_user(s, username="admin_commune", password="quản trị xã đồi thông 2026", display_name="admin xã")
        assign_role(s, user_id=user.id, organisation_id=world.orgs["commune"], role="admin")
        user_id = user.id
    with pytest.raises(Forbidden):
        open_case(at_day(runtime, date(2026, 11, 2)), procedure="admission", person_id=world.people["cell1_applicant"],
                  organisation_id=world.orgs["cell1"], actor_id=user_id,
                  data={"resolution_date": "2026-11-02", "helper_id": world.people["cell1_m1"]})


def test_the_administrator_reads_a_case_page_without_step_forms(app, runtime, world):
    """admin may read a case (support) but the page offers no step form and the person page no «Mở hồ sơ»."""
    case = admission_case(runtime, world, "cell1")
    client = app.test_client()
    assert sign_in(client, "admin").status_code == 302
    page = client.get(f"/cases/{case.id}")
    assert page.status_code == 200
    assert 'action="/cases/%d/actions/' % case.id not in page.get_data(as_text=True)
    person = client.get(f"/people/{world.people['cell1_applicant']}").get_data(as_text=True)
    assert "/open" not in person
