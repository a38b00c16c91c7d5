"""The register of numbers: the next number of the issuing body's year, a reused number refused, no two
concurrent decisions with one number (SQLite and PostgreSQL: TEST_DATABASE_URL)."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from models import Event, FormNumber
from tests.engine.test_concurrency import START, add_applicants, describe, race, walk_to
from workflows.demo.walk import at_day
from workflows.domain.errors import RuleViolation
from workflows.engine import fire
from workflows.engine.store import CaseRow

DECIDED = START + timedelta(days=70)


def _decide(runtime, world, case, number: str | None = None, day: date = DECIDED):
    data = {"decision_date": day.isoformat()}
    if number is not None:
        data["decision_number"] = number
    return fire(at_day(runtime, day + timedelta(days=1)), case_id=case.id, trigger="decide_admission",
                actor_id=world.users["standing_commune"], data=data)


def _number_of(runtime, case_id: int) -> str:
    with runtime.session_factory() as s:
        event = s.scalars(select(Event).where(Event.case_id == case_id, Event.trigger == "decide_admission")).one()
        return event.data["decision_number"]


def test_an_omitted_decision_number_is_the_next_of_the_bodys_year(runtime, world):
    """Two decisions without a number get 1-QĐ/ĐU and 2-QĐ/ĐU of the commune committee; the event and the
    stored data carry it."""
    people = add_applicants(runtime, world, 2)
    cases = [walk_to(runtime, world, "committee_approved", person_id=p) for p in people]
    for case in cases:
        _decide(runtime, world, case)
    assert [_number_of(runtime, c.id) for c in cases] == ["1-QĐ/ĐU", "2-QĐ/ĐU"]


def test_a_number_given_by_hand_is_kept_and_the_register_continues_after_it(runtime, world):
    """«15-QĐ/ĐU» given by hand is recorded as given; the next omitted number is 16."""
    people = add_applicants(runtime, world, 2)
    cases = [walk_to(runtime, world, "committee_approved", person_id=p) for p in people]
    _decide(runtime, world, cases[0], "15-QĐ/ĐU")
    _decide(runtime, world, cases[1])
    assert [_number_of(runtime, c.id) for c in cases] == ["15-QĐ/ĐU", "16-QĐ/ĐU"]


def test_a_number_the_body_already_used_that_year_is_refused(runtime, world):
    """Reusing «15» (however written) in the same year: 422 rule decision_number_taken, nothing written."""
    people = add_applicants(runtime, world, 2)
    first, second = (walk_to(runtime, world, "committee_approved", person_id=p) for p in people)
    _decide(runtime, world, first, "15-QĐ/ĐU")
    with pytest.raises(RuleViolation) as caught:
        _decide(runtime, world, second, "15")
    assert caught.value.rule_ids == ["decision_number_taken"]
    assert caught.value.failures[0]["field"] == "decision_number"
    with runtime.session_factory() as s:
        assert s.scalars(select(FormNumber.label).where(FormNumber.kind == "decision")).all() == ["15-QĐ/ĐU"]
        assert s.scalar(select(Event.id).where(Event.case_id == second.id, Event.trigger == "decide_admission")) is None


def test_the_same_number_in_another_year_is_accepted(runtime, world):
    """The register counts per year: 15 of 2026 does not block 15 of 2027."""
    people = add_applicants(runtime, world, 2)
    first = walk_to(runtime, world, "committee_approved", person_id=people[0])
    second = walk_to(runtime, world, "committee_approved", person_id=people[1], start=date(2026, 11, 1))
    _decide(runtime, world, first, "15-QĐ/ĐU")
    later = date(2027, 1, 8)
    _decide(runtime, world, second, "15-QĐ/ĐU", day=later)
    assert _number_of(runtime, second.id) == "15-QĐ/ĐU"


THREADS = 20


def test_twenty_concurrent_decisions_never_share_a_number(runtime, world):
    """20 threads decide 20 cases of one body at once without numbers: 20 successes, numbers 1..20 once each."""
    people = add_applicants(runtime, world, THREADS)
    cases = [walk_to(runtime, world, "committee_approved", person_id=p) for p in people]

    results = race(THREADS, lambda i: _decide(runtime, world, cases[i]))

    assert all(isinstance(r, CaseRow) for r in results), describe(results)
    numbers = sorted(int(_number_of(runtime, c.id).split("-")[0]) for c in cases)
    assert numbers == list(range(1, THREADS + 1))


def test_twenty_concurrent_decisions_with_one_hand_number_one_wins(runtime, world):
    """20 threads give the same number to 20 cases at once: exactly one is recorded, 19 get decision_number_taken."""
    people = add_applicants(runtime, world, THREADS)
    cases = [walk_to(runtime, world, "committee_approved", person_id=p) for p in people]

    results = race(THREADS, lambda i: _decide(runtime, world, cases[i], "7-QĐ/ĐU"))

    winners = [r for r in results if isinstance(r, CaseRow)]
    refused = [r for r in results if isinstance(r, RuleViolation) and r.rule_ids == ["decision_number_taken"]]
    assert (len(winners), len(refused)) == (1, THREADS - 1), describe(results)
