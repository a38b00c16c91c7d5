"""Steps the system takes by itself on a schedule (the scheduler's daily job calls these).

Today that is one: a discipline decision's case closes once its appeal window
has passed with no appeal pending (procedures.md §7 `close`). Each case is
closed in a transaction of its own through the engine, so it gets an event
like any step (actor: none, i.e. the system) and `check` replays it. Running
the job twice, or from two schedulers at once, closes each case once.
"""
from __future__ import annotations

import dataclasses
from datetime import date, datetime, time

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from models import Case, write_connection
from workflows.domain.errors import QuytrinhError
from workflows.engine.access import Actor
from workflows.engine.runtime import LOCAL_ZONE, FixedClock, Runtime
from workflows.engine.store import CaseRow, load_case
from workflows.engine.transitions import run_system_step

# The engine itself: no roles, recorded as actor "none" in events and audit records.
SYSTEM_ACTOR = Actor(id=None, username="system", is_admin=False, grants=())  # type: ignore[arg-type]

# (procedure, state, trigger): cases in that state whose `appeal_until` has passed get that trigger.
CLOSERS = (("discipline", "in_force", "close"),)
COMMENT = "Tự động kết thúc: đã hết thời hạn khiếu nại mà không có khiếu nại đang chờ giải quyết."


def _on(rt: Runtime, today: date) -> Runtime:
    """The runtime as of `today` (its own clock when that already says so)."""
    if rt.clock.today() == today:
        return rt
    return dataclasses.replace(rt, clock=FixedClock(datetime.combine(today, time(0, 5), tzinfo=LOCAL_ZONE)))


def due_cases(rt: Runtime, today: date) -> list[tuple[int, str]]:
    """(case id, trigger) of the cases whose appeal window ended before `today`."""
    due = []
    with rt.session_factory() as session:
        for procedure, state, trigger in CLOSERS:
            rows = session.execute(
                select(Case.id, Case.data).where(Case.procedure == procedure, Case.state == state).order_by(Case.id)
            ).all()
            for case_id, data in rows:
                until = (data or {}).get("appeal_until")
                if until and date.fromisoformat(until) < today:
                    due.append((case_id, trigger))
    return due


class _RollBack(Exception):
    """Raised inside a dry run's transaction after the step went through: undo it."""


def close_expired(rt: Runtime, today: date, *, dry_run: bool = False) -> int:
    """Fire the system steps that are due on `today`; return how many cases moved.

    Idempotent: a case already closed (by an earlier run or another process),
    or with an appeal pending (the step's rule refuses), is left as it is.
    `dry_run`: each step is taken and rolled back — the count is what a real run would move,
    and nothing is written (a morning simulated ahead of the real clock).
    """
    return len(closing(rt, today, dry_run=dry_run))


def closing(rt: Runtime, today: date, *, dry_run: bool = False) -> list[int]:
    """The ids of the cases the due system steps moved (or, with `dry_run`, would move)."""
    rt = _on(rt, today)
    moved: list[int] = []
    for case_id, trigger in due_cases(rt, today):
        try:
            with write_connection(rt.engine) as conn:
                case = load_case(conn, case_id)
                if case is None or case.closed_at is not None or trigger not in _triggers_from(case):
                    continue
                run_system_step(conn, rt, SYSTEM_ACTOR, case, trigger, {}, COMMENT)
                if dry_run:
                    raise _RollBack  # write_connection rolls the whole step back
            moved.append(case_id)
        except _RollBack:
            moved.append(case_id)
        except (QuytrinhError, IntegrityError):
            # A rule refused (an appeal is pending) or another process moved the case first.
            continue
    return moved


def _triggers_from(case: CaseRow) -> set[str]:
    return {trigger for procedure, state, trigger in CLOSERS if case.procedure == procedure and case.state == state}
