"""Two-factor sign-in with time-based one-time codes (TOTP, RFC 6238) and recovery codes (issue 14, item 9).

Any user may turn it on; with QUYTRINH_REQUIRE_2FA=true administrators and members of standing and
inspection committees must (the web layer sends them to the enrolment page until they have).
Enrolment: a fresh secret is stored as pending, shown as a QR code and as text; the first right code
turns it on and gives ten recovery codes, shown once (only their SHA-256 is stored). At sign-in, after
the password, a code from the app or one unused recovery code completes it. A code is accepted once
(its time step is remembered), and wrong codes are throttled per account like wrong passwords.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from models import LoginAttempt, RecoveryCode, User, write_transaction
from workflows.accounts.accounts import security_of, verify_password
from workflows.domain.errors import InvalidInput, NotFound
from workflows.engine.audit import record_audit
from workflows.engine.runtime import Runtime

ISSUER = "Quy trình Đảng viên"
RECOVERY_CODES = 10
CODE_LIMIT, CODE_WINDOW = 5, timedelta(minutes=15)  # wrong codes per account before a pause
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read aloud or typed from paper


def _normalise(code: str) -> str:
    return "".join(ch for ch in (code or "").lower() if ch.isalnum())[:32]


def _digest(code: str) -> str:
    return hashlib.sha256(_normalise(code).encode()).hexdigest()


def _matching_step(secret: str, code: str, now: datetime) -> int | None:
    """The time step whose code this is (this one, the one before or after: clocks drift), or None."""
    code = "".join(ch for ch in (code or "") if ch.isdigit())
    if len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    step = totp.timecode(now)
    for candidate in (step, step - 1, step + 1):
        if secrets.compare_digest(totp.generate_otp(candidate), code):
            return candidate
    return None


@dataclass(frozen=True)
class Status:
    enabled: bool
    recovery_codes_left: int


def status(rt: Runtime, *, user_id: int) -> Status:
    with rt.session_factory() as session:
        row = security_of(session, user_id)
        left = session.scalar(select(func.count(RecoveryCode.id)).where(
            RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None))) or 0
        return Status(bool(row.totp_enabled_at), left)


@dataclass(frozen=True)
class Enrolment:
    secret: str
    uri: str  # otpauth:// for the QR code


def begin_enrolment(rt: Runtime, *, user_id: int) -> Enrolment:
    """A new pending secret for the authenticator app (replacing an unfinished one)."""
    with write_transaction(rt.session_factory) as session:
        user = session.get(User, user_id)
        if user is None:
            raise NotFound("người dùng", user_id)
        row = security_of(session, user_id)
        if row.totp_enabled_at:
            raise InvalidInput("Xác thực hai bước đã được bật.", "Two-step sign-in is already on.", {"code": "already on"})
        row.totp_secret = pyotp.random_base32()
        return Enrolment(row.totp_secret, _uri(row.totp_secret, user.username))


def pending_enrolment(rt: Runtime, *, user_id: int) -> Enrolment | None:
    with rt.session_factory() as session:
        user = session.get(User, user_id)
        row = security_of(session, user_id)
        if user is None or row.totp_enabled_at or not row.totp_secret:
            return None
        return Enrolment(row.totp_secret, _uri(row.totp_secret, user.username))


def _uri(secret: str, username: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def _new_recovery_codes(session: Session, user_id: int, now: datetime) -> list[str]:
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
        session.add(RecoveryCode(user_id=user_id, code_hash=_digest(raw), created_at=now))
    return codes


WRONG_CODE = ("Mã xác thực không đúng hoặc đã hết hạn.", "The code is wrong or has expired.")


def confirm_enrolment(rt: Runtime, *, user_id: int, code: str, remote_addr: str | None = None) -> list[str]:
    """Turn two-step sign-in on with the first right code; returns the recovery codes (shown once)."""
    now = rt.clock.now()
    with write_transaction(rt.session_factory) as session:
        row = security_of(session, user_id)
        if row.totp_enabled_at or not row.totp_secret:
            raise InvalidInput("Hãy bắt đầu lại việc bật xác thực hai bước.", "Start setting up two-step sign-in again.",
                               {"code": "not started"})
        step = _matching_step(row.totp_secret, code, now)
        if step is None:
            raise InvalidInput(*WRONG_CODE, {"code": "wrong"})
        row.totp_enabled_at, row.totp_last_step = now, step
        codes = _new_recovery_codes(session, user_id, now)
        record_audit(session, at=now, user_id=user_id, action="2fa.enable", object_type="user", object_id=user_id,
                     remote_addr=remote_addr)
        return codes


def _check_code(session: Session, row, user_id: int, code: str, now: datetime) -> str | None:
    """'totp' or 'recovery' when the code is right (and spends it), else None."""
    step = _matching_step(row.totp_secret, code, now) if row.totp_secret else None
    if step is not None and (row.totp_last_step is None or step > row.totp_last_step):
        row.totp_last_step = step
        return "totp"
    if len(_normalise(code)) == 10:
        spare = session.scalar(select(RecoveryCode).where(RecoveryCode.user_id == user_id,
                                                          RecoveryCode.code_hash == _digest(code),
                                                          RecoveryCode.used_at.is_(None)))
        if spare is not None:
            spare.used_at = now
            return "recovery"
    return None


class TooManyCodes(InvalidInput):
    def __init__(self) -> None:
        super().__init__("Nhập sai mã quá nhiều lần. Hãy đợi 15 phút rồi đăng nhập lại.",
                         "Too many wrong codes. Wait 15 minutes and sign in again.", {"code": "throttled"})


def verify_sign_in(rt: Runtime, *, user_id: int, code: str, remote_addr: str | None = None) -> str:
    """The second step of signing in: 'totp' or 'recovery' (which one was used); InvalidInput when wrong."""
    now = rt.clock.now()
    key = f"2fa:{user_id}"
    with rt.session_factory() as session:
        wrong = session.scalar(select(func.count(LoginAttempt.id)).where(
            LoginAttempt.key == key, LoginAttempt.at > now - CODE_WINDOW)) or 0
    if wrong >= CODE_LIMIT:
        raise TooManyCodes()
    with write_transaction(rt.session_factory) as session:
        row = security_of(session, user_id)
        user = session.get(User, user_id)
        used = _check_code(session, row, user_id, code, now) if row.totp_enabled_at and user and user.active else None
        if used:
            session.execute(delete(LoginAttempt).where(LoginAttempt.key == key))
            record_audit(session, at=now, user_id=user_id, action="login", outcome="ok", remote_addr=remote_addr,
                         detail="second factor: " + used)
            return used
        session.add(LoginAttempt(key=key, at=now))
        record_audit(session, at=now, user_id=user_id, action="login", outcome="failed", remote_addr=remote_addr,
                     detail="wrong second-factor code")
    raise InvalidInput(*WRONG_CODE, {"code": "wrong"})


def new_recovery_codes(rt: Runtime, *, user_id: int, code: str, remote_addr: str | None = None) -> list[str]:
    """Replace the recovery codes (the old ones stop working), after a current code from the app or an unused
    recovery code (someone who lost the phone and is down to their last codes)."""
    now = rt.clock.now()
    with write_transaction(rt.session_factory) as session:
        row = security_of(session, user_id)
        if not row.totp_enabled_at or _check_code(session, row, user_id, code, now) is None:
            raise InvalidInput(*WRONG_CODE, {"code": "wrong"})
        codes = _new_recovery_codes(session, user_id, now)
        record_audit(session, at=now, user_id=user_id, action="2fa.recovery_codes", object_type="user",
                     object_id=user_id, remote_addr=remote_addr)
        return codes


def disable(rt: Runtime, *, user_id: int, password: str, code: str, required: bool,
            remote_addr: str | None = None) -> None:
    """Turn two-step sign-in off, with the password and a current code (or a recovery code)."""
    if required:
        raise InvalidInput("Vai trò của bạn bắt buộc dùng xác thực hai bước; không thể tắt.",
                           "Your role requires two-step sign-in; it cannot be turned off.", {"code": "required"})
    now = rt.clock.now()
    with write_transaction(rt.session_factory) as session:
        user = session.get(User, user_id)
        row = security_of(session, user_id)
        if user is None or not verify_password(user, password or ""):
            raise InvalidInput("Mật khẩu không đúng.", "The password is wrong.", {"password": "wrong"})
        if not row.totp_enabled_at or _check_code(session, row, user_id, code, now) is None:
            raise InvalidInput(*WRONG_CODE, {"code": "wrong"})
        row.totp_secret = row.totp_enabled_at = row.totp_last_step = None
        session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
        record_audit(session, at=now, user_id=user_id, action="2fa.disable", object_type="user", object_id=user_id,
                     remote_addr=remote_addr)
