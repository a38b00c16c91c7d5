"""The statute of limitations (QĐ 69-QĐ/TW art. 4.2): from the violation (its end, if continuing) to the conclusion."""
from __future__ import annotations

from datetime import date

import pytest

from tests.support.facts import holds
from workflows.procedures.discipline import statute_start

OPENED = {"violation": "x", "violation_date": "2021-11-30", "proposed_form": "reprimand"}


def decided(day: str):
    return {"decision_number": "1", "decision_date": day, "form": "reprimand"}


@pytest.mark.parametrize(("considered", "ok"), [("2026-11-30", True), ("2026-12-01", False)])
def test_conclusion_date_is_what_the_period_is_measured_to(considered, ok):
    """statute_of_limitations: concluded on the last day of the 60 months, a decision a year later still holds."""
    opened = {**OPENED, "considered_on": considered}
    assert holds("discipline", "decide_discipline", "statute_of_limitations", decided("2027-12-01"),
                 state="proposed", case_data={"open": opened}) is ok


@pytest.mark.parametrize(("day", "ok"), [("2026-11-30", True), ("2026-12-01", False)])
def test_without_a_conclusion_date_the_decision_date_is_used(day, ok):
    """statute_of_limitations: no considered_on — measured to the decision date, as before."""
    assert holds("discipline", "decide_discipline", "statute_of_limitations", decided(day),
                 state="proposed", case_data={"open": OPENED}) is ok


@pytest.mark.parametrize(("day", "ok"), [("2027-06-30", True), ("2027-07-01", False)])
def test_a_continuing_violation_counts_from_its_end(day, ok):
    """statute_of_limitations: violation from 2021-11-30 to 2022-06-30, 60 months from its end."""
    opened = {**OPENED, "violation_ended_on": "2022-06-30"}
    assert holds("discipline", "decide_discipline", "statute_of_limitations", decided(day),
                 state="proposed", case_data={"open": opened}) is ok


def test_statute_start_is_the_latest_of_the_violation_its_end_and_a_new_one():
    """A new violation within the period restarts it even after a continuing one ended."""
    assert statute_start({**OPENED, "violation_ended_on": "2022-06-30", "new_violation_date": "2023-01-02"}) \
        == date(2023, 1, 2)
    assert statute_start(OPENED) == date(2021, 11, 30)


@pytest.mark.parametrize(("ended", "considered", "ok"), [
    ("2021-11-30", None, True),          # ends the day it began
    ("2021-11-29", None, False),         # before it began
    ("2022-06-30", "2022-06-30", True),  # concluded the day it ended
    ("2022-06-30", "2022-06-29", False),  # concluded before it ended
    (None, "2021-11-29", False),         # concluded before the violation
    (None, "2030-01-02", False),         # after today (2030-01-01)
    (None, "2030-01-01", True),
])
def test_statute_dates_at_open(ended, considered, ok):
    """statute_dates: violation ≤ its end ≤ the conclusion ≤ today."""
    raw = dict(OPENED)
    if ended:
        raw["violation_ended_on"] = ended
    if considered:
        raw["considered_on"] = considered
    assert holds("discipline", "open", "statute_dates", raw) is ok
