"""A person's notifications: the list behind the bell, the unread count, marking read."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update

from models import Notification, write_transaction
from workflows.domain.errors import NotFound
from workflows.engine.runtime import Runtime

LIMIT = 100


@dataclass(frozen=True)
class Item:
    id: int
    case_id: int | None
    kind: str
    message: str
    at: datetime
    read: bool


def notifications(rt: Runtime, *, user_id: int, unread_only: bool = False, limit: int = LIMIT) -> list[Item]:
    """The person's notifications, newest first (at most `limit`)."""
    query = select(Notification).where(Notification.user_id == user_id)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    with rt.session_factory() as session:
        rows = session.scalars(query.order_by(Notification.id.desc()).limit(limit)).all()
        return [Item(n.id, n.case_id, n.kind, n.message, n.at, n.read_at is not None) for n in rows]


def unread_count(rt: Runtime, *, user_id: int) -> int:
    """How many the bell shows (one indexed count)."""
    with rt.session_factory() as session:
        return session.scalar(select(func.count(Notification.id))
                              .where(Notification.user_id == user_id, Notification.read_at.is_(None))) or 0


def mark_read(rt: Runtime, *, user_id: int, notification_id: int) -> None:
    """Mark one of the person's notifications read; another person's is 'not found' (no telling it exists)."""
    with write_transaction(rt.session_factory) as session:
        found = session.execute(update(Notification).where(
            Notification.id == notification_id, Notification.user_id == user_id)
            .values(read_at=func.coalesce(Notification.read_at, rt.clock.now()))).rowcount
        if not found:
            raise NotFound("thông báo", notification_id)


def mark_all_read(rt: Runtime, *, user_id: int) -> int:
    with write_transaction(rt.session_factory) as session:
        return session.execute(update(Notification).where(
            Notification.user_id == user_id, Notification.read_at.is_(None)).values(read_at=rt.clock.now())).rowcount
