"""The record is tamper-evident (issue 14 item 2): each attack is refused by the database or named by `check`.

The attacks of the issue, on SQLite and PostgreSQL alike: rewriting an event in place (SQLite's
INSERT OR REPLACE, PostgreSQL's INSERT … ON CONFLICT DO UPDATE), editing an event with the triggers
dropped, deleting the last event or audit row, emptying the tables (TRUNCATE; SQLite: DELETE FROM).
"""
from __future__ import annotations

import json

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from models.record import event_hash
from tests.security.conftest import owner_sql, run_check, scalar

# The cell vote recorded 6–0, rewritten as 1–5 and signed by the administrator.
FORGED_VOTE = {"vote": {"date": "2026-04-27", "eligible": 6, "agree": 1, "disagree": 5, "method": "show_of_cards"},
               "outcome": "failed"}


def _vote_event(runtime, case_id: int) -> tuple[int, int]:
    with runtime.engine.connect() as conn:
        return tuple(conn.execute(text("SELECT id, seq FROM events WHERE case_id = :c AND trigger = 'cell_vote'"),
                                  {"c": case_id}).one())


def _rewrite_in_place(runtime, dialect: str, event_id: int, admin_id: int) -> None:
    """Replace an event row by one with the same id (and the old hash): the 6–0 vote becomes 1–5 by admin."""
    columns = "id, case_id, seq, trigger, from_state, to_state, actor_id, at, data, comment, hash"
    source = ("SELECT id, case_id, seq, trigger, from_state, to_state, :admin, at, {data}, comment, hash "
              "FROM events WHERE id = :id")
    if dialect == "sqlite":
        statement = f"INSERT OR REPLACE INTO events ({columns}) " + source.format(data=":data")
    else:
        statement = (f"INSERT INTO events ({columns}) " + source.format(data="CAST(:data AS json)")
                     + " ON CONFLICT (id) DO UPDATE SET data = excluded.data, actor_id = excluded.actor_id")
    owner_sql(runtime, statement, id=event_id, admin=admin_id, data=json.dumps(FORGED_VOTE))


def test_rewriting_an_event_in_place_is_refused_by_the_database(runtime, world, recorded, dialect):
    """INSERT OR REPLACE (SQLite) / ON CONFLICT DO UPDATE (PostgreSQL) on an existing event id is refused."""
    case = recorded["admitted"]
    event_id, _ = _vote_event(runtime, case.id)
    with pytest.raises(DBAPIError, match="append-only"):
        _rewrite_in_place(runtime, dialect, event_id, world.users["admin"])
    assert scalar(runtime, "SELECT actor_id FROM events WHERE id = :id", id=event_id) != world.users["admin"]


def test_replacing_an_event_by_case_and_seq_is_refused(runtime, recorded, dialect):
    """An insert that would meet an existing (case, seq) is refused, not allowed to replace that event."""
    case = recorded["admitted"]
    _, seq = _vote_event(runtime, case.id)
    verb = "INSERT OR REPLACE" if dialect == "sqlite" else "INSERT"
    with pytest.raises(DBAPIError, match="append-only|uq_events_case_id_seq"):
        owner_sql(runtime, f"{verb} INTO events (case_id, seq, trigger, from_state, to_state, actor_id, at, data) "
                           "SELECT case_id, seq, trigger, from_state, to_state, actor_id, at, data FROM events "
                           "WHERE case_id = :c AND seq = :s", c=case.id, s=seq)
    assert scalar(runtime, "SELECT count(*) FROM events WHERE case_id = :c", c=case.id) == case.revision


def test_replacing_an_audit_row_is_refused(runtime, recorded, dialect):
    """An insert on an existing audit row's id is refused (SQLite: INSERT OR REPLACE; PostgreSQL: upsert)."""
    quote_login = "'login'"  # the row's action rewritten as a sign-in
    last = scalar(runtime, "SELECT max(id) FROM audit_log")
    columns = "id, at, user_id, action, object_type, object_id, outcome, remote_addr, detail, lane, seq, hash"
    select = f"SELECT {columns.replace('action', quote_login)} FROM audit_log WHERE id = :id"
    statement = (f"INSERT OR REPLACE INTO audit_log ({columns}) {select}" if dialect == "sqlite" else
                 f"INSERT INTO audit_log ({columns}) {select} ON CONFLICT (id) DO UPDATE SET action = excluded.action")
    with pytest.raises(DBAPIError, match="append-only"):
        owner_sql(runtime, statement, id=last)
    assert scalar(runtime, "SELECT action FROM audit_log WHERE id = :id", id=last) != "login"


