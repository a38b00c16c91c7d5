"""Strike-off (procedures.md §5) through the engine."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from models import Event, Person, Vote
from tests.support.flows import act, add_person, open_as, walk_plan
from workflows.demo.plans import decision, strike_off_plan, vote
from workflows.domain.calendar import WorkingCalendar
from workflows.domain.errors import Forbidden, RuleViolation, TransitionNotAllowed

START = date(2026, 3, 2)


def to_state(runtime, world, state, person="cell1_m4", cell="cell1", **kw):
    return walk_plan(runtime, world, strike_off_plan(START, **kw), person, "strike_off", cell=cell, until=state)


def test_strike_off_from_proposal_to_decision(runtime, world):
    """proposed → self_criticism_done → cell_approved → committee_approved → struck_off; the member leaves the rolls."""
    case = to_state(runtime, world, None)
    assert case.state == "struck_off" and case.decided_on == date(2026, 4, 11)
    with runtime.session_factory() as s:
        person = s.get(Person, world.people["cell1_m4"])
        states = s.scalars(select(Event.to_state).where(Event.case_id == case.id).order_by(Event.seq)).all()
    assert states == ["proposed", "self_criticism_done", "cell_approved", "committee_approved", "struck_off"]
    assert (person.membership_status, person.left_on, person.left_reason) == (
        "former", date(2026, 4, 11), "struck_off:missed_activities_or_dues")
    assert case.data["appeal_until"] == WorkingCalendar().add_working_days(date(2026, 4, 13), 30).isoformat()


def test_refusal_needs_three_unanswered_requests(runtime, world):
    """record_refusal with 2 requests is refused (refusal_requests); with 3 the cell proceeds."""
    case = to_state(runtime, world, "proposed")
    data = {"date": "2026-03-20", "requests": 2}
    with pytest.raises(RuleViolation) as err:
        act(runtime, world, case, "record_refusal", "cell_secretary", date(2026, 3, 20), data)
    assert err.value.rule_ids == ["refusal_requests"]
    case = act(runtime, world, case, "record_refusal", "cell_secretary", date(2026, 3, 20), {**data, "requests": 3})
    assert case.state == "self_criticism_done"


@pytest.mark.parametrize(("agree", "state"), [(4, "cell_approved"), (3, "dismissed")])
def test_cell_vote_needs_two_thirds(runtime, world, agree, state):
    """4 of 6 official members carries the proposal; 3 of 6 dismisses the case."""
    case = to_state(runtime, world, "self_criticism_done")
    day = date(2026, 3, 27)
    case = act(runtime, world, case, "cell_vote", "cell_secretary", day, {"vote": vote(day, 6, agree)})
    assert case.state == state
    assert (case.closed_at is not None) == (state == "dismissed")


def test_committee_vote_short_of_two_thirds_dismisses(runtime, world):
    """The grassroots committee's vote below 2/3 ends the case dismissed."""
    case = to_state(runtime, world, "cell_approved")
    day = date(2026, 4, 3)
    case = act(runtime, world, case, "committee_vote", "committee_member", day, {"vote": vote(day, 9, 5)})
    assert case.state == "dismissed"


def test_competent_committee_may_reject(runtime, world):
    """reject_strike_off ends the case dismissed and the member stays on the rolls."""
    case = to_state(runtime, world, "committee_approved")
    case = act(runtime, world, case, "reject_strike_off", "standing_committee", date(2026, 4, 10),
               {"decision_date": "2026-04-10", "reason": "Đảng viên đã khắc phục, sinh hoạt đều đặn trở lại."})
    assert case.state == "dismissed"
    with runtime.session_factory() as s:
        assert s.get(Person, world.people["cell1_m4"]).membership_status == "official"


@pytest.mark.parametrize(("cell", "eligible", "agree", "ok"), [
    ("cell1", 9, 6, True), ("cell1", 9, 5, False),     # delegated commune committee: ≥ 2/3
    ("cell3", 10, 6, True), ("cell3", 10, 5, False),   # province standing committee: > 1/2
])
def test_decision_vote_threshold_depends_on_the_decider(runtime, world, cell, eligible, agree, ok):
    """A delegated grassroots committee needs ≥ 2/3, a standing committee > 1/2 (decision_vote)."""
    case = to_state(runtime, world, "committee_approved", person=f"{cell}_m4", cell=cell)
    day = date(2026, 4, 10)
    data = decision("4-QĐ", day, vote=vote(day, eligible, agree))
    if not ok:
        with pytest.raises(RuleViolation) as err:
            act(runtime, world, case, "decide_strike_off", "standing_committee", day, data, cell=cell)
        assert err.value.rule_ids == ["decision_vote"]
        return
    case = act(runtime, world, case, "decide_strike_off", "standing_committee", day, data, cell=cell)
    with runtime.session_factory() as s:
        row = s.scalars(select(Vote).where(Vote.case_id == case.id, Vote.body == "decision")).one()
    assert row.threshold == ("two_thirds" if cell == "cell1" else "half") and row.passed


