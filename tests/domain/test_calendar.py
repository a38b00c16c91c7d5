"""Working days and calendar months (procedures.md §2)."""

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workflows.domain.calendar import (
    WorkingCalendar,
    add_months,
    age_in_months,
    months_between,
)

# One shared calendar: holiday years are cached per instance, and the
# statutory calendar never changes under a test.
CAL = WorkingCalendar()


# --- statutory holidays -------------------------------------------------------


@pytest.mark.parametrize(
    "day",
    [date(2026, 2, d) for d in range(16, 21)] + [date(2027, 2, d) for d in range(4, 11)],
    ids=lambda d: d.isoformat(),
)
def test_tet_days_are_off(day):
    """Every day of Tết 2026 (16–20 Feb) and Tết 2027 (4–10 Feb) is a day off."""
    assert not CAL.is_working_day(day)


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 1, 1),  # New Year
        date(2026, 4, 27),  # Hùng Kings, moved off Sunday 26/4
        date(2026, 4, 30),
        date(2026, 5, 1),
        date(2026, 9, 1),
        date(2026, 9, 2),
        date(2026, 11, 24),  # Vietnam Culture Day, a holiday from 2026
    ],
    ids=lambda d: d.isoformat(),
)
def test_statutory_weekday_holidays_are_off(day):
    """Statutory holidays that fall on a weekday are not working days."""
    assert day.weekday() < 5
    assert not CAL.is_working_day(day)


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 2, 12), True),  # Thursday
        (date(2026, 2, 13), True),  # Friday before Tết
        (date(2026, 2, 14), False),  # Saturday
        (date(2026, 2, 15), False),  # Sunday
        (date(2026, 2, 23), True),  # Monday after Tết
        (date(2025, 11, 24), True),  # 24/11 is an ordinary Monday before 2026
    ],
    ids=lambda v: v.isoformat() if isinstance(v, date) else str(v),
)
def test_ordinary_weekdays_work_and_weekends_do_not(day, working):
    """Mon–Fri work unless a holiday; Saturday and Sunday do not."""
    assert CAL.is_working_day(day) is working


def test_make_up_saturday_known_to_holidays_package_is_working():
    """A swap the holidays package knows (Sat 22/8/2026 for Mon 31/8/2026) counts both ways."""
    assert CAL.is_working_day(date(2026, 8, 22))
    assert not CAL.is_working_day(date(2026, 8, 31))


# --- adding working days -------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (date(2026, 2, 13), 1, date(2026, 2, 23)),  # across the weekend and Tết 2026
        (date(2026, 2, 12), 2, date(2026, 2, 23)),
        (date(2026, 2, 14), 1, date(2026, 2, 23)),  # starting on a weekend inside the gap
        (date(2026, 2, 18), 5, date(2026, 2, 27)),  # starting on a Tết day
        (date(2027, 2, 3), 1, date(2027, 2, 11)),  # across Tết 2027
        (date(2026, 11, 23), 1, date(2026, 11, 25)),  # across 24/11/2026
        (date(2026, 3, 2), 5, date(2026, 3, 9)),  # D is not counted: Mon + 5 = next Mon
        (date(2026, 3, 6), 1, date(2026, 3, 9)),  # Friday + 1 = Monday
        (date(2026, 4, 29), 1, date(2026, 5, 4)),  # across 30/4 and 1/5
        (date(2026, 3, 4), 0, date(2026, 3, 4)),
        (date(2026, 3, 7), 0, date(2026, 3, 7)),  # n = 0 returns start even on a Saturday
    ],
)
def test_add_working_days(start, n, expected):
    """The N-th working day after D, with D itself not counted."""
    assert CAL.add_working_days(start, n) == expected


def test_sixty_working_days_across_tet_and_april_holidays():
    """60 working days from 2 Feb 2026 land on 7 May 2026, and the count agrees."""
    # Hand count: Feb 9 (+Tết off) + 5 = 14; March 22 → 36; April 20 minus
    # 27/4 and 30/4 → 56; May 4–7 → 60 (1/5 off).
    deadline = CAL.add_working_days(date(2026, 2, 2), 60)
    assert deadline == date(2026, 5, 7)
    assert CAL.working_days_between(date(2026, 2, 2), deadline) == 60
    assert CAL.working_days_between(date(2026, 2, 2), deadline - timedelta(days=1)) == 59


