"""Users, their roles, passwords (Argon2id) and API tokens."""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import ROLES, AccountSecurity, ApiToken, Organisation, RoleAssignment, User, utcnow
from workflows.accounts.passwords import validate_password
from workflows.domain.errors import InvalidInput, NotFound

_hasher = PasswordHasher()  # argon2-cffi defaults: Argon2id, RFC 9106 low-memory profile


def use_fast_hashes_for_tests() -> None:
    """Cheap Argon2id parameters so a test suite can create hundreds of users; never in production."""
    global _hasher
    _hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)

# The policy (length 12+, the zxcvbn strength estimator, the demo's password refused) is in passwords.py.
TOKEN_LIFETIME = timedelta(days=90)  # api.md: a bearer token expires; `issue-token --days` chooses another


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(user: User, password: str) -> bool:
    """True when the password matches; rehashes transparently if the parameters changed."""
    try:
        _hasher.verify(user.password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return True


# A fixed hash to verify against when the user does not exist, so that timing
# does not tell which usernames exist.
DUMMY_HASH = _hasher.hash("quytrinh-dummy-password")


def create_user(session: Session, *, username: str, password: str, display_name: str = "",
                email: str | None = None, is_admin: bool = False, locale: str = "vi",
                check_policy: bool = True) -> User:
    """A new account. Its password was chosen by whoever creates it, so the account is marked to change it
    (enforced in production, at the first sign-in). `check_policy=False` is for loaders of demo and test
    data only (the demo's published password would be refused); no screen, API or command passes it.
    """
    username = (username or "").strip()
    if not username or len(username) > 80 or any(c.isspace() for c in username):
        raise InvalidInput("Tên đăng nhập phải có 1–80 ký tự, không có khoảng trắng.",
                           "username must be 1-80 characters without spaces.", {"username": "invalid"})
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise InvalidInput("Tên đăng nhập đã được dùng.", "That username is taken.", {"username": "taken"})
    if check_policy:
        validate_password(password, username, (display_name, (email or "").partition("@")[0]))
    if email is not None and ("@" not in email or len(email) > 254):
        raise InvalidInput("Địa chỉ email không hợp lệ.", "Invalid e-mail address.", {"email": "invalid"})
    if locale not in ("vi", "en"):
        raise InvalidInput("Ngôn ngữ phải là vi hoặc en.", "locale must be vi or en.", {"locale": "invalid"})
    user = User(username=username, display_name=display_name or username, email=email,
                password_hash=hash_password(password), is_admin=is_admin, locale=locale)
    session.add(user)
    session.flush()
    session.add(AccountSecurity(user_id=user.id, must_change_password=True))
    return user


def security_of(session: Session, user_id: int) -> AccountSecurity:
    """The account's security row (must-change flag, second factor), created on first need."""
    row = session.get(AccountSecurity, user_id)
    if row is None:
        row = AccountSecurity(user_id=user_id, must_change_password=False)
        session.add(row)
    return row


def set_password(session: Session, user: User, password: str, now: datetime, *, by_self: bool) -> None:
    """A new password. Set by someone else (an administrator's reset), the user must change it again."""
    validate_password(password, user.username, (user.display_name, (user.email or "").partition("@")[0]))
    user.password_hash = hash_password(password)
    user.password_changed_at = now
    security_of(session, user.id).must_change_password = not by_self


def assign_role(session: Session, *, user_id: int, organisation_id: int, role: str) -> RoleAssignment:
    if role not in ROLES:
        raise InvalidInput(f"Vai trò «{role}» không hợp lệ.", f"Unknown role '{role}'.",
                           {"role": "one of " + ", ".join(ROLES)})
    if session.get(User, user_id) is None:
        raise NotFound("người dùng", user_id)
    if session.get(Organisation, organisation_id) is None:
        raise NotFound("tổ chức", organisation_id)
    existing = session.scalar(select(RoleAssignment).where(
        RoleAssignment.user_id == user_id, RoleAssignment.organisation_id == organisation_id,
        RoleAssignment.role == role))
    if existing:
        return existing
    grant = RoleAssignment(user_id=user_id, organisation_id=organisation_id, role=role)
    session.add(grant)
    session.flush()
    return grant


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session: Session, *, user_id: int, name: str = "", now: datetime | None = None,
                days: int | None = None) -> str:
    """A new bearer token for a user, valid `days` (default 90); only its digest is stored, shown once."""
    if session.get(User, user_id) is None:
        raise NotFound("người dùng", user_id)
    lifetime = TOKEN_LIFETIME if days is None else timedelta(days=days)
    if not timedelta(days=1) <= lifetime <= timedelta(days=366):
        raise InvalidInput("Thời hạn của token phải từ 1 đến 366 ngày.", "A token lasts 1 to 366 days.",
                           {"days": "1..366"})
    now = now or utcnow()
    token = "qt_" + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user_id, token_hash=token_digest(token), name=name, created_at=now,
                         expires_at=now + lifetime))
    session.flush()
    return token


def find_user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound("người dùng", username)
    return user
