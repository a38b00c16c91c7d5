"""What reaches people besides reminders: new-task and escalation notifications, each person's choices for
them, the secret address of a personal calendar feed, and the fan-out's place in the event log."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow

CHANNELS = ("immediate", "digest", "in_app")  # mail at once, in the daily digest, or only the bell


class Notification(Base):
    """One thing for one person: a case landed on their desk (new_task) or is long overdue below (escalation).

    `dedupe_key` is unique: a retried or doubled fan-out (two schedulers) writes nothing twice.
    """

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_unread", "user_id", "read_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(120), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    kind: Mapped[str] = mapped_column(String(16))  # new_task | escalation
    message: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column()


class NotificationPreference(Base):
    """A person's choices; no row means the defaults (new tasks mailed at once, escalations in the digest,
    mail only in working hours)."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    new_task: Mapped[str] = mapped_column(String(16), default="immediate")
    escalation: Mapped[str] = mapped_column(String(16), default="digest")
    any_time: Mapped[bool] = mapped_column(Boolean, default=False)  # True: mail outside 07:00–20:00 working days


class CalendarFeed(Base):
    """The secret address of a person's deadline feed, stored as a digest (the address is shown once)."""

    __tablename__ = "calendar_feeds"
    __table_args__ = (UniqueConstraint("token_digest", name="uq_calendar_feeds_token"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    token_digest: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class FanOutCursor(Base):
    """How far the new-task fan-out has read the event log (one row per reader)."""

    __tablename__ = "fanout_cursors"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    last_event_id: Mapped[int] = mapped_column(default=0)
