"""A cell's roll on a date (workflows/procedures/roll.py): who is an official member and who may be left out."""
from __future__ import annotations

from datetime import date

import pytest

from workflows.domain.definition import Roll
from workflows.procedures.roll import CaseRecord, Member, build_roll

ON = date(2026, 3, 10)


def member(i, status="official", official_on=date(2015, 1, 1), left_on=None):
    return Member(i, status, official_on, left_on)


def exemption(person, state="exempt", decided="2026-03-01", ended=None, extent="exempt"):
    data = {"open": {"extent": extent}, "cell_decide": {"vote": {"date": decided}}}
    if ended:
        data["end_exemption"] = {"date": ended}
    return CaseRecord("exemption", state, person, data)


@pytest.mark.parametrize(("official_on", "on_roll"), [(date(2026, 3, 10), True), (date(2026, 3, 11), False),
                                                      (None, True)])
def test_official_from_the_recognition_date(official_on, on_roll):
    """A member recognised after the vote day was not yet official then (an unknown date counts as official)."""
    roll = build_roll(ON, [member(1, official_on=official_on)], [])
    assert (1 in roll.official) is on_roll


@pytest.mark.parametrize(("left_on", "on_roll"), [(date(2026, 3, 10), False), (date(2026, 3, 11), True)])
def test_a_member_who_left_after_the_vote_counted_that_day(left_on, on_roll):
    """A former member whose leaving came after the vote was on the roll that day."""
    roll = build_roll(ON, [member(1, "former", left_on=left_on)], [])
    assert (1 in roll.official) is on_roll


def test_exempt_from_the_decision_until_the_end():
    """In effect from the cell's decision (included) to the end date (excluded)."""
    cases = [exemption(1, "ended", decided="2026-03-10", ended="2026-03-11"),
             exemption(2, "ended", decided="2026-03-01", ended="2026-03-10"),
             exemption(3, "exempt", decided="2026-03-11"),
             exemption(4, "reduced", extent="reduced")]
    roll = build_roll(ON, [member(i) for i in range(1, 6)], cases)
    assert roll.exempt == frozenset({1})
    assert roll.least_denominator(True) == 4 and roll.least_denominator(False) == 5


def test_suspended_and_away_always_leave_the_count():
    """A suspension in effect and a temporary stay elsewhere subtract whatever the exemption setting."""
    cases = [
        CaseRecord("suspension", "suspended", 1, {"suspend": {"decision_date": "2026-03-04"}}),
        CaseRecord("activity_transfer", "temporarily_active", 2,
                   {"open": {"kind": "temporary"}, "record_arrival": {"date": "2026-03-05"}}),
        CaseRecord("activity_transfer", "returned", 3,
                   {"open": {"kind": "temporary"}, "record_arrival": {"date": "2026-01-05"},
                    "record_return": {"date": "2026-03-01"}}),
        exemption(1),  # suspended and exempt: subtracted once
    ]
    roll = build_roll(ON, [member(i) for i in range(1, 5)], cases)
    assert (roll.suspended, roll.away) == (frozenset({1}), frozenset({2}))
    assert roll.least_denominator(False) == 2 == roll.least_denominator(True)


def test_a_member_who_arrived_after_the_vote_was_not_on_the_roll():
    """An official transfer into the cell recorded after the vote day: not counted that day."""
    arrived = CaseRecord("activity_transfer", "received", 1,
                         {"open": {"kind": "official"}, "record_arrival": {"date": "2026-03-11"}})
    assert build_roll(ON, [member(1), member(2)], [arrived]).official == frozenset({2})


def test_an_empty_roll_asks_nothing():
    """No recorded members: the least lawful count is 0, so any vote count passes."""
    assert Roll(frozenset()).least_denominator(True) == 0
