"""The demo province: every state of every procedure has a case, and every case replays."""
from __future__ import annotations

from sqlalchemy import func, select

from models import Case
from workflows.demo import load_demo
from workflows.engine import check_cases
from workflows.procedures.registry import get_procedure, procedure_names


def test_demo_has_every_state_of_every_procedure_and_replays(runtime):
    """load_demo on a fresh database: ≥ 1 case in each state of each procedure; check_cases finds nothing."""
    load_demo(runtime)
    with runtime.session_factory() as s:
        present = set(s.execute(select(Case.procedure, Case.state).group_by(Case.procedure, Case.state)).all())
        missing = [(name, state.name) for name in procedure_names()
                   for state in get_procedure(name, "cpv-2025").states if (name, state.name) not in present]
        assert missing == []
        assert list(check_cases(s)) == []
        assert s.scalar(select(func.count(Case.id))) > 60
