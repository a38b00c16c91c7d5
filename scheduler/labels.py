"""Names a reminder shows: the procedure, the deadline and the step that meets it, in both languages."""
from __future__ import annotations

from dataclasses import dataclass

from workflows.domain.errors import QuytrinhError
from workflows.procedures.registry import get_procedure


@dataclass(frozen=True)
class DeadlineLabels:
    procedure_vi: str
    procedure_en: str
    deadline_vi: str
    deadline_en: str
    step_vi: str
    step_en: str


class LabelBook:
    """Labels by (procedure, rule set, deadline kind), looked up in the definitions once each."""

    def __init__(self) -> None:
        self._cache: dict[tuple[str, str, str], DeadlineLabels] = {}

    def get(self, procedure: str, rule_set: str, kind: str) -> DeadlineLabels:
        key = (procedure, rule_set, kind)
        labels = self._cache.get(key)
        if labels is None:
            labels = self._cache[key] = _lookup(procedure, rule_set, kind)
        return labels


def _lookup(procedure: str, rule_set: str, kind: str) -> DeadlineLabels:
    try:
        definition = get_procedure(procedure, rule_set)
    except QuytrinhError:
        # A case of a procedure this process does not know: remind with the raw names rather than not at all.
        return DeadlineLabels(procedure, procedure, kind, kind, kind, kind)
    deadline_vi = deadline_en = kind
    step_vi = step_en = None
    for step in (definition.open_step, *definition.steps):
        for spec in step.opens:
            if spec.kind == kind and deadline_vi == kind:
                deadline_vi, deadline_en = spec.label_vi or kind, spec.label_en or kind
        if step_vi is None and kind in step.closes:
            # The first step that meets the deadline is the forward one (refusals come after it).
            step_vi, step_en = step.label_vi, step.label_en
    return DeadlineLabels(definition.label_vi, definition.label_en, deadline_vi, deadline_en,
                          step_vi or deadline_vi, step_en or deadline_en)
