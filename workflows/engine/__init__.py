"""The engine: use cases that load a case, check role and rules, fire the shared machine and record.

This subpackage may use `models` and SQLAlchemy; the procedure definitions above it may not.
"""
from workflows.engine.access import Actor, load_actor
from workflows.engine.replay import Mismatch, check_cases
from workflows.engine.runtime import (
    LOCAL_ZONE,
    CalendarSource,
    Clock,
    FixedClock,
    Runtime,
)
from workflows.engine.store import CaseRow
from workflows.engine.transitions import fire, open_case

__all__ = [
    "Actor", "CalendarSource", "CaseRow", "Clock", "FixedClock", "LOCAL_ZONE", "Mismatch", "Runtime",
    "check_cases", "fire", "load_actor", "open_case",
]
