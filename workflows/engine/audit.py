"""The audit log: who did or viewed what, when, from where — never the content (quality.md Security 6)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from models import AuditRecord, write_transaction
from workflows.engine.runtime import Runtime


def record_audit(session: Session, *, at: datetime, user_id: int | None, action: str,
                 object_type: str | None = None, object_id: object = None, outcome: str = "ok",
                 remote_addr: str | None = None, detail: str | None = None) -> None:
    """Append an audit record inside the caller's transaction (e.g. with the change it describes)."""
    session.add(AuditRecord(
        at=at, user_id=user_id, action=action[:64], object_type=object_type,
        object_id=None if object_id is None else str(object_id)[:64], outcome=outcome[:16],
        remote_addr=(remote_addr or None) and remote_addr[:64], detail=(detail or None) and detail[:400],
    ))


def audit(rt: Runtime, *, user_id: int | None, action: str, object_type: str | None = None,
          object_id: object = None, outcome: str = "ok", remote_addr: str | None = None,
          detail: str | None = None) -> None:
    """Append an audit record in a transaction of its own (reads, logins, refusals)."""
    with write_transaction(rt.session_factory) as session:
        record_audit(session, at=rt.clock.now(), user_id=user_id, action=action, object_type=object_type,
                     object_id=object_id, outcome=outcome, remote_addr=remote_addr, detail=detail)
