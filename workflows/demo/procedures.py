"""Demo cases of the procedures after admission (probation, strike-off, withdrawal, discipline, appeal)."""
from __future__ import annotations

from datetime import date

from ..engine import Runtime
from .tree import DemoTree


def seed(rt: Runtime, tree: DemoTree, today: date) -> dict[str, int]:
    """Cases in every state of every other procedure; returns counts per procedure."""
    return {}
