"""Signing in, throttling, changing one's password and preferences (quality.md Security 1–3, 6; issue 14).

Failed sign-ins are counted in the `login_attempts` table, so every web process sees the same counts.
Guessing is throttled without letting anyone lock an account out (issue 14, item 5):

- per (username, address): after `PAIR_LIMIT` failures in `WINDOW` that address is refused (429) for that
  username until the failures age out;
- per address: after `ADDRESS_LIMIT` failures (any usernames) the address is refused, which stops one
  machine spraying many accounts;
- per username from every address: after `USER_LIMIT` failures each further attempt is only *slowed*,
  by a delay that doubles up to `MAX_DELAY` seconds. The right password from another address still
  signs in: five wrong passwords for `admin` from anywhere no longer shut the real admin out.

Every answer reads the same whether the username exists or not. Addresses are the client's as
web/common/proxies.py establishes it (X-Forwarded-For is believed from trusted proxies only).
"""
from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from types import SimpleNamespace

from sqlalchemy import delete, func, select

from models import AccountSecurity, LoginAttempt, User, write_transaction
from workflows.accounts.accounts import DUMMY_HASH, set_password, verify_password
from workflows.accounts.sessions import end_user_sessions
from workflows.domain.errors import InvalidInput, NotFound
from workflows.engine.audit import record_audit
from workflows.engine.runtime import Runtime

WINDOW = timedelta(minutes=15)
PAIR_LIMIT = 5  # failures of one username from one address
ADDRESS_LIMIT = 30  # failures from one address, any usernames
USER_LIMIT = 5  # failures of one username from anywhere, before each attempt is slowed
FIRST_DELAY, MAX_DELAY = 0.5, 3.0  # seconds


@dataclass(frozen=True)
class SignIn:
    """What a sign-in attempt came to: `user` is set only when the password was right.

    `second_factor`: the account uses a TOTP second factor, so the password alone does not sign in.
    `must_change_password`: the password was set by someone else (enforced in production).
    """

    outcome: str  # ok | failed | throttled
    user: User | None = None
    retry_after_seconds: int = 0
    delay: float = 0.0
    second_factor: bool = False
    must_change_password: bool = False

    @property
    def retry_after_minutes(self) -> int:
        return max(1, -(-self.retry_after_seconds // 60))


@dataclass(frozen=True)
class Keys:
    user: str
    pair: str | None
    address: str | None


def _keys(username: str, remote_addr: str | None) -> Keys:
    name = username.strip().lower()[:80]
    addr = (remote_addr or "")[:64]
    return Keys("u:" + name, ("ua:" + name + "|" + addr) if addr else None, ("ip:" + addr) if addr else None)


def _recent(session, key: str, since, limit: int) -> list:
    return session.scalars(select(LoginAttempt.at).where(LoginAttempt.key == key, LoginAttempt.at > since)
                           .order_by(LoginAttempt.at.desc()).limit(limit)).all()


def _throttle(session, rt: Runtime, keys: Keys) -> tuple[int, float]:
    """(seconds until this address may try this username again — 0: now, the delay to apply first)."""
    now = rt.clock.now()
    since = now - WINDOW
    waits = []
    for key, limit in ((keys.pair, PAIR_LIMIT), (keys.address, ADDRESS_LIMIT)):
        if key is None:
            continue
        rows = _recent(session, key, since, limit)
        if len(rows) >= limit:
            # Allowed again when the oldest of the last `limit` failures leaves the window.
            waits.append(max(1, math.ceil((rows[-1] + WINDOW - now).total_seconds())))
    failures = session.scalar(select(func.count()).select_from(
        select(LoginAttempt.id).where(LoginAttempt.key == keys.user, LoginAttempt.at > since)
        .limit(USER_LIMIT + 8).subquery())) or 0
    delay = 0.0 if failures < USER_LIMIT else min(MAX_DELAY, FIRST_DELAY * 2 ** (failures - USER_LIMIT))
    return max(waits, default=0), delay


def sign_in(rt: Runtime, *, username: str, password: str, remote_addr: str | None,
            sleep: Callable[[float], None] = time.sleep) -> SignIn:
    """Check a username and password, throttled, audited; the same answer for unknown users."""
    username = (username or "").strip()
    keys = _keys(username, remote_addr)
    with rt.session_factory() as session:
        wait, delay = _throttle(session, rt, keys)
        user = session.scalar(select(User).where(User.username == username)) if username and len(username) <= 80 else None
    now = rt.clock.now()
    if wait:
        with write_transaction(rt.session_factory) as session:
            record_audit(session, at=now, user_id=user.id if user else None, action="login", outcome="throttled",
                         remote_addr=remote_addr, detail=f"username={username[:80]}")
        return SignIn("throttled", retry_after_seconds=wait)
    if delay:
        sleep(delay)  # many failures for this username from elsewhere: slow down, never refuse
    if user is None or not user.active:
        # Spend the same time as a real check, so timing does not tell who exists.
        verify_password(SimpleNamespace(password_hash=DUMMY_HASH), password or "")
        ok = False
    else:
        ok = verify_password(user, password or "")  # may rehash: written below
    with write_transaction(rt.session_factory) as session:
        if not ok:
            session.execute(delete(LoginAttempt).where(LoginAttempt.at < now - 4 * WINDOW))
            session.add_all(LoginAttempt(key=key, at=now) for key in (keys.user, keys.pair, keys.address) if key)
            record_audit(session, at=now, user_id=user.id if user else None, action="login", outcome="failed",
                         remote_addr=remote_addr, detail=f"username={username[:80]}")
            return SignIn("failed", delay=delay)
        stored = session.get(User, user.id)
        if stored.password_hash != user.password_hash:
            stored.password_hash = user.password_hash
        if keys.pair:
            session.execute(delete(LoginAttempt).where(LoginAttempt.key == keys.pair))
        security = session.get(AccountSecurity, user.id)
        second = bool(security and security.totp_enabled_at)
        record_audit(session, at=now, user_id=user.id, action="login", outcome="needs_2fa" if second else "ok",
                     remote_addr=remote_addr)
        return SignIn("ok", user=stored, delay=delay, second_factor=second,
                      must_change_password=bool(security and security.must_change_password))


def record_sign_out(rt: Runtime, *, user_id: int, remote_addr: str | None) -> None:
    with write_transaction(rt.session_factory) as session:
        record_audit(session, at=rt.clock.now(), user_id=user_id, action="logout", remote_addr=remote_addr)


def failed_attempts(rt: Runtime, username: str) -> int:
    """Failures counted against a username (from every address) in the current window (for tests and admins)."""
    with rt.session_factory() as session:
        return session.scalar(select(func.count(LoginAttempt.id)).where(
            LoginAttempt.key == _keys(username, None).user, LoginAttempt.at > rt.clock.now() - WINDOW)) or 0


def change_password(rt: Runtime, *, user_id: int, current: str, new: str, remote_addr: str | None,
                    keep_session: str | None = None) -> str:
    """Change one's own password after checking the current one; returns the new hash.

    Every other session of the user ends in the same transaction (`keep_session`: this browser's id).
    """
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
            set_password(session, user, new or "", rt.clock.now(), by_self=True)
        except InvalidInput as exc:
            raise InvalidInput(exc.message_vi, exc.message_en, {"new_password": exc.fields.get("password", "invalid")}) from None
        end_user_sessions(session, user_id=user.id, now=rt.clock.now(), reason="password", keep=keep_session)
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
