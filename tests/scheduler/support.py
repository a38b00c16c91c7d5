"""Helpers of the scheduler tests: a real SMTP server on loopback (aiosmtpd), deadlines, job runs."""
from __future__ import annotations

import dataclasses
import email
import os
import socket
import subprocess
import sys
import threading
from datetime import date, datetime, time
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path

from aiosmtpd.controller import Controller
from sqlalchemy import select

from models import Deadline, OutboxMessage, write_transaction
from scheduler.delivery import DeliverySettings, deliver_outbox
from scheduler.mail import MailSettings
from scheduler.scan import scan_deadlines
from scheduler.smtp import SmtpSettings
from scheduler.stages import ReminderPolicy
from workflows.demo.walk import admission_plan, walk
from workflows.engine import LOCAL_ZONE, FixedClock, Runtime

BASE_URL = "https://quytrinh.example.test"
# Tết 2027: Thursday 4 to Wednesday 10 February are days off; this due date is the Monday after.
DUE_AFTER_TET = date(2027, 2, 15)
MAIL = MailSettings(base_url=BASE_URL, mail_from="nhac-han@quytrinh.example.test")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Recorder:
    """aiosmtpd handler keeping every accepted message; can refuse, or hold a message until released."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.refuse: dict[str, str] = {}  # recipient -> SMTP reply, e.g. "550 no such user"
        self.block_after: int | None = None  # record the n-th message, then wait for `release`
        self.blocked = threading.Event()
        self.release = threading.Event()
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        for rcpt in envelope.rcpt_tos:
            if rcpt in self.refuse:
                return self.refuse[rcpt]
        msg = email.message_from_bytes(envelope.content, policy=default_policy)
        with self.lock:
            self.messages.append(msg)
            count = len(self.messages)
        if self.block_after is not None and count == self.block_after:
            self.blocked.set()
            # Blocks this server's loop on purpose: the client waits for the 250 that never comes.
            self.release.wait(timeout=60)
        return "250 OK"

    def message_ids(self) -> list[str]:
        with self.lock:
            return [m["Message-ID"] for m in self.messages]

    def to(self, address: str) -> list[EmailMessage]:
        with self.lock:
            return [m for m in self.messages if m["To"] == address]


class SmtpServer:
    """aiosmtpd on 127.0.0.1 and a free port; can be stopped (SMTP down) and started again on the same port."""

    def __init__(self, **smtp_kwargs) -> None:
        self.port = free_port()
        self.recorder = Recorder()
        self.smtp_kwargs = smtp_kwargs
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port, **self.smtp_kwargs)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.recorder.release.set()
            self.controller.stop()
            self.controller = None

    def settings(self, **kw) -> SmtpSettings:
        return SmtpSettings(host="127.0.0.1", port=self.port, mail_from=MAIL.mail_from, timeout=10, **kw)

    @property
    def messages(self) -> list[EmailMessage]:
        return self.recorder.messages


def local(day: date, hour: int = 8) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=LOCAL_ZONE)


def at(rt: Runtime, instant: datetime | date) -> Runtime:
    """The runtime with its clock fixed at an instant (a date means 08:00 local that day)."""
    if not isinstance(instant, datetime):
        instant = local(instant)
    return dataclasses.replace(rt, clock=FixedClock(instant))


def scan(rt: Runtime, when, policy: ReminderPolicy | None = None):
    return scan_deadlines(at(rt, when), policy=policy, mail=MAIL)


FAST_RETRY = DeliverySettings(max_attempts=3, retry_base_seconds=60, retry_max_seconds=600, lease_seconds=120,
                              batch_size=5)


def deliver(rt: Runtime, when, smtp_settings: SmtpSettings, settings: DeliverySettings = FAST_RETRY):
    return deliver_outbox(at(rt, when), smtp_settings, settings)


def open_case(runtime: Runtime, world, cell: str = "cell1", start: date = date(2026, 3, 2),
              until: str = "sympathiser"):
    """An admission case at a cell (by default just opened: no deadline of its own yet, waiting for its
    secretary). Reminders go to whoever takes the step the case waits for: walk it to `until` for another."""
    plan = admission_plan(world.people[f"{cell}_m1"], (world.people[f"{cell}_m2"], world.people[f"{cell}_m3"]), start)
    return walk(runtime, plan, person_id=world.people[f"{cell}_applicant"], organisation_id=world.orgs[cell],
                actor_for=world.actor_for(cell), procedure="admission", until=until)


def add_deadline(runtime: Runtime, case_id: int, *, due: date, role: str, organisation_id: int,
                 kind: str = "admission_decision") -> int:
    with write_transaction(runtime.session_factory) as s:
        row = Deadline(case_id=case_id, kind=kind, due_date=due, role=role, organisation_id=organisation_id,
                       status="open", legal_basis="QĐ 24-QĐ/TW")
        s.add(row)
        s.flush()
        return row.id


def outbox(runtime: Runtime, **filters) -> list[OutboxMessage]:
    with runtime.session_factory() as s:
        return list(s.scalars(select(OutboxMessage).filter_by(**filters).order_by(OutboxMessage.id)))


REPO = Path(__file__).resolve().parents[2]


def cli_env(db_url: str, instance: Path, smtp: SmtpServer | None = None, **extra: str) -> dict[str, str]:
    """Environment for a `flask --app app …` subprocess on the test's database (and SMTP server)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUYTRINH_")}
    env.update(QUYTRINH_DATABASE_URL=db_url, QUYTRINH_INSTANCE=str(instance), QUYTRINH_BASE_URL=BASE_URL,
               QUYTRINH_MAIL_FROM=MAIL.mail_from, PYTHONUNBUFFERED="1",
               # These processes run on the real clock, whatever the day: no quiet hours (tests/scheduler/
               # test_notify.py tests them at chosen instants).
               QUYTRINH_QUIET_HOURS="none")
    if smtp is not None:
        env.update(QUYTRINH_SMTP_HOST="127.0.0.1", QUYTRINH_SMTP_PORT=str(smtp.port))
    env.update(extra)
    return env


def flask_cli(*args: str, env: dict[str, str], **popen) -> subprocess.Popen:
    """Start `flask --app app <args>` as a real process."""
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", *args], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen)
