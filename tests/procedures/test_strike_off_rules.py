"""Strike-off rules as pure functions of facts (no database)."""
from __future__ import annotations

from datetime import date

import pytest

from tests.support.facts import DELEGATED, UNDELEGATED, holds, person
from workflows.demo.plans import vote
from workflows.domain.errors import InvalidInput
from workflows.procedures.strike_off import GROUNDS, left_reason

DECISION = {"decision_number": "3-QĐ", "decision_date": "2026-04-10"}


@pytest.mark.parametrize(("requests", "ok"), [(2, False), (3, True), (5, True)])
def test_refusal_after_three_unanswered_requests(requests, ok):
    """refusal_requests: the cell proceeds without self-criticism from the 3rd request on."""
    assert holds("strike_off", "record_refusal", "refusal_requests", {"date": "2026-03-10", "requests": requests},
                 state="proposed") is ok


@pytest.mark.parametrize(("chain", "eligible", "agree", "ok"), [
    (DELEGATED, 9, 6, True), (DELEGATED, 9, 5, False),        # delegated grassroots committee: ≥ 2/3
    (UNDELEGATED, 10, 6, True), (UNDELEGATED, 10, 5, False),  # standing committee: > 1/2
])
def test_decision_vote_threshold(chain, eligible, agree, ok):
    """decision_vote: the threshold of the body that decides."""
    data = {**DECISION, "vote": vote(date(2026, 4, 10), eligible, agree)}
    assert holds("strike_off", "decide_strike_off", "decision_vote", data, state="committee_approved",
                 chain=chain) is ok


@pytest.mark.parametrize(("status", "ok"), [("official", True), ("probationary", True), ("former", False),
                                            ("none", False)])
def test_only_members_are_struck_off(status, ok):
    """is_member at open (and again at the decision)."""
    data = {"ground": GROUNDS[0], "evidence": "x", "date": "2026-03-02"}
    assert holds("strike_off", "open", "is_member", data, who=person(status=status)) is ok
    assert holds("strike_off", "decide_strike_off", "is_member", DECISION, state="committee_approved",
                 who=person(status=status)) is ok


def test_the_five_grounds_and_nothing_else():
    """The Charter's five grounds are accepted; anything else is invalid input."""
    assert len(GROUNDS) == 5
    for ground in GROUNDS:
        assert holds("strike_off", "open", "is_member", {"ground": ground, "evidence": "x", "date": "2026-03-02"})
    with pytest.raises(InvalidInput):
        holds("strike_off", "open", "is_member", {"ground": "laziness", "evidence": "x", "date": "2026-03-02"})
    assert left_reason("missed_activities_or_dues") == "struck_off:missed_activities_or_dues"
