"""PostgreSQL only, whatever TEST_DATABASE_URL says: the app under a role that may only append to the record,
and audit writers that never queue behind one another's head (docs/record.md).

Each test makes a scratch database on the PostgreSQL server (TEST_DATABASE_URL, or the local one the
project's tests use) and migrates it as the owner, as `flask --app app init-db` would.
"""
from __future__ import annotations

import os
import threading
import uuid
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from models import make_engine, make_session_factory, write_connection
from models.record import append_audit, set_record_key
from tests.conftest import TEST_SECRET_KEY, _alembic_upgrade, _pg_url
from workflows.engine import Runtime
from workflows.engine.record_check import check_record

SERVER = _pg_url(os.environ.get("TEST_DATABASE_URL") or "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


@pytest.fixture
def owner_url():
    """A scratch database, migrated by its owner (the server's superuser here); dropped afterwards."""
    name = f"qt_record_{uuid.uuid4().hex[:10]}"
    admin = create_engine(SERVER, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = SERVER.rsplit("/", 1)[0] + "/" + name
    try:
        _alembic_upgrade(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}' "
                              "AND pid <> pg_backend_pid()"))
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


@pytest.fixture
def app_role(owner_url, tmp_path, clock):
    """A login role given exactly what `flask --app app record-grants ROLE` prints; its database URL."""
    from app import TestConfig, create_app

    role = f"qt_app_{uuid.uuid4().hex[:10]}"
    admin = create_engine(SERVER, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE ROLE {role} LOGIN"))
    owner_app = create_app({**{k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()},
                            "DATABASE_URL": owner_url, "SECRET_KEY": TEST_SECRET_KEY, "CLOCK": clock,
                            "INSTANCE_PATH": str(tmp_path / "instance")})
    result = owner_app.test_cli_runner().invoke(args=["record-grants", role])
    assert result.exit_code == 0, result.output
    owner = create_engine(owner_url)
    with owner.begin() as conn:
        conn.exec_driver_sql(result.output)
    owner.dispose()
    owner_app.extensions["quytrinh.engine"].dispose()
    user = owner_url.partition("://")[2].partition("@")[0]
    try:
        yield role, owner_url.replace(f"://{user}@", f"://{role}@", 1), result.output
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '{role}'"))
        admin.dispose()
        # The scratch database (and with it every grant to the role) goes first: see owner_url's teardown.
        _drop_role_later.append(role)


_drop_role_later: list[str] = []


@pytest.fixture(autouse=True)
def _drop_roles():
    yield
    admin = create_engine(SERVER, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        while _drop_role_later:
            conn.execute(text(f"DROP ROLE IF EXISTS {_drop_role_later.pop()}"))
    admin.dispose()


def _runtime(url: str, clock) -> Runtime:
    engine = make_engine(url)
    set_record_key(engine, TEST_SECRET_KEY)
    return Runtime(session_factory=make_session_factory(engine), clock=clock)


def _walk(rt: Runtime) -> int:
    from tests.support.world import build_world
    from workflows.demo.walk import admission_plan, walk
    from workflows.directory.directory import create_person
    from models import write_transaction

    world = build_world(rt)
    plan = admission_plan(world.people["cell1_m1"], (world.people["cell1_m2"], world.people["cell1_m3"]),
                          date(2026, 3, 2))
    with write_transaction(rt.session_factory) as s:
        person_id = create_person(s, organisation_id=world.orgs["cell1"], full_name="Người nộp đơn",
                                  birth_date=date(1998, 7, 1), education="higher").id
    return walk(rt, plan, person_id=person_id, organisation_id=world.orgs["cell1"], actor_for=world.actor_for("cell1"),
                procedure="admission", until="admitted").id


def test_the_app_runs_under_a_role_that_may_only_append_to_the_record(app_role, clock):
    """Under the app role a case is walked to admission; rewriting, deleting, emptying the record or its guards fails."""
    role, url, grants = app_role
    assert "GRANT SELECT, INSERT ON events" in grants and "GRANT SELECT, INSERT ON audit_log" in grants
    rt = _runtime(url, clock)
    case_id = _walk(rt)
    with rt.session_factory() as s:
        assert s.execute(text("SELECT current_user")).scalar() == role
        broken, tally = check_record(s)
    assert broken == [] and tally.events == 7 and tally.audit_rows >= 7
    attacks = {
        "UPDATE events SET comment = 'x' WHERE case_id = :c": "permission denied",
        "DELETE FROM events WHERE case_id = :c": "permission denied",
        "UPDATE audit_log SET user_id = NULL": "permission denied",
        "DELETE FROM audit_log": "permission denied",
        "TRUNCATE events": "permission denied",
        "TRUNCATE audit_log": "permission denied",
        "ALTER TABLE events DISABLE TRIGGER USER": "must be owner",
        "DROP TRIGGER events_no_truncate ON events": "must be owner",
        "UPDATE chain_heads SET seq = 0": "only move forward",
        "DELETE FROM chain_heads": "permission denied",
    }
    for statement, refusal in attacks.items():
        with pytest.raises(DBAPIError, match=refusal):
            with rt.engine.begin() as conn:
                conn.execute(text(statement), {"c": case_id})
    with rt.session_factory() as s:
        assert check_record(s)[0] == []
    rt.engine.dispose()


def test_the_owner_too_is_refused_truncate(owner_url, clock):
    """Even the tables' owner gets TRUNCATE refused by a trigger on events, audit_log and chain_heads."""
    rt = _runtime(owner_url, clock)
    _walk(rt)
    for table in ("events", "audit_log", "chain_heads"):
        with pytest.raises(DBAPIError, match="append-only|only move forward"):
            with rt.engine.begin() as conn:
                conn.execute(text(f"TRUNCATE {table} CASCADE"))
    with rt.session_factory() as s:
        assert s.execute(text("SELECT count(*) FROM events")).scalar() == 7
    rt.engine.dispose()


def test_an_audit_writer_never_waits_for_another_transactions_lane(owner_url):
    """While one transaction holds an audit lane until it commits, another appends at once on a free lane."""
    engine = make_engine(owner_url)
    set_record_key(engine, TEST_SECRET_KEY)
    now = datetime(2026, 11, 30, 2, 0, tzinfo=timezone.utc)
    lanes: dict[str, int] = {}
    errors: list[BaseException] = []
    with write_connection(engine) as holder:
        append_audit(holder, {"at": now, "user_id": None, "action": "test.holder"})
        lanes["holder"] = holder.execute(text("SELECT lane FROM audit_log WHERE action = 'test.holder'")).scalar()

        def other() -> None:
            try:
                with write_connection(engine) as conn:
                    conn.execute(text("SET LOCAL lock_timeout = '2s'"))  # waiting on the holder's lane would fail
                    append_audit(conn, {"at": now, "user_id": None, "action": "test.other"})
                    lanes["other"] = conn.execute(text("SELECT lane FROM audit_log WHERE action = 'test.other'")
                                                  ).scalar()
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

        thread = threading.Thread(target=other)
        thread.start()
        thread.join(timeout=30)
    assert errors == [] and not thread.is_alive()
    assert lanes["other"] != lanes["holder"]
    with make_session_factory(engine)() as s:
        broken, tally = check_record(s)
    assert broken == [] and tally.audit_rows == 2
    engine.dispose()
