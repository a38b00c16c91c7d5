"""The tamper-evident record on the command line (docs/record.md).

    flask --app app check [--heads FILE]    replay + verify the hash chains (app.py calls verify_record)
    flask --app app record-heads > heads.jsonl    export every chain's signed head, one JSON object a line
    flask --app app record-grants ROLE       the PostgreSQL GRANTs for an app role that may only append
"""
from __future__ import annotations

import json
import sys

import click
from flask import Flask

from workflows.engine.record_check import check_record, compare_heads, heads
from workflows.engine.runtime import Runtime


def verify_record(rt: Runtime, heads_file=None) -> int:
    """Print the first broken link of every chain and a summary line; the number of broken chains."""
    with rt.session_factory() as session:
        broken, tally = check_record(session)
        if heads_file is not None:
            exported = [json.loads(line) for line in heads_file if line.strip()]
            broken += list(compare_heads(session, exported))
    for link in broken:
        click.echo(str(link))
    click.echo(f"record: {tally.events} events in {tally.cases} case chains, {tally.audit_rows} audit rows in "
               f"{tally.lanes} lanes, {len(broken)} broken")
    return len(broken)


def grants_sql(role: str, tables: list[str]) -> str:
    """GRANTs for the app's own role: it may append to the record but never rewrite, delete or empty it."""
    if not role.replace("_", "").isalnum():
        raise click.BadParameter("a role name is letters, digits and _ only")
    lines = [
        "-- Run as the owner of the tables (the role that ran `flask --app app init-db`).",
        f"GRANT USAGE ON SCHEMA public TO {role};",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role};",
    ]
    for table in tables:
        if table in ("events", "audit_log"):
            privileges = "SELECT, INSERT"  # the record: append only
        elif table == "chain_heads":
            privileges = "SELECT, UPDATE"  # the heads move forward (a trigger refuses backwards)
        elif table == "alembic_version":
            privileges = "SELECT"
        else:
            privileges = "SELECT, INSERT, UPDATE, DELETE"
        lines.append(f"REVOKE ALL ON {table} FROM {role};")
        lines.append(f"GRANT {privileges} ON {table} TO {role};")
    return "\n".join(lines) + "\n"


def register(app: Flask) -> None:
    @app.cli.command("record-heads")
    def record_heads_command() -> None:
        """Print every chain's signed head as JSON lines; keep them elsewhere, give them to `check --heads`."""
        with app.extensions["quytrinh"].session_factory() as session:
            for head in heads(session):
                click.echo(json.dumps(head, sort_keys=True))

    @app.cli.command("record-grants")
    @click.argument("role")
    def record_grants_command(role) -> None:
        """Print the PostgreSQL GRANTs for ROLE: append-only on events and audit_log (docs/record.md)."""
        engine = app.extensions["quytrinh.engine"]
        if engine.dialect.name != "postgresql":
            click.echo("error: roles and grants are a PostgreSQL matter (SQLite has none)", err=True)
            sys.exit(1)
        from sqlalchemy import inspect

        click.echo(grants_sql(role, sorted(inspect(engine).get_table_names())), nl=False)
