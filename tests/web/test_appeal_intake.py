"""Appeal intake from a person's page: the bodies that hear an appeal, and the officer who records it, get the form."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from models import Case, write_transaction
from tests.support.flows import walk_plan
from tests.support.world import PASSWORD
from tests.web.support import post, sign_in
from workflows.accounts.accounts import assign_role, create_user
from workflows.demo.plans import discipline_plan

START = date(2026, 10, 1)  # decided 31/10, received 02/11: the month to appeal runs to 02/12


def _decided(runtime, world):
    return walk_plan(runtime, world, discipline_plan(START, violation_date=date(2026, 9, 1), form="reprimand"),
                     "cell1_m4", "discipline")


def _province_officer(runtime, world) -> str:
    with write_transaction(runtime.session_factory) as s:
        user = create_user(s, username="officer_province", password=PASSWORD, display_name="Ban Tổ chức Tỉnh ủy",
                           email="officer.province@example.test")
        assign_role(s, user_id=user.id, organisation_id=world.orgs["province"], role="organisation_officer")
    return "officer_province"


def _client(app, user):
    client = app.test_client()
    assert sign_in(client, user).status_code == 302
    return client


def _appeals(runtime) -> int:
    with runtime.session_factory() as s:
        return s.scalar(select(func.count(Case.id)).where(Case.procedure == "appeal"))


def test_the_inspection_commission_gets_the_intake_form_and_records_an_appeal(app, runtime, world):
    """ubkt of the level above the decider opens «Khiếu nại kỷ luật, xóa tên» from the person's page (was a 403)."""
    decided = _decided(runtime, world)
    person = world.people["cell1_m4"]
    client = _client(app, "inspection")
    form = client.get(f"/people/{person}/open/appeal")
    html = form.get_data(as_text=True)
    assert form.status_code == 200
    assert 'name="d.against_case_id"' in html and f'value="{decided.id}"' in html
    response = post(client, f"/people/{person}/open/appeal", {
        "d.against_case_id": str(decided.id), "d.received_decision_on": "02/11/2026", "d.filed_on": "20/11/2026",
        "d.grounds": "Đề nghị xem xét lại mức kỷ luật."}, token_from=f"/people/{person}/open/appeal")
    assert response.status_code == 302, response.get_data(as_text=True)
    assert _appeals(runtime) == 1


def test_the_organisation_officer_of_the_hearing_level_records_a_received_appeal(app, runtime, world):
    """The province's organisation officer, who receives appeals for the committee, gets the form and records one."""
    decided = _decided(runtime, world)
    person = world.people["cell1_m4"]
    client = _client(app, _province_officer(runtime, world))
    assert client.get(f"/people/{person}/open/appeal").status_code == 200
    response = post(client, f"/people/{person}/open/appeal", {
        "d.against_case_id": str(decided.id), "d.received_decision_on": "02/11/2026", "d.filed_on": "20/11/2026",
        "d.grounds": "Đề nghị xem xét lại."}, token_from=f"/people/{person}/open/appeal")
    assert response.status_code == 302
    assert _appeals(runtime) == 1


def test_a_body_that_does_not_hear_the_appeal_is_told_who_does(app, runtime, world):
    """The cell secretary gets 403 naming the roles that may (never «cần vai trò: —»), and nothing is written."""
    _decided(runtime, world)
    response = _client(app, "secretary1").get(f"/people/{world.people['cell1_m4']}/open/appeal")
    html = response.get_data(as_text=True)
    assert response.status_code == 403
    assert "cần vai trò: —" not in html and "inspection_committee" not in html
    assert _appeals(runtime) == 0


def _offers_appeal(client, person: int) -> bool:
    html = client.get(f"/people/{person}").get_data(as_text=True)
    return '<option value="appeal">' in html


def test_the_commune_committee_hears_a_cells_reprimand_and_gets_the_intake_from_the_person_page(app, runtime, world):
    """A cell's reprimand is heard by the commune: its standing committee is offered the intake and records one."""
    decided = _decided(runtime, world)
    person = world.people["cell1_m4"]
    client = _client(app, "standing_commune")
    assert _offers_appeal(client, person)
    response = post(client, f"/people/{person}/open/appeal", {
        "d.against_case_id": str(decided.id), "d.received_decision_on": "02/11/2026", "d.filed_on": "20/11/2026",
        "d.grounds": "Đề nghị xem xét lại mức kỷ luật."}, token_from=f"/people/{person}/open/appeal")
    assert response.status_code == 302, response.get_data(as_text=True)
    with runtime.session_factory() as s:
        appeal = s.scalars(select(Case).where(Case.procedure == "appeal")).one()
    assert appeal.data["hearing_org_id"] == world.orgs["commune"]


def test_the_commune_organisation_officer_is_offered_the_intake_of_a_cells_decision(app, runtime, world):
    """The organisation officer of the hearing commune, who receives appeals for its committee, is offered the form."""
    _decided(runtime, world)
    client = _client(app, "officer")
    assert _offers_appeal(client, world.people["cell1_m4"])
    assert client.get(f"/people/{world.people['cell1_m4']}/open/appeal").status_code == 200


def test_the_person_page_offers_the_appeal_only_to_those_who_hear_it(app, runtime, world):
    """The cell secretary who decided is not offered the intake (it would answer 403); the hearer is."""
    _decided(runtime, world)
    person = world.people["cell1_m4"]
    assert not _offers_appeal(_client(app, "secretary1"), person)
    assert _offers_appeal(_client(app, "standing_commune"), person)


def test_no_appeal_is_offered_for_a_person_with_no_decision_to_appeal(app, runtime, world):
    """Without a discipline or strike-off decision in force, nobody is offered an appeal that could not succeed."""
    person = world.people["cell1_m4"]
    for user in ("standing_commune", "officer", "inspection", "standing_province"):
        assert not _offers_appeal(_client(app, user), person), user
