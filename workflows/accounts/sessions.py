"""Server-side sessions of the web UI (issue 14, item 3; quality.md Security 3).

The browser's cookie holds a random session id; the `web_sessions` row keyed by its SHA-256 is the
session. A request is signed in only while that row is open, was seen in the last 30 minutes and is
less than 12 hours old, so signing out, changing the password, an administrator disabling the
account and «sign out everywhere» end a session at once, even in a browser that kept a copy of
the cookie. Only the digest is stored: a copy of the table signs nobody in.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from models import AccountSecurity, User, WebSession, write_transaction
from workflows.engine.audit import record_audit
from workflows.engine.runtime import Runtime

IDLE_TIMEOUT = timedelta(minutes=30)
ABSOLUTE_TIMEOUT = timedelta(hours=12)
TOUCH_EVERY = timedelta(minutes=1)  # last_seen_at is written at most once a minute


def digest(sid: str) -> str:
    return hashlib.sha256(sid.encode()).hexdigest()


@dataclass(frozen=True)
class LiveSession:
    """An open session as a request sees it; `expires_at` is when it ends if the user does nothing."""

    user: User
    created_at: datetime
    expires_at: datetime
    must_change_password: bool = False
    second_factor: bool = False  # the account has a TOTP second factor enabled


def open_session(session: Session, *, user_id: int, now: datetime, remote_addr: str | None = None,
                 user_agent: str | None = None) -> str:
    """A new session for a user, inside the caller's transaction; returns the id for the cookie."""
    sid = secrets.token_urlsafe(32)
    session.add(WebSession(id=digest(sid), user_id=user_id, created_at=now, last_seen_at=now,
                           expires_at=now + ABSOLUTE_TIMEOUT, remote_addr=(remote_addr or "")[:64] or None,
                           user_agent=(user_agent or "")[:200] or None))
    return sid


def start(rt: Runtime, *, user_id: int, remote_addr: str | None = None, user_agent: str | None = None) -> str:
    """Open a session in a transaction of its own; returns the id for the cookie."""
    with write_transaction(rt.session_factory) as session:
        return open_session(session, user_id=user_id, now=rt.clock.now(), remote_addr=remote_addr,
                            user_agent=user_agent)


def _ends_at(row: WebSession) -> datetime:
    return min(row.last_seen_at + IDLE_TIMEOUT, row.expires_at)


def resume(rt: Runtime, sid: str | None) -> LiveSession | None:
    """The open session of this id with its active user, or None (unknown, ended, idle, too old, disabled).

    Notes the visit (at most once a minute), so 30 minutes of activity keep the session alive.
    """
    if not sid or len(sid) > 100:
        return None
    now = rt.clock.now()
    with rt.session_factory() as session:
        found = session.execute(select(WebSession, User, AccountSecurity)
                                .join(User, User.id == WebSession.user_id)
                                .outerjoin(AccountSecurity, AccountSecurity.user_id == User.id)
                                .where(WebSession.id == digest(sid), WebSession.ended_at.is_(None))).first()
    if found is None:
        return None
    row, user, security = found
    if now >= _ends_at(row) or not user.active:
        end(rt, sid, "expired" if user.active else "deactivated")
        return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        with write_transaction(rt.session_factory) as session:
            session.execute(update(WebSession).where(WebSession.id == row.id, WebSession.ended_at.is_(None))
                            .values(last_seen_at=now))
        row.last_seen_at = now
    return LiveSession(user, row.created_at, _ends_at(row),
                       must_change_password=bool(security and security.must_change_password),
                       second_factor=bool(security and security.totp_enabled_at))


def end(rt: Runtime, sid: str | None, reason: str) -> None:
    """End one session (sign-out, expiry)."""
    if not sid:
        return
    with write_transaction(rt.session_factory) as session:
        session.execute(update(WebSession).where(WebSession.id == digest(sid), WebSession.ended_at.is_(None))
                        .values(ended_at=rt.clock.now(), ended_reason=reason[:32]))


def end_user_sessions(session: Session, *, user_id: int, now: datetime, reason: str, keep: str | None = None) -> int:
    """End every open session of a user (except the one whose id is `keep`), inside the caller's transaction."""
    statement = update(WebSession).where(WebSession.user_id == user_id, WebSession.ended_at.is_(None))
    if keep:
        statement = statement.where(WebSession.id != digest(keep))
    return session.execute(statement.values(ended_at=now, ended_reason=reason[:32])).rowcount or 0


def end_all_sessions(rt: Runtime, *, user_id: int, remote_addr: str | None = None) -> int:
    """«Sign out everywhere»: every open session of the user ends now; returns how many."""
    now = rt.clock.now()
    with write_transaction(rt.session_factory) as session:
        ended = end_user_sessions(session, user_id=user_id, now=now, reason="everywhere")
        record_audit(session, at=now, user_id=user_id, action="logout.everywhere", object_type="user",
                     object_id=user_id, remote_addr=remote_addr, detail=f"{ended} sessions")
        return ended


@dataclass(frozen=True)
class SessionRow:
    created_at: datetime
    last_seen_at: datetime
    remote_addr: str | None
    user_agent: str | None
    current: bool


def open_sessions(rt: Runtime, *, user_id: int, current: str | None) -> list[SessionRow]:
    """The user's sessions still open, newest first (for the account page)."""
    now = rt.clock.now()
    mine = digest(current) if current else None
    with rt.session_factory() as session:
        rows = session.scalars(select(WebSession).where(WebSession.user_id == user_id, WebSession.ended_at.is_(None))
                               .order_by(WebSession.created_at.desc())).all()
    return [SessionRow(r.created_at, r.last_seen_at, r.remote_addr, r.user_agent, r.id == mine)
            for r in rows if now < _ends_at(r)]
