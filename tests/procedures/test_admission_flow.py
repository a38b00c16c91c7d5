"""The admission procedure through the engine on a fresh database."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from models import Case, Deadline, Event, Person, Vote
from workflows.demo.walk import admission_plan, at_day, walk
from workflows.domain.errors import (
    ConflictingUpdate,
    Forbidden,
    NotFound,
    RuleViolation,
    TransitionNotAllowed,
)
from workflows.engine import fire, open_case

START = date(2026, 3, 2)


def plan_for(world, cell="cell1", start=START):
    return admission_plan(world.people[f"{cell}_m1"], (world.people[f"{cell}_m2"], world.people[f"{cell}_m3"]), start)


def walk_to(runtime, world, until, cell="cell1", **kw):
    return walk(runtime, plan_for(world, cell), person_id=world.people[f"{cell}_applicant"],
                organisation_id=world.orgs[cell], actor_for=world.actor_for(cell), procedure="admission",
                until=until, **kw)


def test_admission_reaches_admitted_with_one_event_per_step(runtime, world):
    """A clean admission walks from sympathiser to admitted, one event per step, revision = event count."""
    case = walk_to(runtime, world, "admitted")
    assert case.state == "admitted"
    with runtime.session_factory() as s:
        events = s.scalars(select(Event).where(Event.case_id == case.id).order_by(Event.seq)).all()
        assert [e.trigger for e in events] == [
            "open", "submit_application", "verify_background", "collect_opinions", "cell_vote",
            "committee_vote", "decide_admission"]
        assert case.revision == len(events) == 7
        person = s.get(Person, world.people["cell1_applicant"])
        assert person.membership_status == "probationary"
        assert person.joined_on == date(2026, 5, 11)


def test_cell_vote_opens_the_decision_deadline_sixty_working_days_later(runtime, world):
    """The cell vote opens an admission_decision deadline 60 working days after the vote, for the competent committee."""
    case = walk_to(runtime, world, "cell_approved")
    with runtime.session_factory() as s:
        deadline = s.scalars(select(Deadline).where(Deadline.case_id == case.id)).one()
    vote_day = date(2026, 4, 27)
    assert deadline.kind == "admission_decision"
    assert deadline.due_date == runtime.calendar().add_working_days(vote_day, 60)
    assert deadline.organisation_id == world.orgs["commune"]
    assert deadline.role == "standing_committee"


def test_failed_cell_vote_refers_to_superior(runtime, world):
    """A cell vote below 2/3 of the official members sends the case to the superior committee."""
    case = walk_to(runtime, world, "opinions_collected")
    rt = at_day(runtime, date(2026, 4, 27))
    case = fire(rt, case_id=case.id, trigger="cell_vote", actor_id=world.users["secretary1"], data={
        "vote": {"date": "2026-04-27", "eligible": 7, "agree": 4, "disagree": 3, "method": "secret_ballot"}})
    assert case.state == "referred_to_superior"
    with runtime.session_factory() as s:
        vote = s.scalars(select(Vote).where(Vote.case_id == case.id)).one()
        assert (vote.agree, vote.eligible, vote.passed, vote.threshold) == (4, 7, False, "two_thirds")


def test_wrong_role_is_forbidden_and_writes_nothing(runtime, world):
    """A secretary cannot record the committee vote: Forbidden, and the case is unchanged."""
    case = walk_to(runtime, world, "cell_approved")
    with pytest.raises(Forbidden):
        fire(runtime, case_id=case.id, trigger="committee_vote", actor_id=world.users["secretary1"], data={
            "vote": {"date": "2026-05-04", "eligible": 7, "agree": 7, "disagree": 0, "method": "show_of_cards"}})
    with runtime.session_factory() as s:
        assert s.get(Case, case.id).revision == case.revision
        assert s.scalar(select(func.count(Event.id)).where(Event.case_id == case.id)) == case.revision


def test_foreign_secretary_does_not_see_the_case(runtime, world):
    """A secretary of another cell gets NotFound, not a hint that the case exists."""
    case = walk_to(runtime, world, "sympathiser")
    with pytest.raises(NotFound):
        fire(runtime, case_id=case.id, trigger="submit_application", actor_id=world.users["secretary2"], data={})


def test_step_from_wrong_state_is_not_allowed(runtime, world):
    """Voting before the opinions are collected is refused as a transition not allowed."""
    case = walk_to(runtime, world, "sympathiser")
    with pytest.raises(TransitionNotAllowed):
        fire(runtime, case_id=case.id, trigger="cell_vote", actor_id=world.users["secretary1"], data={})


def test_stale_revision_is_a_conflict(runtime, world):
    """Firing with a revision older than the case's raises ConflictingUpdate."""
    case = walk_to(runtime, world, "application_submitted")
    with pytest.raises(ConflictingUpdate):
        fire(at_day(runtime, date(2026, 4, 11)), case_id=case.id, trigger="verify_background",
             actor_id=world.users["officer"], data={"date": "2026-04-11", "conclusion": "ok"}, revision=1)


def test_second_open_admission_for_the_same_person_is_refused(runtime, world):
    """One open admission case per person."""
    walk_to(runtime, world, "sympathiser")
    with pytest.raises(RuleViolation) as err:
        open_case(at_day(runtime, START), procedure="admission", person_id=world.people["cell1_applicant"],
                  organisation_id=world.orgs["cell1"], actor_id=world.users["secretary1"],
                  data={"resolution_date": START.isoformat(), "helper_id": world.people["cell1_m1"]})
    assert err.value.rule_ids == ["one_open_case"]


def test_return_for_rework_goes_back_and_cancels_the_deadline(runtime, world):
    """The committee returns a cell-approved case: back to opinions_collected, decision deadline cancelled."""
    case = walk_to(runtime, world, "cell_approved")
    case = fire(at_day(runtime, date(2026, 5, 1)), case_id=case.id, trigger="return_for_rework",
                actor_id=world.users["committee"], data={"reason": "Thiếu nhận xét của Đoàn thanh niên."})
    assert case.state == "opinions_collected"
    with runtime.session_factory() as s:
        statuses = s.scalars(select(Deadline.status).where(Deadline.case_id == case.id)).all()
    assert statuses == ["cancelled"]


def test_grassroots_cell_skips_the_committee_vote(runtime, world):
    """In a grassroots cell the decision follows the cell vote; the committee vote does not apply."""
    case = walk_to(runtime, world, "cell_approved", cell="gcell")
    with pytest.raises(TransitionNotAllowed):
        fire(runtime, case_id=case.id, trigger="committee_vote", actor_id=world.users["standing_province"], data={})
    case = fire(at_day(runtime, date(2026, 5, 11)), case_id=case.id, trigger="decide_admission",
                actor_id=world.users["standing_province"],
                data={"decision_number": "12-QĐ/TU", "decision_date": "2026-05-11"})
    assert case.state == "admitted"


def test_undelegated_ward_needs_the_province_standing_committee(runtime, world):
    """Where the grassroots committee has no admission authority, its standing committee cannot decide."""
    case = walk_to(runtime, world, "committee_approved", cell="cell3")
    data = {"decision_number": "7-QĐ/TU", "decision_date": "2026-05-11"}
    with pytest.raises(Forbidden):
        fire(at_day(runtime, date(2026, 5, 11)), case_id=case.id, trigger="decide_admission",
             actor_id=world.users["standing_ward"], data=data)
    case = fire(at_day(runtime, date(2026, 5, 11)), case_id=case.id, trigger="decide_admission",
                actor_id=world.users["standing_province"], data=data)
    assert case.state == "admitted"


def test_system_steps_are_never_offered_as_actions(runtime, world):
    """Steps only the engine takes (e.g. discipline close, probation annul) are not in anyone's allowed actions."""
    from workflows.engine import load_actor
    from workflows.procedures.registry import get_procedure
    from workflows.read.queries import allowed_actions, available_triggers

    case = walk_to(runtime, world, "completed")
    with runtime.session_factory() as s:
        probation = s.scalars(select(Case).where(Case.procedure == "probation")).one()
        admin = load_actor(s, world.users["admin"])
        offered = set(allowed_actions(s, runtime, admin, probation)) | set(available_triggers(s, runtime, probation))
    system = {st.trigger for st in get_procedure("probation", probation.rule_set).steps_from(probation.state) if st.system}
    assert system, "probation has system steps from on_probation"
    assert not offered & system


def test_grassroots_cell_secretary_verifies_the_background_but_a_plain_cell_secretary_does_not(runtime, world):
    """In a grassroots cell the secretary records the background check; in a cell under a committee, not."""
    day = date(2026, 4, 11)
    data = {"date": day.isoformat(), "conclusion": "Lý lịch rõ ràng."}
    case = walk_to(runtime, world, "application_submitted", cell="gcell")
    case = fire(at_day(runtime, day), case_id=case.id, trigger="verify_background",
                actor_id=world.users["secretary_g"], data=data)
    assert case.state == "background_verified"
    case = walk_to(runtime, world, "application_submitted")
    with pytest.raises(Forbidden):
        fire(at_day(runtime, day), case_id=case.id, trigger="verify_background",
             actor_id=world.users["secretary1"], data=data)
