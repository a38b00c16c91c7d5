"""The tamper-evident record: hash chains over the event log and the audit log, with signed heads.

Every event carries the SHA-256 of its content and of the previous event of
its case; every audit row the same over the previous row of its lane. A
chain's head — the last link's sequence number and hash — is kept in the
database, signed with an HMAC of the server's secret key and moved in the
same transaction as the row it names: a case's head in its `cases` row
(written by the UPDATE that already checks the case's revision, so the
per-case chain rides on that lock), an audit lane's head in `chain_heads`.
`check` recomputes the chains and names the first broken link; a deleted
last row shows as a head that names a row which is not there, and a head
cannot be moved back without the key.

The audit log is one braid of lanes, not one strand: on PostgreSQL a writer
takes any lane no other transaction holds (FOR UPDATE SKIP LOCKED), so
unrelated writers never queue behind one head row until commit. SQLite
serialises writers anyway (BEGIN IMMEDIATE): it has one lane.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import random
import weakref
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import Engine, String, bindparam, event, insert, select, update
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow
from models.cases import Case, Event
from models.ops import AuditRecord
from models.prepared import Prepared

GENESIS = "0" * 64  # the "previous hash" of a chain's first link
AUDIT_LANES = {"sqlite": 1, "postgresql": 8}  # rows 'audit/0'.. made by migration 0013


class ChainHead(Base):
    """The signed head of one audit lane: the last row's seq and hash (mac: HMAC of both with the key)."""

    __tablename__ = "chain_heads"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    seq: Mapped[int] = mapped_column(default=0)
    hash: Mapped[str] = mapped_column(String(64), default=GENESIS)
    mac: Mapped[str | None] = mapped_column(String(64))


def lane_names(dialect_name: str) -> list[str]:
    return [f"audit/{i}" for i in range(AUDIT_LANES.get(dialect_name, 1))]


def fresh_heads(dialect_name: str) -> list[dict]:
    """The heads of an empty record (what migration 0013 inserts): every lane at seq 0, unsigned."""
    return [{"name": name, "seq": 0, "hash": GENESIS, "mac": None} for name in lane_names(dialect_name)]


# ---------------------------------------------------------------- the key

_KEYS: weakref.WeakKeyDictionary[Engine, bytes] = weakref.WeakKeyDictionary()
_LABEL = b"quytrinh record heads v1"


def derive_key(secret: str | bytes) -> bytes:
    """The heads' signing key: an HMAC of the secret key with a fixed label (never the secret itself)."""
    raw = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(raw, _LABEL, hashlib.sha256).digest()


# Engines nobody configured (scripts, benches, engine-level tests) sign with this public key: their
# chains still detect edits and deletions; only a server with a secret key makes heads unforgeable.
DEVELOPMENT_KEY = derive_key(b"quytrinh development - not secret")


def set_record_key(engine: Engine, secret: str | bytes) -> None:
    """Sign this engine's heads with a key derived from `secret` (create_app passes SECRET_KEY)."""
    _KEYS[engine] = derive_key(secret)


def record_key(bind) -> bytes:
    """The key of an Engine, or of the engine a Connection belongs to."""
    engine = bind if isinstance(bind, Engine) else bind.engine
    return _KEYS.get(engine, DEVELOPMENT_KEY)


def sign(key: bytes, chain: str, seq: int, digest: str) -> str:
    return hmac.new(key, f"{chain}/{seq}/{digest}".encode(), hashlib.sha256).hexdigest()


def case_chain(case_id: int) -> str:
    return f"case/{case_id}"


# ---------------------------------------------------------------- the hashes


def stamp(at: datetime | None) -> str | None:
    """A timestamp as stored and read back: UTC, microseconds (SQLite keeps no zone, PostgreSQL does)."""
    if at is None:
        return None
    if at.tzinfo is None:
        at = at.replace(tzinfo=timezone.utc)
    return at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")


