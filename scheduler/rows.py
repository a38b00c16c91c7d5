"""Outbox writing shared by the scan and the digest: statuses and the duplicate-proof inserts.

The unique dedupe key, not any lock, is what makes a second scan or a second
scheduler write nothing twice: every insert is INSERT … ON CONFLICT
(dedupe_key) DO NOTHING, on SQLite and PostgreSQL alike.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

from models import Deadline, OutboxMessage

OUTBOX = OutboxMessage.__table__
DEADLINES = Deadline.__table__

# Outbox statuses besides queued|sending|sent|failed|held: a digest user's items wait for the
# day's digest ("digest_wait") and are then "digested" into it (the digest row lists their ids).
DIGEST_WAIT = "digest_wait"
DIGESTED = "digested"

BULK_COLUMNS = ("dedupe_key", "kind", "user_id", "deadline_id", "stage", "to_address", "subject", "body_text",
                "body_html", "message_id", "status", "attempts", "next_attempt_at", "created_at", "payload")


def insert_ignoring_duplicates(session: Session):
    """INSERT … ON CONFLICT (dedupe_key) DO NOTHING for the session's dialect, returning the new ids."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    return insert(OUTBOX).on_conflict_do_nothing(index_elements=["dedupe_key"]).returning(OUTBOX.c.id)


def _placeholder(dialect: Dialect) -> str:
    return "%s" if dialect.paramstyle in ("format", "pyformat") else "?"


def driver_timestamp(session: Session, instant: Any) -> Any:
    """An instant as the driver takes it for our UTC timestamp columns (naive UTC text on SQLite)."""
    dialect = session.connection().dialect
    process = OUTBOX.c.created_at.type.dialect_impl(dialect).bind_processor(dialect)
    return process(instant) if process else instant


def bulk_insert_outbox(session: Session, rows: Sequence[tuple]) -> int:
    """Insert many outbox rows through the driver (executemany), skipping duplicates; return how many are new.

    The scan's hot path: one statement for a batch, rows given as driver-ready tuples in
    BULK_COLUMNS order (timestamps from driver_timestamp, the payload as JSON text).
    """
    if not rows:
        return 0
    connection = session.connection()
    mark = _placeholder(connection.dialect)
    sql = (f"INSERT INTO outbox ({', '.join(BULK_COLUMNS)}) VALUES ({', '.join([mark] * len(BULK_COLUMNS))}) "
           "ON CONFLICT (dedupe_key) DO NOTHING")
    return connection.exec_driver_sql(sql, list(rows)).rowcount


def bulk_plan_deadlines(session: Session, plans: Sequence[tuple[int, Any]]) -> None:
    """Set next_reminder_on for many deadlines: (deadline id, date) pairs, one executemany."""
    if not plans:
        return
    connection = session.connection()
    dialect = connection.dialect
    process = DEADLINES.c.next_reminder_on.type.dialect_impl(dialect).bind_processor(dialect)
    mark = _placeholder(dialect)
    connection.exec_driver_sql(f"UPDATE deadlines SET next_reminder_on = {mark} WHERE id = {mark}",
                               [(process(day) if process else day, ident) for ident, day in plans])
