"""Users, their roles, passwords (Argon2id) and API tokens."""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import ROLES, ApiToken, Organisation, RoleAssignment, User
from workflows.domain.errors import InvalidInput, NotFound

_hasher = PasswordHasher()  # argon2-cffi defaults: Argon2id, RFC 9106 low-memory profile


def use_fast_hashes_for_tests() -> None:
    """Cheap Argon2id parameters so a test suite can create hundreds of users; never in production."""
    global _hasher
    _hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)

PASSWORD_MIN, PASSWORD_MAX = 8, 128

# The most common passwords (and their Vietnamese favourites); quality.md Security 1.
COMMON_PASSWORDS = frozenset("""
123456 123456789 12345678 password qwerty123 qwerty 1234567890 1234567 111111 123123 abc123 password1
iloveyou 000000 qwertyuiop 123321 654321 666666 888888 987654321 1q2w3e4r 1q2w3e4r5t 12345678910 zaq12wsx
passw0rd password123 admin123 administrator welcome welcome1 letmein monkey dragon sunshine princess
football baseball superman trustno1 matkhau matkhau123 matkhau1 anhyeuem anhyeuem123 emyeuanh 11111111
22222222 88888888 99999999 12341234 abcd1234 abcdefgh 1qaz2wsx asdfghjkl asdf1234 changeme secret123
vietnam vietnam123 hanoi123 saigon123 dangvien dangvien123 chibo123 quytrinh quytrinh123 123456a 123456aa
a123456 a12345678 aa123456 123qwe 123qweasd qweasdzxc 147258369 159753 1234qwer qwer1234 zxcvbnm
""".split())


def validate_password(password: str, username: str = "") -> None:
    """≥ 8 characters, up to 128, not a common password nor the username; no composition rules."""
    problems_vi, problems_en = [], []
    if not isinstance(password, str) or len(password) < PASSWORD_MIN:
        problems_vi.append(f"mật khẩu phải có ít nhất {PASSWORD_MIN} ký tự (nên dùng 15 ký tự trở lên)")
        problems_en.append(f"the password needs at least {PASSWORD_MIN} characters (15 or more recommended)")
    elif len(password) > PASSWORD_MAX:
        problems_vi.append(f"mật khẩu dài tối đa {PASSWORD_MAX} ký tự")
        problems_en.append(f"the password may have at most {PASSWORD_MAX} characters")
    elif password.lower() in COMMON_PASSWORDS or (username and password.lower() == username.lower()):
        problems_vi.append("mật khẩu quá phổ biến hoặc trùng tên đăng nhập, hãy chọn mật khẩu khác")
        problems_en.append("the password is too common or equals the username; choose another")
    if problems_en:
        raise InvalidInput("; ".join(problems_vi).capitalize() + ".", "; ".join(problems_en).capitalize() + ".",
                           {"password": problems_en[0]}, {"password": problems_vi[0].capitalize() + "."})


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
                email: str | None = None, is_admin: bool = False, locale: str = "vi") -> User:
    username = (username or "").strip()
    if not username or len(username) > 80 or any(c.isspace() for c in username):
        raise InvalidInput("Tên đăng nhập phải có 1–80 ký tự, không có khoảng trắng.",
                           "username must be 1-80 characters without spaces.", {"username": "invalid"})
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise InvalidInput("Tên đăng nhập đã được dùng.", "That username is taken.", {"username": "taken"})
    validate_password(password, username)
    if email is not None and ("@" not in email or len(email) > 254):
        raise InvalidInput("Địa chỉ email không hợp lệ.", "Invalid e-mail address.", {"email": "invalid"})
    if locale not in ("vi", "en"):
        raise InvalidInput("Ngôn ngữ phải là vi hoặc en.", "locale must be vi or en.", {"locale": "invalid"})
    user = User(username=username, display_name=display_name or username, email=email,
                password_hash=hash_password(password), is_admin=is_admin, locale=locale)
    session.add(user)
    session.flush()
    return user


def set_password(session: Session, user: User, password: str, now: datetime) -> None:
    validate_password(password, user.username)
    user.password_hash = hash_password(password)
    user.password_changed_at = now


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


def issue_token(session: Session, *, user_id: int, name: str = "") -> str:
    """A new bearer token for a user; only its digest is stored, the token is shown once."""
    if session.get(User, user_id) is None:
        raise NotFound("người dùng", user_id)
    token = "qt_" + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user_id, token_hash=token_digest(token), name=name))
    session.flush()
    return token


def user_for_token(session: Session, token: str) -> User | None:
    """The active user a token acts as, or None (unknown, revoked, or user disabled)."""
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == token_digest(token),
                                                ApiToken.revoked_at.is_(None)))
    if row is None:
        return None
    user = session.get(User, row.user_id)
    return user if user is not None and user.active else None


def revoke_token(session: Session, token_id: int, now: datetime) -> None:
    row = session.get(ApiToken, token_id)
    if row is None:
        raise NotFound("token", token_id)
    row.revoked_at = now


def find_user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound("người dùng", username)
    return user
