"""`backup`, `restore` and `copy-database`: a consistent copy of a live database, a restore into an empty one,
and the way up from the embedded SQLite default to PostgreSQL.

    flask --app app backup FILE            SQLite: the online backup API (a SQLite file).
                                           PostgreSQL: pg_dump's custom format when pg_dump is installed,
                                           else the project's logical export: a SQLite file of the same schema.
    flask --app app restore FILE           into the configured database, which must be empty; creates the schema.
    flask --app app copy-database --to URL every row into an empty database at URL (schema created), then
                                           row counts and the replay check on the copy.
"""
from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import click
from alembic import command
from alembic.config import Config as AlembicConfig
from flask import Flask
from sqlalchemy import Engine, func, select
from sqlalchemy.engine import make_url

from models import Case, make_engine, make_session_factory
from models.transfer import (
    copy_rows,
    non_empty_tables,
    schema_version,
    verify_counts,
)
from workflows.engine import check_cases

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"


def upgrade_schema(migrations_dir: str, url: str) -> None:
    """Create or migrate the schema of the database at `url` to the newest migration."""
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", migrations_dir)
    cfg.attributes["url"] = url
    command.upgrade(cfg, "heads")


def _libpq_url(url: str) -> str:
    """The SQLAlchemy URL as libpq's tools take it (no '+driver')."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _sqlite_path(engine: Engine) -> str:
    return make_url(str(engine.url)).database or ""


def backup(engine: Engine, file: Path, migrations_dir: str) -> str:
    """Write a consistent copy of the live database to `file`; a line saying how."""
    if file.exists():
        raise click.ClickException(f"{file} exists already: choose a new file name (a backup never overwrites)")
    if engine.dialect.name == "sqlite":
        source = sqlite3.connect(_sqlite_path(engine))
        target = sqlite3.connect(file)
        try:
            source.backup(target)  # SQLite's online backup: consistent while writers go on
        finally:
            target.close()
            source.close()
        file.chmod(0o600)
        return f"SQLite online backup written to {file}"
    pg_dump = shutil.which("pg_dump")
    if pg_dump:
        done = subprocess.run([pg_dump, "--format=custom", "--no-owner", "--file", str(file),
                               "--dbname", _libpq_url(str(engine.url))], check=False, capture_output=True, text=True)
        if done.returncode != 0:
            file.unlink(missing_ok=True)
            raise click.ClickException(f"pg_dump failed: {done.stderr.strip()}")
        file.chmod(0o600)
        return f"pg_dump (custom format) written to {file}"
    # No pg_dump here: the project's logical export, a SQLite file with the same schema and every row.
    target_url = f"sqlite:///{file}"
    upgrade_schema(migrations_dir, target_url)
    target = make_engine(target_url)
    try:
        report = copy_rows(engine, target)
    finally:
        target.dispose()
    file.chmod(0o600)
    return f"logical export (SQLite file, {report.total} rows) written to {file}"


def restore(engine: Engine, file: Path, migrations_dir: str) -> str:
    """Restore a backup into the configured database, which must be empty; its schema is created."""
    if not file.is_file():
        raise click.ClickException(f"{file}: no such file")
    head = file.open("rb").read(16)
    busy = non_empty_tables(engine)
    if busy:
        raise click.ClickException(f"the database is not empty (rows in {', '.join(busy[:5])}): "
                                   "restore only into an empty database")
    if head.startswith(PGDUMP_MAGIC):
        if engine.dialect.name != "postgresql":
            raise click.ClickException("a pg_dump backup restores only into PostgreSQL")
        if schema_version(engine):
            raise click.ClickException("the database has a schema already: pg_restore needs an empty database")
        pg_restore = shutil.which("pg_restore")
        if not pg_restore:
            raise click.ClickException("pg_restore is not installed (apt-get install postgresql-client)")
        done = subprocess.run([pg_restore, "--no-owner", "--exit-on-error", "--single-transaction",
                               "--dbname", _libpq_url(str(engine.url)), str(file)], check=False, capture_output=True, text=True)
        if done.returncode != 0:
            raise click.ClickException(f"pg_restore failed (nothing restored): {done.stderr.strip()}")
        return f"restored {file} with pg_restore"
    if not head.startswith(SQLITE_MAGIC):
        raise click.ClickException(f"{file} is neither a quytrinh backup (SQLite file) nor a pg_dump archive")
    source = make_engine(f"sqlite:///{file}")
    try:
        upgrade_schema(migrations_dir, str(engine.url))
        if schema_version(source) != schema_version(engine):
            raise click.ClickException(f"the backup is at schema {sorted(schema_version(source))}, this release at "
                                       f"{sorted(schema_version(engine))}: restore it with the release that made it, "
                                       "then upgrade")
        report = copy_rows(source, engine)
    finally:
        source.dispose()
    return f"restored {report.total} rows from {file}"


def replay_check(url: str) -> tuple[int, int]:
    """(cases, mismatches) of the replay check on the database at `url`."""
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            mismatches = sum(1 for _ in check_cases(session))
            return session.scalar(select(func.count(Case.id))), mismatches
    finally:
        engine.dispose()


def register(app: Flask) -> None:
    migrations = lambda: app.config["MIGRATIONS_DIR"]  # read when the command runs

    @app.cli.command("backup")
    @click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
    def backup_command(file: Path) -> None:
        """A consistent copy of the live database into FILE."""
        click.echo(backup(app.extensions["quytrinh.engine"], file, migrations()))

    @app.cli.command("restore")
    @click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
    def restore_command(file: Path) -> None:
        """Restore FILE (a backup) into the configured, empty database; then run `check`."""
        click.echo(restore(app.extensions["quytrinh.engine"], file, migrations()))

    @app.cli.command("copy-database")
    @click.option("--to", "to_url", required=True, help="SQLAlchemy URL of the EMPTY target database.")
    def copy_database_command(to_url: str) -> None:
        """Copy every row of this database into an empty one (schema created there); verify counts and replay."""
        source = app.extensions["quytrinh.engine"]
        target = make_engine(to_url)
        try:
            busy = non_empty_tables(target)
            if busy:
                raise click.ClickException(f"the target is not empty (rows in {', '.join(busy[:5])})")
            if not schema_version(source):
                raise click.ClickException("the source has no schema: nothing to copy")
            upgrade_schema(migrations(), to_url)
            if schema_version(source) != schema_version(target):
                raise click.ClickException("run `flask --app app init-db` on the source first: its schema is older")
            last = {}

            def progress(table: str, rows: int) -> None:
                if rows - last.get(table, 0) >= 20_000:
                    last[table] = rows
                    click.echo(f"  {table}: {rows} rows", err=True)

            try:
                report = copy_rows(source, target, progress)
            except Exception as exc:  # any failure: the target's one transaction was rolled back
                raise click.ClickException(f"copy failed, nothing kept in the target: {exc}") from None
            differ = verify_counts(report, target)
        finally:
            target.dispose()
        if differ:
            raise click.ClickException(f"row counts differ after the copy: {differ}")
        cases, mismatches = replay_check(to_url)
        click.echo(f"copied {report.total} rows in {len(report.rows)} tables; counts equal; "
                   f"{cases} cases replayed on the copy, {mismatches} mismatches")
        if mismatches:
            sys.exit(1)

