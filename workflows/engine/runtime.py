"""What the use cases need from the outside world, wired once at the composition root."""
from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from models import CalendarOverride
from workflows.domain.calendar import WorkingCalendar

LOCAL_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


class Clock:
    """The current instant (UTC) and the local calendar date; tests pass a fixed one."""

    def now(self) -> datetime:
        return datetime.now(timezone.utc)

    def today(self) -> date:
        """Today's date in Vietnam: decision dates are local calendar dates."""
        return self.now().astimezone(LOCAL_ZONE).date()


class FixedClock(Clock):
    """A clock that always says the same instant (for tests, demos and `run-once --now`)."""

    def __init__(self, instant: datetime):
        self.instant = instant

    def now(self) -> datetime:
        return self.instant


class CalendarSource:
    """The working-day calendar with the admins' overrides, cached for a short while.

    Overrides change a few times a year; other processes see a change within
    `ttl` seconds, this process at once (`invalidate`).
    """

    def __init__(self, session_factory: sessionmaker[Session], ttl: float = 60.0):
        self._session_factory = session_factory
        self._ttl = ttl
        self._lock = threading.Lock()
        self._calendar: WorkingCalendar | None = None
        self._loaded_at = 0.0

    def get(self, session: Session | None = None) -> WorkingCalendar:
        """The calendar; a stale cache is reloaded through `session` when given.

        Inside a write transaction pass its session: a second pooled connection
        there can deadlock against writers that hold the other connections.
        """
        with self._lock:
            if self._calendar is None or time.monotonic() - self._loaded_at > self._ttl:
                if session is not None:
                    rows = session.execute(select(CalendarOverride.day, CalendarOverride.working)).all()
                else:
                    with self._session_factory() as own:
                        rows = own.execute(select(CalendarOverride.day, CalendarOverride.working)).all()
                self._calendar = WorkingCalendar({day: working for day, working in rows})
                self._loaded_at = time.monotonic()
            return self._calendar

    def invalidate(self) -> None:
        with self._lock:
            self._calendar = None


@dataclass
class Runtime:
    """The engine's dependencies: database sessions, clock, calendar and the documents folder."""

    session_factory: sessionmaker[Session]
    clock: Clock = field(default_factory=Clock)
    documents_dir: Path | None = None
    calendar_source: CalendarSource | None = None
    # Sessions for reads that may lag a little (reports, exports, the pipeline): a streaming replica when
    # QUYTRINH_DATABASE_READ_URL is set, else the primary. Never for anything that writes or decides.
    read_session_factory: sessionmaker[Session] | None = None
    # Called after every transition with (trigger, seconds, outcome "ok" or the error's class name); the
    # composition root points it at the metrics (web/ops/metrics.py). None: nobody is listening.
    on_transition: Callable[[str, float, str], None] | None = None

    def __post_init__(self) -> None:
        if self.calendar_source is None:
            self.calendar_source = CalendarSource(self.session_factory)
        if self.read_session_factory is None:
            self.read_session_factory = self.session_factory

    @contextmanager
    def observed(self, trigger: str) -> Iterator[None]:
        """Time a transition for `on_transition` (outside its transaction: the commit is included)."""
        if self.on_transition is None:
            yield
            return
        started, outcome = time.perf_counter(), "ok"
        try:
            yield
        except Exception as exc:
            outcome = type(exc).__name__
            raise
        finally:
            self.on_transition(trigger, time.perf_counter() - started, outcome)

    @property
    def engine(self) -> Engine:
        """The database engine the sessions are bound to (transitions use its connections directly)."""
        return self.session_factory.kw["bind"]

    def calendar(self, session: Session | None = None) -> WorkingCalendar:
        """The working calendar; inside a transaction pass its session (see CalendarSource.get)."""
        return self.calendar_source.get(session)
