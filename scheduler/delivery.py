"""Outbox delivery: claim unsent rows under a lease, send over SMTP, mark sent; retry with backoff; incidents.

A claim (one short transaction: FOR UPDATE SKIP LOCKED on PostgreSQL, BEGIN
IMMEDIATE on SQLite) moves due rows to `sending`, counts the attempt and sets
`lease_until` = `next_attempt_at` = now + lease. A process that dies while
holding rows loses nothing: once the lease is over the rows are due again and
the next run claims them. Each message is marked sent in its own commit right
after the server accepts it, so a crash duplicates at most the one message in
flight (quality.md Reliability 3). Marks are guarded by the lease (the claim's
token): a row re-claimed by someone else is not touched.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update

from models import Incident, NotificationPreference, write_transaction
from scheduler.mail import render_row
from scheduler.quiet import DEFAULT as DEFAULT_WINDOW
from scheduler.quiet import in_quiet_hours
from scheduler.rows import OUTBOX
from scheduler.smtp import PermanentFailure, SmtpSettings, SmtpTransport, build_message
from workflows.engine import Runtime

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DeliverySettings:
    max_attempts: int = 8
    retry_base_seconds: int = 60  # 1, 2, 4, 8 … minutes between tries
    retry_max_seconds: int = 3600
    lease_seconds: int = 600  # longer than a batch can take to send (batch × SMTP timeout)
    batch_size: int = 10
    quiet_window: tuple[int, int] | None = DEFAULT_WINDOW  # hours mail may go out on working days

    def backoff(self, attempts: int) -> timedelta:
        """The wait after the `attempts`-th failed try."""
        return timedelta(seconds=min(self.retry_base_seconds * 2 ** max(attempts - 1, 0), self.retry_max_seconds))


@dataclass
class DeliveryResult:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    held: int = 0
    released: int = 0

    def __str__(self) -> str:
        return (f"delivery: {self.sent} sent, {self.retried} to retry, {self.failed} failed, "
                f"{self.held} held (no SMTP configured), {self.released} released from hold")


@dataclass(frozen=True)
class Claimed:
    id: int
    kind: str
    to_address: str
    subject: str
    body_text: str
    body_html: str | None
    message_id: str
    payload: dict
    attempts: int
    lease: datetime


def _due_rows(session, now: datetime, limit: int, statuses=("queued", "sending"), quiet: bool = False):
    """Rows due now, oldest first, on the pending partial index; skipping rows another worker holds.

    In quiet hours (scheduler/notify.py in_quiet_hours) only the mail of people who chose any time goes out."""
    query = (select(OUTBOX).where(OUTBOX.c.status.in_(statuses), OUTBOX.c.next_attempt_at <= now)
             .order_by(OUTBOX.c.next_attempt_at, OUTBOX.c.id).limit(limit))
    if quiet:
        query = query.where(OUTBOX.c.user_id.in_(
            select(NotificationPreference.user_id).where(NotificationPreference.any_time.is_(True))))
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return session.execute(query).all()


def claim(rt: Runtime, now: datetime, settings: DeliverySettings, result: DeliveryResult) -> list[Claimed] | None:
    """Take up to a batch of due rows (queued, or sending with an expired lease); None when none is due."""
    lease = now + timedelta(seconds=settings.lease_seconds)
    claimed: list[Claimed] = []
    with write_transaction(rt.session_factory) as session:
        rows = _due_rows(session, now, settings.batch_size, quiet=in_quiet_hours(rt, now, settings.quiet_window))
        if not rows:
            return None
        for row in rows:
            if row.status == "sending" and row.attempts >= settings.max_attempts:
                # Its last try died with its process: give up rather than loop forever.
                _fail(session, row.id, row.to_address, row.attempts, now,
                      row.last_error or "lease expired during the last attempt")
                result.failed += 1
                continue
            session.execute(update(OUTBOX).where(OUTBOX.c.id == row.id).values(
                status="sending", attempts=row.attempts + 1, lease_until=lease, next_attempt_at=lease))
            claimed.append(Claimed(row.id, row.kind, row.to_address, row.subject, row.body_text, row.body_html,
                                   row.message_id, row.payload or {}, row.attempts + 1, lease))
    return claimed


def _mine(row: Claimed):
    return (OUTBOX.c.id == row.id) & (OUTBOX.c.status == "sending") & (OUTBOX.c.lease_until == row.lease)


def _mark_sent(rt: Runtime, row: Claimed, now: datetime) -> None:
    with write_transaction(rt.session_factory) as session:
        session.execute(update(OUTBOX).where(_mine(row)).values(
            status="sent", sent_at=now, lease_until=None, last_error=None))


def _mark_failure(rt: Runtime, row: Claimed, now: datetime, error: str, permanent: bool,
                  settings: DeliverySettings) -> bool:
    """Schedule a retry, or fail the row and record an incident after the last try; True if failed."""
    error = error[:2000]
    with write_transaction(rt.session_factory) as session:
        if permanent or row.attempts >= settings.max_attempts:
            if session.execute(update(OUTBOX).where(_mine(row)).values(status="failed")).rowcount:
                _fail(session, row.id, row.to_address, row.attempts, now, error)
            return True
        session.execute(update(OUTBOX).where(_mine(row)).values(
            status="queued", lease_until=None, last_error=error,
            next_attempt_at=now + settings.backoff(row.attempts)))
        return False


def _fail(session, outbox_id: int, to: str, attempts: int, now: datetime, error: str) -> None:
    session.execute(update(OUTBOX).where(OUTBOX.c.id == outbox_id).values(
        status="failed", lease_until=None, last_error=error))
    session.add(Incident(kind="mail_failed", outbox_id=outbox_id, created_at=now,
                         message=f"Thư #{outbox_id} tới {to} không gửi được sau {attempts} lần thử: {error}"[:4000]))


def hold_unsendable(rt: Runtime, now: datetime, settings: DeliverySettings, result: DeliveryResult) -> None:
    """No SMTP configured: due queued rows become `held` (kept, shown to admins, sent once SMTP is set)."""
    while True:
        with write_transaction(rt.session_factory) as session:
            ids = [row.id for row in _due_rows(session, now, 500, statuses=("queued",))]
            if ids:
                session.execute(update(OUTBOX).where(OUTBOX.c.id.in_(ids)).values(status="held"))
        result.held += len(ids)
        if len(ids) < 500:
            return


def release_held(rt: Runtime, now: datetime) -> int:
    """SMTP is configured now: held rows go back to the queue (their attempts were never used)."""
    with write_transaction(rt.session_factory) as session:
        return session.execute(update(OUTBOX).where(OUTBOX.c.status == "held").values(
            status="queued", next_attempt_at=now)).rowcount


def deliver_outbox(rt: Runtime, smtp: SmtpSettings, settings: DeliverySettings | None = None) -> DeliveryResult:
    """Send every row due as of the runtime clock's now (each at most once per run)."""
    settings = settings or DeliverySettings()
    now = rt.clock.now()
    result = DeliveryResult()
    if not smtp.configured:
        hold_unsendable(rt, now, settings, result)
        return result
    result.released = release_held(rt, now)
    transport = SmtpTransport(smtp)
    try:
        while (batch := claim(rt, now, settings, result)) is not None:
            for row in batch:
                _send_one(rt, transport, smtp, row, now, settings, result)
    finally:
        transport.close()
    return result


def _send_one(rt: Runtime, transport: SmtpTransport, smtp: SmtpSettings, row: Claimed, now: datetime,
              settings: DeliverySettings, result: DeliveryResult) -> None:
    try:
        mail = render_row(row.kind, row.subject, row.body_text, row.body_html, row.payload)
        msg = build_message(smtp, to=row.to_address, subject=mail.subject, text=mail.text, html=mail.html,
                            message_id=row.message_id, date=now)
        transport.send(msg)
    except PermanentFailure as exc:
        log.warning("outbox %s refused by the SMTP server: %s", row.id, exc)
        _mark_failure(rt, row, now, f"refused: {exc}", True, settings)
        result.failed += 1
        return
    except Exception as exc:  # noqa: BLE001 — any other failure is worth another try later
        log.warning("outbox %s not sent (attempt %s): %s", row.id, row.attempts, exc)
        if _mark_failure(rt, row, now, f"{type(exc).__name__}: {exc}", False, settings):
            result.failed += 1
        else:
            result.retried += 1
        return
    _mark_sent(rt, row, now)
    result.sent += 1
