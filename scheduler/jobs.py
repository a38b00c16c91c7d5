"""The APScheduler process: three jobs over our own tables; APScheduler itself holds no truth.

APScheduler 3.x cannot share a job store between processes, so the jobs live
in memory, are module-level functions taking plain values, and may run twice
or in several processes at once: the deadline rows and the outbox are the
truth, and every job is written to be safe when repeated (see scan.py and
delivery.py). `coalesce` and no misfire grace mean a late or missed run is
simply run once when the process is back, and each job also runs at start:
a scan computes what is due as of now, so downtime is caught up at once.
"""
from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timezone
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from models import JobRun, make_engine, make_session_factory, write_transaction
from scheduler.delivery import deliver_outbox
from scheduler.notify import fan_out
from scheduler.scan import scan_deadlines
from scheduler.settings import SchedulerSettings
from workflows.engine import LOCAL_ZONE, Runtime
from workflows.engine.automatic import close_expired

log = logging.getLogger(__name__)

JOBS = ("scan", "notify", "deliver", "close-expired")

_runtimes: dict[str, Runtime] = {}
_runtimes_lock = threading.Lock()


def runtime_for(database_url: str) -> Runtime:
    """One engine and runtime per database for this process (jobs receive only the URL)."""
    with _runtimes_lock:
        rt = _runtimes.get(database_url)
        if rt is None:
            rt = _runtimes[database_url] = Runtime(session_factory=make_session_factory(make_engine(database_url)))
        return rt


def close_expired_cases(rt: Runtime, today: date) -> str:
    """Close the cases whose time limit ran out (a discipline decision whose appeal window passed)."""
    return f"close-expired: {close_expired(rt, today)} cases closed"


def run_jobs(rt: Runtime, settings: SchedulerSettings, jobs: Iterable[str] = JOBS) -> list[str]:
    """Run the named jobs once, in order, as of the runtime clock's now; one summary line each."""
    lines = []
    for job in jobs:
        if job == "scan":
            lines.append(str(scan_deadlines(rt, policy=settings.policy, mail=settings.mail)))
        elif job == "notify":
            lines.append(str(fan_out(rt, settings.mail, escalate_after=settings.escalate_after_days)))
        elif job == "deliver":
            lines.append(str(deliver_outbox(rt, settings.smtp, settings.delivery)))
        elif job == "close-expired":
            lines.append(close_expired_cases(rt, rt.clock.today()))
        else:
            raise ValueError(f"unknown job {job!r}")
    return lines


def _job(name: str, config: Mapping[str, Any]) -> None:
    settings = SchedulerSettings.from_config(config)
    rt = runtime_for(settings.database_url)
    started_at, started, outcome = datetime.now(timezone.utc), time.perf_counter(), "error"
    try:
        for line in run_jobs(rt, settings, [name]):
            log.info(line)
        outcome = "ok"
    finally:
        record_run(rt, name, started_at, time.perf_counter() - started, outcome)


def record_run(rt: Runtime, job: str, started_at: datetime, seconds: float, outcome: str) -> None:
    """Keep the job's last run in job_runs, for /metrics (one row per job; the latest writer wins)."""
    values = {"job": job, "started_at": started_at, "duration_seconds": seconds,
              "host": f"{socket.gethostname()}:{os.getpid()}", "outcome": outcome}
    try:
        with write_transaction(rt.session_factory) as session:
            insert = postgresql_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
            statement = insert(JobRun).values(**values)
            session.execute(statement.on_conflict_do_update(
                index_elements=[JobRun.job], set_={k: statement.excluded[k] for k in values if k != "job"}))
    except Exception:  # monitoring must never fail the job itself
        log.exception("could not record the run of %s", job)


# Module-level job functions with plain arguments: nothing for APScheduler to keep but a reference.
def scan_job(config: Mapping[str, Any]) -> None:
    _job("scan", config)


def deliver_job(config: Mapping[str, Any]) -> None:
    _job("deliver", config)


def notify_job(config: Mapping[str, Any]) -> None:
    _job("notify", config)


def close_expired_job(config: Mapping[str, Any]) -> None:
    _job("close-expired", config)


def build_scheduler(config: Mapping[str, Any], *, blocking: bool = True) -> BaseScheduler:
    """The scheduler with the three jobs; each also runs as soon as it starts."""
    settings = SchedulerSettings.from_config(config)  # fail at start, not at the first run, on a bad setting
    config = dict(config)
    cls = BlockingScheduler if blocking else BackgroundScheduler
    scheduler = cls(timezone=LOCAL_ZONE, job_defaults={
        "coalesce": True,  # many missed runs → one run
        "max_instances": 1,
        "misfire_grace_time": None,  # never drop a late run
    })
    now = datetime.now(LOCAL_ZONE)
    scheduler.add_job(scan_job, IntervalTrigger(minutes=settings.scan_minutes), args=[config], id="scan_deadlines",
                      name="scan_deadlines", next_run_time=now)
    # New tasks reach their people within a delivery interval: the fan-out runs just as often.
    scheduler.add_job(notify_job, IntervalTrigger(seconds=settings.deliver_seconds), args=[config], id="notify",
                      name="notify", next_run_time=now)
    scheduler.add_job(deliver_job, IntervalTrigger(seconds=settings.deliver_seconds), args=[config],
                      id="deliver_outbox", name="deliver_outbox", next_run_time=now)
    scheduler.add_job(close_expired_job, CronTrigger(hour=0, minute=15, timezone=LOCAL_ZONE), args=[config],
                      id="close_expired", name="close_expired", next_run_time=now)
    return scheduler
