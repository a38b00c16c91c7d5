"""Engines and sessions for SQLite (the embedded default) and PostgreSQL.

SQLite runs in WAL mode with a busy timeout, and a write transaction begins
IMMEDIATE: taking the write lock before the first read means two writers
never both read and then fail to upgrade ("database is locked").
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

WRITE_OPTION = "quytrinh_write"
SQLITE_BUSY_TIMEOUT_MS = 30_000


def make_engine(url: str, **kwargs) -> Engine:
    """Create an engine configured for this project's transaction discipline."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **kwargs)
        _configure_sqlite(engine)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy, not the driver, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        # synchronous stays FULL (the default): a commit is on disk before it is acknowledged,
        # so a power cut never loses a recorded decision (NORMAL could lose the last commits).
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        mode = "IMMEDIATE" if conn.get_execution_options().get(WRITE_OPTION) else "DEFERRED"
        # Straight on the driver: this runs before every transaction (SQLAlchemy's pysqlite recipe uses
        # exec_driver_sql, whose execution context costs more than the BEGIN itself).
        conn.connection.dbapi_connection.execute(f"BEGIN {mode}")


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit (views render them afterwards)."""
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def write_transaction(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: a session whose transaction is a write from its first statement.

    Commits once on success; rolls back on any exception, so nothing is half-written.
    """
    session = session_factory()
    try:
        session.connection(execution_options={WRITE_OPTION: True})
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


@contextmanager
def write_connection(engine: Engine) -> Iterator[Connection]:
    """One unit of work on a Core connection (the engine's transitions): a write from its first statement.

    Commits once on success; rolls back on any exception, so nothing is half-written.
    """
    with engine.connect().execution_options(**{WRITE_OPTION: True}) as conn:
        with conn.begin():
            yield conn


@contextmanager
def read_session(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session for reads; rolled back at the end (nothing to commit)."""
    session = session_factory()
    try:
        yield session
    finally:
        session.rollback()
        session.close()
