"""Command line of the import (issue 16): the template, the import itself, and the export of a subtree.

    flask --app app import-template FILE.xlsx
    flask --app app import-members FILE [--dry-run] [--user NAME]
    flask --app app export-members FILE.xlsx [--organisation CODE_OR_ID]

import-members prints one line per error (sheet, row, column, code, message) and ends with
`created=N updated=N unchanged=N errors=N`; it exits 1 on any error (nothing written then).
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

import click
from flask import Flask
from sqlalchemy import select

from models import Organisation, User
from workflows.domain.errors import QuytrinhError
from workflows.imports import ImportRejected, run_import
from workflows.imports.reading import FileRejected, check_size
from workflows.imports.workbook import export_members, write_template


_clock = time.monotonic  # the bar's clock (a test moves it)


class _Bar:
    """A progress bar on standard error, shown once the import has taken more than a second."""

    def __init__(self, label: str):
        self.label, self.started, self.bar, self.done = label, _clock(), None, 0

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            if _clock() - self.started < 1.0 or done >= total:
                return
            self.bar = click.progressbar(length=max(total, 1), label=self.label, file=sys.stderr, show_pos=True)
            self.bar.__enter__()
        self.bar.update(max(0, done - self.done))
        self.done = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


def _actor(session, username: str | None) -> User:
    query = select(User).where(User.active.is_(True))
    if username:
        user = session.scalar(query.where(User.username == username))
        if user is None:
            raise click.ClickException(f"no active user {username!r}")
        return user
    user = session.scalar(query.where(User.is_admin.is_(True)).order_by(User.id))
    if user is None:
        raise click.ClickException("no active administrator: create one (create-user NAME --admin) or give --user")
    return user


def register(app: Flask) -> None:
    runtime = app.extensions["quytrinh"]

    @app.cli.command("import-template")
    @click.argument("file", type=click.Path(dir_okay=False, writable=True))
    def import_template(file: str) -> None:
        """Write the empty import workbook: headers, one example row, drop-down lists of the allowed values."""
        write_template(file)
        click.echo(f"wrote {file}")

    @app.cli.command("import-members")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False))
    @click.option("--dry-run", is_flag=True, help="Check and count only; write nothing.")
    @click.option("--user", "username", default=None,
                  help="The account the import is recorded under (default: the first administrator).")
    def import_members(file: str, dry_run: bool, username: str | None) -> None:
        """Import organisations and members from .xlsx, .csv or a .zip of to_chuc.csv and dang_vien.csv."""
        path = Path(file)
        with runtime.session_factory() as session:
            user = _actor(session, username)
            user_id, name = user.id, user.username
        click.echo(f"importing {path.name} as {name}{' (dry run)' if dry_run else ''}", err=True)
        try:
            check_size(path.stat().st_size)
        except FileRejected as exc:
            _print_errors([e.as_dict() for e in exc.errors])
            click.echo(f"created=0 updated=0 unchanged=0 errors={len(exc.errors)}")
            sys.exit(1)
        bar = _Bar("Đang nhập")
        try:
            report = run_import(runtime, actor_id=user_id, data=path.read_bytes(), filename=path.name,
                                dry_run=dry_run, progress=bar)
        except ImportRejected as exc:
            bar.close()
            report = exc.report
        except QuytrinhError as exc:
            bar.close()
            click.echo(f"error: {exc.message('vi')}", err=True)
            sys.exit(1)
        bar.close()
        _print_errors([e.as_dict() for e in report.errors])
        if report.errors_total > len(report.errors):
            click.echo(f"… và {report.errors_total - len(report.errors)} lỗi nữa")
        if report.errors_total and not dry_run:
            click.echo("Không ghi gì vào cơ sở dữ liệu (tệp có lỗi).", err=True)
        elif dry_run:
            click.echo("Chạy thử: không ghi gì vào cơ sở dữ liệu.", err=True)
        click.echo(report.summary())
        if report.errors_total:
            sys.exit(1)

    @app.cli.command("export-members")
    @click.argument("file", type=click.Path(dir_okay=False, writable=True))
    @click.option("--organisation", "organisation", default=None,
                  help="Code or id of the subtree's organisation (default: the one root organisation).")
    def export_members_command(file: str, organisation: str | None) -> None:
        """Write a subtree's organisations and members in the import layout (it re-imports unchanged)."""
        with runtime.session_factory() as session:
            org = _organisation(session, organisation)
            written = export_members(session, org.id, file)
        click.echo(f"wrote {file}: {written['organisations']} organisations, {written['members']} members")


def _organisation(session, wanted: str | None) -> Organisation:
    if wanted is None:
        roots = list(session.scalars(select(Organisation).where(Organisation.parent_id.is_(None)).limit(2)))
        if len(roots) != 1:
            raise click.ClickException("give --organisation (there is not exactly one root organisation)")
        return roots[0]
    org = session.scalar(select(Organisation).where(Organisation.code == wanted))
    if org is None and wanted.removeprefix("TC-").isdigit():
        org = session.get(Organisation, int(wanted.removeprefix("TC-")))
    if org is None:
        raise click.ClickException(f"no organisation {wanted!r}")
    return org


def _print_errors(errors: list[dict]) -> None:
    for e in errors:
        where = e["sheet"] + (f" dòng {e['row']}" if e["row"] else "") + (f" cột {e['column']}" if e["column"] else "")
        click.echo(f"{where}: [{e['code']}] {e['message']}")
