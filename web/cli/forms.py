"""Command line: one form of a case as a file, and drawing the issued documents not drawn yet."""
from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask, current_app

from workflows.domain.errors import QuytrinhError
from workflows.forms.issued import draw_pending, form_file


def register(app: Flask) -> None:
    @app.cli.command("render-form")
    @click.argument("case_id", type=int)
    @click.argument("form_id")
    @click.option("--format", "fmt", type=click.Choice(["pdf", "docx"]), default="pdf", show_default=True)
    @click.option("--draft", is_flag=True, help="The draft marked «DỰ THẢO», with dotted blanks.")
    @click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False, writable=True),
                  help="The file to write.")
    def render_form(case_id: int, form_id: str, fmt: str, draft: bool, output: str) -> None:
        """Write form FORM_ID of case CASE_ID (e.g. 9-KND) as PDF or Word; exit 1 if it is not available."""
        try:
            file = form_file(current_app.extensions["quytrinh"], actor_id=None, case_id=case_id, form_id=form_id,
                             fmt=fmt, draft=draft)
        except QuytrinhError as exc:
            click.echo(f"error: {exc.message('en')}", err=True)
            sys.exit(1)
        Path(output).write_bytes(file.content)
        click.echo(f"{output}: {file.filename} ({len(file.content)} bytes)")

    @app.cli.command("draw-forms")
    def draw_forms() -> None:
        """Draw and keep the PDF and Word files of every issued document not drawn yet."""
        count = draw_pending(current_app.extensions["quytrinh"])
        click.echo(f"drawn={count}")