def test_grassroots_cell_decides_after_the_cell_vote(runtime, world):
    """In a grassroots cell the committee vote does not apply; the decision follows the cell vote."""
    case = to_state(runtime, world, "cell_approved", person="gcell_m4", cell="gcell")
    with pytest.raises(TransitionNotAllowed):
        act(runtime, world, case, "committee_vote", "committee_member", date(2026, 4, 3),
            {"vote": vote(date(2026, 4, 3), 7)}, actor="standing_province")
    case = act(runtime, world, case, "decide_strike_off", "standing_committee", date(2026, 4, 10),
               decision("2-QĐ/TU", date(2026, 4, 10)), cell="gcell")
    assert case.state == "struck_off"


def test_only_a_member_can_be_struck_off(runtime, world):
    """Opening a strike-off for someone not on the rolls is refused (is_member)."""
    with pytest.raises(RuleViolation) as err:
        open_as(runtime, world, "strike_off", "cell1_applicant", START,
                {"ground": "returned_or_destroyed_card", "evidence": "x", "date": START.isoformat()})
    assert err.value.rule_ids == ["is_member"]


def test_unknown_ground_is_invalid_input(runtime, world):
    """A ground outside the five of the Charter is rejected as invalid input."""
    from workflows.domain.errors import InvalidInput

    with pytest.raises(InvalidInput):
        open_as(runtime, world, "strike_off", "cell1_m4", START, {"ground": "other", "evidence": "x",
                                                                  "date": START.isoformat()})


def test_secretary_cannot_decide(runtime, world):
    """The decision belongs to the competent committee's standing committee."""
    case = to_state(runtime, world, "committee_approved")
    with pytest.raises(Forbidden):
        act(runtime, world, case, "decide_strike_off", "cell_secretary", date(2026, 4, 10),
            decision("1-QĐ", date(2026, 4, 10)))


def test_revoked_strike_off_restores_the_member(runtime, world):
    """Revoking the decision reopens the case at committee_approved and puts the member back on the rolls."""
    case = to_state(runtime, world, None)
    data = {"decision_number": "15-QĐ/TU", "decision_date": "2026-05-04", "reason": "Không tổ chức cho đảng viên kiểm điểm"}
    with pytest.raises(RuleViolation) as err:
        act(runtime, world, case, "revoke", "standing_committee", date(2026, 5, 4),
            {**data, "decision_date": "2026-04-10"}, actor="standing_province")
    assert err.value.rule_ids == ["revoke_after_decision"]
    case = act(runtime, world, case, "revoke", "standing_committee", date(2026, 5, 4), data, actor="standing_province")
    assert case.state == "committee_approved" and case.closed_at is None
    with runtime.session_factory() as s:
        person = s.get(Person, world.people["cell1_m4"])
    assert (person.membership_status, person.left_on, person.left_reason) == ("official", None, None)


def test_a_dismissal_by_the_cell_is_not_a_decision_to_revoke(runtime, world):
    """A case dismissed by the cell vote has no decision: revoke is refused (revocable)."""
    case = to_state(runtime, world, "self_criticism_done")
    case = act(runtime, world, case, "cell_vote", "cell_secretary", date(2026, 3, 27),
               {"vote": vote(date(2026, 3, 27), 6, 1)})
    with pytest.raises(RuleViolation) as err:
        act(runtime, world, case, "revoke", "standing_committee", date(2026, 5, 4),
            {"decision_number": "1", "decision_date": "2026-05-04", "reason": "x"}, actor="standing_province")
    assert err.value.rule_ids == ["revocable"]


def test_probationary_member_struck_off_counts_as_probationary(runtime, world):
    """The decision event records the status before (probationary), which the statistics read."""
    add_person(runtime, world, "young", "cell1", status="probationary")
    case = walk_plan(runtime, world, strike_off_plan(START), "young", "strike_off")
    with runtime.session_factory() as s:
        event = s.scalars(select(Event).where(Event.case_id == case.id, Event.trigger == "decide_strike_off")).one()
    assert event.data["effects"]["person"]["membership_status"] == ["probationary", "former"]
