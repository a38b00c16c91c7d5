"""Charts of the report pages as plain SVG geometry, drawn by templates/reports/_charts.html.

No JavaScript and nothing from the internet: the page carries the SVG itself
(colours are SVG presentation attributes, which the CSP's style-src does not
govern). Every chart sits next to the table holding the same numbers.
"""
from __future__ import annotations

from dataclasses import dataclass

# Colour-blind-safe palette (Okabe–Ito), one colour per figure.
PALETTE = ("#0072B2", "#009E73", "#D55E00", "#CC79A7", "#000000", "#E69F00", "#56B4E9", "#F0E442", "#999999")


@dataclass(frozen=True)
class Series:
    key: str
    label: str
    colour: str
    points: tuple[tuple[float, float], ...]  # SVG coordinates
    values: tuple[int, ...]

    @property
    def polyline(self) -> str:
        return " ".join(f"{x:.1f},{y:.1f}" for x, y in self.points)

    @property
    def dots(self) -> tuple[tuple[float, float, int], ...]:
        return tuple((x, y, v) for (x, y), v in zip(self.points, self.values))


@dataclass(frozen=True)
class LineChart:
    width: int
    height: int
    left: int
    bottom: int  # y of the x axis
    top: int
    x_labels: tuple[tuple[float, str], ...]
    y_ticks: tuple[tuple[float, int], ...]
    series: tuple[Series, ...]


@dataclass(frozen=True)
class Bar:
    x: float
    width: float
    colour: str
    label: str
    value: int


@dataclass(frozen=True)
class BarRow:
    label: str
    y: float
    bars: tuple[Bar, ...]
    total: int


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    left: int
    row_height: int
    rows: tuple[BarRow, ...]
    legend: tuple[tuple[str, str], ...]  # (colour, label)


def _nice_max(value: int) -> int:
    """A round top for the y axis (1, 2, 5 × 10^n) at or above `value`."""
    if value <= 5:
        return 5
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= value:
                return step * factor
        step *= 10


def line_chart(months: list[tuple[tuple[int, int], dict[str, int]]], categories: tuple[str, ...],
               labels: dict[str, str], *, width: int = 760, height: int = 260) -> LineChart:
    """One line per figure across the months of the period."""
    left, right, top, bottom = 44, 28, 12, height - 28
    top_value = _nice_max(max([counts[c] for _ym, counts in months for c in categories] or [0]))
    n = max(1, len(months) - 1)
    x = lambda i: left + (width - left - right) * (i / n if len(months) > 1 else 0.5)  # noqa: E731
    y = lambda v: bottom - (bottom - top) * v / top_value  # noqa: E731
    series = tuple(
        Series(c, labels[c], PALETTE[i % len(PALETTE)],
               tuple((x(j), y(counts[c])) for j, (_ym, counts) in enumerate(months)),
               tuple(counts[c] for _ym, counts in months))
        for i, c in enumerate(categories)
    )
    every = max(1, len(months) // 12)
    x_labels = tuple((x(j), f"{m:02d}/{str(yr)[2:]}") for j, ((yr, m), _c) in enumerate(months) if j % every == 0)
    y_ticks = tuple((y(top_value * k / 5), int(top_value * k / 5)) for k in range(6))
    return LineChart(width, height, left, bottom, top, x_labels, y_ticks, series)


def stacked_bars(rows: list[tuple[str, dict[str, int]]], categories: tuple[str, ...], labels: dict[str, str], *,
                 width: int = 760, row_height: int = 26) -> BarChart:
    """One horizontal bar per organisation, stacked by figure."""
    left, right = 230, 48
    top_value = max([sum(counts[c] for c in categories) for _name, counts in rows] or [0]) or 1
    scale = (width - left - right) / top_value
    result = []
    for index, (name, counts) in enumerate(rows):
        x, bars = float(left), []
        for i, c in enumerate(categories):
            if counts[c]:
                bars.append(Bar(x, counts[c] * scale, PALETTE[i % len(PALETTE)], labels[c], counts[c]))
                x += counts[c] * scale
        result.append(BarRow(name if len(name) <= 34 else name[:33] + "…", 8 + index * row_height, tuple(bars),
                             sum(counts[c] for c in categories)))
    legend = tuple((PALETTE[i % len(PALETTE)], labels[c]) for i, c in enumerate(categories))
    return BarChart(width, 16 + len(rows) * row_height, left, row_height, tuple(result), legend)