def test_add_working_days_rejects_negative_n():
    """A negative number of working days is an error, not a count backwards."""
    with pytest.raises(ValueError):
        CAL.add_working_days(date(2026, 3, 2), -1)


@pytest.mark.parametrize("bad", [1.0, True, "1"])
def test_add_working_days_rejects_non_integer_n(bad):
    """Only integer counts of working days are accepted."""
    with pytest.raises(TypeError):
        CAL.add_working_days(date(2026, 3, 2), bad)


def test_datetime_is_refused():
    """A datetime would miss every holiday lookup, so the calendar refuses it."""
    with pytest.raises(TypeError):
        CAL.is_working_day(datetime(2026, 2, 16, 9, 0))


# --- counting working days -----------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2026, 2, 13), date(2026, 2, 23), 1),
        (date(2026, 2, 13), date(2026, 2, 22), 0),
        (date(2026, 3, 2), date(2026, 3, 2), 0),
        (date(2026, 3, 2), date(2026, 3, 9), 5),
        (date(2026, 3, 9), date(2026, 3, 2), -5),  # mirrored when end < start
        # 261 weekdays - 13 weekday holidays + make-up Saturday 22/8
        (date(2025, 12, 31), date(2026, 12, 31), 249),
    ],
)
def test_working_days_between(start, end, expected):
    """Working days in (start, end], negative when end precedes start."""
    assert CAL.working_days_between(start, end) == expected


# --- admin overrides -----------------------------------------------------------


def test_swapped_working_saturday_counts():
    """A Saturday made a working day by override is counted as one."""
    cal = WorkingCalendar({date(2026, 3, 7): True})
    assert cal.is_working_day(date(2026, 3, 7))
    assert cal.add_working_days(date(2026, 3, 6), 1) == date(2026, 3, 7)
    assert cal.working_days_between(date(2026, 3, 6), date(2026, 3, 9)) == 2


def test_day_off_override_is_skipped():
    """A Government compensatory day off is skipped like a holiday."""
    cal = WorkingCalendar({date(2026, 2, 23): False})
    assert not cal.is_working_day(date(2026, 2, 23))
    assert cal.add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 24)
    assert cal.next_working_day(date(2026, 2, 14)) == date(2026, 2, 24)


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 11, 24), True),  # a holiday declared working
        (date(2026, 8, 22), False),  # the package's make-up Saturday cancelled
        (date(2026, 3, 4), False),  # an ordinary Wednesday declared off
    ],
)
def test_override_wins(day, working):
    """An admin override beats both the weekday rule and the statutory list."""
    assert WorkingCalendar({day: working}).is_working_day(day) is working


def test_overrides_do_not_leak_between_calendars():
    """Overrides belong to one calendar instance only."""
    WorkingCalendar({date(2026, 3, 4): False})
    assert CAL.is_working_day(date(2026, 3, 4))


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 3, 4), date(2026, 3, 4)),  # a working day is its own answer
        (date(2026, 3, 7), date(2026, 3, 9)),  # Saturday → Monday
        (date(2026, 2, 14), date(2026, 2, 23)),  # weekend before Tết → after Tết
        (date(2026, 11, 24), date(2026, 11, 25)),
    ],
)
def test_next_working_day(day, expected):
    """The day itself if working, otherwise the first working day after it."""
    assert CAL.next_working_day(day) == expected


