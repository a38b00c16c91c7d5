"""Sign-in security (issue 14): server-side sessions, second factors, the must-change flag, shared rate counters."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow


class WebSession(Base):
    """A signed-in browser. The cookie carries a random id; this row (keyed by its SHA-256) is the session.

    Signing out, a password change, deactivation and «sign out everywhere» set `ended_at`, and the
    cookie stops working at once, wherever it was copied to.
    """

    __tablename__ = "web_sessions"
    __table_args__ = (Index("ix_web_sessions_user_id_ended_at", "user_id", "ended_at"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 hex of the cookie's session id
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()  # the absolute limit: created_at + 12 hours
    ended_at: Mapped[datetime | None] = mapped_column()
    ended_reason: Mapped[str | None] = mapped_column(String(32))  # sign_out | password | deactivated | everywhere
    remote_addr: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(200))


class AccountSecurity(Base):
    """Per account: whether the password was set by someone else, and the TOTP second factor."""

    __tablename__ = "account_security"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    # True when an administrator, the command line or a loader chose the password: production makes the
    # user pick their own at the next sign-in.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    totp_secret: Mapped[str | None] = mapped_column(String(64))  # base32; set while enrolling, kept once enabled
    totp_enabled_at: Mapped[datetime | None] = mapped_column()
    totp_last_step: Mapped[int | None] = mapped_column(Integer)  # a code is accepted once (no replay)


class RecoveryCode(Base):
    """A one-time code that stands in for the authenticator app; only its SHA-256 is stored."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column()


class RateCounter(Base):
    """Requests counted per key (a token, an address) in fixed windows; shared by every process."""

    __tablename__ = "rate_counters"
    __table_args__ = (Index("ix_rate_counters_window_start", "window_start"),)

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    window_start: Mapped[int] = mapped_column(Integer, primary_key=True)  # epoch seconds, a multiple of the window
    count: Mapped[int] = mapped_column(Integer, default=0)
