"""The API suite starts where an operator starts: an empty database, bootstrapped from the command line.

Each module gets a database of its own (a fresh SQLite file, or a fresh
PostgreSQL database when TEST_DATABASE_URL is set), `init-db`,
`create-user admin --admin --password-stdin` and `issue-token admin`; after that
the tests speak only HTTP (api.md).
"""
from __future__ import annotations

import os
import uuid
from datetime import datetime, timezone

import pytest
from sqlalchemy import create_engine, text

from tests.api.support import PASSWORD, Api
from workflows.engine import FixedClock


@pytest.fixture(scope="module")
def empty_database(tmp_path_factory):
    """The URL of a database with no tables at all."""
    server = os.environ.get("TEST_DATABASE_URL")
    if not server:
        yield f"sqlite:///{tmp_path_factory.mktemp('api') / 'empty.db'}"
        return
    server = server.replace("postgresql://", "postgresql+psycopg://", 1)
    name = f"qt_api_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                              f"WHERE datname = '{name}' AND pid <> pg_backend_pid()"))
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


@pytest.fixture(scope="module")
def api_app(empty_database, tmp_path_factory):
    from app import TestConfig, create_app

    folder = tmp_path_factory.mktemp("api_instance")
    clock = FixedClock(datetime(2026, 11, 30, 2, 0, tzinfo=timezone.utc))
    flask_app = create_app({
        **{k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()},
        "DATABASE_URL": empty_database, "SECRET_KEY": "test-" + "x" * 40, "CLOCK": clock,
        "DOCUMENTS_DIR": str(folder / "documents"), "INSTANCE_PATH": str(folder / "instance"),
    })
    yield flask_app
    flask_app.extensions["quytrinh.engine"].dispose()


def cli(app, *args: str, input: str | None = None) -> str:
    result = app.test_cli_runner().invoke(args=list(args), input=input)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def api(api_app) -> Api:
    """The bootstrapped API: init-db, an admin from the command line, and the admin's token."""
    cli(api_app, "init-db")
    cli(api_app, "create-user", "admin", "--admin", "--password-stdin", input=PASSWORD + "\n")
    token = cli(api_app, "issue-token", "admin").strip().splitlines()[-1]
    return Api(client=api_app.test_client(), clock=api_app.config["CLOCK"], admin_token=token)
