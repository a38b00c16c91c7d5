"""Index changes a live PostgreSQL keeps serving writes through: CREATE/DROP INDEX CONCURRENTLY.

A plain CREATE INDEX takes a lock that blocks every INSERT/UPDATE/DELETE on the table for the whole build;
on a national events table that is minutes of refused transitions. CONCURRENTLY cannot run inside a
transaction, so each statement runs in Alembic's autocommit block (what came before it is committed first).
SQLite builds indexes quickly and has no such form: there the plain statement runs.

If a concurrent build fails, PostgreSQL leaves an INVALID index behind: `DROP INDEX CONCURRENTLY name` and run
the migration again (docs/operations.md).
"""
from __future__ import annotations

from alembic import op


def _postgresql() -> bool:
    return op.get_context().dialect.name == "postgresql"  # works offline (--sql) too


def create_index_online(name: str, table: str, columns: list[str], **kw) -> None:
    """op.create_index, CONCURRENTLY on PostgreSQL."""
    if _postgresql():
        with op.get_context().autocommit_block():
            op.create_index(name, table, columns, postgresql_concurrently=True, **kw)
    else:
        op.create_index(name, table, columns, **kw)


def drop_index_online(name: str, table: str) -> None:
    """op.drop_index, CONCURRENTLY on PostgreSQL."""
    if _postgresql():
        with op.get_context().autocommit_block():
            op.drop_index(name, table_name=table, postgresql_concurrently=True)
    else:
        op.drop_index(name, table_name=table)
