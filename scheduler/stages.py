"""When a deadline is reminded: the stages of the reminder policy, as calendar dates.

A stage is reached on a day, computed from the due date alone, so the scan
can ask "which stage has this deadline reached as of today?" whatever happened
before (the scheduler may have been down for days: the answer is the same).

- `before_<k>`: k working days (or fewer) are left before the due date, i.e.
  from the (k+1)-th working day counting back from the due date (itself
  included when it is a working day). `before_0` is called `due`: no working
  day left — the due date, or the last working day before a due date that
  falls on a day off.
- `overdue_<n>`: n × `overdue_every_days` calendar days after the due date,
  moved to the next working day.

Only the latest stage reached is sent: a stage that passed while the
scheduler was down is superseded by the later one (a "10 days left" mail
when 2 are left would mislead), so downtime yields one reminder per deadline.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from workflows.domain.calendar import WorkingCalendar

# "No further reminder": a date the scan never reaches (NULL would mean "not planned yet").
NEVER = date(9999, 12, 31)
_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class ReminderPolicy:
    """The reminder stages (a setting): working days before the due date, then every n days overdue."""

    days_before: tuple[int, ...] = (10, 3, 0)
    overdue_every_days: int = 7
    # Overdue reminders are copied to the holders of this role above the deadline's organisation.
    overdue_copy_role: str | None = "organisation_officer"

    def __post_init__(self) -> None:
        if any(isinstance(k, bool) or not isinstance(k, int) or k < 0 or k > 366 for k in self.days_before):
            raise ValueError("days_before: whole numbers of working days between 0 and 366")
        if isinstance(self.overdue_every_days, bool) or not isinstance(self.overdue_every_days, int) \
                or not 0 <= self.overdue_every_days <= 366:
            raise ValueError("overdue_every_days: a whole number of days between 0 (none) and 366")
        object.__setattr__(self, "days_before", tuple(sorted(set(self.days_before), reverse=True)))

    @classmethod
    def parse(cls, days_before: str | Sequence[int], overdue_every_days: int | str,
              overdue_copy_role: str | None = "organisation_officer") -> ReminderPolicy:
        """From configuration: days_before as "10,3,0" (or a sequence), overdue_every_days as 7."""
        if isinstance(days_before, str):
            try:
                days = tuple(int(part) for part in days_before.replace(";", ",").split(",") if part.strip())
            except ValueError:
                raise ValueError(f"REMINDER_DAYS_BEFORE: expected numbers like '10,3,0', got {days_before!r}") from None
        else:
            days = tuple(days_before)
        try:
            every = int(overdue_every_days)
        except (TypeError, ValueError):
            raise ValueError(f"REMINDER_OVERDUE_EVERY_DAYS: expected a number, got {overdue_every_days!r}") from None
        return cls(days, every, overdue_copy_role or None)


def stage_name(days_left: int) -> str:
    return "due" if days_left == 0 else f"before_{days_left}"


def is_overdue_stage(name: str) -> bool:
    return name.startswith("overdue_")


@dataclass(frozen=True)
class Reached:
    """The latest stage a deadline has reached on a day, and when its next stage is reached."""

    stage: str | None
    next_on: date


class StagePlanner:
    """Stage dates for one policy and calendar; caches by due date (many deadlines share one)."""

    def __init__(self, policy: ReminderPolicy, calendar: WorkingCalendar):
        self.policy = policy
        self.calendar = calendar
        self._before: dict[date, tuple[tuple[str, date], ...]] = {}
        self._left: dict[tuple[date, date], int] = {}
        self._overdue: dict[tuple[date, date], int] = {}
        self._reached: dict[tuple[date, date], Reached] = {}

    def horizon(self, today: date) -> date:
        """The latest due date whose first stage is reached on `today` (unplanned deadlines up to it are due)."""
        if self.policy.days_before:
            k = self.policy.days_before[0]
            return self.calendar.add_working_days(today, k + 1) - _ONE_DAY
        if self.policy.overdue_every_days:
            return today - timedelta(days=self.policy.overdue_every_days)
        return date.min

    def before_stages(self, due: date) -> tuple[tuple[str, date], ...]:
        """(stage, day reached) of the stages before and on the due date, earliest first."""
        stages = self._before.get(due)
        if stages is None:
            stages = tuple((stage_name(k), self._working_day_back(due, k + 1)) for k in self.policy.days_before)
            self._before[due] = stages
        return stages

    def days_left(self, due: date, today: date) -> int:
        """Working days left after today up to the due date (0 once it is reached or passed)."""
        key = (due, today)
        left = self._left.get(key)
        if left is None:
            left = self._left[key] = max(self.calendar.working_days_between(today, due), 0) if today < due else 0
        return left

    def working_days_overdue(self, due: date, today: date) -> int:
        """Working days past the due date, as the UI counts them (0 until it has passed).

        Cached like days_left: counting walks the calendar day by day, and a scan asks it for every
        overdue deadline, which share a few hundred due dates.
        """
        key = (due, today)
        overdue = self._overdue.get(key)
        if overdue is None:
            overdue = self._overdue[key] = self.calendar.working_days_between(due, today) if today > due else 0
        return overdue

    def overdue_on(self, due: date, n: int) -> date:
        """The day the n-th overdue stage is reached."""
        return self.calendar.next_working_day(due + timedelta(days=n * self.policy.overdue_every_days))

    def reached(self, due: date, today: date) -> Reached:
        """The latest stage reached on `today` (None: none yet) and the day of the next one (> today)."""
        key = (due, today)
        found = self._reached.get(key)
        if found is None:
            found = self._reached[key] = self._compute(due, today)
        return found

    def _compute(self, due: date, today: date) -> Reached:
        latest: str | None = None
        for name, on in self.before_stages(due):
            if on > today:
                return Reached(latest, on)
            latest = name
        every = self.policy.overdue_every_days
        if not every:
            return Reached(latest, NEVER)
        n = max((today - due).days // every, 0)
        if n >= 1 and self.overdue_on(due, n) > today:
            n -= 1  # the n-th overdue day fell on a day off: it is reached on the next working day
        if n >= 1:
            latest = f"overdue_{n}"
        return Reached(latest, self.overdue_on(due, n + 1))

    def _working_day_back(self, due: date, m: int) -> date:
        """The m-th working day counting back from `due` (due itself is the first if it is a working day)."""
        day, seen = due, 0
        while True:
            if self.calendar.is_working_day(day):
                seen += 1
                if seen == m:
                    return day
            day -= _ONE_DAY
