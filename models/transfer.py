"""Copy every row of one database into another of the same schema: the way up from the embedded SQLite default
to PostgreSQL (`copy-database`), and the logical backup and restore where pg_dump is not at hand.

The source is read in ONE transaction (a consistent snapshot while the application keeps running: SQLite's
WAL readers see the database as of their first read, PostgreSQL's REPEATABLE READ the same), table by table
in foreign-key order, streamed in batches so memory does not grow with the database. Values go through the
same SQLAlchemy column types on both sides, so timestamps, dates, JSON and the hashes stored in them arrive
exactly as they left. Identity sequences are moved past the copied ids on PostgreSQL.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Engine, Integer, func, inspect, select, text

from models.base import Base

BATCH = 2000
# Tables whose rows the migrations themselves write (the record's signed heads, one per audit lane: the empty
# chains' genesis). A copy updates them to the source's heads (they may only move forward) and inserts the
# source's other lanes; they do not make a target "not empty", and their counts may differ by dialect.
SEEDED = {"chain_heads"}


@dataclass
class CopyReport:
    rows: dict[str, int] = field(default_factory=dict)  # table -> rows copied

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def tables():
    """The project's tables, parents before children."""
    return Base.metadata.sorted_tables


def non_empty_tables(engine: Engine) -> list[str]:
    """The project's tables that already hold rows in this database (a copy's target must have none)."""
    present = set(inspect(engine).get_table_names())
    found = []
    with engine.connect() as conn:
        for table in tables():
            if table.name in SEEDED:
                continue
            if table.name in present and conn.execute(select(table.c[0]).limit(1)).first() is not None:
                found.append(table.name)
    return found


def schema_version(engine: Engine) -> set[str]:
    """The Alembic revisions a database is at (empty when it has no schema yet)."""
    if "alembic_version" not in inspect(engine).get_table_names():
        return set()
    with engine.connect() as conn:
        return {row[0] for row in conn.execute(text("SELECT version_num FROM alembic_version"))}


def row_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one() for t in tables()}


def copy_rows(source: Engine, target: Engine, progress: Callable[[str, int], None] | None = None) -> CopyReport:
    """Copy every row of the project's tables from `source` into `target` (schema already created, empty).

    The target is written in one transaction: a failure leaves it as it was.
    """
    report = CopyReport()
    with source.connect() as src, target.begin() as dst:
        # One read transaction (SQLAlchemy begins it on the first statement; on SQLite models/db.py's BEGIN
        # DEFERRED): the snapshot of the first read holds for every table.
        if source.dialect.name == "postgresql":
            src.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"))
        for table in tables():
            copied = 0
            order = [c for c in table.primary_key.columns] or list(table.columns)
            result = src.execution_options(stream_results=True, yield_per=BATCH).execute(
                select(table).order_by(*order))
            for batch in result.mappings().partitions(BATCH):
                rows = [dict(row) for row in batch]
                if table.name in SEEDED:
                    _upsert(dst, table, rows)
                else:
                    dst.execute(table.insert(), rows)
                copied += len(batch)
                if progress:
                    progress(table.name, copied)
            report.rows[table.name] = copied
        if target.dialect.name == "postgresql":
            _advance_sequences(dst)
    return report


def _upsert(conn, table, rows: list[dict]) -> None:
    """Update the rows the target's migrations seeded; insert the others."""
    keys = [c.name for c in table.primary_key.columns]
    for row in rows:
        where = [table.c[k] == row[k] for k in keys]
        values = {k: v for k, v in row.items() if k not in keys}
        if not conn.execute(table.update().where(*where).values(**values)).rowcount:
            conn.execute(table.insert(), [row])


def _advance_sequences(conn) -> None:
    """Move each integer primary key's sequence past the copied ids, so the next insert gets a new one."""
    for table in tables():
        keys = list(table.primary_key.columns)
        if len(keys) != 1 or not isinstance(keys[0].type, Integer):
            continue
        sequence = conn.execute(text("SELECT pg_get_serial_sequence(:t, :c)"),
                                {"t": table.name, "c": keys[0].name}).scalar()
        if sequence:
            conn.execute(text(f"SELECT setval('{sequence}', COALESCE((SELECT MAX({keys[0].name}) FROM "
                              f"{table.name}), 0) + 1, false)"))


def verify_counts(report: CopyReport, target: Engine) -> dict[str, tuple[int, int]]:
    """Tables whose rows in the target differ from what the copy read: name -> (copied, in the target)."""
    after = row_counts(target)
    return {name: (n, after.get(name, -1)) for name, n in report.rows.items()
            if name not in SEEDED and after.get(name, -1) != n}
