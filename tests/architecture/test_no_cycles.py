"""No import cycles anywhere in the project's packages: two modules that import each other mean one of them
holds something that belongs to a third, lower module (docs/architecture.md, «No cycles»)."""
from __future__ import annotations

from pathlib import Path

from tests.architecture.test_layering import ROOT, imports_in, module_name

PACKAGES = ("workflows", "models", "web", "scheduler")


def import_graph() -> dict[str, set[str]]:
    """Module → the project modules it imports anywhere in its source (functions included)."""
    paths = [p for package in PACKAGES for p in sorted((ROOT / package).rglob("*.py"))]
    modules = {module_name(p): p for p in paths}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets = set()
        for imp in imports_in(path.read_text(encoding="utf-8"), name, path.name == "__init__.py"):
            # `from pkg import mod` names a module; `from mod import name` names the module itself.
            for candidate in [f"{imp.module}.{n}" for n in imp.names] + [imp.module]:
                if candidate in modules:
                    targets.add(candidate)
                    break
        targets.discard(name)
        graph[name] = {t for t in targets if not name.startswith(t + ".")}  # a package's own __init__
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_project_has_no_import_cycle():
    """No two modules of workflows/, models/, web/, scheduler/ reach each other through imports."""
    assert cycles(import_graph()) == []


def test_the_cycle_finder_finds_a_cycle():
    """The checker can fail: a → b → c → a is reported, a tree is not."""
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_folder_holds_more_than_twenty_modules():
    """Rooms stay small: no package folder holds more than 20 modules (issue «Layout by concern»)."""
    crowded = {}
    for package in PACKAGES:
        for folder in [ROOT / package, *(p for p in (ROOT / package).rglob("*") if p.is_dir())]:
            count = len([p for p in folder.glob("*.py") if p.name != "__init__.py"])
            if count > 20:
                crowded[str(folder.relative_to(ROOT))] = count
    assert crowded == {}
