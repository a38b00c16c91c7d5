"""Appeal rules and shared decision rules as pure functions of facts (no database)."""
from __future__ import annotations

from datetime import date
from types import MappingProxyType

import pytest

from tests.support.facts import (
    CALENDAR,
    DELEGATED,
    RULE_SET,
    UNDELEGATED,
    FakeLookups,
    case_facts,
    context,
    holds,
)
from workflows.domain.definition import EventFacts
from workflows.procedures.decisions import (
    above_competent_scope,
    appeal_window_end,
    person_before,
)


def against(procedure="discipline", state="in_force", person_id=100, decided="2026-01-20"):
    trigger = {"discipline": "decide_discipline", "strike_off": "decide_strike_off", "probation": "strike_off"}[procedure]
    return FakeLookups(cases={9: case_facts(procedure, case_id=9, state=state, person_id=person_id,
                                            data={trigger: {"decision_date": decided}})})


def opened(received: str, filed: str) -> dict:
    return {"against_case_id": 9, "received_decision_on": received, "filed_on": filed, "grounds": "x"}


def test_windows():
    """Discipline: 1 calendar month (C: or working days); strike-off: 30 working days."""
    settings = RULE_SET.settings
    assert appeal_window_end("discipline", date(2026, 1, 31), settings, CALENDAR) == date(2026, 2, 28)
    assert appeal_window_end("strike_off", date(2026, 1, 31), settings, CALENDAR) == \
        CALENDAR.add_working_days(date(2026, 1, 31), 30)
    assert appeal_window_end("probation", date(2026, 1, 31), settings, CALENDAR) == \
        CALENDAR.add_working_days(date(2026, 1, 31), 30)
    read_as_days = MappingProxyType({**settings, "discipline_appeal_unit": "working_days",
                                     "discipline_appeal_period": 30})
    assert appeal_window_end("discipline", date(2026, 1, 31), read_as_days, CALENDAR) == \
        CALENDAR.add_working_days(date(2026, 1, 31), 30)


@pytest.mark.parametrize(("procedure", "extra", "ok"), [("strike_off", 30, True), ("strike_off", 31, False),
                                                        ("probation", 30, True), ("probation", 31, False)])
def test_strike_off_appeal_on_the_30th_and_31st_working_day(procedure, extra, ok):
    """deadline_passed: filed on the 30th working day after receipt is in time, the 31st is late."""
    received = date(2026, 2, 2)
    filed = CALENDAR.add_working_days(received, extra)
    assert holds("appeal", "open", "deadline_passed", opened(received.isoformat(), filed.isoformat()),
                 lookups=against(procedure, "struck_off")) is ok


@pytest.mark.parametrize(("lookups", "ok"), [
    (against(), True),
    (against(state="closed"), True),
    (against(state="proposed"), False),        # no decision yet
    (against(person_id=101), False),           # someone else's decision
    (against("strike_off", "dismissed"), False),
    (FakeLookups(), False),                    # no such case
])
def test_only_a_decision_in_force_about_the_appellant(lookups, ok):
    """appealable_decision."""
    assert holds("appeal", "open", "appealable_decision", opened("2026-01-22", "2026-01-25"), lookups=lookups) is ok


@pytest.mark.parametrize(("received", "filed", "ok"), [("2026-01-19", "2026-01-25", False),
                                                       ("2026-01-20", "2026-01-20", True),
                                                       ("2026-01-22", "2026-01-21", False)])
def test_dates_follow_the_decision(received, filed, ok):
    """appeal_dates: decision ≤ receipt ≤ filing."""
    assert holds("appeal", "open", "appeal_dates", opened(received, filed), lookups=against()) is ok


@pytest.mark.parametrize(("procedure", "ok"), [("discipline", True), ("strike_off", False)])
def test_only_discipline_is_amended(procedure, ok):
    """amend_discipline_only."""
    assert holds("appeal", "amend", "amend_discipline_only",
                 {"decision_number": "1", "decision_date": "2026-03-01", "form": "warning"},
                 state="under_consideration", case_data={"against_procedure": procedure}) is ok


def test_above_the_decider():
    """A delegated commune decides: the province above it; the province decides: the province itself."""
    assert above_competent_scope(context("appeal", "start_consideration", {"date": "2026-01-01"},
                                         state="filed", chain=DELEGATED)) == "superior"
    assert above_competent_scope(context("appeal", "start_consideration", {"date": "2026-01-01"},
                                         state="filed", chain=UNDELEGATED)) == "province"


def test_person_before_takes_the_earliest_value_of_each_field():
    """Restoring after a decision and an amendment puts back what was there before the decision."""
    events = [
        EventFacts(3, "decide_discipline", "proposed", "in_force", {"effects": {"person_id": 100, "person": {
            "membership_status": ["official", "former"], "left_on": [None, "2026-01-20"]}}}),
        EventFacts(4, "amend", "in_force", "in_force", {"effects": {"person_id": 100, "person": {
            "membership_status": ["former", "official"], "holds_post": [True, False]}}}),
    ]
    ctx = context("discipline", "close", {}, state="in_force", lookups=FakeLookups(event_log={1: events}))
    assert person_before(ctx, 3) == {"membership_status": "official", "left_on": None, "holds_post": True}
    assert person_before(ctx, 4) == {"membership_status": "former", "holds_post": True}
