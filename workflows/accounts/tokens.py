"""API bearer tokens as use cases: authenticate a request, issue one for oneself, list and revoke.

The storage primitives (digest, issue, lookup) live in accounts.py; this module
adds who may do what with them and the audit trail of every use (quality.md
Security 6: who/what/when/where, never the content — the token itself is never logged).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from models import ApiToken, User, write_transaction
from workflows.accounts.accounts import issue_token, token_digest
from workflows.domain.errors import InvalidInput, NotFound, QuytrinhError
from workflows.engine.access import load_actor
from workflows.engine.audit import audit, record_audit
from workflows.engine.runtime import Runtime


class Unauthenticated(QuytrinhError):
    """No token, or one that is unknown, revoked, or belongs to a disabled account."""

    code = "unauthenticated"

    def __init__(self) -> None:
        super().__init__(
            "Thiếu mã truy cập (token) hoặc mã không hợp lệ / đã bị thu hồi.",
            "Missing, invalid or revoked access token.",
        )


@dataclass(frozen=True)
class TokenUse:
    """Who a request acts as: the token's user."""

    user_id: int
    token_id: int


def authenticate(rt: Runtime, token: str | None, *, what: str, remote_addr: str | None) -> TokenUse:
    """The user a bearer token acts as; every use and every refusal is audited (what = 'METHOD /path')."""
    if not token or len(token) > 200:
        audit(rt, user_id=None, action="api.token_rejected", outcome="denied", remote_addr=remote_addr,
              detail=what)
        raise Unauthenticated()
    with write_transaction(rt.session_factory) as session:
        # Looked up whether revoked or not, so that the use of a revoked token is audited against it.
        row = session.scalar(select(ApiToken).where(ApiToken.token_hash == token_digest(token)))
        user = session.get(User, row.user_id) if row is not None else None
        now = rt.clock.now()
        if row is None or row.revoked_at is not None or user is None or not user.active:
            record_audit(session, at=now, user_id=user.id if user else None, action="api.token_rejected",
                         object_type="api_token", object_id=row.id if row else None, outcome="denied",
                         remote_addr=remote_addr, detail=what)
            result = None
        else:
            row.last_used_at = now
            record_audit(session, at=now, user_id=user.id, action="api.token_use", object_type="api_token",
                         object_id=row.id, remote_addr=remote_addr, detail=what)
            result = TokenUse(user.id, row.id)
    if result is None:
        raise Unauthenticated()
    return result


def describe_token(row: ApiToken) -> dict:
    return {"id": row.id, "user_id": row.user_id, "name": row.name, "created_at": row.created_at,
            "last_used_at": row.last_used_at, "revoked_at": row.revoked_at}


def issue_for(rt: Runtime, *, actor_id: int, name: str = "", user_id: int | None = None,
              remote_addr: str | None = None) -> dict:
    """A new token for the actor (or, for an administrator, for another user); the secret is shown once."""
    with write_transaction(rt.session_factory) as session:
        actor = load_actor(session, actor_id)
        owner_id = actor.id if user_id is None else user_id
        if owner_id != actor.id and not actor.is_admin:
            # Not an admin: other users' accounts are not visible at all.
            raise NotFound("người dùng", owner_id)
        owner = session.get(User, owner_id)
        if owner is None or not owner.active:
            raise NotFound("người dùng", owner_id)
        if len(name or "") > 100:
            raise InvalidInput("Tên token dài tối đa 100 ký tự.", "name may have at most 100 characters.",
                               {"name": "too long"})
        secret = issue_token(session, user_id=owner_id, name=name or "api")
        row = session.scalar(select(ApiToken).where(ApiToken.token_hash == token_digest(secret)))
        record_audit(session, at=rt.clock.now(), user_id=actor.id, action="api.token_issued",
                     object_type="api_token", object_id=row.id, remote_addr=remote_addr,
                     detail=f"for user {owner_id}")
        return {**describe_token(row), "token": secret}


def list_tokens(rt: Runtime, *, actor_id: int) -> list[dict]:
    """The actor's own tokens (never their secrets)."""
    with rt.session_factory() as session:
        actor = load_actor(session, actor_id)
        rows = session.scalars(select(ApiToken).where(ApiToken.user_id == actor.id).order_by(ApiToken.id)).all()
        return [describe_token(r) for r in rows]


def revoke(rt: Runtime, *, actor_id: int, token_id: int, remote_addr: str | None = None) -> None:
    """Revoke one of the actor's tokens (an administrator may revoke anyone's); idempotent."""
    with write_transaction(rt.session_factory) as session:
        actor = load_actor(session, actor_id)
        row = session.get(ApiToken, token_id)
        if row is None or (row.user_id != actor.id and not actor.is_admin):
            raise NotFound("token", token_id)
        now: datetime = rt.clock.now()
        if row.revoked_at is None:
            row.revoked_at = now
        record_audit(session, at=now, user_id=actor.id, action="api.token_revoked", object_type="api_token",
                     object_id=row.id, remote_addr=remote_addr)