def _digest(parts: list[Any]) -> str:
    blob = json.dumps(parts, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


def event_hash(prev: str, case_id: int, seq: int, trigger: str, from_state: str | None, to_state: str,
               actor_id: int | None, at: datetime, data: Any, comment: str | None) -> str:
    return _digest(["event", prev, case_id, seq, trigger, from_state, to_state, actor_id, stamp(at), data, comment])


def audit_hash(prev: str, lane: int, seq: int, at: datetime, user_id: int | None, action: str,
               object_type: str | None, object_id: str | None, outcome: str, remote_addr: str | None,
               detail: str | None, object_ids: str | None) -> str:
    return _digest(["audit", prev, lane, seq, stamp(at), user_id, action, object_type, object_id, outcome,
                    remote_addr, detail, object_ids])


# ---------------------------------------------------------------- appending audit rows

HEADS = ChainHead.__table__
AUDIT = AuditRecord.__table__
AUDIT_COLUMNS = ("at", "user_id", "action", "object_type", "object_id", "outcome", "remote_addr", "detail",
                 "object_ids")
_RETURNING = (HEADS.c.name, HEADS.c.seq, HEADS.c.hash)
# Take a lane: move its seq on and read the previous hash. The UPDATE's row lock is the lane's.
_TAKE_FREE_LANE = Prepared(
    update(HEADS).where(HEADS.c.name == select(HEADS.c.name).where(HEADS.c.name.like("audit/%"))
                        .order_by(HEADS.c.name).limit(1).with_for_update(skip_locked=True).scalar_subquery())
    .values(seq=HEADS.c.seq + 1).returning(*_RETURNING))
_TAKE_LANE = Prepared(update(HEADS).where(HEADS.c.name == bindparam("lane")).values(seq=HEADS.c.seq + 1)
                      .returning(*_RETURNING))
_SET_HEAD = Prepared(update(HEADS).where(HEADS.c.name == bindparam("lane"))
                     .values(hash=bindparam("hash"), mac=bindparam("mac")))
_INSERT_AUDIT = Prepared(insert(AUDIT).values({name: bindparam(name) for name in
                                               (*AUDIT_COLUMNS, "lane", "seq", "hash")}))


def _take_lane(conn) -> tuple[str, int, str]:
    if conn.dialect.name == "postgresql":
        row = _TAKE_FREE_LANE.first(conn, {})
        if row is not None:
            return row
        # Every lane is held by a running transaction: queue behind one of them.
        lane = random.choice(lane_names("postgresql"))
    else:
        lane = "audit/0"
    row = _TAKE_LANE.first(conn, {"lane": lane})
    if row is None:
        raise RuntimeError(f"the audit chain's head {lane} is missing (run `flask --app app init-db`)")
    return row


def chain_audit(conn, values: dict[str, Any]) -> dict[str, Any]:
    """Take a lane and link `values` (an audit row's columns) into it: returns lane, seq and hash to store."""
    name, seq, prev = _take_lane(conn)
    lane = int(name.rsplit("/", 1)[1])
    digest = audit_hash(prev, lane, seq, values["at"], values.get("user_id"), values["action"],
                        values.get("object_type"), values.get("object_id"), values.get("outcome") or "ok",
                        values.get("remote_addr"), values.get("detail"), values.get("object_ids"))
    _SET_HEAD.run(conn, {"lane": name, "hash": digest, "mac": sign(record_key(conn), name, seq, digest)})
    return {"lane": lane, "seq": seq, "hash": digest}


def append_audit(conn, values: dict[str, Any]) -> None:
    """Insert one audit row, linked into a lane, inside the connection's transaction."""
    row = {name: values.get(name) for name in AUDIT_COLUMNS}
    row["outcome"] = row["outcome"] or "ok"
    row.update(chain_audit(conn, row))
    _INSERT_AUDIT.run(conn, row)


# ---------------------------------------------------------------- events


def link_event(key: bytes, prev: str | None, case_id: int, seq: int, trigger: str, from_state: str | None,
               to_state: str, actor_id: int | None, at: datetime, data: Any, comment: str | None
               ) -> tuple[str, str]:
    """The event's hash (the case's new head) and the head's signature."""
    digest = event_hash(prev or GENESIS, case_id, seq, trigger, from_state, to_state, actor_id, at, data, comment)
    return digest, sign(key, case_chain(case_id), seq, digest)


# ORM writers (the audit helper, imports of paper dossiers) are linked as they flush: nobody has to
# remember. The engine's transitions link their rows themselves (workflows/engine/store.py).
CASES = Case.__table__
_CASE_HEAD = Prepared(select(CASES.c.event_head).where(CASES.c.id == bindparam("id")))
_SET_CASE_HEAD = Prepared(update(CASES).where(CASES.c.id == bindparam("_id"))
                          .values(event_head=bindparam("event_head"), event_mac=bindparam("event_mac")))


@event.listens_for(AuditRecord, "before_insert")
def _link_audit_record(_mapper, connection, target: AuditRecord) -> None:
    if target.hash is not None:
        return
    if target.outcome is None:
        target.outcome = "ok"
    if target.at is None:
        target.at = utcnow()
    values = {name: getattr(target, name) for name in AUDIT_COLUMNS}
    for name, value in chain_audit(connection, values).items():
        setattr(target, name, value)


@event.listens_for(Event, "before_insert")
def _link_event(_mapper, connection, target: Event) -> None:
    if target.hash is not None:
        return
    if target.at is None:
        target.at = utcnow()
    if target.data is None:
        target.data = {}
    head = _CASE_HEAD.first(connection, {"id": target.case_id})
    digest, mac = link_event(record_key(connection), head[0] if head else None, target.case_id, target.seq,
                             target.trigger, target.from_state, target.to_state, target.actor_id, target.at,
                             target.data, target.comment)
    target.hash = digest
    _SET_CASE_HEAD.run(connection, {"_id": target.case_id, "event_head": digest, "event_mac": mac})
