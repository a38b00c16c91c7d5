"""The procedure diagram: an SVG drawn on the server from the Procedure definition.

A small layered layout (Sugiyama style): states are put in rows by their
longest distance from the first state along the forward steps, long edges get
invisible waypoints in the rows they cross, and a few barycentre sweeps order
each row to reduce crossings. Side steps available from almost every state
(withdraw, return for rework, transfer, revoke, extend) are left out of the
drawing and listed beside it. No script, no style attribute: CSS classes only.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from html import escape

from markupsafe import Markup

from workflows.domain.definition import STAY, Procedure

SIDE = frozenset({"withdraw", "return_for_rework", "transfer", "revoke", "extend_deadline"})
NODE_W, LINE_H, PAD_Y, ROW_GAP, COL_GAP, VIRTUAL_W, MARGIN = 200, 16, 10, 46, 22, 16, 16
CHARS_PER_LINE = 26


@dataclass
class _Node:
    name: str
    label: str = ""
    virtual: bool = False
    final: bool = False
    side: bool = False
    row: int = 0
    x: float = 0.0
    y: float = 0.0
    lines: list[str] = field(default_factory=list)

    @property
    def width(self) -> float:
        return VIRTUAL_W if self.virtual else NODE_W

    @property
    def height(self) -> float:
        return 0 if self.virtual else len(self.lines) * LINE_H + 2 * PAD_Y


def wrap(text: str, width: int = CHARS_PER_LINE, max_lines: int = 3) -> list[str]:
    words, lines, line = text.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    if line:
        lines.append(line)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][: width - 1] + "…"
    return lines or [""]


def forward_edges(procedure: Procedure) -> list[tuple[str, str, str]]:
    """(source, destination, trigger) of every drawn step; side steps and stays left out."""
    edges: list[tuple[str, str, str]] = []
    open_states = [s for s in procedure.states if not s.final]
    for step in procedure.steps:
        # Steps possible from (almost) any open state are listed beside the drawing, not drawn.
        if step.trigger in SIDE or step.dest == STAY or len(step.sources) > max(2, len(open_states) // 2):
            continue
        for source in step.sources:
            for dest in step.destinations:
                if dest != source and (source, dest, step.trigger) not in edges:
                    edges.append((source, dest, step.trigger))
    return edges


def _layers(procedure: Procedure, edges) -> tuple[dict[str, int], set[tuple[str, str]]]:
    """Row of each reachable state (longest path from the first state) and the back edges."""
    succ: dict[str, list[str]] = defaultdict(list)
    for s, d, _t in edges:
        if d not in succ[s]:
            succ[s].append(d)
    back: set[tuple[str, str]] = set()
    order: list[str] = []
    state: dict[str, int] = {}

    def visit(node: str) -> None:  # depth-first: back edges close cycles (e.g. defer/resume)
        state[node] = 1
        for nxt in succ[node]:
            if state.get(nxt) == 1:
                back.add((node, nxt))
            elif nxt not in state:
                visit(nxt)
        state[node] = 2
        order.append(node)

    visit(procedure.initial)
    rows = {procedure.initial: 0}
    for node in reversed(order):  # topological order of the acyclic part
        for nxt in succ[node]:
            if (node, nxt) not in back:
                rows[nxt] = max(rows.get(nxt, 0), rows[node] + 1)
    return rows, back


def layout(procedure: Procedure, labels: dict[str, str]) -> tuple[list[_Node], list[list[_Node]], float, float]:
    edges = forward_edges(procedure)
    rows, back = _layers(procedure, edges)
    nodes = {s.name: _Node(s.name, labels.get(s.name, s.name), final=s.final) for s in procedure.states}
    last = max(rows.values(), default=0)
    side = [n for n in nodes.values() if n.name not in rows]
    for n in side:
        n.side, n.row = True, last + 1
    for name, row in rows.items():
        nodes[name].row = row
    # Waypoints for edges that cross rows.
    paths: list[list[_Node]] = []
    virtual_count = 0
    for s, d, _t in edges:
        a, b = nodes[s], nodes[d]
        if (s, d) in back:
            paths.append([a, b])
            continue
        chain = [a]
        for row in range(a.row + 1, b.row):
            virtual_count += 1
            v = _Node(f"_v{virtual_count}", virtual=True, row=row)
            nodes[v.name] = v
            chain.append(v)
        chain.append(b)
        paths.append(chain)
    grid: dict[int, list[_Node]] = defaultdict(list)
    for n in nodes.values():
        grid[n.row].append(n)
    _order(grid, paths)
    for n in nodes.values():
        n.lines = [] if n.virtual else wrap(n.label)
    _place(grid, paths)
    min_x = min(n.x for n in nodes.values())
    for n in nodes.values():
        n.x += MARGIN - min_x
    total_w = max(n.x + n.width for n in nodes.values()) + MARGIN
    y = MARGIN
    for r in sorted(grid):
        row_h = max((n.height for n in grid[r]), default=0) or LINE_H
        for n in grid[r]:
            n.y = y + (row_h - n.height) / 2
        y += row_h + ROW_GAP
    return list(nodes.values()), paths, total_w, y - ROW_GAP + MARGIN


def _neighbours(paths: list[list[_Node]]) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    up: dict[str, list[str]] = defaultdict(list)
    down: dict[str, list[str]] = defaultdict(list)
    for chain in paths:
        for a, b in zip(chain, chain[1:]):
            if b.row == a.row + 1:
                down[a.name].append(b.name)
                up[b.name].append(a.name)
    return up, down


def _crossings(upper: list[_Node], lower: list[_Node], down: dict[str, list[str]]) -> int:
    """Edge crossings between two adjacent rows in their current order."""
    where = {n.name: i for i, n in enumerate(lower)}
    pairs = [(i, where[m]) for i, n in enumerate(upper) for m in down[n.name] if m in where]
    return sum(1 for a in range(len(pairs)) for b in range(a + 1, len(pairs))
               if (pairs[a][0] - pairs[b][0]) * (pairs[a][1] - pairs[b][1]) < 0)


def _place(grid: dict[int, list[_Node]], paths: list[list[_Node]]) -> None:
    """x of each node: packed in row order, then pulled under its parents (and over its children)."""
    up, down = _neighbours(paths)
    by_name = {n.name: n for ns in grid.values() for n in ns}
    for r in grid:
        x = 0.0
        for n in grid[r]:
            n.x, x = x, x + n.width + COL_GAP
    rows = sorted(grid)
    for sweep in range(4):
        order = rows[1:] if sweep % 2 == 0 else list(reversed(rows[:-1]))
        near = up if sweep % 2 == 0 else down
        for r in order:
            row = grid[r]
            wanted = []
            for n in row:
                others = [by_name[m] for m in near[n.name]]
                centre = sum(o.x + o.width / 2 for o in others) / len(others) if others else n.x + n.width / 2
                wanted.append(centre - n.width / 2)
            # Keep the order and the gaps; come as close as possible to the wanted places.
            placed: list[float] = []
            for i, n in enumerate(row):
                x = wanted[i] if not placed else max(wanted[i], placed[-1] + row[i - 1].width + COL_GAP)
                placed.append(x)
            # Pushing right keeps the gaps; moving the whole row back by the mean push centres it.
            shift = sum(w - p for w, p in zip(wanted, placed)) / len(row)
            for n, x in zip(row, placed):
                n.x = x + shift


def _order(grid: dict[int, list[_Node]], paths: list[list[_Node]]) -> None:
    """Barycentre sweeps: each node moves towards the mean position of its neighbours."""
    up, down = _neighbours(paths)
    position = {n.name: i for ns in grid.values() for i, n in enumerate(ns)}
    rows = sorted(grid)
    for sweep in range(6):
        sequence = rows[1:] if sweep % 2 == 0 else list(reversed(rows[:-1]))
        neighbours = up if sweep % 2 == 0 else down
        for r in sequence:
            def key(n: _Node) -> float:
                near = [position[m] for m in neighbours[n.name]]
                return sum(near) / len(near) if near else position[n.name]
            grid[r].sort(key=lambda n: (n.side, key(n)))
            for i, n in enumerate(grid[r]):
                position[n.name] = i
    # Greedy adjacent swaps while they remove crossings with the rows above and below.
    improved = True
    while improved:
        improved = False
        for r in rows:
            row = grid[r]
            for i in range(len(row) - 1):
                if row[i].side or row[i + 1].side:
                    continue
                def cost() -> int:
                    total = 0
                    if r - 1 in grid:
                        total += _crossings(grid[r - 1], row, down)
                    if r + 1 in grid:
                        total += _crossings(row, grid[r + 1], down)
                    return total
                before = cost()
                centre = (len(row) - 1) / 2
                # A waypoint at the edge of a row makes a long detour: move it inwards when that costs nothing.
                inwards = (row[i].virtual and not row[i + 1].virtual and abs(i + 1 - centre) < abs(i - centre)) or \
                    (row[i + 1].virtual and not row[i].virtual and abs(i - centre) < abs(i + 1 - centre))
                row[i], row[i + 1] = row[i + 1], row[i]
                after = cost()
                if after < before or (after == before and inwards):
                    improved = True
                else:
                    row[i], row[i + 1] = row[i + 1], row[i]


def _path_d(chain: list[_Node], back: bool) -> str:
    if back:  # a step back up (e.g. resume): from the top of the source to the bottom of the target, off-centre
        a, b = chain
        x1, y1 = a.x + a.width * 0.72, a.y
        x2, y2 = b.x + b.width * 0.72, b.y + b.height + 4
        mid = (y1 + y2) / 2
        return f"M{x1:.1f},{y1:.1f} C{x1:.1f},{mid:.1f} {x2:.1f},{mid:.1f} {x2:.1f},{y2:.1f}"
    points = []
    for i, n in enumerate(chain):
        cx = n.x + n.width / 2
        if i == 0:
            points.append((cx, n.y + n.height))
        elif i == len(chain) - 1:
            points.append((cx, n.y - 4))
        else:
            points.append((cx, n.y))
    d = f"M{points[0][0]:.1f},{points[0][1]:.1f}"
    for (x1, y1), (x2, y2) in zip(points, points[1:]):
        mid = (y1 + y2) / 2
        d += f" C{x1:.1f},{mid:.1f} {x2:.1f},{mid:.1f} {x2:.1f},{y2:.1f}"
    return d


def render_svg(procedure: Procedure, *, labels: dict[str, str], step_labels: dict[str, str], current: str | None,
               visited: set[str], title: str, description: str, side_caption: str, ident: str = "diagram",
               taken: set[tuple[str, str]] | None = None) -> Markup:
    """The SVG markup of a procedure with the current state (and those passed) highlighted.

    `taken`: the (from, to) moves the case made; only their edges are drawn as passed — two visited
    states joined by a step the case did not take stay plain (without it: every edge between visited states)."""
    nodes, paths, width, height = layout(procedure, labels)
    rows, back = _layers(procedure, forward_edges(procedure))
    edge_triggers = {(s, d): t for s, d, t in forward_edges(procedure)}
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="diagram" viewBox="0 0 {width:.0f} {height + 22:.0f}" '
        f'width="{width:.0f}" height="{height + 22:.0f}" role="img" aria-labelledby="{ident}-title {ident}-desc">',
        f'<title id="{ident}-title">{escape(title)}</title><desc id="{ident}-desc">{escape(description)}</desc>',
        f'<defs><marker id="{ident}-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerUnits="userSpaceOnUse" markerWidth="11" markerHeight="11" '
        'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" class="diagram__arrowhead"/></marker></defs>',
    ]
    for chain in paths:
        is_back = (chain[0].name, chain[-1].name) in back
        trigger = edge_triggers.get((chain[0].name, chain[-1].name), "")
        ends = (chain[0].name, chain[-1].name)
        passed = ends in taken if taken is not None else (ends[0] in visited and ends[1] in visited)
        css = "diagram__edge" + (" diagram__edge--passed" if passed else "") + (" diagram__edge--back" if is_back else "")
        out.append(f'<path class="{css}" d="{_path_d(chain, is_back)}" marker-end="url(#{ident}-arrow)">'
                   f'<title>{escape(step_labels.get(trigger, trigger))}</title></path>')
    side_top = None
    for n in nodes:
        if n.virtual:
            continue
        css = ["diagram__state"]
        if n.final:
            css.append("diagram__state--final")
        if n.side:
            css.append("diagram__state--side")
            side_top = n.y if side_top is None else min(side_top, n.y)
        if n.name in visited:
            css.append("diagram__state--visited")
        if n.name == current:
            css.append("diagram__state--current")
        current_attr = ' aria-current="step"' if n.name == current else ""
        out.append(f'<g class="{" ".join(css)}"{current_attr}><rect x="{n.x:.1f}" y="{n.y:.1f}" width="{n.width}" '
                   f'height="{n.height}" rx="8"/>')
        for i, line in enumerate(n.lines):
            ty = n.y + PAD_Y + LINE_H * (i + 0.78)
            out.append(f'<text x="{n.x + n.width / 2:.1f}" y="{ty:.1f}" text-anchor="middle">{escape(line)}</text>')
        out.append("</g>")
    if side_top is not None:
        out.append(f'<text class="diagram__caption" x="{MARGIN}" y="{side_top - 10:.1f}">{escape(side_caption)}</text>')
    out.append("</svg>")
    return Markup("".join(out))
