"""The record's hash chains as the engine and the other writers leave them (models/record.py, issue 14 item 2).

Every writer links its rows: the engine's transitions (Core), the audit helper and imported paper
dossiers (ORM). The heads only move forward; an export of the heads catches a rollback to an older
signed state; migration 0013 links rows written before it.
"""
from __future__ import annotations

import json
import uuid
from datetime import date

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.exc import DBAPIError

from models import AuditRecord, Case, ChainHead, Event, make_engine, make_session_factory
from models.record import GENESIS, lane_names, record_key, sign
from tests.conftest import TEST_SECRET_KEY, _alembic_upgrade
from tests.reports.imported import admission_steps, import_case
from tests.security.conftest import walk_case
from workflows.engine.audit import audit
from workflows.engine.record_check import check_record, heads

MIGRATIONS_BEFORE = "0008_one_head"


def test_transitions_link_every_event_and_audit_row_under_signed_heads(runtime, world):
    """After a walk to admission every event has a hash, the case's head signs its last one, check finds nothing."""
    case = walk_case(runtime, world, "admitted")
    with runtime.session_factory() as s:
        events = s.scalars(select(Event).where(Event.case_id == case.id).order_by(Event.seq)).all()
        stored = s.get(Case, case.id)
        broken, tally = check_record(s)
    assert [e.seq for e in events] == list(range(1, case.revision + 1))
    assert len({e.hash for e in events}) == case.revision and all(len(e.hash) == 64 for e in events)
    assert stored.event_head == events[-1].hash
    assert stored.event_mac == sign(record_key(runtime.engine), f"case/{case.id}", case.revision, events[-1].hash)
    assert broken == [] and tally.events == case.revision and tally.audit_rows >= case.revision


def test_rows_written_through_the_orm_are_linked_too(runtime, world):
    """An imported paper dossier (ORM events) and audit rows from the audit helper join the chains as they flush."""
    steps = admission_steps(world, "cell1", date(2026, 3, 2))
    case_id = import_case(runtime, procedure="admission", person_id=world.people["cell1_applicant"],
                          organisation_id=world.orgs["cell1"], steps=steps)
    audit(runtime, user_id=world.users["admin"], action="test.read", object_type="case", object_id=case_id)
    with runtime.session_factory() as s:
        broken, tally = check_record(s)
        head = s.get(Case, case_id).event_head
        last = s.scalar(select(Event.hash).where(Event.case_id == case_id).order_by(Event.seq.desc()).limit(1))
        row = s.scalars(select(AuditRecord).where(AuditRecord.action == "test.read")).one()
    assert broken == [] and tally.events == len(steps)
    assert head == last and row.hash is not None and row.seq >= 1


def test_an_audit_lanes_head_only_moves_forward(runtime, world, dialect):
    """chain_heads refuses a head moved back and a head deleted, whoever asks (database triggers)."""
    walk_case(runtime, world, "sympathiser")
    for statement in ("UPDATE chain_heads SET seq = 0, hash = :g WHERE name = 'audit/0'",
                      "DELETE FROM chain_heads WHERE name = 'audit/0'"):
        with pytest.raises(DBAPIError, match="only move forward"):
            with runtime.engine.begin() as conn:
                conn.execute(text(statement), {"g": GENESIS})
    with runtime.session_factory() as s:
        assert s.scalar(select(ChainHead.seq).where(ChainHead.name == "audit/0")) > 0
        assert len(s.scalars(select(ChainHead.name)).all()) == len(lane_names(dialect))


