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
        self._steps: dict[tuple[str, str, str], tuple[str, str] | None] = {}

    def steps(self, procedure: str, rule_set: str, triggers: tuple[str, ...]) -> tuple[str, str] | None:
        """The labels (vi, en) of the steps a body may take now, «A hoặc B» / "A or B"; None if unknown."""
        key = (procedure, rule_set, "steps:" + ",".join(triggers))
        found = self._steps.get(key, False)
        if found is False:
            found = self._steps[key] = _step_labels(procedure, rule_set, triggers)
        return found

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


def _step_labels(procedure: str, rule_set: str, triggers: tuple[str, ...]) -> tuple[str, str] | None:
    try:
        definition = get_procedure(procedure, rule_set)
    except QuytrinhError:
        return None
    vi: list[str] = []
    en: list[str] = []
    for trigger in triggers:
        for step in definition.steps_for(trigger)[:1]:
            if step.label_vi not in vi:
                vi.append(step.label_vi)
            if step.label_en not in en:
                en.append(step.label_en)
    return (" hoặc ".join(vi), " or ".join(en)) if vi else None
