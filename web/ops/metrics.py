"""Prometheus metrics of a web process (prometheus_client, the maintained client library).

Counted as they happen: requests by route template, method and status, their duration, and every
transition's latency (Runtime.on_transition). Read from the database at each scrape, so every process
reports the same: the outbox's depth and the age of its oldest unsent mail, and each scheduler job's last
run and duration (the table job_runs, written by the scheduler processes).
"""
from __future__ import annotations

import time
from datetime import datetime, timezone

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import func, select

from models import JobRun, OutboxMessage
from workflows.engine import Runtime

PENDING = ("queued", "sending", "held", "digest_wait")


class DatabaseCollector:
    """Gauges computed from the database on each scrape (cheap: two indexed queries and a tiny table)."""

    def __init__(self, runtime: Runtime):
        self.runtime = runtime

    def collect(self):
        depth = GaugeMetricFamily("quytrinh_outbox_depth", "Mails not sent yet, by status", labels=["status"])
        age = GaugeMetricFamily("quytrinh_outbox_oldest_age_seconds", "Age of the oldest mail not sent yet")
        last_run = GaugeMetricFamily("quytrinh_job_last_run_timestamp_seconds", "When a scheduler job last started",
                                     labels=["job"])
        duration = GaugeMetricFamily("quytrinh_job_last_duration_seconds",
                                     "How long a scheduler job's last run took (the deadline scan's is 'scan')",
                                     labels=["job"])
        now = datetime.now(timezone.utc)
        with self.runtime.session_factory() as session:
            counts = dict(session.execute(
                select(OutboxMessage.status, func.count()).where(OutboxMessage.status.in_(PENDING))
                .group_by(OutboxMessage.status)).all())
            oldest = session.execute(select(func.min(OutboxMessage.created_at))
                                     .where(OutboxMessage.status.in_(PENDING))).scalar()
            runs = session.execute(select(JobRun)).scalars().all()
        for status in PENDING:
            depth.add_metric([status], counts.get(status, 0))
        if isinstance(oldest, str):  # SQLite's min() of a timestamp column comes back as text
            oldest = datetime.fromisoformat(oldest).replace(tzinfo=timezone.utc)
        age.add_metric([], (now - oldest).total_seconds() if oldest else 0.0)
        for run in runs:
            last_run.add_metric([run.job], run.started_at.timestamp())
            duration.add_metric([run.job], run.duration_seconds)
        yield from (depth, age, last_run, duration)


class Metrics:
    """One registry per application (tests build many apps in one process)."""

    def __init__(self, runtime: Runtime):
        self.registry = CollectorRegistry()
        self.requests = Counter("quytrinh_http_requests", "HTTP requests by route, method and status",
                                ["route", "method", "status"], registry=self.registry)
        self.request_seconds = Histogram("quytrinh_http_request_seconds", "HTTP request duration by route",
                                         ["route"], registry=self.registry,
                                         buckets=(.005, .01, .025, .05, .1, .15, .25, .5, 1, 2.5, 5, 10))
        self.transition_seconds = Histogram(
            "quytrinh_transition_seconds", "Engine transition latency (commit included) by trigger and outcome",
            ["trigger", "outcome"], registry=self.registry,
            buckets=(.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5))
        self.registry.register(DatabaseCollector(runtime))

    def observe_request(self, route: str, method: str, status: int, started: float) -> None:
        self.requests.labels(route, method, str(status)).inc()
        self.request_seconds.labels(route).observe(time.perf_counter() - started)

    def observe_transition(self, trigger: str, seconds: float, outcome: str) -> None:
        self.transition_seconds.labels(trigger, outcome).observe(seconds)
