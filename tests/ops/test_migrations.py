"""Migrations a live PostgreSQL survives: one line of revisions, and indexes built CONCURRENTLY after the first."""
from __future__ import annotations

import re
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import event

from models import make_engine
from tests.ops.test_backup_restore import new_pg_database

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def _config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def test_the_migrations_form_one_line():
    """There is exactly one head: every migration continues the one before it."""
    assert len(ScriptDirectory.from_config(_config()).get_heads()) == 1


def blocking_index_statements(statements: list[str]) -> list[str]:
    """CREATE/DROP INDEX statements that take the table's write lock (not CONCURRENTLY)."""
    found = [s.strip() for s in statements if re.match(r"\s*(CREATE (UNIQUE )?INDEX|DROP INDEX)", s, re.I)]
    return [s for s in found if "CONCURRENTLY" not in s.upper()]


def test_indexes_after_the_initial_schema_are_built_concurrently_on_postgresql():
    """Every CREATE/DROP INDEX that a migration after 0001 runs on PostgreSQL is CONCURRENTLY, so building it
    never blocks writes (the statements are those the server received)."""
    with new_pg_database() as url:
        engine = make_engine(url)
        seen: list[str] = []
        event.listen(engine, "before_cursor_execute", lambda conn, cur, statement, *a: seen.append(statement))
        cfg = _config()
        with engine.connect() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "0001")
            seen.clear()
            command.upgrade(cfg, "heads")
        engine.dispose()
    assert any("CONCURRENTLY" in s for s in seen), "no index built after 0001: the check would prove nothing"
    assert blocking_index_statements(seen) == []


def test_the_check_sees_a_blocking_index():
    """The check can fail: a plain CREATE INDEX is reported, a concurrent one is not."""
    assert blocking_index_statements(["CREATE INDEX ix_a ON t (a)", "CREATE INDEX CONCURRENTLY ix_b ON t (b)",
                                      "SELECT 1"]) == ["CREATE INDEX ix_a ON t (a)"]
