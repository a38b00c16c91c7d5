"""The audit log: who did or viewed what, when, from where — never the content (quality.md Security 6).

Every row is linked into the audit chain as it is written (models/record.py), whichever helper wrote it.
A bulk read or an export names what it returned: its filters in `detail`, the ids in `object_ids`.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy.orm import Session

from models import AuditRecord, write_transaction
from .runtime import Runtime


def id_ranges(ids: Iterable[int]) -> str:
    """Ids as sorted ranges: [3, 1, 2, 7, 9, 8] → "1-3,7-9" (a page of a list is usually a run)."""
    numbers = sorted(set(ids))
    parts: list[str] = []
    start = prev = None
    for n in numbers:
        if prev is not None and n == prev + 1:
            prev = n
            continue
        if start is not None:
            parts.append(str(start) if start == prev else f"{start}-{prev}")
        start = prev = n
    if start is not None:
        parts.append(str(start) if start == prev else f"{start}-{prev}")
    return ",".join(parts)


def parse_object_ids(text: str | None) -> tuple[str | None, list[int]]:
    """What an `object_ids` value names: ("case", [1, 2, 3]) for "case:1-3"."""
    if not text:
        return None, []
    kind, _, ranges = text.partition(":")
    return kind, parse_id_ranges(ranges)


def parse_id_ranges(text: str | None) -> list[int]:
    """The ids a ranges text names (the inverse of id_ranges)."""
    ids: list[int] = []
    for part in (text or "").split(","):
        if not part:
            continue
        low, _, high = part.partition("-")
        ids.extend(range(int(low), int(high or low) + 1))
    return ids


def describe_filters(filters: dict[str, object]) -> str:
    """The filters a list or export was asked for, as `name=value` pairs (the empty ones left out)."""
    return " ".join(f"{name}={value}" for name, value in filters.items()
                    if value not in (None, "", (), [], frozenset(), set()))


def record_audit(session: Session, *, at: datetime, user_id: int | None, action: str,
                 object_type: str | None = None, object_id: object = None, outcome: str = "ok",
                 remote_addr: str | None = None, detail: str | None = None,
                 object_ids: Iterable[int] | None = None, ids_of: str = "case") -> None:
    """Append an audit record inside the caller's transaction (e.g. with the change it describes).

    `object_ids`: what a bulk read or export returned, stored as "<ids_of>:<ranges>" ("case:12-19,23").
    """
    session.add(AuditRecord(
        at=at, user_id=user_id, action=action[:64], object_type=object_type,
        object_id=None if object_id is None else str(object_id)[:64], outcome=outcome[:16],
        remote_addr=(remote_addr or None) and remote_addr[:64], detail=(detail or None) and detail[:400],
        object_ids=None if object_ids is None else f"{ids_of}:{id_ranges(object_ids)}",
    ))


def audit(rt: Runtime, *, user_id: int | None, action: str, object_type: str | None = None,
          object_id: object = None, outcome: str = "ok", remote_addr: str | None = None,
          detail: str | None = None, object_ids: Iterable[int] | None = None, ids_of: str = "case") -> None:
    """Append an audit record in a transaction of its own (reads, logins, refusals)."""
    with write_transaction(rt.session_factory) as session:
        record_audit(session, at=rt.clock.now(), user_id=user_id, action=action, object_type=object_type,
                     object_id=object_id, outcome=outcome, remote_addr=remote_addr, detail=detail,
                     object_ids=object_ids, ids_of=ids_of)