def test_exported_heads_catch_a_rollback_to_an_older_signed_state(app, runtime, world, tmp_path, dialect):
    """A case put back to an earlier, validly signed state passes plain `check`; `check --heads` names the rollback."""
    case = walk_case(runtime, world, "cell_approved")
    with runtime.session_factory() as s:
        before = s.execute(select(Case.revision, Case.state, Case.data, Case.event_head, Case.event_mac)
                           .where(Case.id == case.id)).one()  # an old backup of the row
    from workflows.engine import fire
    from workflows.demo.walk import at_day

    moved = fire(at_day(runtime, date(2026, 5, 4)), case_id=case.id, trigger="committee_vote",
                 actor_id=world.users["committee"],
                 data={"vote": {"date": "2026-05-04", "eligible": 7, "agree": 7, "disagree": 0,
                                "method": "show_of_cards"}})
    runner = app.test_cli_runner()
    exported = runner.invoke(args=["record-heads"])
    assert exported.exit_code == 0 and f'"chain": "case/{case.id}"' in exported.output
    heads_file = tmp_path / "heads.jsonl"
    heads_file.write_text(exported.output)

    guard = ("DROP TRIGGER events_no_delete" if dialect == "sqlite"
             else "ALTER TABLE events DISABLE TRIGGER events_append_only")
    with runtime.engine.begin() as conn:
        conn.execute(text(guard))
        conn.execute(text("DELETE FROM events WHERE case_id = :c AND seq = :s"), {"c": case.id, "s": moved.revision})
        conn.execute(text("DELETE FROM votes WHERE case_id = :c AND event_seq = :s"),
                     {"c": case.id, "s": moved.revision})
        conn.execute(text("DELETE FROM deadlines WHERE case_id = :c AND opened_at >= (SELECT max(at) FROM events "
                          "WHERE case_id = :c)"), {"c": case.id})
        conn.execute(text("UPDATE cases SET revision = :r, state = :st, data = :d, event_head = :h, event_mac = :m "
                          "WHERE id = :c"), {"r": before.revision, "st": before.state, "d": json.dumps(before.data),
                                             "h": before.event_head, "m": before.event_mac, "c": case.id})
        if dialect == "postgresql":
            conn.execute(text("ALTER TABLE events ENABLE TRIGGER events_append_only"))

    plain = runner.invoke(args=["check"])
    against = runner.invoke(args=["check", "--heads", str(heads_file)])

    assert f"case {case.id}:" not in plain.output  # an older signed state is self-consistent
    assert against.exit_code == 1
    assert (f"case {case.id}: rolled back: the exported head is at {moved.revision}, the signed head now at "
            f"{before.revision}") in against.output


def test_the_migration_links_the_rows_written_before_it(database_server, tmp_path):
    """A database holding events and audit rows from before 0013: upgraded with the key, every chain verifies."""
    kind, where = database_server
    url, drop = _empty_database(kind, where, tmp_path)
    try:
        _alembic_upgrade(url, MIGRATIONS_BEFORE)
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO organisations (id, name, kind, path, admission_authority, created_at) "
                              "VALUES (1, 'Chi bộ', 'cell', '/1/', false, '2026-03-02 02:00:00')"))
            conn.execute(text("INSERT INTO persons (id, organisation_id, full_name, birth_date, membership_status, "
                              "holds_post, flags, revision, created_at) VALUES (1, 1, 'Nguyễn Văn A', '1998-07-01', "
                              "'none', false, '{}', 0, '2026-03-02 02:00:00')"))
            conn.execute(text("INSERT INTO cases (id, procedure, rule_set, state, revision, organisation_id, "
                              "organisation_path, person_id, data, opened_at) VALUES (1, 'admission', 'cpv-2025', "
                              "'application_submitted', 2, 1, '/1/', 1, '{}', '2026-03-02 02:00:00')"))
            for seq, (trigger, before, after) in enumerate((("open", None, "sympathiser"),
                                                            ("submit_application", "sympathiser",
                                                             "application_submitted")), start=1):
                conn.execute(text("INSERT INTO events (case_id, seq, trigger, from_state, to_state, at, data) "
                                  "VALUES (1, :s, :t, :f, :to, '2026-03-02 02:00:00', '{\"n\": 1}')"),
                             {"s": seq, "t": trigger, "f": before, "to": after})
                conn.execute(text("INSERT INTO audit_log (at, action, object_type, object_id, outcome) "
                                  "VALUES ('2026-03-02 02:00:00', :a, 'case', '1', 'ok')"), {"a": f"case.{trigger}"})
        engine.dispose()
        _alembic_upgrade(url, "heads", record_secret=TEST_SECRET_KEY)

        from models.record import set_record_key

        engine = make_engine(url)
        set_record_key(engine, TEST_SECRET_KEY)
        with make_session_factory(engine)() as s:
            broken, tally = check_record(s)
            exported = list(heads(s))
        engine.dispose()
        assert broken == [] and tally.events == 2 and tally.audit_rows == 2
        assert {h["chain"]: h["seq"] for h in exported if h["seq"]} == {"audit/0": 2, "case/1": 2}
        assert all(h["mac"] for h in exported if h["seq"])
    finally:
        drop()


def _empty_database(kind: str, where, tmp_path):
    """A new empty database of the run's dialect: (url, drop)."""
    if kind == "sqlite":
        return f"sqlite:///{tmp_path / 'before-0013.db'}", lambda: None
    name = f"qt_mig_{uuid.uuid4().hex[:10]}"
    server = where.rsplit("/", 1)[0] + "/postgres"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}' "
                              "AND pid <> pg_backend_pid()"))
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()

    return where.rsplit("/", 1)[0] + "/" + name, drop
