"""Probation and recognition (procedures.md §4) through the engine."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from models import Case, Deadline, Event, Person
from tests.support.flows import act, add_person, open_as, walk_plan
from workflows.demo.plans import decision, probation_plan, vote
from workflows.demo.walk import admission_plan, walk
from workflows.domain.calendar import WorkingCalendar, add_months
from workflows.domain.errors import (
    Forbidden,
    NotFound,
    RuleViolation,
    TransitionNotAllowed,
)

CEREMONY = date(2025, 3, 10)
END = date(2026, 3, 10)


@pytest.fixture
def member(runtime, world):
    """A probationary member of cell 1 admitted before the system was in use."""
    return add_person(runtime, world, "probationer", "cell1", status="probationary", gender="male",
                      joined_on="2025-03-01")


def start(runtime, world, ceremony=CEREMONY, cell="cell1", person="probationer"):
    return open_as(runtime, world, "probation", person, ceremony,
                   {"ceremony_date": ceremony.isoformat(), "helper_id": world.people[f"{cell}_m1"]}, cell=cell)


def review(runtime, world, case, day=END, cell="cell1"):
    return act(runtime, world, case, "submit_review", "cell_secretary", day, {"date": day.isoformat()}, cell=cell)


def cell_vote(runtime, world, case, day, agree, proposal="recognise", eligible=6, cell="cell1"):
    return act(runtime, world, case, "cell_vote", "cell_secretary", day,
               {"vote": vote(day, eligible, agree), "proposal": proposal}, cell=cell)


def test_the_ceremony_opens_probation_ending_twelve_months_later(runtime, world):
    """hold_ceremony opens a probation case (system-fired) whose end is the ceremony + 12 months, with the vote deadline."""
    plan = admission_plan(world.people["cell1_m1"], (world.people["cell1_m2"], world.people["cell1_m3"]),
                          date(2026, 3, 2))
    admission = walk(runtime, plan, person_id=world.people["cell1_applicant"], organisation_id=world.orgs["cell1"],
                     actor_for=world.actor_for("cell1"), procedure="admission")
    assert admission.state == "completed"
    with runtime.session_factory() as s:
        probation = s.scalars(select(Case).where(Case.procedure == "probation")).one()
        deadline = s.scalars(select(Deadline).where(Deadline.case_id == probation.id)).one()
        event = s.scalars(select(Event).where(Event.case_id == probation.id)).one()
    ceremony = date(2026, 5, 21)
    assert probation.state == "on_probation" and probation.parent_case_id == admission.id
    assert probation.data["probation_end"] == "2027-05-21"
    assert probation.data["open"]["admission_case_id"] == admission.id
    assert (deadline.kind, deadline.role) == ("probation_vote", "cell_secretary")
    assert deadline.due_date == WorkingCalendar().add_working_days(add_months(ceremony, 12), 30)
    assert event.actor_id == world.users["secretary1"]


def test_review_is_refused_the_day_before_the_end_and_accepted_on_it(runtime, world, member):
    """submit_review: probation_ended fails on end − 1 day and holds on the end date."""
    case = start(runtime, world)
    with pytest.raises(RuleViolation) as err:
        review(runtime, world, case, date(2026, 3, 9))
    assert err.value.rule_ids == ["probation_ended"]
    assert review(runtime, world, case, END).state == "under_review"


def test_probation_from_29_february_ends_28_february(runtime, world, member):
    """A ceremony on 29 Feb 2024 ends probation on 28 Feb 2025: review refused on the 27th, accepted on the 28th."""
    case = start(runtime, world, ceremony=date(2024, 2, 29))
    assert case.data["probation_end"] == "2025-02-28"
    assert case.rule_set == "cpv-2021"  # opened before 1/7/2025: keeps the 2021 rules
    with pytest.raises(RuleViolation):
        review(runtime, world, case, date(2025, 2, 27))
    assert review(runtime, world, case, date(2025, 2, 28)).state == "under_review"


def test_recognised_member_is_official_from_the_end_of_probation(runtime, world, member):
    """Recognition makes the person official from the end date, whatever the (later) decision date."""
    case = walk_plan(runtime, world, probation_plan(CEREMONY, eligible=6), "probationer", "probation")
    assert case.state == "official"
    assert case.data["official_from"] == END.isoformat()
    assert case.decided_on == date(2026, 3, 31)
    with runtime.session_factory() as s:
        person = s.get(Person, member)
        last = s.scalars(select(Event).where(Event.case_id == case.id).order_by(Event.seq.desc())).first()
    assert (person.membership_status, person.official_on) == ("official", END)
    assert last.data["effects"]["person"]["membership_status"] == ["probationary", "official"]


def test_strike_off_at_the_end_of_probation(runtime, world, member):
    """≥ 2/3 for striking off → strike_off_proposed → confirmed → struck_off: person former, appeal window opens."""
    case = walk_plan(runtime, world, probation_plan(CEREMONY, eligible=6, proposal="strike_off"), "probationer",
                     "probation")
    assert case.state == "struck_off"
    received = date(2026, 4, 2)
    assert case.data["appeal_until"] == WorkingCalendar().add_working_days(received, 30).isoformat()
    with runtime.session_factory() as s:
        person = s.get(Person, member)
        states = s.scalars(select(Event.to_state).where(Event.case_id == case.id).order_by(Event.seq)).all()
    assert states == ["on_probation", "under_review", "strike_off_proposed", "strike_off_confirmed", "struck_off"]
    assert (person.membership_status, person.left_on, person.left_reason) == (
        "former", date(2026, 3, 31), "struck_off:probation_review")


def test_two_thirds_exactly_passes_and_one_less_is_inconclusive(runtime, world, member):
    """4 of 6 recognises; 3 of 6 leaves the case under review with one inconclusive vote counted."""
    case = review(runtime, world, start(runtime, world))
    case = cell_vote(runtime, world, case, date(2026, 3, 12), agree=3)
    assert case.state == "under_review" and case.data["inconclusive_votes"] == 1
    case = cell_vote(runtime, world, case, date(2026, 3, 13), agree=4)
    assert case.state == "cell_approved"


def test_third_inconclusive_vote_refers_to_the_superior_committee(runtime, world, member):
    """Two inconclusive votes stay under review; the third goes to referred_to_superior, which may then recognise."""
    case = review(runtime, world, start(runtime, world))
    for n, day in enumerate((date(2026, 3, 12), date(2026, 3, 19), date(2026, 3, 26)), start=1):
        case = cell_vote(runtime, world, case, day, agree=2)
        assert case.data["inconclusive_votes"] == n
    assert case.state == "referred_to_superior"
    with runtime.session_factory() as s:
        kinds = s.scalars(select(Deadline.kind).where(Deadline.case_id == case.id, Deadline.status == "open")).all()
    assert kinds == ["probation_decision"]  # opened by the referring vote only
    case = act(runtime, world, case, "recognise", "standing_committee", date(2026, 4, 2),
               decision("5-QĐ/ĐU", date(2026, 4, 2)))
    assert case.state == "official"


def test_committee_refers_only_after_its_third_vote_short_of_two_thirds(runtime, world, member):
    """QĐ 24 §4.2 c): a committee vote of 4/7 leaves the case with the committee; the 3rd such vote refers it up."""
    case = review(runtime, world, start(runtime, world))
    case = cell_vote(runtime, world, case, date(2026, 3, 12), agree=6)
    assert case.state == "cell_approved"
    for n, day in enumerate((date(2026, 3, 16), date(2026, 3, 17), date(2026, 3, 18)), start=1):
        case = act(runtime, world, case, "committee_vote", "committee_member", day, {"vote": vote(day, 7, agree=4)})
        assert case.data["committee_inconclusive_votes"] == n
        assert case.state == ("referred_to_superior" if n == 3 else "cell_approved")
    case = act(runtime, world, case, "recognise", "standing_committee", date(2026, 3, 20),
               decision("6-QĐ/ĐU", date(2026, 3, 20)))
    assert case.state == "official"


def test_committee_two_thirds_after_an_inconclusive_vote_passes(runtime, world, member):
    """5 of 7 (≥ 2/3) after one inconclusive committee vote moves on to committee_approved, not up."""
    case = review(runtime, world, start(runtime, world))
    case = cell_vote(runtime, world, case, date(2026, 3, 12), agree=6)
    case = act(runtime, world, case, "committee_vote", "committee_member", date(2026, 3, 16),
               {"vote": vote(date(2026, 3, 16), 7, agree=4)})
    case = act(runtime, world, case, "committee_vote", "committee_member", date(2026, 3, 17),
               {"vote": vote(date(2026, 3, 17), 7, agree=5)})
    assert case.state == "committee_approved"


def test_grassroots_cell_skips_the_committee_vote(runtime, world):
    """In a grassroots cell the decision follows the cell vote directly."""
    add_person(runtime, world, "g_probationer", "gcell", status="probationary")
    case = open_as(runtime, world, "probation", "g_probationer", CEREMONY, {"ceremony_date": CEREMONY.isoformat()},
                   cell="gcell")
    case = review(runtime, world, case, cell="gcell")
    case = cell_vote(runtime, world, case, date(2026, 3, 12), agree=4, cell="gcell")
    with pytest.raises(TransitionNotAllowed):
        act(runtime, world, case, "committee_vote", "committee_member", date(2026, 3, 13),
            {"vote": vote(date(2026, 3, 13), 7)}, actor="standing_province")
    case = act(runtime, world, case, "recognise", "standing_committee", date(2026, 3, 20),
               decision("9-QĐ/TU", date(2026, 3, 20)), cell="gcell")
    assert case.state == "official"


def _last_late(runtime, case) -> list[dict]:
    with runtime.session_factory() as s:
        event = s.scalars(select(Event).where(Event.case_id == case.id).order_by(Event.seq.desc())).first()
        return list((event.data or {}).get("late") or [])


def test_recognition_after_thirty_working_days_is_late_not_void(runtime, world, member):
    """late_decision: recognised on the 31st working day, still official from the end of probation, 1 day late."""
    case = review(runtime, world, start(runtime, world))
    voted = date(2026, 3, 12)
    case = cell_vote(runtime, world, case, voted, agree=6)
    case = act(runtime, world, case, "committee_vote", "committee_member", date(2026, 3, 16),
               {"vote": vote(date(2026, 3, 16), 7)})
    late = WorkingCalendar().add_working_days(voted, 31)
    case = act(runtime, world, case, "recognise", "standing_committee", late, decision("1-QĐ", late))
    assert case.state == "official"
    with runtime.session_factory() as s:
        assert s.get(Person, member).official_on == END
        row = s.scalars(select(Deadline).where(Deadline.case_id == case.id,
                                               Deadline.kind == "probation_decision")).one()
        assert row.status == "met"
    (record,) = _last_late(runtime, case)
    assert (record["deadline"], record["working_days"], record["rule"]) == ("probation_decision", 1, "late_decision")


def test_recognition_on_the_extended_last_day_is_in_time(runtime, world, member):
    """extend_deadline by 1 (31 refused: extension_max) makes the 31st working day the last one: nothing late."""
    case = review(runtime, world, start(runtime, world))
    voted = date(2026, 3, 12)
    case = cell_vote(runtime, world, case, voted, agree=6)
    case = act(runtime, world, case, "committee_vote", "committee_member", date(2026, 3, 16),
               {"vote": vote(date(2026, 3, 16), 7)})
    calendar = WorkingCalendar()
    last, late = calendar.add_working_days(voted, 30), calendar.add_working_days(voted, 31)
    with pytest.raises(RuleViolation) as err:
        act(runtime, world, case, "extend_deadline", "standing_committee", last, {"days": 31, "reason": "Bổ sung hồ sơ"})
    assert err.value.rule_ids == ["extension_max"]
    case = act(runtime, world, case, "extend_deadline", "standing_committee", last, {"days": 1, "reason": "Bổ sung hồ sơ"})
    case = act(runtime, world, case, "recognise", "standing_committee", late, decision("1-QĐ", late))
    assert case.state == "official" and _last_late(runtime, case) == []


def test_only_a_probationary_member_gets_a_probation_case(runtime, world):
    """A secretary cannot open probation for an official member (is_probationary)."""
    with pytest.raises(RuleViolation) as err:
        open_as(runtime, world, "probation", "cell1_m4", CEREMONY, {"ceremony_date": CEREMONY.isoformat()})
    assert err.value.rule_ids == ["is_probationary"]


def test_transfer_keeps_state_and_deadlines_and_hands_over_to_the_new_cell(runtime, world, member):
    """An officer transfers the case to cell 2: state and deadline kept and moved; secretary 2 takes over."""
    case = start(runtime, world)
    case = act(runtime, world, case, "transfer", "organisation_officer", date(2025, 9, 1),
               {"organisation_id": world.orgs["cell2"], "date": "2025-09-01"})
    assert (case.state, case.organisation_id) == ("on_probation", world.orgs["cell2"])
    with runtime.session_factory() as s:
        deadline = s.scalars(select(Deadline).where(Deadline.case_id == case.id)).one()
        assert s.get(Person, member).organisation_id == world.orgs["cell2"]
    assert (deadline.organisation_id, deadline.status) == (world.orgs["cell2"], "open")
    with pytest.raises(NotFound):
        review(runtime, world, case, cell="cell1")
    assert review(runtime, world, case, cell="cell2").state == "under_review"


def test_transfer_to_a_cell_out_of_sight_is_not_found(runtime, world, member):
    """The commune's officer cannot move a case into the ward, which it cannot see."""
    case = start(runtime, world)
    with pytest.raises(NotFound):
        act(runtime, world, case, "transfer", "organisation_officer", date(2025, 9, 1),
            {"organisation_id": world.orgs["cell3"], "date": "2025-09-01"})


