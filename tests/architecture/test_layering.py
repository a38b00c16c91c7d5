"""The import rules of architecture.md, checked on the source: who may import whom.

Every .py file under workflows/, models/, web/ and scheduler/ is parsed and its
imports (anywhere in the file, relative ones resolved) are checked against the
table. import-linter checks the transitive chains of the same contracts.
"""
from __future__ import annotations

import ast
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FLASK_GLOBALS = {"request", "g", "current_app", "session"}


@dataclass(frozen=True)
class Imported:
    module: str  # absolute dotted name, relative imports resolved
    names: tuple[str, ...]  # for `from X import a, b`
    line: int


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_in(source: str, module: str, is_package: bool) -> list[Imported]:
    """Every import of a module's source, wherever it appears (functions and TYPE_CHECKING blocks too)."""
    package = module if is_package else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [Imported(alias.name, (), node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = tuple(alias.name for alias in node.names)
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1])
                if node.module:
                    found.append(Imported(f"{base}.{node.module}", names, node.lineno))
                else:  # `from . import admission`: each name is a module of the package
                    found += [Imported(f"{base}.{name}", (), node.lineno) for name in names]
            else:
                found.append(Imported(node.module, names, node.lineno))
    return found


def files(folder: str, exclude: tuple[str, ...] = ()) -> list[Path]:
    found = [p for p in sorted((ROOT / folder).rglob("*.py"))
             if not any(p.relative_to(ROOT).as_posix().startswith(e + "/") for e in exclude)]
    assert found, f"no Python files under {folder}/"
    return found


def within(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def violations(paths: list[Path], forbidden: tuple[str, ...], *, no_flask_globals: bool = False) -> list[str]:
    """'file:line imports X' for every import of a forbidden package (or of a flask global)."""
    problems = []
    for path in paths:
        for imp in imports_in(path.read_text(encoding="utf-8"), module_name(path), path.name == "__init__.py"):
            where = f"{path.relative_to(ROOT)}:{imp.line}"
            bad = [p for p in forbidden if within(imp.module, p)]
            if bad:
                problems.append(f"{where} imports {imp.module}")
            if no_flask_globals and within(imp.module, "flask") and FLASK_GLOBALS & set(imp.names):
                problems.append(f"{where} imports flask globals {sorted(FLASK_GLOBALS & set(imp.names))}")
    return problems


def flask_global_attributes(paths: list[Path]) -> list[str]:
    """`flask.request` and the like used through `import flask`."""
    problems = []
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "flask" \
                    and node.attr in FLASK_GLOBALS:
                problems.append(f"{path.relative_to(ROOT)}:{node.lineno} uses flask.{node.attr}")
    return problems


# ---------------------------------------------------------------- the table of architecture.md

DEFINITIONS = files("workflows/domain") + files("workflows/procedures")
ROOMS_ABOVE_PROCEDURES = ("engine", "read", "directory", "dossier", "accounts", "reports", "forms", "demo")
# Definitions are pure: the stdlib, transitions, holidays and each other. Importing the engine or the
# demo would drag sqlalchemy and models in through the back door.
DEFINITIONS_ALLOWED_THIRD_PARTY = {"transitions", "holidays"}


def test_definitions_import_no_framework_no_storage_no_edges():
    """workflows/ definitions import no flask, sqlalchemy, models, web, scheduler (nor the engine or demo)."""
    assert violations(DEFINITIONS, ("flask", "sqlalchemy", "models", "web", "scheduler", "app",
                                    *(f"workflows.{room}" for room in ROOMS_ABOVE_PROCEDURES))) == []


def test_definitions_import_only_the_stdlib_transitions_and_holidays():
    """Every import of a definition module is the stdlib, transitions, holidays or workflows itself."""
    allowed = set(sys.stdlib_module_names) | DEFINITIONS_ALLOWED_THIRD_PARTY | {"workflows", "__future__"}
    outside = []
    for path in DEFINITIONS:
        for imp in imports_in(path.read_text(encoding="utf-8"), module_name(path), path.name == "__init__.py"):
            if imp.module.split(".")[0] not in allowed:
                outside.append(f"{path.relative_to(ROOT)}:{imp.line} imports {imp.module}")
    assert outside == []


def test_engine_and_demo_never_import_flask_or_the_edges():
    """workflows/engine (and the demo built on it) never import flask, web or scheduler."""
    paths = files("workflows/engine") + files("workflows/demo")
    assert violations(paths, ("flask", "web", "scheduler", "app")) == []


def test_the_vocabulary_never_imports_the_procedures():
    """workflows/domain (the vocabulary) is the lowest room: it imports no procedure."""
    assert violations(files("workflows/domain"), ("workflows.procedures",)) == []


def test_the_engine_never_imports_the_rooms_built_on_it():
    """workflows/engine (what one `fire` needs) imports neither the read side nor accounts, reports, directory."""
    assert violations(files("workflows/engine"), tuple(f"workflows.{room}" for room in ROOMS_ABOVE_PROCEDURES
                                                       if room != "engine")) == []


def test_the_read_side_and_reports_never_fire_a_step():
    """workflows/read and workflows/reports never import the transition's writers (transitions, effects)."""
    paths = files("workflows/read") + files("workflows/reports")
    assert violations(paths, ("workflows.engine.transitions", "workflows.engine.effects",
                              "workflows.engine.automatic", "workflows.directory", "workflows.dossier",
                              "workflows.accounts")) == []


def test_models_import_nothing_of_the_project():
    """models/ imports neither flask nor workflows, web, scheduler."""
    assert violations(files("models"), ("flask", "workflows", "web", "scheduler", "app")) == []


def test_web_never_imports_the_scheduler():
    """web/ never imports scheduler/ (nor app.py, which does)."""
    assert violations(files("web"), ("scheduler", "app")) == []


def test_scheduler_never_imports_the_web_or_flask_globals():
    """scheduler/ never imports web/ (nor app.py), nor flask's request globals."""
    paths = files("scheduler")
    assert violations(paths, ("web", "app"), no_flask_globals=True) + flask_global_attributes(paths) == []


# ---------------------------------------------------------------- the checker itself


def test_the_import_walker_resolves_relative_and_nested_imports():
    """The walker sees relative imports, imports inside functions, and names imported from a package."""
    source = (
        "from __future__ import annotations\n"
        "from . import admission\n"
        "from ..engine import fire\n"
        "import sqlalchemy.orm as orm\n"
        "def f():\n"
        "    from flask import request\n"
    )
    found = imports_in(source, "workflows.demo.walk", is_package=False)
    assert [i.module for i in found] == ["__future__", "workflows.demo.admission", "workflows.engine",
                                         "sqlalchemy.orm", "flask"]
    assert found[-1].names == ("request",)
    # A real file that does import models is caught (so the checks above can fail).
    walk = ROOT / "workflows" / "demo" / "walk.py"
    assert any("imports models" in v for v in violations([walk], ("models",)))
    assert imports_in("from .. import x", "workflows.engine", is_package=True)[0].module == "workflows.x"


def test_import_linter_contracts_are_kept():
    """`lint-imports` (pyproject [tool.importlinter]) keeps every contract, transitive chains included."""
    lint = Path(sys.executable).with_name("lint-imports")
    assert lint.exists(), "import-linter is a test dependency: pip install -e '.[test]'"
    result = subprocess.run([str(lint), "--no-cache", "--no-logo"], cwd=ROOT, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout
