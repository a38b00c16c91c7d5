"""`flask --app app scheduler` commands.

    flask --app app scheduler                      the scheduler process (blocks; Ctrl-C or SIGTERM stops it)
    flask --app app scheduler start                the same
    flask --app app scheduler run-once [--now 2026-03-02T08:00:00+07:00] [--job scan|deliver|close-expired]
                                       [--allow-future]   --now ahead of the real clock: a dry run unless given
"""
from __future__ import annotations

import dataclasses
import logging
import signal
import sys
from datetime import datetime

import click
from flask import Flask

from scheduler.jobs import JOBS, build_scheduler, run_jobs
from scheduler.preview import preview_jobs
from scheduler.settings import SchedulerSettings, config_values
from workflows.engine import LOCAL_ZONE, FixedClock, Runtime


def parse_now(value: str) -> datetime:
    """An ISO date-time; without a zone it is read as Vietnam's local time."""
    try:
        instant = datetime.fromisoformat(value.strip())
    except ValueError:
        raise click.BadParameter(f"expected an ISO date-time like 2026-03-02T08:00:00+07:00, got {value!r}") from None
    return instant.replace(tzinfo=LOCAL_ZONE) if instant.tzinfo is None else instant


def _settings(app: Flask) -> SchedulerSettings:
    try:
        return SchedulerSettings.from_config(app.config)
    except ValueError as exc:
        raise click.ClickException(f"scheduler configuration: {exc}") from None


def register(app: Flask) -> None:
    """Add the scheduler commands to the application's CLI."""

    @app.cli.group("scheduler", invoke_without_command=True)
    @click.pass_context
    def scheduler_group(ctx: click.Context) -> None:
        """The reminder scheduler: deadline scan, outbox delivery, automatic closing."""
        if ctx.invoked_subcommand is None:
            ctx.invoke(start)

    @scheduler_group.command("start")
    def start() -> None:
        """Run the scheduler process until stopped (any number may run at once)."""
        settings = _settings(app)
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        scheduler = build_scheduler(config_values(app.config))
        where = f"SMTP {settings.smtp.host}:{settings.smtp.port}" if settings.smtp.configured \
            else "no SMTP configured: mail is kept in the outbox (held)"
        click.echo(f"scheduler: scan every {settings.scan_minutes} min, delivery every {settings.deliver_seconds} s; "
                   f"{where}", err=True)
        # SIGTERM (make run's trap, systemd) stops it like Ctrl-C: running jobs finish, nothing half-done.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        try:
            scheduler.start()
        except (KeyboardInterrupt, SystemExit):
            pass
        finally:
            if scheduler.running:
                scheduler.shutdown(wait=True)

    @scheduler_group.command("run-once")
    @click.option("--now", "now_text", default=None, metavar="ISO-DATETIME",
                  help="Run as of this instant (default: the current time).")
    @click.option("--job", "jobs", multiple=True, type=click.Choice(JOBS),
                  help="Only this job (may repeat); default: scan, deliver and close-expired.")
    @click.option("--allow-future", is_flag=True,
                  help="With --now later than the real clock, really write and send (test and demo databases only).")
    def run_once(now_text: str | None, jobs: tuple[str, ...], allow_future: bool) -> None:
        """Run the jobs once, in order, as of --now.

        A --now later than the real clock only reports what the jobs would do (nothing is written
        or sent): the system's own steps are never dated after the real clock, and no one gets next
        week's reminder today. --allow-future runs them for real, for test and demo databases.
        """
        settings = _settings(app)
        rt: Runtime = app.extensions["quytrinh"]
        real_now = rt.clock.now()
        if now_text is not None:
            rt = dataclasses.replace(rt, clock=FixedClock(parse_now(now_text)))
        if rt.clock.now() > real_now and not allow_future:
            click.echo(f"dry run: --now {rt.clock.now().astimezone(LOCAL_ZONE):%d/%m/%Y %H:%M} is later than the "
                       f"real clock ({real_now.astimezone(LOCAL_ZONE):%d/%m/%Y %H:%M}); nothing is written or sent. "
                       "Add --allow-future (test and demo databases only) to run the jobs for real.")
            for line in preview_jobs(rt, settings, jobs or JOBS):
                click.echo(line)
            return
        for line in run_jobs(rt, settings, jobs or JOBS):
            click.echo(line)
