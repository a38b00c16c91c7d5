"""The reminder outbox as administrators see it: mail by status, incidents, and retrying a failed mail.

The scheduler writes and sends the outbox (scheduler/); the web's admin pages
read it and retry through these functions (web/ never imports scheduler/).
Administrators only; a retry is audited.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from models import Incident, OutboxMessage, User, write_transaction
from workflows.domain.errors import Forbidden, InvalidInput, NotFound
from workflows.engine.access import load_actor
from workflows.engine.audit import record_audit
from workflows.engine.runtime import Runtime

PER_PAGE = 50
# queued → sending → sent, or back to queued (retry) → … → failed; held: no SMTP configured;
# digest_wait → digested: items of a user who chose the daily digest (the digest itself is a mail).
STATUSES = ("queued", "sending", "sent", "failed", "held", "digest_wait", "digested")


def _admin(session: Session, actor_id: int) -> None:
    if not load_actor(session, actor_id).is_admin:
        raise Forbidden("Chỉ quản trị hệ thống mới xem được hộp thư đi.", "Only a system administrator may see the outbox.")


@dataclass(frozen=True)
class OutboxRow:
    id: int
    kind: str
    stage: str | None
    status: str
    to_address: str
    user_name: str | None
    subject: str
    attempts: int
    created_at: datetime
    next_attempt_at: datetime
    sent_at: datetime | None
    last_error: str | None
    case_id: int | None
    message_id: str


@dataclass(frozen=True)
class OutboxPage:
    rows: list[OutboxRow]
    total: int
    counts: dict[str, int]
    status: str | None
    page: int
    per_page: int = PER_PAGE

    @property
    def pages(self) -> int:
        return max((self.total + self.per_page - 1) // self.per_page, 1)


def outbox_page(rt: Runtime, *, actor_id: int, status: str | None = None, page: int = 1) -> OutboxPage:
    """One page of the outbox, newest first, optionally of one status; with the count of each status."""
    if status is not None and status not in STATUSES:
        raise InvalidInput(f"Không có trạng thái thư «{status}».", f"Unknown mail status '{status}'.",
                           {"status": "unknown"})
    page = max(int(page), 1)
    with rt.session_factory() as session:
        _admin(session, actor_id)
        counts = {s: 0 for s in STATUSES}
        counts.update(dict(session.execute(
            select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all()))
        query = (select(OutboxMessage, User.display_name, User.username)
                 .outerjoin(User, User.id == OutboxMessage.user_id))
        if status is not None:
            query = query.where(OutboxMessage.status == status)
        rows = session.execute(query.order_by(OutboxMessage.id.desc()).limit(PER_PAGE)
                               .offset((page - 1) * PER_PAGE)).all()
        total = counts.get(status, 0) if status is not None else sum(counts.values())
        return OutboxPage([_row(m, name or username) for m, name, username in rows], total, counts, status, page)


def _row(m: OutboxMessage, user_name: str | None) -> OutboxRow:
    case_id = (m.payload or {}).get("case_id") if isinstance(m.payload, dict) else None
    return OutboxRow(m.id, m.kind, m.stage, m.status, m.to_address, user_name, m.subject, m.attempts, m.created_at,
                     m.next_attempt_at, m.sent_at, m.last_error, case_id if isinstance(case_id, int) else None,
                     m.message_id)


@dataclass(frozen=True)
class IncidentRow:
    id: int
    kind: str
    message: str
    created_at: datetime
    resolved_at: datetime | None
    resolved_by: str | None
    outbox: OutboxRow | None


@dataclass(frozen=True)
class IncidentsPage:
    rows: list[IncidentRow]
    total: int
    open_only: bool
    page: int
    per_page: int = PER_PAGE

    @property
    def pages(self) -> int:
        return max((self.total + self.per_page - 1) // self.per_page, 1)


def incidents_page(rt: Runtime, *, actor_id: int, open_only: bool = True, page: int = 1) -> IncidentsPage:
    """Incidents, open ones (or all) newest first, each with its mail."""
    page = max(int(page), 1)
    with rt.session_factory() as session:
        _admin(session, actor_id)
        query = select(Incident)
        if open_only:
            query = query.where(Incident.resolved_at.is_(None))
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        incidents = list(session.scalars(query.order_by(Incident.id.desc()).limit(PER_PAGE)
                                         .offset((page - 1) * PER_PAGE)))
        mails = {m.id: (m, n or u) for m, n, u in session.execute(
            select(OutboxMessage, User.display_name, User.username).outerjoin(User, User.id == OutboxMessage.user_id)
            .where(OutboxMessage.id.in_([i.outbox_id for i in incidents if i.outbox_id is not None])))}
        resolvers = dict(session.execute(select(User.id, User.username).where(
            User.id.in_([i.resolved_by for i in incidents if i.resolved_by is not None]))).all())
        rows = []
        for i in incidents:
            mail = mails.get(i.outbox_id)
            rows.append(IncidentRow(i.id, i.kind, i.message, i.created_at, i.resolved_at,
                                    resolvers.get(i.resolved_by), _row(*mail) if mail else None))
        return IncidentsPage(rows, total, open_only, page)


def open_incident_count(rt: Runtime) -> int:
    """How many incidents wait for an administrator (for a badge in the navigation)."""
    with rt.session_factory() as session:
        return session.scalar(select(func.count(Incident.id)).where(Incident.resolved_at.is_(None))) or 0


def retry_incident(rt: Runtime, *, actor_id: int, incident_id: int) -> int | None:
    """Resolve an incident; a failed mail of it goes back to the queue with fresh attempts. Returns the mail id.

    The scheduler's next delivery run sends it (kept as held while no SMTP is configured).
    """
    now = rt.clock.now()
    with write_transaction(rt.session_factory) as session:
        _admin(session, actor_id)
        incident = session.get(Incident, incident_id)
        if incident is None:
            raise NotFound("sự cố", incident_id)
        resolved = session.execute(update(Incident).where(Incident.id == incident_id, Incident.resolved_at.is_(None))
                                   .values(resolved_at=now, resolved_by=actor_id)).rowcount
        if not resolved:
            raise InvalidInput("Sự cố này đã được xử lý rồi.", "This incident has already been dealt with.",
                               {"incident": "resolved"})
        requeued = None
        if incident.outbox_id is not None:
            changed = session.execute(update(OutboxMessage).where(
                OutboxMessage.id == incident.outbox_id, OutboxMessage.status == "failed").values(
                status="queued", attempts=0, next_attempt_at=now, lease_until=None)).rowcount
            requeued = incident.outbox_id if changed else None
        record_audit(session, at=now, user_id=actor_id, action="outbox.retry", object_type="incident",
                     object_id=incident_id, detail=f"outbox {requeued}" if requeued else "resolved")
        return requeued
