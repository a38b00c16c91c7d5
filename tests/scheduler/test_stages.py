"""Reminder stages as dates (pure: a calendar, a policy, no database)."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from scheduler.stages import NEVER, Reached, ReminderPolicy, StagePlanner
from workflows.domain.calendar import WorkingCalendar

CAL = WorkingCalendar()
DUE_AFTER_TET = date(2027, 2, 15)  # Monday after Tết 2027 (4–10 Feb off)


def test_stage_days_count_working_days_back_over_tet():
    """10, 3 and 0 working days before 15 Feb 2027 fall on 25 Jan, 3 Feb and the due date itself."""
    planner = StagePlanner(ReminderPolicy(), CAL)
    assert planner.before_stages(DUE_AFTER_TET) == (
        ("before_10", date(2027, 1, 25)), ("before_3", date(2027, 2, 3)), ("due", date(2027, 2, 15)))


def test_the_latest_stage_reached_and_the_next_day():
    """Between two stage days the earlier stage is the one reached, and the next day is the later stage's."""
    planner = StagePlanner(ReminderPolicy(), CAL)
    assert planner.reached(DUE_AFTER_TET, date(2027, 1, 24)) == Reached(None, date(2027, 1, 25))
    assert planner.reached(DUE_AFTER_TET, date(2027, 2, 9)) == Reached("before_3", date(2027, 2, 15))
    assert planner.reached(DUE_AFTER_TET, date(2027, 2, 21)) == Reached("due", date(2027, 2, 22))
    assert planner.reached(DUE_AFTER_TET, date(2027, 3, 9)) == Reached("overdue_3", date(2027, 3, 15))


def test_a_due_date_on_a_day_off():
    """Due on a Sunday: 'due' is the Friday before (no working day left); overdue stages land on working days."""
    planner = StagePlanner(ReminderPolicy(), CAL)
    sunday = date(2027, 3, 7)
    assert planner.before_stages(sunday)[-1] == ("due", date(2027, 3, 5))
    assert planner.overdue_on(sunday, 1) == date(2027, 3, 15)  # Sunday 14 → Monday 15
    assert planner.reached(sunday, date(2027, 3, 14)) == Reached("due", date(2027, 3, 15))


def test_no_overdue_reminders_when_the_setting_says_so():
    """overdue_every_days = 0: after the due date nothing more is planned."""
    planner = StagePlanner(ReminderPolicy((5,), 0), CAL)
    assert planner.reached(DUE_AFTER_TET, date(2027, 6, 1)) == Reached("before_5", NEVER)


def test_the_horizon_covers_every_deadline_whose_first_stage_has_come():
    """A deadline due on the horizon has 10 working days left; one due the day after has 11."""
    planner = StagePlanner(ReminderPolicy(), CAL)
    today = date(2027, 1, 25)
    horizon = planner.horizon(today)
    assert CAL.working_days_between(today, horizon) == 10
    assert planner.reached(horizon, today).stage == "before_10"
    assert CAL.working_days_between(today, horizon + timedelta(days=1)) == 11
    assert planner.reached(horizon + timedelta(days=1), today).stage is None


@pytest.mark.parametrize("days, every, message", [
    ("10,x", 7, "REMINDER_DAYS_BEFORE"), ("10,-1", 7, "days_before"), ("10", "weekly", "REMINDER_OVERDUE_EVERY_DAYS"),
    ("10", -7, "overdue_every_days"),
])
def test_bad_stage_settings_are_refused_clearly(days, every, message):
    """A wrong stage setting is a ValueError naming the setting."""
    with pytest.raises(ValueError, match=message):
        ReminderPolicy.parse(days, every)


def test_stage_settings_are_parsed_and_sorted():
    """'0, 3;10' is the default order, duplicates dropped."""
    assert ReminderPolicy.parse("0, 3;10,3", "14").days_before == (10, 3, 0)
    assert ReminderPolicy.parse("0, 3;10,3", "14").overdue_every_days == 14
