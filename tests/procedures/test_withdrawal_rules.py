"""Withdrawal rules as pure functions of facts (no database)."""
from __future__ import annotations

import pytest

from tests.support.facts import FakeLookups, case_facts, holds, person

OPEN = {"date": "2026-03-02", "reason": "Xin ra khỏi Đảng"}


@pytest.mark.parametrize(("discipline_state", "closed", "ok"), [
    (None, False, True),
    ("opened", False, False),
    ("in_force", False, False),   # decided but the appeal window is still open
    ("closed", True, True),
    ("dismissed", True, True),
])
def test_refused_while_a_discipline_case_is_open(discipline_state, closed, ok):
    """open_discipline: any discipline case of the member not yet closed bars the request."""
    cases = {} if discipline_state is None else {
        7: case_facts("discipline", case_id=7, state=discipline_state, closed=closed)}
    assert holds("withdrawal", "open", "open_discipline", OPEN, lookups=FakeLookups(cases=cases)) is ok


def test_a_recorded_violation_bars_the_request():
    """open_discipline also holds a violation recorded on the person."""
    assert not holds("withdrawal", "open", "open_discipline", OPEN,
                     who=person(flags={"violation_recorded": True}))


@pytest.mark.parametrize(("status", "ok"), [("official", True), ("probationary", True), ("former", False)])
def test_only_a_member_withdraws(status, ok):
    """is_member."""
    assert holds("withdrawal", "open", "is_member", OPEN, who=person(status=status)) is ok
