"""The constant-time working-day count agrees with the calendar's own day-by-day count."""
from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from workflows.domain.calendar import WorkingCalendar
from workflows.engine.workdays import working_days_between

CALENDAR = WorkingCalendar({date(2026, 12, 26): True, date(2026, 3, 3): False})


@settings(max_examples=300, deadline=None)
@given(st.dates(date(2023, 1, 1), date(2029, 12, 31)), st.integers(-800, 800))
def test_same_count_as_the_calendar(start, days):
    """For any two dates (either order, across years, with overrides) both counts are equal."""
    end = start + timedelta(days=days)
    if not date(2023, 1, 1) <= end <= date(2029, 12, 31):
        end = start
    assert working_days_between(CALENDAR, start, end) == CALENDAR.working_days_between(start, end)


def test_a_new_calendar_with_other_overrides_is_not_served_from_the_old_counts():
    """Counts are kept per calendar object: an added day off changes the answer."""
    plain = WorkingCalendar()
    with_day_off = WorkingCalendar({date(2026, 6, 10): False})
    assert working_days_between(plain, date(2026, 6, 8), date(2026, 6, 12)) == 4
    assert working_days_between(with_day_off, date(2026, 6, 8), date(2026, 6, 12)) == 3
