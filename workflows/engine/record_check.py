"""Verify the tamper-evident record: every case's event chain and every audit lane, against their signed heads.

`check` names the first broken link of each chain, e.g.
    case 12: event 3 (id 40) does not match its hash: edited or replaced
    case 12: event 5 missing: the signed head is at event 5, the log ends at event 4
    audit lane 0: row seq 17 (id 230) does not match its hash: edited or replaced
Nothing here writes.
"""
from __future__ import annotations

import hmac
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import AuditRecord, Case, Event
from models.record import GENESIS, ChainHead, audit_hash, case_chain, event_hash, record_key, sign


@dataclass(frozen=True)
class BrokenLink:
    chain: str  # "case/12" or "audit/0"
    problem: str

    def __str__(self) -> str:
        kind, _, number = self.chain.partition("/")
        label = f"case {number}" if kind == "case" else f"audit lane {number}"
        return f"{label}: {self.problem}"


@dataclass
class Tally:
    cases: int = 0
    events: int = 0
    lanes: int = 0
    audit_rows: int = 0


def _verify_head(key: bytes, chain: str, noun: str, last_seq: int, last_hash: str, head_seq: int,
                 head_hash: str | None, head_mac: str | None) -> str | None:
    """What is wrong between a chain's last link and its signed head (None: they agree)."""
    if head_seq == 0 and last_seq == 0 and head_mac is None:
        return None  # an empty chain that was never written
    if head_mac is None or head_hash is None:
        return f"its head ({noun} {head_seq}) is not signed"
    if not _mac_ok(key, chain, head_seq, head_hash, head_mac):
        return f"its head ({noun} {head_seq}) is not signed with this server's key: forged, or the key changed"
    if last_seq < head_seq:
        first = last_seq + 1
        missing = f"{noun} {first}" if first == head_seq else f"{noun}s {first}..{head_seq}"
        return f"{missing} missing: the signed head is at {noun} {head_seq}, the log ends at {noun} {last_seq}"
    if last_seq > head_seq:
        return f"{noun}s after {head_seq} are not covered by the signed head (inserted behind the server's back)"
    if last_hash != head_hash:
        return f"{noun} {head_seq} is not the one the signed head names: replaced"
    return None


def _mac_ok(key: bytes, chain: str, seq: int, digest: str, mac: str) -> bool:
    return hmac.compare_digest(sign(key, chain, seq, digest), mac)


def check_case_chains(session: Session, tally: Tally | None = None, batch: int = 500) -> Iterator[BrokenLink]:
    """The first broken link of every case's event chain, cases in id order."""
    tally = tally if tally is not None else Tally()
    key = record_key(session.get_bind())
    last_id = 0
    while True:
        cases = session.execute(select(Case.id, Case.revision, Case.event_head, Case.event_mac)
                                .where(Case.id > last_id).order_by(Case.id).limit(batch)).all()
        if not cases:
            return
        ids = [c.id for c in cases]
        events: dict[int, list] = {i: [] for i in ids}
        for row in session.execute(select(Event.id, Event.case_id, Event.seq, Event.trigger, Event.from_state,
                                          Event.to_state, Event.actor_id, Event.at, Event.data, Event.comment,
                                          Event.hash)
                                   .where(Event.case_id.in_(ids)).order_by(Event.case_id, Event.seq)):
            events[row.case_id].append(row)
        for case in cases:
            tally.cases += 1
            tally.events += len(events[case.id])
            problem = _case_problem(key, case, events[case.id])
            if problem:
                yield BrokenLink(case_chain(case.id), problem)
        last_id = ids[-1]


def _case_problem(key: bytes, case, rows: list) -> str | None:
    prev, seq = GENESIS, 0
    for row in rows:
        if row.seq != seq + 1:
            return (f"event {seq + 1} is missing (event {row.seq}, id {row.id}, follows event {seq})"
                    if row.seq > seq + 1 else f"event {row.seq} (id {row.id}) appears twice")
        expected = event_hash(prev, case.id, row.seq, row.trigger, row.from_state, row.to_state, row.actor_id,
                              row.at, row.data, row.comment)
        if row.hash != expected:
            return f"event {row.seq} (id {row.id}) does not match its hash: edited or replaced"
        prev, seq = row.hash, row.seq
    return _verify_head(key, case_chain(case.id), "event", seq, prev, case.revision, case.event_head,
                        case.event_mac)


