"""Voluntary withdrawal (procedures.md §6) through the engine."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from models import Event, Person
from tests.support.flows import act, open_as, walk_plan
from workflows.demo.plans import decision, discipline_plan, vote, withdrawal_plan
from workflows.domain.errors import RuleViolation

START = date(2026, 3, 2)


def to_state(runtime, world, state, person="cell1_m4", **kw):
    return walk_plan(runtime, world, withdrawal_plan(START, **kw), person, "withdrawal", until=state)


@pytest.mark.parametrize(("hardship", "reason"), [(False, "withdrawal"), (True, "withdrawal_family_hardship")])
def test_withdrawal_removes_the_member_and_records_why(runtime, world, hardship, reason):
    """requested → cell_approved → committee_approved → removed; left_reason says whether family hardship was recorded."""
    case = to_state(runtime, world, None, hardship=hardship)
    assert case.state == "removed" and case.decided_on == date(2026, 3, 27)
    with runtime.session_factory() as s:
        person = s.get(Person, world.people["cell1_m4"])
        states = s.scalars(select(Event.to_state).where(Event.case_id == case.id).order_by(Event.seq)).all()
    assert states == ["requested", "cell_approved", "committee_approved", "removed"]
    assert (person.membership_status, person.left_on, person.left_reason) == ("former", date(2026, 3, 27), reason)


def test_vote_short_of_two_thirds_refers_to_the_superior_committee(runtime, world):
    """3 of 6 leaves the request referred_to_superior, from where the competent committee decides."""
    case = to_state(runtime, world, "requested")
    case = act(runtime, world, case, "cell_vote", "cell_secretary", date(2026, 3, 12),
               {"vote": vote(date(2026, 3, 12), 6, 3)})
    assert case.state == "referred_to_superior"
    case = act(runtime, world, case, "decide_withdrawal", "standing_committee", date(2026, 3, 30),
               decision("8-QĐ/ĐU", date(2026, 3, 30)))
    assert case.state == "removed"


def test_rejected_and_withdrawn_requests_leave_the_member_on_the_rolls(runtime, world):
    """reject_withdrawal → rejected; the member taking the request back → withdrawn; both keep the member."""
    case = to_state(runtime, world, "committee_approved")
    case = act(runtime, world, case, "reject_withdrawal", "standing_committee", date(2026, 3, 25),
               {"decision_date": "2026-03-25", "reason": "Đảng viên đang được xem xét trách nhiệm."})
    assert case.state == "rejected"
    other = to_state(runtime, world, "requested", person="cell1_m3")
    other = act(runtime, world, other, "withdraw", "cell_secretary", date(2026, 3, 5),
                {"reason": "Đảng viên xin rút đơn sau khi được chi bộ động viên."})
    assert other.state == "withdrawn"
    with runtime.session_factory() as s:
        assert {s.get(Person, world.people[k]).membership_status for k in ("cell1_m3", "cell1_m4")} == {"official"}


def test_refused_while_a_discipline_case_is_open(runtime, world):
    """A member under discipline cannot withdraw (open_discipline), not even after the decision, until it closes."""
    walk_plan(runtime, world, discipline_plan(date(2026, 2, 2), violation_date=date(2026, 1, 10)), "cell1_m4",
              "discipline")
    with pytest.raises(RuleViolation) as err:
        open_as(runtime, world, "withdrawal", "cell1_m4", START, {"date": START.isoformat(), "reason": "Xin ra"})
    assert err.value.rule_ids == ["open_discipline"]


def test_decision_refused_when_discipline_opened_meanwhile(runtime, world):
    """A discipline case opened after the request blocks the withdrawal decision."""
    case = to_state(runtime, world, "committee_approved")
    walk_plan(runtime, world, discipline_plan(date(2026, 3, 20), violation_date=date(2026, 3, 1)), "cell1_m4",
              "discipline", until="opened")
    with pytest.raises(RuleViolation) as err:
        act(runtime, world, case, "decide_withdrawal", "standing_committee", date(2026, 3, 27),
            decision("9-QĐ", date(2026, 3, 27)))
    assert err.value.rule_ids == ["open_discipline"]


def test_a_recorded_violation_also_bars_withdrawal(runtime, world):
    """A violation recorded on the person (flags.violation_recorded) refuses the request."""
    from models import write_transaction

    with write_transaction(runtime.session_factory) as s:
        s.get(Person, world.people["cell1_m4"]).flags = {"violation_recorded": True}
    with pytest.raises(RuleViolation) as err:
        open_as(runtime, world, "withdrawal", "cell1_m4", START, {"date": START.isoformat(), "reason": "Xin ra"})
    assert err.value.rule_ids == ["open_discipline"]


def test_revoked_withdrawal_restores_the_member(runtime, world):
    """The province standing committee revokes the removal: back to committee_approved, the member official again."""
    case = to_state(runtime, world, None)
    case = act(runtime, world, case, "revoke", "standing_committee", date(2026, 4, 20),
               {"decision_number": "20-QĐ/TU", "decision_date": "2026-04-20", "reason": "Chưa đủ thủ tục"},
               actor="standing_province")
    assert case.state == "committee_approved"
    with runtime.session_factory() as s:
        assert s.get(Person, world.people["cell1_m4"]).membership_status == "official"