def test_an_event_rewritten_with_the_guards_dropped_is_named_by_check(app, runtime, world, recorded, dialect,
                                                                    drop_guards):
    """With the triggers dropped, the 6–0 vote rewritten as 1–5 by admin: `check` names the case and event."""
    case = recorded["admitted"]
    event_id, seq = _vote_event(runtime, case.id)
    assert run_check(app)[0] == 0
    drop_guards()
    _rewrite_in_place(runtime, dialect, event_id, world.users["admin"])
    assert scalar(runtime, "SELECT actor_id FROM events WHERE id = :id", id=event_id) == world.users["admin"]

    code, output = run_check(app)

    assert code == 1
    assert f"case {case.id}: event {seq} (id {event_id}) does not match its hash: edited or replaced" in output
    assert "1 broken" in output


def test_an_event_edited_with_the_trigger_dropped_is_named_by_check(app, runtime, recorded, drop_guards):
    """UPDATE events with the triggers dropped: `check` names that event as the first broken link of its case."""
    case = recorded["committee"]
    drop_guards()
    owner_sql(runtime, "UPDATE events SET comment = 'đã sửa' WHERE case_id = :c AND seq = 2", c=case.id)
    event_id = scalar(runtime, "SELECT id FROM events WHERE case_id = :c AND seq = 2", c=case.id)

    code, output = run_check(app)

    assert code == 1
    assert f"case {case.id}: event 2 (id {event_id}) does not match its hash: edited or replaced" in output


def test_an_attacker_who_recomputes_the_hashes_is_caught_by_the_signed_head(app, runtime, recorded, drop_guards):
    """Edited event, every later hash and the case's head recomputed (SHA-256 is public): the head's HMAC fails."""
    case = recorded["committee"]
    drop_guards()
    with runtime.engine.begin() as conn:
        rows = conn.execute(text("SELECT id, seq, trigger, from_state, to_state, actor_id, at, data, comment "
                                 "FROM events WHERE case_id = :c ORDER BY seq"), {"c": case.id}).all()
        prev = "0" * 64
        for row in rows:
            data = row.data if isinstance(row.data, dict) else json.loads(row.data)
            if row.seq == 2:
                data = {**data, "note": "forged"}
                conn.execute(text("UPDATE events SET data = :d WHERE id = :id"), {"d": json.dumps(data), "id": row.id})
            at = row.at if not isinstance(row.at, str) else _parse_sqlite_time(row.at)
            prev = event_hash(prev, case.id, row.seq, row.trigger, row.from_state, row.to_state, row.actor_id, at,
                              data, row.comment)
            conn.execute(text("UPDATE events SET hash = :h WHERE id = :id"), {"h": prev, "id": row.id})
        conn.execute(text("UPDATE cases SET event_head = :h WHERE id = :c"), {"h": prev, "c": case.id})

    code, output = run_check(app)

    assert code == 1
    assert (f"case {case.id}: its head (event {case.revision}) is not signed with this server's key: forged, "
            "or the key changed") in output


def _parse_sqlite_time(value: str):
    from datetime import datetime, timezone

    return datetime.fromisoformat(value).replace(tzinfo=timezone.utc)


def test_a_deleted_last_event_is_named_by_check(app, runtime, recorded, drop_guards):
    """The last event deleted with the triggers dropped: `check` says the signed head names an event not there."""
    case = recorded["admitted"]
    drop_guards()
    owner_sql(runtime, "DELETE FROM events WHERE case_id = :c AND seq = :s", c=case.id, s=case.revision)

    code, output = run_check(app)

    assert code == 1
    assert (f"case {case.id}: event {case.revision} missing: the signed head is at event {case.revision}, "
            f"the log ends at event {case.revision - 1}") in output


def test_a_deleted_last_event_with_the_case_rolled_back_is_named_by_check(app, runtime, recorded, drop_guards):
    """Last event deleted and the case row set back to the step before: the head no longer verifies."""
    case = recorded["admitted"]
    drop_guards()
    owner_sql(runtime, "DELETE FROM events WHERE case_id = :c AND seq = :s",
              "UPDATE cases SET revision = revision - 1, state = 'committee_approved', closed_at = NULL "
              "WHERE id = :c", c=case.id, s=case.revision)

    code, output = run_check(app)

    assert code == 1
    assert f"case {case.id}: its head (event {case.revision - 1}) is not signed with this server's key" in output


def test_a_deleted_last_audit_row_is_named_by_check(app, runtime, recorded, drop_guards):
    """The last audit row deleted with the triggers dropped: `check` names its lane and the missing seq."""
    lane, seq = _last_audit_row(runtime)
    drop_guards()
    owner_sql(runtime, "DELETE FROM audit_log WHERE lane = :l AND seq = :s", l=lane, s=seq)

    code, output = run_check(app)

    assert code == 1
    assert (f"audit lane {lane}: row seq {seq} missing: the signed head is at row seq {seq}, "
            f"the log ends at row seq {seq - 1}") in output


def test_an_audit_row_edited_with_the_trigger_dropped_is_named_by_check(app, runtime, recorded, drop_guards):
    """An audit row's actor changed with the triggers dropped: `check` names the lane, the seq and the row id."""
    lane, seq = _last_audit_row(runtime)
    row_id = scalar(runtime, "SELECT id FROM audit_log WHERE lane = :l AND seq = 1", l=lane)
    drop_guards()
    owner_sql(runtime, "UPDATE audit_log SET user_id = NULL WHERE id = :id", id=row_id)

    code, output = run_check(app)

    assert code == 1
    assert f"audit lane {lane}: row seq 1 (id {row_id}) does not match its hash: edited or replaced" in output


def test_emptying_the_record_is_refused_then_named_by_check(app, runtime, recorded, dialect, drop_guards):
    """TRUNCATE (PostgreSQL) / DELETE FROM (SQLite) is refused; with the guards dropped, `check` names every chain."""
    empty = "TRUNCATE {table}" if dialect == "postgresql" else "DELETE FROM {table}"
    for table in ("events", "audit_log"):
        with pytest.raises(DBAPIError, match="append-only"):
            owner_sql(runtime, empty.format(table=table))
    assert scalar(runtime, "SELECT count(*) FROM events") > 0
    lanes = {lane: seq for lane, seq in _lane_heads(runtime)}
    drop_guards()
    owner_sql(runtime, empty.format(table="events"), empty.format(table="audit_log"))

    code, output = run_check(app)

    assert code == 1
    for case in recorded.values():
        assert (f"case {case.id}: events 1..{case.revision} missing: the signed head is at event {case.revision}, "
                "the log ends at event 0") in output
    for lane, seq in lanes.items():
        assert f"audit lane {lane}: row seqs 1..{seq} missing" in output or f"audit lane {lane}: row seq 1 missing" \
            in output


def test_a_row_slipped_in_behind_the_servers_back_is_named_by_check(app, runtime, recorded, dialect):
    """An extra event with a correct hash but no signed head over it: `check` says the head does not cover it."""
    case = recorded["committee"]
    with runtime.engine.connect() as conn:
        head = conn.execute(text("SELECT event_head FROM cases WHERE id = :c"), {"c": case.id}).scalar()
        last = conn.execute(text("SELECT at, actor_id FROM events WHERE case_id = :c AND seq = :s"),
                            {"c": case.id, "s": case.revision}).one()
    at = last.at if not isinstance(last.at, str) else _parse_sqlite_time(last.at)
    digest = event_hash(head, case.id, case.revision + 1, "committee_vote", case.state, "committee_approved",
                        last.actor_id, at, {}, None)
    owner_sql(runtime, "INSERT INTO events (case_id, seq, trigger, from_state, to_state, actor_id, at, data, hash) "
                       "SELECT case_id, seq + 1, 'committee_vote', to_state, 'committee_approved', actor_id, at, "
                       "'{}', :h FROM events WHERE case_id = :c AND seq = :s", h=digest, c=case.id, s=case.revision)

    code, output = run_check(app)

    assert code == 1
    assert (f"case {case.id}: events after {case.revision} are not covered by the signed head "
            "(inserted behind the server's back)") in output


def _last_audit_row(runtime) -> tuple[int, int]:
    with runtime.engine.connect() as conn:
        return tuple(conn.execute(text("SELECT lane, seq FROM audit_log ORDER BY id DESC LIMIT 1")).one())


def _lane_heads(runtime) -> list[tuple[int, int]]:
    with runtime.engine.connect() as conn:
        return [(int(name.split("/")[1]), seq) for name, seq in
                conn.execute(text("SELECT name, seq FROM chain_heads WHERE seq > 0"))]