# --- calendar months -----------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),  # clamped to month end
        (date(2024, 1, 31), 1, date(2024, 2, 29)),  # leap year
        (date(2026, 3, 31), 12, date(2027, 3, 31)),
        (date(2026, 3, 31), 1, date(2026, 4, 30)),
        (date(2028, 2, 29), 12, date(2029, 2, 28)),  # 29 Feb → 28 Feb
        (date(2028, 2, 29), 48, date(2032, 2, 29)),  # 29 Feb → 29 Feb four years on
        (date(2026, 12, 15), 1, date(2027, 1, 15)),  # across the year end
        (date(2026, 3, 15), 0, date(2026, 3, 15)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),  # negative months clamp too
        (date(2026, 1, 15), -1, date(2025, 12, 15)),
        (date(2028, 2, 29), -12, date(2027, 2, 28)),
        (date(2026, 6, 30), 36, date(2029, 6, 30)),
        (date(2026, 6, 30), 60, date(2031, 6, 30)),
    ],
)
def test_add_months(start, months, expected):
    """Calendar months, clamped to the last day of a shorter month."""
    assert add_months(start, months) == expected


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2026, 1, 31), date(2026, 2, 28), 1),  # the clamped month is complete
        (date(2026, 1, 31), date(2026, 2, 27), 0),
        (date(2026, 3, 31), date(2027, 3, 31), 12),
        (date(2026, 3, 31), date(2027, 3, 30), 11),
        (date(2028, 2, 29), date(2029, 2, 28), 12),
        (date(2028, 2, 29), date(2029, 2, 27), 11),
        (date(2026, 3, 15), date(2026, 3, 15), 0),
        (date(2026, 3, 15), date(2026, 3, 14), -1),  # largest k: add_months(s, -1) <= e
        (date(2026, 3, 15), date(2026, 2, 15), -1),
        (date(2026, 3, 15), date(2026, 2, 14), -2),
    ],
)
def test_months_between(start, end, expected):
    """Largest k with add_months(start, k) <= end."""
    assert months_between(start, end) == expected


@pytest.mark.parametrize(
    ("birth", "on", "months"),
    [
        (date(2008, 3, 15), date(2026, 3, 14), 215),  # the day before the 18th birthday
        (date(2008, 3, 15), date(2026, 3, 15), 216),  # exactly 18 years on the birthday
        (date(2008, 2, 29), date(2026, 2, 27), 215),
        (date(2008, 2, 29), date(2026, 2, 28), 216),  # a 29 Feb birthday falls on 28 Feb
        (date(2008, 3, 15), date(2008, 3, 15), 0),
    ],
)
def test_age_in_months(birth, on, months):
    """Age is the number of whole calendar months elapsed since birth."""
    assert age_in_months(birth, on) == months


# --- properties ----------------------------------------------------------------

DATES = st.dates(min_value=date(2015, 1, 1), max_value=date(2040, 12, 31))


@given(start=DATES, n=st.integers(min_value=0, max_value=300))
def test_add_and_count_working_days_are_inverse(start, n):
    """working_days_between(s, add_working_days(s, n)) == n, and the deadline is a working day."""
    end = CAL.add_working_days(start, n)
    assert CAL.working_days_between(start, end) == n
    assert CAL.working_days_between(end, start) == -n
    if n:
        assert CAL.is_working_day(end)
        # No earlier day already reaches n: the deadline is the first such day.
        assert CAL.working_days_between(start, end - timedelta(days=1)) == n - 1


@settings(max_examples=50)
@given(
    start=st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 12, 31)),
    n=st.integers(min_value=0, max_value=120),
    overrides=st.dictionaries(
        st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 6, 30)), st.booleans()
    ),
)
def test_inverse_holds_with_overrides(start, n, overrides):
    """The add/count inverse holds whatever days admins swap or give off."""
    cal = WorkingCalendar(overrides)
    end = cal.add_working_days(start, n)
    assert cal.working_days_between(start, end) == n
    for day, working in overrides.items():
        assert cal.is_working_day(day) is working


@given(start=DATES, k=st.integers(min_value=-600, max_value=600))
def test_months_between_inverts_add_months(start, k):
    """months_between(s, add_months(s, k)) == k for any k, including clamped ends."""
    assert months_between(start, add_months(start, k)) == k


@given(start=DATES, end=DATES)
def test_months_between_is_the_largest_fitting_k(start, end):
    """add_months(s, m) <= e < add_months(s, m + 1) where m = months_between(s, e)."""
    m = months_between(start, end)
    assert add_months(start, m) <= end < add_months(start, m + 1)
