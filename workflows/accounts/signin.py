"""Signing in, throttling, changing one's password and preferences (quality.md Security 1–3, 6).

Throttling counts failed sign-ins in the `login_attempts` table, so every web
process sees the same count. It slows guessing without locking anyone out for
good: a key is refused while it has `USER_LIMIT` (per username) or `ADDRESS_LIMIT`
(per address) failures in the last `WINDOW`, and frees itself as they age.
Every answer reads the same whether the username exists or not.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from types import SimpleNamespace

from sqlalchemy import delete, func, select

from models import LoginAttempt, User, write_transaction
from workflows.accounts.accounts import DUMMY_HASH, set_password, verify_password
from workflows.domain.errors import InvalidInput, NotFound
from workflows.engine.audit import record_audit
from workflows.engine.runtime import Runtime

WINDOW = timedelta(minutes=15)
USER_LIMIT = 5
ADDRESS_LIMIT = 30


@dataclass(frozen=True)
class SignIn:
    """What a sign-in attempt came to: `user` is set only when it succeeded."""

    outcome: str  # ok | failed | throttled
    user: User | None = None
    retry_after_minutes: int = 0


def _keys(username: str, remote_addr: str | None) -> tuple[str, str | None]:
    return "u:" + username.strip().lower()[:190], ("ip:" + remote_addr[:190]) if remote_addr else None


def _throttled(session, rt: Runtime, user_key: str, addr_key: str | None) -> int:
    """Minutes until the next attempt is allowed (0: allowed now)."""
    since = rt.clock.now() - WINDOW
    waits = []
    for key, limit in ((user_key, USER_LIMIT), (addr_key, ADDRESS_LIMIT)):
        if key is None:
            continue
        rows = session.scalars(select(LoginAttempt.at).where(LoginAttempt.key == key, LoginAttempt.at > since)
                               .order_by(LoginAttempt.at.desc()).limit(limit)).all()
        if len(rows) >= limit:
            # Allowed again when the oldest of the last `limit` failures leaves the window.
            free_at = rows[-1] + WINDOW
            waits.append(max(1, int((free_at - rt.clock.now()).total_seconds() // 60) + 1))
    return max(waits, default=0)


def sign_in(rt: Runtime, *, username: str, password: str, remote_addr: str | None) -> SignIn:
    """Check a username and password, throttled, audited; the same answer for unknown users."""
    username = (username or "").strip()
    user_key, addr_key = _keys(username, remote_addr)
    with rt.session_factory() as session:
        wait = _throttled(session, rt, user_key, addr_key)
        user = session.scalar(select(User).where(User.username == username)) if username and len(username) <= 80 else None
    now = rt.clock.now()
    if wait:
        with write_transaction(rt.session_factory) as session:
            record_audit(session, at=now, user_id=user.id if user else None, action="login", outcome="throttled",
                         remote_addr=remote_addr, detail=f"username={username[:80]}")
        return SignIn("throttled", retry_after_minutes=wait)
    if user is None or not user.active:
        # Spend the same time as a real check, so timing does not tell who exists.
        verify_password(SimpleNamespace(password_hash=DUMMY_HASH), password or "")
        ok = False
    else:
        ok = verify_password(user, password or "")  # may rehash: written below
    with write_transaction(rt.session_factory) as session:
        if ok:
            stored = session.get(User, user.id)
            if stored.password_hash != user.password_hash:
                stored.password_hash = user.password_hash
            session.execute(delete(LoginAttempt).where(LoginAttempt.key == user_key))
            record_audit(session, at=now, user_id=user.id, action="login", outcome="ok", remote_addr=remote_addr)
            user = stored
        else:
            session.execute(delete(LoginAttempt).where(LoginAttempt.at < now - 4 * WINDOW))
            session.add(LoginAttempt(key=user_key, at=now))
            if addr_key:
                session.add(LoginAttempt(key=addr_key, at=now))
            record_audit(session, at=now, user_id=user.id if user else None, action="login", outcome="failed",
                         remote_addr=remote_addr, detail=f"username={username[:80]}")
    return SignIn("ok", user=user) if ok else SignIn("failed")


def record_sign_out(rt: Runtime, *, user_id: int, remote_addr: str | None) -> None:
    with write_transaction(rt.session_factory) as session:
        record_audit(session, at=rt.clock.now(), user_id=user_id, action="logout", remote_addr=remote_addr)


def failed_attempts(rt: Runtime, username: str) -> int:
    """Failures counted against a username in the current window (for tests and admins)."""
    with rt.session_factory() as session:
        return session.scalar(select(func.count(LoginAttempt.id)).where(
            LoginAttempt.key == _keys(username, None)[0], LoginAttempt.at > rt.clock.now() - WINDOW)) or 0


def change_password(rt: Runtime, *, user_id: int, current: str, new: str, remote_addr: str | None) -> str:
    """Change one's own password after checking the current one; returns the new hash."""
    with write_transaction(rt.session_factory) as session:
        user = session.get(User, user_id)
        if user is None or not user.active:
            raise NotFound("người dùng", user_id)
        if not verify_password(user, current or ""):
            raise InvalidInput("Mật khẩu hiện tại không đúng.", "The current password is wrong.",
                               {"current_password": "wrong"})
        if new == current:
            raise InvalidInput("Mật khẩu mới phải khác mật khẩu hiện tại.", "The new password must differ from the current one.",
                               {"new_password": "unchanged"})
        try:
            set_password(session, user, new or "", rt.clock.now())
        except InvalidInput as exc:
            raise InvalidInput(exc.message_vi, exc.message_en, {"new_password": exc.fields.get("password", "invalid")}) from None
        record_audit(session, at=rt.clock.now(), user_id=user.id, action="password.change", object_type="user",
                     object_id=user.id, remote_addr=remote_addr)
        return user.password_hash


def update_preferences(rt: Runtime, *, user_id: int, locale: str | None = None, digest: bool | None = None) -> User:
    """Language of the UI and mails, and the daily digest instead of one mail per reminder."""
    if locale is not None and locale not in ("vi", "en"):
        raise InvalidInput("Ngôn ngữ phải là tiếng Việt hoặc tiếng Anh.", "The language must be vi or en.",
                           {"locale": "invalid"})
    with write_transaction(rt.session_factory) as session:
        user = session.get(User, user_id)
        if user is None:
            raise NotFound("người dùng", user_id)
        if locale is not None:
            user.locale = locale
        if digest is not None:
            user.digest = bool(digest)
        session.flush()
        return user
