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
from workflows.accounts import ratelimit
from workflows.accounts.accounts import issue_token, token_digest
from workflows.accounts.ratelimit import RateLimits
from workflows.domain.errors import InvalidInput, NotFound, QuytrinhError
from workflows.engine.access import load_actor
from workflows.engine.audit import record_audit
from workflows.engine.runtime import Runtime


class Unauthenticated(QuytrinhError):
    """No token, or one that is unknown, revoked, expired, or belongs to a disabled account."""

    code = "unauthenticated"

    def __init__(self) -> None:
        super().__init__(
            "Thiếu mã truy cập (token) hoặc mã không hợp lệ / đã bị thu hồi / đã hết hạn.",
            "Missing, invalid, revoked or expired access token.",
        )


@dataclass(frozen=True)
class TokenUse:
    """Who a request acts as: the token's user."""

    user_id: int
    token_id: int


def _refusal(row: ApiToken | None, user: User | None, now: datetime) -> str | None:
    """Why a token does not authenticate (None: it does)."""
    if row is None:
        return "unknown"
    if row.revoked_at is not None:
        return "revoked"
    if row.expires_at is not None and row.expires_at <= now:
        return "expired"
    if user is None or not user.active:
        return "disabled"
    return None


def _worth_auditing(number: int) -> bool:
    """Rejected attempts are coalesced: the 1st, 10th, 100th, 1000th… of an address's window are written."""
    return number >= 1 and 10 ** len(str(number)) // 10 == number


def authenticate(rt: Runtime, token: str | None, *, what: str, remote_addr: str | None,
                 limits: RateLimits = RateLimits()) -> TokenUse:
    """The user a bearer token acts as; audited (what = 'METHOD /path').

    Each use counts against the token's rate limit; a request without valid credentials counts against
    its address's. Rejections are audited coalesced — the 1st, 10th, 100th… of each window per address,
    with the count — so a flood of bogus tokens writes a handful of rows, not one per request.
    RateLimited (429) when over a limit; Unauthenticated (401) for a missing, unknown, revoked or expired token.
    """
    now = rt.clock.now()
    refused: QuytrinhError | None = None
    with write_transaction(rt.session_factory) as session:
        row = user = None
        if token and len(token) <= 200:
            # Looked up whether revoked or not, so that the use of a revoked token is audited against it.
            row = session.scalar(select(ApiToken).where(ApiToken.token_hash == token_digest(token)))
            user = session.get(User, row.user_id) if row is not None else None
        reason = _refusal(row, user, now) if token else "missing"
        if reason is None:
            counted = ratelimit.count(session, f"token:{row.id}", limits.token.seconds, now) if limits.token else None
            if counted is not None and counted.number > limits.token.count:
                if counted.number == limits.token.count + 1:
                    record_audit(session, at=now, user_id=user.id, action="api.rate_limited", object_type="api_token",
                                 object_id=row.id, outcome="denied", remote_addr=remote_addr, detail=what)
                refused = ratelimit.RateLimited(max(1, counted.retry_after))
            else:
                row.last_used_at = now
                record_audit(session, at=now, user_id=user.id, action="api.token_use", object_type="api_token",
                             object_id=row.id, remote_addr=remote_addr, detail=what)
                result = TokenUse(user.id, row.id)
        else:
            seconds = limits.anonymous.seconds if limits.anonymous else 60
            counted = ratelimit.count(session, f"anon:{remote_addr or '-'}", seconds, now)
            over = limits.anonymous is not None and counted.number > limits.anonymous.count
            if _worth_auditing(counted.number) or (over and counted.number == limits.anonymous.count + 1):
                record_audit(session, at=now, user_id=user.id if user else None,
                             action="api.rate_limited" if over else "api.token_rejected",
                             object_type="api_token" if row else None, object_id=row.id if row else None,
                             outcome="denied", remote_addr=remote_addr,
                             detail=f"{what}; {reason}; request {counted.number} without valid credentials "
                                    f"from this address in this {seconds}-second window")
            refused = ratelimit.RateLimited(max(1, counted.retry_after)) if over else Unauthenticated()
    if refused is not None:
        raise refused
    return result


def describe_token(row: ApiToken) -> dict:
    return {"id": row.id, "user_id": row.user_id, "name": row.name, "created_at": row.created_at,
            "expires_at": row.expires_at, "last_used_at": row.last_used_at, "revoked_at": row.revoked_at}


def issue_for(rt: Runtime, *, actor_id: int, name: str = "", user_id: int | None = None,
              remote_addr: str | None = None, days: int | None = None) -> dict:
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
        secret = issue_token(session, user_id=owner_id, name=name or "api", now=rt.clock.now(), days=days)
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
