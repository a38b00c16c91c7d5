"""backup, restore and copy-database (issue 18): the demo round-trips with every row, and `check` passes on the copy."""
from __future__ import annotations

import os
import shutil
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from models import make_engine, make_session_factory
from models.record import set_record_key
from models.transfer import SEEDED, row_counts
from tests.conftest import _alembic_upgrade
from workflows.demo import load_demo
from workflows.engine import Runtime

TEST_KEY = "test-" + "x" * 40
PG_SERVER = os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres").replace(
    "postgresql://", "postgresql+psycopg://", 1)


@contextmanager
def new_pg_database():
    """An empty PostgreSQL database of its own (no schema), dropped afterwards."""
    name = f"qt_ops_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield PG_SERVER.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}' "
                              "AND pid <> pg_backend_pid()"))
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory) -> Path:
    """A SQLite database holding the demo province (loaded once for the module)."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    _alembic_upgrade(f"sqlite:///{path}")
    engine = make_engine(f"sqlite:///{path}")
    set_record_key(engine, TEST_KEY)  # the record's heads are signed with the key the apps below use
    load_demo(Runtime(session_factory=make_session_factory(engine)))
    engine.dispose()
    return path


def _app(url: str, tmp_path: Path):
    from app import TestConfig, create_app

    return create_app({**{k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()},
                       "DATABASE_URL": url, "SECRET_KEY": TEST_KEY,
                       "INSTANCE_PATH": str(tmp_path / f"instance-{uuid.uuid4().hex[:6]}")})


def _cli(app, *args):
    result = app.test_cli_runner().invoke(args=list(args))
    return result.exit_code, result.output


def _counts(url: str) -> dict[str, int]:
    """Rows per table, but the record's heads (seeded by the migrations: one per audit lane, by dialect)."""
    engine = make_engine(url)
    try:
        return {table: n for table, n in row_counts(engine).items() if table not in SEEDED}
    finally:
        engine.dispose()


def test_sqlite_backup_restores_every_row_and_replays(demo_file, tmp_path):
    """backup of a live SQLite database, restore into an empty one: equal row counts, `check` 0 mismatches."""
    live = tmp_path / "live.db"
    shutil.copy(demo_file, live)
    source = _app(f"sqlite:///{live}", tmp_path)
    code, output = _cli(source, "backup", str(tmp_path / "copy.db"))
    assert code == 0 and "SQLite online backup" in output, output
    assert oct((tmp_path / "copy.db").stat().st_mode & 0o777) == "0o600"
    target = _app(f"sqlite:///{tmp_path / 'restored.db'}", tmp_path)
    code, output = _cli(target, "restore", str(tmp_path / "copy.db"))
    assert code == 0, output
    assert _counts(f"sqlite:///{tmp_path / 'restored.db'}") == _counts(f"sqlite:///{live}")
    code, output = _cli(target, "check")
    assert code == 0 and f"{_counts(f'sqlite:///{live}')['cases']} cases replayed, 0 mismatches" in output, output


def test_copy_database_moves_sqlite_into_an_empty_postgresql(demo_file, tmp_path):
    """copy-database --to an empty PostgreSQL database: schema created, every row and id, sequences advanced."""
    live = tmp_path / "live.db"
    shutil.copy(demo_file, live)
    source = _app(f"sqlite:///{live}", tmp_path)
    with new_pg_database() as url:
        code, output = _cli(source, "copy-database", "--to", url)
        assert code == 0, output
        assert f"counts equal; {_counts(f'sqlite:///{live}')['cases']} cases replayed on the copy, 0 mismatches" in output
        assert _counts(url) == _counts(f"sqlite:///{live}")
        target = _app(url, tmp_path)
        code, output = _cli(target, "check")
        assert code == 0 and "0 mismatches" in output
        with make_engine(url).begin() as conn:  # the next case gets a new id: the sequence moved on
            top = conn.execute(text("SELECT max(id) FROM cases")).scalar()
            nxt = conn.execute(text("SELECT nextval(pg_get_serial_sequence('cases', 'id'))")).scalar()
        assert nxt == top + 1


def test_postgresql_backup_and_restore_with_pg_dump_and_without(demo_file, tmp_path, monkeypatch):
    """On PostgreSQL: pg_dump's archive restores with pg_restore; without pg_dump the logical export does."""
    with new_pg_database() as source_url, new_pg_database() as first, new_pg_database() as second:
        source_app = _app(f"sqlite:///{demo_file}", tmp_path)
        assert _cli(source_app, "copy-database", "--to", source_url)[0] == 0
        live = _app(source_url, tmp_path)
        code, output = _cli(live, "backup", str(tmp_path / "pg.dump"))
        assert code == 0 and "pg_dump" in output, output
        code, output = _cli(_app(first, tmp_path), "restore", str(tmp_path / "pg.dump"))
        assert code == 0, output
        assert _counts(first) == _counts(source_url)
        monkeypatch.setattr("web.cli.database.shutil.which", lambda name: None)  # a machine without pg_dump
        code, output = _cli(live, "backup", str(tmp_path / "logical.db"))
        assert code == 0 and "logical export" in output, output
        code, output = _cli(_app(second, tmp_path), "restore", str(tmp_path / "logical.db"))
        assert code == 0, output
        assert _counts(second) == _counts(source_url)
        assert "0 mismatches" in _cli(_app(second, tmp_path), "check")[1]


def test_restore_and_copy_refuse_a_database_that_holds_rows(demo_file, tmp_path):
    """restore into, or copy onto, a database with rows is refused and writes nothing; a non-backup is refused."""
    live = tmp_path / "live.db"
    shutil.copy(demo_file, live)
    app = _app(f"sqlite:///{live}", tmp_path)
    before = _counts(f"sqlite:///{live}")
    code, output = _cli(app, "restore", str(demo_file))
    assert code != 0 and "not empty" in output
    other = tmp_path / "other.db"
    shutil.copy(demo_file, other)
    code, output = _cli(app, "copy-database", "--to", f"sqlite:///{other}")
    assert code != 0 and "target is not empty" in output
    junk = tmp_path / "notes.txt"
    junk.write_text("not a backup", encoding="utf-8")
    empty = _app(f"sqlite:///{tmp_path / 'empty.db'}", tmp_path)
    code, output = _cli(empty, "restore", str(junk))
    assert code != 0 and "neither a quytrinh backup" in output
    code, output = _cli(app, "backup", str(demo_file))
    assert code != 0 and "exists already" in output
    assert _counts(f"sqlite:///{live}") == before and _counts(f"sqlite:///{other}") == before
