"""Who hears an appeal, and the chain of appeals up to the central level (Điều lệ art. 39.7; QĐ 22 art. 22; QĐ 24 §8)."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from models import Case, Deadline
from tests.support.flows import act, open_as, walk_plan
from workflows.demo.plans import appeal_plan, discipline_plan, strike_off_plan
from workflows.domain.errors import Forbidden, RuleViolation

START = date(2026, 2, 2)  # discipline_plan: decided 2026-03-04, received 2026-03-06


def reprimand_by_the_cell(runtime, world):
    return walk_plan(runtime, world, discipline_plan(START, violation_date=date(2026, 1, 10), form="reprimand"),
                     "cell1_m4", "discipline")


def appeal(runtime, world, against, received, filed, *, role, outcome="uphold", form=None, until=None):
    return walk_plan(runtime, world, appeal_plan(against.id, received, filed, outcome=outcome, form=form, role=role),
                     "cell1_m4", "appeal", until=until)


def open_appeal(runtime, world, against, received, filed, actor):
    return open_as(runtime, world, "appeal", "cell1_m4", filed, {
        "against_case_id": against.id, "received_decision_on": received.isoformat(), "filed_on": filed.isoformat(),
        "grounds": "Đề nghị xem xét lại."}, actor=actor)


def test_a_cells_reprimand_is_heard_by_the_grassroots_committee(runtime, world):
    """The level directly above a cell is its grassroots organisation: the commune's standing committee hears it."""
    case = reprimand_by_the_cell(runtime, world)
    filed = open_appeal(runtime, world, case, date(2026, 3, 6), date(2026, 3, 10), actor="standing_commune")
    assert (filed.data["hearing_org_id"], filed.data["appeal_level"], filed.data["origin_case_id"]) == (
        world.orgs["commune"], 1, case.id)


def test_a_strike_off_appeal_is_heard_by_the_superior_committee_not_an_inspection_commission(runtime, world):
    """QĐ 24 §8 «với cấp ủy cấp trên»: the province inspection commission is refused, its standing committee hears it."""
    struck = walk_plan(runtime, world, strike_off_plan(START), "cell1_m4", "strike_off")
    received, filed = date(2026, 3, 16), date(2026, 3, 20)
    with pytest.raises(Forbidden):
        open_appeal(runtime, world, struck, received, filed, actor="inspection")
    with pytest.raises(Forbidden):  # the commune decided it: it cannot hear the appeal
        open_appeal(runtime, world, struck, received, filed, actor="standing_commune")
    case = open_appeal(runtime, world, struck, received, filed, actor="standing_province")
    assert case.data["hearing_org_id"] == world.orgs["province"]
    with runtime.session_factory() as s:
        row = s.scalars(select(Deadline).where(Deadline.case_id == case.id)).one()
    assert (row.kind, row.role) == ("appeal_resolution", "standing_committee")


def test_the_chain_of_appeals_up_to_the_central_level(runtime, world):
    """Commune upholds → the province amends (the discipline case changes) → the central level upholds → final."""
    case = reprimand_by_the_cell(runtime, world)
    first = appeal(runtime, world, case, date(2026, 3, 6), date(2026, 3, 10), role="standing_committee")
    assert first.state == "upheld"  # decided 2026-04-09
    with pytest.raises(RuleViolation) as err:  # the reprimand itself was decided on appeal already
        open_appeal(runtime, world, case, date(2026, 3, 6), date(2026, 3, 25), actor="inspection")
    assert err.value.rule_ids == ["appeal_next_level"]
    with pytest.raises(Forbidden):  # the commune heard the first: the second goes up
        open_appeal(runtime, world, first, date(2026, 4, 10), date(2026, 4, 15), actor="standing_commune")
    second = appeal(runtime, world, first, date(2026, 4, 10), date(2026, 4, 15), role="inspection_committee",
                    outcome="amend", form="warning")
    assert (second.state, second.data["appeal_level"], second.data["origin_case_id"]) == ("amended", 2, case.id)
    with runtime.session_factory() as s:
        assert s.get(Case, case.id).data["form"] == "warning"
    third = appeal(runtime, world, second, date(2026, 5, 16), date(2026, 5, 20), role="inspection_committee",
                   until="filed")
    assert (third.data["hearing_org_id"], third.data["appeal_level"]) == (None, 3)  # central, recorded by the province
    with runtime.session_factory() as s:
        due = s.scalars(select(Deadline.due_date).where(Deadline.case_id == third.id)).one()
    assert due == runtime.calendar().add_working_days(date(2026, 5, 20), 180)

    third = act(runtime, world, third, "start_consideration", "inspection_committee", date(2026, 5, 25),
                {"date": "2026-05-25"})
    third = act(runtime, world, third, "uphold", "inspection_committee", date(2026, 6, 30),
                {"decision_number": "9-QĐ/TW", "decision_date": "2026-06-30"})
    with pytest.raises(RuleViolation) as err:
        open_appeal(runtime, world, third, date(2026, 7, 1), date(2026, 7, 2), actor="inspection")
    assert err.value.rule_ids == ["appeal_final"]


def test_an_appeal_decision_is_appealed_within_the_window_from_its_receipt(runtime, world):
    """deadline_passed: one calendar month from receiving the appeal decision (a discipline chain)."""
    case = reprimand_by_the_cell(runtime, world)
    first = appeal(runtime, world, case, date(2026, 3, 6), date(2026, 3, 10), role="standing_committee")
    received = date(2026, 4, 10)
    with pytest.raises(RuleViolation) as err:
        open_appeal(runtime, world, first, received, received + timedelta(days=31), actor="inspection")
    assert err.value.rule_ids == ["deadline_passed"]
    assert open_appeal(runtime, world, first, received, date(2026, 5, 10), actor="inspection").state == "filed"
