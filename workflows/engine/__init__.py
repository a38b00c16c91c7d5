"""The engine: use cases that load a case, check role and rules, fire the shared machine and record.

This subpackage may use `models` and SQLAlchemy; the procedure definitions above it may not.
"""
from .access import Actor, load_actor
from .queries import allowed_actions, available_triggers, waiting_on
from .replay import Mismatch, check_cases
from .runtime import CalendarSource, Clock, FixedClock, LOCAL_ZONE, Runtime
from .store import CaseRow
from .transitions import fire, open_case

__all__ = [
    "Actor", "CalendarSource", "CaseRow", "Clock", "FixedClock", "LOCAL_ZONE", "Mismatch", "Runtime",
    "allowed_actions", "available_triggers", "check_cases", "fire", "load_actor", "open_case", "waiting_on",
]
