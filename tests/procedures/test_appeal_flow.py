"""Appeals (procedures.md §8) against discipline and strike-off decisions, through the engine."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from models import Case, Event, Person
from tests.support.flows import act, add_person, open_as, walk_plan
from workflows.demo.plans import (
    appeal_plan,
    decision,
    discipline_plan,
    probation_plan,
    strike_off_plan,
)
from workflows.domain.calendar import WorkingCalendar
from workflows.domain.errors import Forbidden, RuleViolation
from workflows.engine.automatic import close_expired

START = date(2026, 2, 2)
DECIDED, RECEIVED = date(2026, 3, 4), date(2026, 3, 6)  # discipline_plan's decision and receipt


def discipline(runtime, world, form="expulsion", person="cell1_m4"):
    return walk_plan(runtime, world, discipline_plan(START, violation_date=date(2026, 1, 10), form=form), person,
                     "discipline")


def appeal(runtime, world, against, received=RECEIVED, filed=date(2026, 3, 20), person="cell1_m4", until=None,
           **kw):
    plan = appeal_plan(against.id, received, filed, **kw)
    return walk_plan(runtime, world, plan, person, "appeal", until=until)


def opened(runtime, world, against, received, filed, person="cell1_m4", actor="inspection"):
    return open_as(runtime, world, "appeal", person, filed, {
        "against_case_id": against.id, "received_decision_on": received.isoformat(), "filed_on": filed.isoformat(),
        "grounds": "Đề nghị xem xét lại."}, actor=actor)


def test_strike_off_appeal_on_the_thirtieth_working_day_is_accepted_and_the_thirty_first_refused(runtime, world):
    """Window for a strike-off: 30 working days from receipt; filed on the 31st → deadline_passed."""
    struck = walk_plan(runtime, world, strike_off_plan(START), "cell1_m4", "strike_off")
    received = date(2026, 3, 16)
    calendar = WorkingCalendar()
    with pytest.raises(RuleViolation) as err:
        opened(runtime, world, struck, received, calendar.add_working_days(received, 31), actor="standing_province")
    assert err.value.rule_ids == ["deadline_passed"]
    assert "quá thời hạn" in err.value.message_vi
    case = opened(runtime, world, struck, received, calendar.add_working_days(received, 30), actor="standing_province")
    assert case.state == "filed" and case.data["against_procedure"] == "strike_off"


def test_discipline_appeal_window_is_one_calendar_month(runtime, world):
    """Received 31 January: the last day is 28 February (accepted), 1 March is refused."""
    case = walk_plan(runtime, world, discipline_plan(date(2025, 12, 31), violation_date=date(2025, 12, 1)), "cell1_m4",
                     "discipline")
    with pytest.raises(RuleViolation) as err:
        opened(runtime, world, case, date(2026, 1, 31), date(2026, 3, 1))
    assert err.value.rule_ids == ["deadline_passed"]
    assert opened(runtime, world, case, date(2026, 1, 31), date(2026, 2, 28)).state == "filed"


def test_only_a_decision_in_force_about_the_appellant_can_be_appealed(runtime, world):
    """Someone else's decision, or a case without a decision, is refused (appealable_decision)."""
    case = discipline(runtime, world)
    with pytest.raises(RuleViolation) as err:
        opened(runtime, world, case, RECEIVED, date(2026, 3, 10), person="cell1_m3")
    assert err.value.rule_ids == ["appealable_decision"]
    pending = walk_plan(runtime, world, strike_off_plan(START), "cell1_m2", "strike_off", until="proposed")
    with pytest.raises(RuleViolation) as err:
        opened(runtime, world, pending, RECEIVED, date(2026, 3, 10), person="cell1_m2")
    assert err.value.rule_ids == ["appealable_decision"]


def test_received_before_the_decision_is_refused(runtime, world):
    """The decision cannot have been received before its date (appeal_dates)."""
    case = discipline(runtime, world)
    with pytest.raises(RuleViolation) as err:
        opened(runtime, world, case, date(2026, 3, 1), date(2026, 3, 10))
    assert err.value.rule_ids == ["appeal_dates"]


def test_decision_stays_in_force_while_the_appeal_is_pending(runtime, world):
    """During the appeal the expelled person stays off the rolls and the daily job does not close the case."""
    case = discipline(runtime, world)
    appeal(runtime, world, case, until="under_consideration")
    assert close_expired(runtime, date(2026, 4, 15)) == 0
    with runtime.session_factory() as s:
        assert s.get(Case, case.id).state == "in_force"
        assert s.get(Person, world.people["cell1_m4"]).membership_status == "former"


def test_upheld_decision_closes_after_the_appeal(runtime, world):
    """uphold → upheld; the discipline case then closes with the daily job."""
    case = discipline(runtime, world, form="reprimand")
    assert appeal(runtime, world, case).state == "upheld"
    assert close_expired(runtime, date(2026, 4, 25)) == 1


