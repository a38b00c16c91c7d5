"""`flask --app app procedures-reference`: write docs/procedures/ (Markdown + SVG diagrams) from the definitions.

`--check` writes nothing and exits 1 when a checked-in file differs (the test suite runs the same comparison).
"""
from __future__ import annotations

from pathlib import Path

import click
from flask import Flask

from web.cases.diagram import forward_edges, render_svg
from workflows.domain.definition import Procedure
from workflows.procedures.reference import reference_files

DOCS = Path(__file__).resolve().parents[2] / "docs" / "procedures"

# The page's stylesheet does not travel with a standalone file: the diagram carries its own colours.
STANDALONE_STYLE = (
    "<style>.diagram{font-family:sans-serif;font-size:13px}"
    ".diagram__state rect{fill:#fff;stroke:#9aa4b0;stroke-width:1.2}.diagram__state text{fill:#1d232b}"
    ".diagram__state--final rect{stroke-width:2.4}.diagram__state--side rect{stroke-dasharray:5 4}"
    ".diagram__edge{fill:none;stroke:#8a949f;stroke-width:1.4}.diagram__edge--back{stroke-dasharray:4 3}"
    ".diagram__arrowhead{fill:#6b7480}.diagram__caption{fill:#5b6470;font-size:12px}</style>"
)


def standalone_svg(procedure: Procedure) -> str:
    """The procedure's diagram as a file of its own (Vietnamese labels, nothing highlighted)."""
    svg = str(render_svg(
        procedure, labels={s.name: s.label_vi for s in procedure.states},
        step_labels={s.trigger: s.label_vi for s in procedure.steps}, current=None, visited=set(),
        title=f"Sơ đồ thủ tục: {procedure.label_vi}", description=f"{procedure.name} ({procedure.rule_set})",
        side_caption="Từ bất kỳ bước nào đang mở: " + ", ".join(
            s.label_vi for s in procedure.states
            if s.final and s.name not in {dst for _s, dst, _t in forward_edges(procedure)}),
        ident=f"{procedure.name}-diagram",
    ))
    head, _, rest = svg.partition(">")
    return f"{head}>{STANDALONE_STYLE}{rest}\n"


def generated() -> dict[str, str]:
    return reference_files(standalone_svg)


def stale_files(folder: Path = DOCS) -> list[str]:
    """Relative paths whose checked-in content differs from the definitions (missing or extra files too)."""
    wanted = generated()
    present = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()} if folder.exists() else set()
    stale = [path for path, text in wanted.items()
             if path not in present or (folder / path).read_text(encoding="utf-8") != text]
    return sorted(stale + [p for p in present if p not in wanted])


def register(app: Flask) -> None:
    @app.cli.command("procedures-reference")
    @click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=DOCS, show_default=True)
    @click.option("--check", is_flag=True, help="Write nothing; exit 1 if a file is stale.")
    def procedures_reference(out: Path, check: bool) -> None:
        """Write the generated reference of every procedure (Markdown + SVG) to docs/procedures/."""
        if check:
            stale = stale_files(out)
            for path in stale:
                click.echo(f"stale: {path}")
            raise SystemExit(1 if stale else 0)
        wanted = generated()
        if out.exists():
            for old in out.rglob("*"):
                if old.is_file() and old.relative_to(out).as_posix() not in wanted:
                    old.unlink()
        for path, text in wanted.items():
            target = out / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        click.echo(f"wrote {len(wanted)} files to {out}")
