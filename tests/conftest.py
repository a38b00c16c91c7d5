"""Fixtures shared by every test: a fresh migrated database per test, on SQLite or PostgreSQL.

Set TEST_DATABASE_URL (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/postgres) to run on
PostgreSQL: each test run (each xdist worker) creates its own database there and drops it at the end.
"""
from __future__ import annotations

import os
import shutil
import uuid
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import create_engine, insert, text

from models import Base, ChainHead, make_engine, make_session_factory
from models.record import fresh_heads, set_record_key
from workflows.accounts.accounts import use_fast_hashes_for_tests
from workflows.engine import FixedClock, Runtime

use_fast_hashes_for_tests()

# The app's secret key in tests. Every engine a test writes through signs the record's heads with it
# (models/record.py), as every process of one installation shares QUYTRINH_SECRET_KEY.
TEST_SECRET_KEY = "test-" + "x" * 40

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def _alembic_upgrade(url: str, target: str = "heads", record_secret: str | None = None) -> None:
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["url"] = url
    if record_secret:
        cfg.attributes["record_secret"] = record_secret
    command.upgrade(cfg, target)


def _pg_url(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1) if url.startswith("postgresql://") else url


@pytest.fixture(scope="session")
def database_server(tmp_path_factory):
    """('sqlite', template file) or ('postgresql', url of this run's own database)."""
    server_url = os.environ.get("TEST_DATABASE_URL")
    if not server_url:
        template = tmp_path_factory.mktemp("db") / "template.db"
        _alembic_upgrade(f"sqlite:///{template}")
        yield ("sqlite", template)
        return
    server_url = _pg_url(server_url)
    name = f"qt_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = server_url.rsplit("/", 1)[0] + "/" + name
    try:
        _alembic_upgrade(url)
        yield ("postgresql", url)
    finally:
        with admin.connect() as conn:
            conn.execute(text(
                f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}' AND pid <> pg_backend_pid()"
            ))
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


_TABLES = [t.name for t in Base.metadata.sorted_tables]


@pytest.fixture
def db_url(database_server, tmp_path):
    """A URL to an empty, fully migrated database of its own for this test."""
    kind, where = database_server
    if kind == "sqlite":
        target = tmp_path / "test.db"
        shutil.copy(where, target)
        yield f"sqlite:///{target}"
        return
    engine = create_engine(where)
    with engine.begin() as conn:
        # The record's guards refuse TRUNCATE (migration 0013); the test database's owner sets them aside.
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        conn.execute(text("TRUNCATE " + ", ".join(_TABLES) + " RESTART IDENTITY CASCADE"))
        conn.execute(insert(ChainHead), fresh_heads("postgresql"))
    engine.dispose()
    yield where


@pytest.fixture
def dialect(database_server) -> str:
    return database_server[0]


@pytest.fixture
def clock():
    """A fixed clock (09:00 in Hanoi, 2026-11-30) tests may move by setting `.instant`."""
    return FixedClock(datetime(2026, 11, 30, 2, 0, tzinfo=timezone.utc))


@pytest.fixture
def runtime(db_url, clock, tmp_path):
    engine = make_engine(db_url)
    set_record_key(engine, TEST_SECRET_KEY)
    rt = Runtime(session_factory=make_session_factory(engine), clock=clock, documents_dir=tmp_path / "documents")
    yield rt
    engine.dispose()


@pytest.fixture
def app(db_url, clock, tmp_path):
    from app import TestConfig, create_app

    flask_app = create_app({
        **{k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()},
        "DATABASE_URL": db_url, "SECRET_KEY": TEST_SECRET_KEY, "CLOCK": clock,
        "DOCUMENTS_DIR": str(tmp_path / "documents"), "INSTANCE_PATH": str(tmp_path / "instance"),
    })
    yield flask_app
    flask_app.extensions["quytrinh.engine"].dispose()


@pytest.fixture
def world(runtime):
    """A small province with users for every role (see tests/support/world.py)."""
    from tests.support.world import build_world

    return build_world(runtime)