def test_annulled_expulsion_restores_membership(runtime, world):
    """annul → the appeal is annulled, the discipline case annulled by its own event, the member official again."""
    case = discipline(runtime, world)
    result = appeal(runtime, world, case, outcome="annul")
    assert result.state == "annulled"
    with runtime.session_factory() as s:
        decided = s.get(Case, case.id)
        person = s.get(Person, world.people["cell1_m4"])
        event = s.scalars(select(Event).where(Event.case_id == case.id).order_by(Event.seq.desc())).first()
    assert decided.state == "annulled" and decided.data["annulled_by_appeal"] == result.id
    assert event.trigger == "annul" and event.actor_id == world.users["inspection"]
    assert (person.membership_status, person.left_on, person.left_reason) == ("official", None, None)


def test_amended_expulsion_to_warning_restores_membership(runtime, world):
    """amend to a warning: the member is back on the rolls, the case keeps in force with the new form."""
    case = discipline(runtime, world)
    assert appeal(runtime, world, case, outcome="amend", form="warning").state == "amended"
    with runtime.session_factory() as s:
        decided = s.get(Case, case.id)
        person = s.get(Person, world.people["cell1_m4"])
    assert (decided.state, decided.data["form"]) == ("in_force", "warning")
    assert person.membership_status == "official"


def test_amended_warning_to_expulsion_ends_membership(runtime, world):
    """The level above may also make the form heavier: amending a warning to expulsion removes the member."""
    case = discipline(runtime, world, form="warning")
    appeal(runtime, world, case, outcome="amend", form="expulsion")
    with runtime.session_factory() as s:
        person = s.get(Person, world.people["cell1_m4"])
    assert (person.membership_status, person.left_on, person.left_reason) == ("former", DECIDED, "expelled")


def test_a_strike_off_cannot_be_amended(runtime, world):
    """amend_discipline_only: a strike-off is upheld or annulled."""
    struck = walk_plan(runtime, world, strike_off_plan(START), "cell1_m4", "strike_off")
    with pytest.raises(RuleViolation) as err:
        appeal(runtime, world, struck, received=date(2026, 3, 16), filed=date(2026, 3, 20), outcome="amend",
               form="warning", role="province_standing_committee")
    assert err.value.rule_ids == ["amend_discipline_only"]


def test_annulled_probation_strike_off_restores_the_probationary_member(runtime, world):
    """An appeal against a probationary member's strike-off, annulled: probation case annulled, member probationary."""
    add_person(runtime, world, "young", "cell1", status="probationary")
    struck = walk_plan(runtime, world, probation_plan(date(2025, 1, 6), eligible=6, proposal="strike_off"), "young",
                       "probation")
    assert struck.state == "struck_off"
    appeal(runtime, world, struck, received=date(2026, 2, 1), filed=date(2026, 2, 10), person="young", outcome="annul",
           role="province_standing_committee")
    with runtime.session_factory() as s:
        assert s.get(Case, struck.id).state == "annulled"
        assert s.get(Person, world.people["young"]).membership_status == "probationary"


def test_the_commune_cannot_resolve_an_appeal_against_its_own_decision(runtime, world):
    """Appeals are resolved by the level above the decider: the commune's own decision goes to the province."""
    plan = discipline_plan(START, violation_date=date(2026, 1, 10), form="reprimand", decider="standing_committee")
    trigger, role, day, data = plan[-1]
    plan[-1] = (trigger, role, day, {**data, "decided_by": "grassroots_committee"})
    case = walk_plan(runtime, world, plan, "cell1_m4", "discipline")
    with pytest.raises(Forbidden):
        open_as(runtime, world, "appeal", "cell1_m4", date(2026, 3, 10), {
            "against_case_id": case.id, "received_decision_on": "2026-03-06", "filed_on": "2026-03-10",
            "grounds": "x"}, actor="standing_commune")


def test_the_appellant_may_withdraw(runtime, world):
    """withdraw ends the appeal; the decision simply stays."""
    case = discipline(runtime, world, form="reprimand")
    filed = appeal(runtime, world, case, until="filed")
    filed = act(runtime, world, filed, "withdraw", "inspection_committee", date(2026, 3, 25), {"reason": "Rút đơn"})
    assert filed.state == "withdrawn"


def test_revoked_uphold_reopens_consideration(runtime, world):
    """The province standing committee revokes an uphold: the appeal is under consideration again."""
    case = discipline(runtime, world, form="reprimand")
    upheld = appeal(runtime, world, case)
    upheld = act(runtime, world, upheld, "revoke", "standing_committee", date(2026, 5, 4),
                 decision("2-QĐ/TU", date(2026, 5, 4), reason="Giải quyết không đúng thẩm quyền"),
                 actor="standing_province")
    assert upheld.state == "under_consideration" and upheld.closed_at is None
