"""Working days and calendar months, the two units every deadline is counted in.

Rules (procedures.md §2): "within N working days from D" means D is not
counted and the deadline is the N-th working day after D; a working day is
Monday–Friday minus Vietnamese public holidays, minus Government compensatory
days off, plus swapped working Saturdays. Month periods are calendar months,
clamped to the end of a shorter month.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta

import holidays

__all__ = [
    "WorkingCalendar",
    "add_months",
    "months_between",
    "age_in_months",
]

_ONE_DAY = timedelta(days=1)
_SATURDAY = 5


def _as_date(value: object, name: str) -> date:
    """Return value if it is a plain calendar date, else raise TypeError."""
    # datetime subclasses date but never compares equal to one, so a datetime
    # would silently miss every holiday lookup; refuse it loudly instead.
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError(f"{name}: expected a datetime.date, got {type(value).__name__}")
    return value


class WorkingCalendar:
    """Vietnamese working-day calendar with admin-maintained overrides."""

    def __init__(self, overrides: Mapping[date, bool] | None = None) -> None:
        """Build a calendar; overrides map a date to True (work) or False (day off)."""
        self._overrides: dict[date, bool] = {}
        for day, working in (overrides or {}).items():
            _as_date(day, "overrides key")
            if not isinstance(working, bool):
                raise TypeError(f"overrides[{day.isoformat()}]: expected a bool")
            self._overrides[day] = working
        self._loaded_years: set[int] = set()
        self._holidays: set[date] = set()
        # Make-up Saturdays that `holidays` itself knows (it lists the paired
        # compensatory day off as a holiday, e.g. 2026-08-31 for 2026-08-22);
        # honouring only half of such a swap would shift deadlines by a day.
        self._weekend_workdays: set[date] = set()

    @property
    def overrides(self) -> Mapping[date, bool]:
        """The admin overrides this calendar was built with (read-only copy)."""
        return dict(self._overrides)

    def _load_year(self, year: int) -> None:
        """Fetch one year of statutory holidays once and cache it."""
        if year in self._loaded_years:
            return
        statutory = holidays.country_holidays("VN", years=year)
        self._holidays.update(statutory.keys())
        self._weekend_workdays.update(getattr(statutory, "weekend_workdays", ()))
        self._loaded_years.add(year)

    def is_holiday(self, d: date) -> bool:
        """True if d is a statutory public holiday (overrides not applied)."""
        _as_date(d, "d")
        self._load_year(d.year)
        return d in self._holidays

    def is_working_day(self, d: date) -> bool:
        """True if d is a working day; an admin override always wins."""
        _as_date(d, "d")
        override = self._overrides.get(d)
        if override is not None:
            return override
        self._load_year(d.year)
        # A make-up Saturday may pay back a day off in the next year
        # (2014-12-27 for 2015-01-02), so load that year's swaps too.
        self._load_year(d.year + 1)
        if d in self._holidays:
            return False
        if d.weekday() >= _SATURDAY:
            return d in self._weekend_workdays
        return True

    def next_working_day(self, d: date) -> date:
        """Return d if it is a working day, else the first working day after it."""
        _as_date(d, "d")
        while not self.is_working_day(d):
            d += _ONE_DAY
        return d

    def add_working_days(self, start: date, n: int) -> date:
        """Return the n-th working day after start (start itself is not counted)."""
        _as_date(start, "start")
        if isinstance(n, bool) or not isinstance(n, int):
            raise TypeError("n: expected an int")
        if n < 0:
            raise ValueError("n: must be ≥ 0")
        day = start
        remaining = n
        while remaining:
            day += _ONE_DAY
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Count working days in (start, end]; negative (mirrored) when end < start."""
        _as_date(start, "start")
        _as_date(end, "end")
        if end < start:
            return -self.working_days_between(end, start)
        count = 0
        day = start + _ONE_DAY
        while day <= end:
            if self.is_working_day(day):
                count += 1
            day += _ONE_DAY
        return count


def _days_in_month(year: int, month: int) -> int:
    """Number of days in the given month."""
    # Computed by hand: this module is named `calendar`, and leaning on the
    # stdlib module of the same name breaks if workflows/ lands on sys.path.
    first_of_next = date(year + month // 12, month % 12 + 1, 1)
    return (first_of_next - _ONE_DAY).day


def add_months(d: date, months: int) -> date:
    """Add calendar months, clamping to the last day of a shorter month."""
    _as_date(d, "d")
    if isinstance(months, bool) or not isinstance(months, int):
        raise TypeError("months: expected an int")
    index = d.year * 12 + (d.month - 1) + months
    year, month0 = divmod(index, 12)
    month = month0 + 1
    # Civil Code art. 147 style: a period ending in a month without the
    # matching day ends on that month's last day (31 Jan + 1 → 28/29 Feb).
    return date(year, month, min(d.day, _days_in_month(year, month)))


def months_between(start: date, end: date) -> int:
    """Largest k with add_months(start, k) <= end: whole months elapsed (may be negative)."""
    _as_date(start, "start")
    _as_date(end, "end")
    # add_months(start, k) lands in month start+k, so k is either the raw
    # month difference or one less; the clamp decides only within that month.
    k = (end.year - start.year) * 12 + (end.month - start.month)
    if add_months(start, k) > end:
        k -= 1
    return k


def age_in_months(birth: date, on: date) -> int:
    """Whole calendar months a person born on birth has lived on date on."""
    return months_between(birth, on)
