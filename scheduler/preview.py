"""A morning simulated ahead of the real clock: what the jobs would do, with nothing written or sent.

`scheduler run-once --now T` with T later than the real clock runs this
instead of the jobs (unless `--allow-future`, for test and demo databases):
the system's own steps must never be dated after the real clock, and a
reminder "as of next week" must not reach anyone today. Each job's answer is
computed by its own code — the scan plans its batch (scan.plan_batch), the
automatic steps are taken and rolled back — so the preview says exactly what a
real run at T would do.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import func, select

from models import OutboxMessage
from models.db import read_session
from scheduler.compose import Composer
from scheduler.scan import ScanResult, candidates, plan_batch
from scheduler.settings import SchedulerSettings
from scheduler.stages import StagePlanner
from workflows.engine import LOCAL_ZONE, Runtime
from workflows.engine.automatic import closing

SHOWN = 50  # reminders listed one by one; the rest are counted
_PREVIEW_LIMIT = 1_000_000


def preview_jobs(rt: Runtime, settings: SchedulerSettings, jobs: Iterable[str]) -> list[str]:
    """One block of lines per job: what it would do as of the runtime clock's now."""
    lines: list[str] = []
    for job in jobs:
        if job == "scan":
            lines += _scan(rt, settings)
        elif job == "notify":
            lines += _notify(rt)
        elif job == "deliver":
            lines += _deliver(rt)
        elif job == "close-expired":
            lines += _close(rt, rt.clock.now().astimezone(LOCAL_ZONE).date())
        else:
            raise ValueError(f"unknown job {job!r}")
    return lines


def _scan(rt: Runtime, settings: SchedulerSettings) -> list[str]:
    now = rt.clock.now()
    today = now.astimezone(LOCAL_ZONE).date()
    planner = StagePlanner(settings.policy, rt.calendar())
    result = ScanResult()
    with read_session(rt.session_factory) as session:
        dialect = session.get_bind().dialect.name
        rows = session.execute(candidates(today, planner.horizon(today), _PREVIEW_LIMIT, dialect)).all()
        composer = Composer(planner, settings.mail, today, rt.calendar())
        outbox, _plans = plan_batch(session, rows, now, composer, result)
    outbox = _not_yet_written(rt, outbox)
    lines = [f"scan (dry run): {result.deadlines} deadlines looked at, {len(outbox)} reminders would be written, "
             f"{result.unaddressed} without recipient"]
    for row in outbox[:SHOWN]:
        lines.append(f"  would remind {row[5]}: {row[6]}")
    if len(outbox) > SHOWN:
        lines.append(f"  … and {len(outbox) - SHOWN} more")
    return lines


def _not_yet_written(rt: Runtime, outbox: list[tuple]) -> list[tuple]:
    """The planned rows whose dedupe key is not in the outbox already (a real run would skip those)."""
    if not outbox:
        return outbox
    keys = [row[0] for row in outbox]
    with read_session(rt.session_factory) as session:
        present: set[str] = set()
        for start in range(0, len(keys), 500):
            present.update(session.scalars(select(OutboxMessage.dedupe_key)
                                           .where(OutboxMessage.dedupe_key.in_(keys[start:start + 500]))))
    return [row for row in outbox if row[0] not in present]


def _notify(rt: Runtime) -> list[str]:
    """The events the new-task fan-out has not read yet (it would notify their cases' people)."""
    from sqlalchemy import func, select

    from models import Event, FanOutCursor

    with rt.session_factory() as session:
        last = session.scalar(select(FanOutCursor.last_event_id).where(FanOutCursor.name == "new_task"))
        if last is None:
            return ["notify (dry run): the fan-out has not started; it would begin at the end of the event log"]
        waiting = session.scalar(select(func.count(Event.id)).where(Event.id > last))
    return [f"notify (dry run): {waiting} events not read yet; nothing written"]


def _deliver(rt: Runtime) -> list[str]:
    now = rt.clock.now()
    with read_session(rt.session_factory) as session:
        due = session.scalar(select(func.count(OutboxMessage.id)).where(
            OutboxMessage.status.in_(("queued", "sending")), OutboxMessage.next_attempt_at <= now)) or 0
    return [f"delivery (dry run): {due} mails due now; nothing sent"]


def _close(rt: Runtime, today: date) -> list[str]:
    ids = closing(rt, today, dry_run=True)
    listed = ", ".join(f"#{i}" for i in ids) if ids else "none"
    return [f"close-expired (dry run): {len(ids)} cases would be closed ({listed}); nothing written"]