def test_revoked_recognition_reopens_the_case_and_restores_the_member(runtime, world, member):
    """The province standing committee revokes the recognition: back to committee_approved, person probationary again."""
    case = walk_plan(runtime, world, probation_plan(CEREMONY, eligible=6), "probationer", "probation")
    with pytest.raises(Forbidden):  # the commune decided: only the committee above it revokes
        act(runtime, world, case, "revoke", "standing_committee", date(2026, 6, 1),
            {"decision_number": "3-QĐ", "decision_date": "2026-06-01", "reason": "Sai quy trình"})
    case = act(runtime, world, case, "revoke", "standing_committee", date(2026, 6, 1),
               {"decision_number": "3-QĐ/TU", "decision_date": "2026-06-01", "reason": "Chi bộ biểu quyết thiếu số"},
               actor="standing_province")
    assert case.state == "committee_approved" and case.closed_at is None and case.decided_on is None
    assert case.data["official_from"] is None
    with runtime.session_factory() as s:
        person = s.get(Person, member)
    assert (person.membership_status, person.official_on) == ("probationary", None)


def test_system_steps_cannot_be_fired_by_hand(runtime, world, member):
    """terminate and annul are the engine's own: refused even to an administrator."""
    case = start(runtime, world)
    with pytest.raises(Forbidden):
        act(runtime, world, case, "terminate", "admin", date(2025, 4, 1), {"by_case_id": case.id, "date": "2025-04-01"})
