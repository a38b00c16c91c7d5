"""Working days between two dates in constant time, for the engine's step timings and the reports.

WorkingCalendar.working_days_between walks day by day (a probation deadline spans
a year: hundreds of lookups on a transition). This keeps, per calendar object and
year, the running count of working days, so a difference is two look-ups and a
sum of whole years. A calendar with other overrides is another object (the
CalendarSource builds a new one), so nothing stale is reused.
"""
from __future__ import annotations

from datetime import date, timedelta
from weakref import WeakKeyDictionary

from workflows.domain.calendar import WorkingCalendar

_RUNNING: WeakKeyDictionary = WeakKeyDictionary()  # calendar -> {year: [working days in Jan 1..day]}


def _year(calendar: WorkingCalendar, year: int) -> list[int]:
    years = _RUNNING.get(calendar)
    if years is None:
        years = _RUNNING[calendar] = {}
    running = years.get(year)
    if running is None:
        running, count, day = [], 0, date(year, 1, 1)
        while day.year == year:
            count += calendar.is_working_day(day)
            running.append(count)
            day += timedelta(days=1)
        years[year] = running
    return running


def working_days_between(calendar: WorkingCalendar, start: date, end: date) -> int:
    """Working days in (start, end]; negative when end < start — as WorkingCalendar.working_days_between."""
    if end < start:
        return -working_days_between(calendar, end, start)
    total = sum(_year(calendar, y)[-1] for y in range(start.year, end.year))
    return (total + _year(calendar, end.year)[end.timetuple().tm_yday - 1]
            - _year(calendar, start.year)[start.timetuple().tm_yday - 1])
