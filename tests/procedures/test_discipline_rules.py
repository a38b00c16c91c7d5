"""Discipline rules as pure functions of facts (no database)."""
from __future__ import annotations

from datetime import date

import pytest

from tests.support.facts import FakeLookups, case_facts, context, holds, person, step_of
from workflows.demo.plans import vote
from workflows.domain.definition import Authority
from workflows.procedures.discipline import deciders, statute_end

OPENED = {"violation": "x", "violation_date": "2021-11-30", "proposed_form": "reprimand"}


def decided(form: str, day: str, **extra):
    return {"decision_number": "1", "decision_date": day, "form": form, **extra}


@pytest.mark.parametrize(("form", "opened", "deferred", "end"), [
    ("reprimand", {}, 0, date(2026, 11, 30)),
    ("warning", {}, 0, date(2031, 11, 30)),
    ("removal_from_post", {}, 0, date(2031, 11, 30)),
    ("expulsion", {}, 0, None),
    ("reprimand", {"violation_category": "internal_political"}, 0, None),
    ("reprimand", {"violation_category": "illegal_degree"}, 0, None),
    ("reprimand", {"new_violation_date": "2024-02-29"}, 0, date(2029, 2, 28)),
    ("reprimand", {}, 10, date(2026, 12, 10)),
])
def test_statute_end(form, opened, deferred, end):
    """60 / 120 months / none by the level; none for the listed categories; a new violation restarts; deferral adds."""
    ctx = context("discipline", "decide_discipline", decided(form, "2026-11-30"), state="proposed",
                  case_data={"open": {**OPENED, **opened}, "deferred_days": deferred})
    assert statute_end(ctx, form) == end


@pytest.mark.parametrize(("day", "ok"), [("2026-11-30", True), ("2026-12-01", False)])
def test_reprimand_level_violation_sixty_months_old(day, ok):
    """statute_of_limitations: still disciplinable on the last day, not the day after."""
    assert holds("discipline", "decide_discipline", "statute_of_limitations", decided("reprimand", day),
                 state="proposed", case_data={"open": OPENED}) is ok


@pytest.mark.parametrize(("status", "form", "case_status", "ok"), [
    ("probationary", "reprimand", None, True),
    ("probationary", "warning", None, True),
    ("probationary", "removal_from_post", None, False),
    ("probationary", "expulsion", None, False),
    ("official", "expulsion", None, True),
    ("former", "expulsion", "probationary", False),  # amending after the decision: the status it was taken on
])
def test_probationary_member_only_reprimand_or_warning(status, form, case_status, ok):
    """form_not_allowed at the decision (and at open, cell_vote, amend)."""
    data = {"open": OPENED, **({"member_status": case_status} if case_status else {})}
    assert holds("discipline", "decide_discipline", "form_not_allowed", decided(form, "2026-01-10"),
                 state="proposed", case_data=data, who=person(status=status, holds_post=True)) is ok


@pytest.mark.parametrize(("holds_post", "held_before", "ok"), [(True, False, True), (False, False, False),
                                                               (False, True, True)])
def test_removal_only_for_a_post_holder(holds_post, held_before, ok):
    """no_post_held: the person holds a post (or held it when the decision was taken)."""
    data = {"open": OPENED, "held_post": held_before}
    assert holds("discipline", "decide_discipline", "no_post_held", decided("removal_from_post", "2026-01-10"),
                 state="proposed", case_data=data, who=person(holds_post=holds_post)) is ok


@pytest.mark.parametrize(("form", "threshold"), [("reprimand", "half"), ("warning", "half"),
                                                 ("removal_from_post", "half"), ("expulsion", "two_thirds")])
def test_cell_vote_threshold_by_form(form, threshold):
    """QĐ 69 art. 15: > 1/2 for reprimand, warning, removal; ≥ 2/3 to propose expulsion."""
    ctx = context("discipline", "cell_vote", {"vote": vote(date(2026, 1, 5), 6, 4, "secret_ballot"), "form": form},
                  state="reviewed")
    assert step_of("discipline", "cell_vote").threshold(ctx) == threshold


def test_who_decides_depends_on_the_form():
    """The cell decides a reprimand or warning; removal and expulsion go to the competent level."""
    light = context("discipline", "decide_discipline", decided("warning", "2026-01-10"), state="proposed",
                    case_data={"open": OPENED})
    heavy = context("discipline", "decide_discipline", decided("expulsion", "2026-01-10"), state="proposed",
                    case_data={"open": OPENED})
    assert Authority("cell_secretary", "case") in deciders(light)
    assert Authority("cell_secretary", "case") not in deciders(heavy)
    assert Authority("standing_committee", "competent") in deciders(heavy)


@pytest.mark.parametrize(("birth", "gender", "ok"), [
    ("2025-03-11", "female", True),   # 11 months and 30 days on 2026-03-10
    ("2025-03-10", "female", False),  # exactly 12 months
    ("2025-09-01", "male", False),
    ("2026-03-11", "female", False),  # not born yet
])
def test_deferral_for_a_nursing_mother(birth, gender, ok):
    """deferral_ground: a woman member with a child under 12 months (a child's birth date alone: raising_child)."""
    assert holds("discipline", "defer", "deferral_ground", {"date": "2026-03-10", "child_birth_date": birth},
                 state="opened", who=person(gender=gender)) is ok


@pytest.mark.parametrize(("today", "appeal_open", "ok"), [
    (date(2026, 4, 6), False, False),  # the last day of the window
    (date(2026, 4, 7), False, True),
    (date(2026, 4, 7), True, False),   # an appeal is pending
])
def test_close_once_the_window_has_passed_without_appeal(today, appeal_open, ok):
    """The daily job's rule: today after appeal_until, no open appeal against the case."""
    cases = {5: case_facts("appeal", case_id=5, state="filed", data={"open": {"against_case_id": 1}})} \
        if appeal_open else {}
    assert holds("discipline", "close", "appeal_window_open", {}, state="in_force", today=today,
                 case_data={"appeal_until": "2026-04-06"}, lookups=FakeLookups(cases=cases)) is ok


def test_expulsion_vote_when_recorded_needs_more_than_half():
    """expulsion_vote: a recorded vote of ≤ 1/2 refuses, > 1/2 holds; no vote recorded holds (api.md's data)."""
    base = dict(state="proposed", case_data={"open": OPENED})
    assert holds("discipline", "decide_discipline", "expulsion_vote", decided("expulsion", "2026-01-10"), **base)
    for agree, ok in ((5, False), (6, True)):
        data = decided("expulsion", "2026-01-10", vote=vote(date(2026, 1, 10), 10, agree, "secret_ballot"))
        assert holds("discipline", "decide_discipline", "expulsion_vote", data, **base) is ok
