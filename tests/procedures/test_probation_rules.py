"""Probation rules and outcomes as pure functions of facts (no database)."""
from __future__ import annotations

from datetime import date

import pytest

from tests.support.facts import FakeLookups, case_facts, context, holds, person, step_of
from workflows.demo.plans import vote
from workflows.domain.definition import UpdatePerson
from workflows.procedures.registry import get_procedure

END = {"probation_end": "2025-02-28"}


@pytest.mark.parametrize(("day", "ok"), [("2025-02-27", False), ("2025-02-28", True), ("2025-03-03", True)])
def test_review_only_on_or_after_the_end(day, ok):
    """probation_ended: the review date is on or after the end of probation."""
    assert holds("probation", "submit_review", "probation_ended", {"date": day}, state="on_probation",
                 case_data=END) is ok


@pytest.mark.parametrize(("agree", "proposal", "earlier", "outcome"), [
    (4, "recognise", 0, "recognise"),     # 4 of 6 = 2/3
    (4, "strike_off", 0, "strike_off"),
    (3, "recognise", 0, "inconclusive"),  # 3 of 6 < 2/3
    (3, "recognise", 1, "inconclusive"),
    (3, "strike_off", 2, "referred"),     # the third inconclusive vote
])
def test_cell_vote_outcome(agree, proposal, earlier, outcome):
    """≥ 2/3 carries the proposal; otherwise inconclusive, and the third time referred to the superior."""
    ctx = context("probation", "cell_vote", {"vote": vote(date(2025, 3, 5), 6, agree), "proposal": proposal},
                  state="under_review", case_data={**END, "inconclusive_votes": earlier})
    step = step_of("probation", "cell_vote")
    assert step.outcome(ctx) == outcome
    (deadline,) = step.opens
    assert deadline.when(ctx) is (outcome != "inconclusive")


def test_recognition_dates_official_membership_from_the_end_of_probation():
    """The effects set official_on to the end date, not the (later) decision date."""
    ctx = context("probation", "recognise", {"decision_number": "1", "decision_date": "2025-04-20"},
                  state="committee_approved", case_data=END, who=person(status="probationary"))
    effects = step_of("probation", "recognise", "committee_approved").effects(ctx)
    (update,) = [e for e in effects if isinstance(e, UpdatePerson)]
    assert update.changes == {"membership_status": "official", "official_on": date(2025, 2, 28)}


def test_recognition_has_no_deadline_rule_and_its_deadline_records_lateness():
    """late_decision: recognise and strike_off are never refused for lateness (QĐ 24 §4.2 b)."""
    for trigger in ("recognise", "strike_off"):
        for decide in get_procedure("probation", "cpv-2025").steps_for(trigger):
            assert "deadline_passed" not in {r.id for r in decide.rules}
    spec = next(s for s in step_of("probation", "cell_vote").opens if s.kind == "probation_decision")
    assert spec.late_rule_id == "late_decision" and "dù chi bộ họp chậm" in spec.late_source


@pytest.mark.parametrize(("status", "ok"), [("probationary", True), ("official", False), ("none", False)])
def test_only_a_probationary_member_has_a_probation_case(status, ok):
    """is_probationary at open."""
    assert holds("probation", "open", "is_probationary", {"ceremony_date": "2024-02-29"},
                 who=person(status=status)) is ok


@pytest.mark.parametrize(("procedure", "state", "same_person", "ok"), [
    ("strike_off", "struck_off", True, True),
    ("withdrawal", "removed", True, True),
    ("strike_off", "committee_approved", True, False),  # not decided
    ("strike_off", "struck_off", False, False),         # someone else
    ("discipline", "in_force", True, False),
])
def test_terminate_only_by_a_removal_of_the_same_person(procedure, state, same_person, ok):
    """ended_by_decision: a probation case ends only by a decided strike-off or withdrawal of its member."""
    other = case_facts(procedure, case_id=9, state=state, person_id=100 if same_person else 101)
    assert holds("probation", "terminate", "ended_by_decision", {"by_case_id": 9, "date": "2025-05-01"},
                 state="on_probation", lookups=FakeLookups(cases={9: other})) is ok


@pytest.mark.parametrize(("agree", "earlier", "outcome"), [
    (5, 2, "passed"),        # 5 of 7 ≥ 2/3
    (4, 0, "inconclusive"),  # 4 of 7 < 2/3
    (4, 1, "inconclusive"),
    (4, 2, "referred"),      # the committee's third vote short of 2/3
])
def test_committee_vote_outcome(agree, earlier, outcome):
    """QĐ 24 §4.2 c): the committee, like the cell, refers up only at its third vote short of 2/3."""
    ctx = context("probation", "committee_vote", {"vote": vote(date(2025, 3, 10), 7, agree)},
                  state="cell_approved", case_data={**END, "committee_inconclusive_votes": earlier})
    assert step_of("probation", "committee_vote", "cell_approved").outcome(ctx) == outcome
