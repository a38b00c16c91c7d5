"""Migrations a live PostgreSQL survives: one line of revisions, and indexes built CONCURRENTLY after the first."""
from __future__ import annotations

import io
import re
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def _config(buffer=None) -> Config:
    cfg = Config(output_buffer=buffer) if buffer is not None else Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["url"] = "postgresql+psycopg://offline@localhost/offline"
    return cfg


def test_the_migrations_form_one_line():
    """There is exactly one head: every migration continues the one before it."""
    assert len(ScriptDirectory.from_config(_config()).get_heads()) == 1


def test_indexes_after_the_initial_schema_are_built_concurrently_on_postgresql():
    """Every CREATE/DROP INDEX after 0001 is CONCURRENTLY on PostgreSQL, so building it never blocks writes."""
    out = io.StringIO()
    command.upgrade(_config(out), "0001:heads", sql=True)
    sql = out.getvalue()
    statements = re.findall(r"^(CREATE (?:UNIQUE )?INDEX[^\n]*|DROP INDEX[^\n]*)", sql, flags=re.M)
    assert statements, "no index statement after 0001: the check would prove nothing"
    blocking = [s for s in statements if "CONCURRENTLY" not in s]
    assert blocking == []
