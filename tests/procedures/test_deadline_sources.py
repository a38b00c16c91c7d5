"""Every deadline a procedure opens fits its row: the legal basis stored on it is short enough for the column."""
from __future__ import annotations

from models import Deadline
from workflows.domain.rulesets import RULE_SETS
from workflows.procedures.registry import get_procedure, procedure_names


def test_every_deadline_legal_basis_fits_the_deadlines_column():
    """deadlines.legal_basis: a long quotation goes to late_source (event, audit), never to the stored row."""
    limit = Deadline.__table__.c.legal_basis.type.length
    for rule_set in RULE_SETS:
        for name in procedure_names():
            definition = get_procedure(name, rule_set)
            for step in (definition.open_step, *definition.steps):
                for spec in step.opens:
                    assert len(spec.legal_basis) <= limit, (rule_set, name, spec.kind, len(spec.legal_basis))