def check_audit_chains(session: Session, tally: Tally | None = None, batch: int = 5000) -> Iterator[BrokenLink]:
    """The first broken link of every audit lane (and rows in no lane at all)."""
    tally = tally if tally is not None else Tally()
    key = record_key(session.get_bind())
    heads = session.execute(select(ChainHead).where(ChainHead.name.like("audit/%")).order_by(ChainHead.name)
                            ).scalars().all()
    lanes = {int(h.name.rsplit("/", 1)[1]): h for h in heads}
    strays = session.scalar(select(AuditRecord.id).where(
        (AuditRecord.lane.is_(None)) | (AuditRecord.lane.not_in(list(lanes)) if lanes else True)).limit(1))
    if strays is not None:
        yield BrokenLink("audit/-", f"row id {strays} belongs to no lane: inserted behind the server's back")
    for lane, head in sorted(lanes.items()):
        tally.lanes += 1
        problem = _lane_problem(session, key, lane, head, tally, batch)
        if problem:
            yield BrokenLink(head.name, problem)


def _lane_problem(session: Session, key: bytes, lane: int, head: ChainHead, tally: Tally, batch: int) -> str | None:
    prev, seq = GENESIS, 0
    while True:
        rows = session.execute(select(AuditRecord.id, AuditRecord.seq, AuditRecord.at, AuditRecord.user_id,
                                      AuditRecord.action, AuditRecord.object_type, AuditRecord.object_id,
                                      AuditRecord.outcome, AuditRecord.remote_addr, AuditRecord.detail,
                                      AuditRecord.object_ids, AuditRecord.hash)
                               .where(AuditRecord.lane == lane, AuditRecord.seq > seq)
                               .order_by(AuditRecord.seq).limit(batch)).all()
        for row in rows:
            tally.audit_rows += 1
            if row.seq != seq + 1:
                return f"row seq {seq + 1} is missing (seq {row.seq}, id {row.id}, follows seq {seq})"
            expected = audit_hash(prev, lane, row.seq, row.at, row.user_id, row.action, row.object_type,
                                  row.object_id, row.outcome, row.remote_addr, row.detail, row.object_ids)
            if row.hash != expected:
                return f"row seq {row.seq} (id {row.id}) does not match its hash: edited or replaced"
            prev, seq = row.hash, row.seq
        if len(rows) < batch:
            break
    return _verify_head(key, head.name, "row seq", seq, prev, head.seq, head.hash, head.mac)


def heads(session: Session) -> Iterable[dict]:
    """Every chain's head, for an operator to keep elsewhere (`flask --app app record-heads`)."""
    for row in session.execute(select(ChainHead.name, ChainHead.seq, ChainHead.hash, ChainHead.mac)
                               .order_by(ChainHead.name)):
        yield {"chain": row.name, "seq": row.seq, "hash": row.hash, "mac": row.mac}
    for row in session.execute(select(Case.id, Case.revision, Case.event_head, Case.event_mac).order_by(Case.id)):
        yield {"chain": case_chain(row.id), "seq": row.revision, "hash": row.event_head, "mac": row.event_mac}


def compare_heads(session: Session, exported: Iterable[dict]) -> Iterator[BrokenLink]:
    """Chains that no longer hold a head exported earlier: rolled back behind it, or rewritten up to it."""
    current = {h["chain"]: h for h in heads(session)}
    for old in exported:
        chain, seq = old["chain"], old["seq"]
        now = current.get(chain)
        if now is None:
            yield BrokenLink(chain, f"the chain exported at {seq} is gone")
        elif now["seq"] < seq:
            yield BrokenLink(chain, f"rolled back: the exported head is at {seq}, the signed head now at {now['seq']}")
        elif seq and _link_hash(session, chain, seq) != old["hash"]:
            yield BrokenLink(chain, f"link {seq} is not the one exported: rewritten")


def _link_hash(session: Session, chain: str, seq: int) -> str | None:
    kind, _, number = chain.partition("/")
    if kind == "case":
        return session.scalar(select(Event.hash).where(Event.case_id == int(number), Event.seq == seq))
    return session.scalar(select(AuditRecord.hash).where(AuditRecord.lane == int(number), AuditRecord.seq == seq))


def check_record(session: Session) -> tuple[list[BrokenLink], Tally]:
    """Every broken chain (cases first, then audit lanes) and what was verified."""
    tally = Tally()
    broken = list(check_case_chains(session, tally))
    broken += list(check_audit_chains(session, tally))
    return broken, tally
