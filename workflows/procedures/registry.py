"""The one place where a stored procedure name and rule-set name resolve to a definition."""
from __future__ import annotations

from collections.abc import Callable
from functools import cache

from workflows.domain.definition import Procedure
from workflows.domain.errors import InvalidInput
from workflows.domain.rulesets import RULE_SETS, RuleSet
from workflows.procedures import (
    activity_transfer,
    admission,
    appeal,
    discipline,
    exemption,
    probation,
    strike_off,
    suspension,
    withdrawal,
)

# procedure name -> builder(rule_set) -> Procedure
PROCEDURE_BUILDERS: dict[str, Callable[[RuleSet], Procedure]] = {
    admission.NAME: admission.build,
    probation.NAME: probation.build,
    strike_off.NAME: strike_off.build,
    withdrawal.NAME: withdrawal.build,
    discipline.NAME: discipline.build,
    appeal.NAME: appeal.build,
    activity_transfer.NAME: activity_transfer.build,
    exemption.NAME: exemption.build,
    suspension.NAME: suspension.build,
}


def procedure_names() -> tuple[str, ...]:
    """Every procedure the engine knows."""
    return tuple(PROCEDURE_BUILDERS)


@cache
def get_procedure(name: str, rule_set: str) -> Procedure:
    """The definition of a procedure under a rule set, built once per process."""
    builder = PROCEDURE_BUILDERS.get(name)
    if builder is None:
        raise InvalidInput(f"Không có thủ tục «{name}».", f"Unknown procedure '{name}'.", {"procedure": "unknown"})
    if rule_set not in RULE_SETS:
        raise InvalidInput(f"Không có bộ quy định «{rule_set}».", f"Unknown rule set '{rule_set}'.", {"rule_set": "unknown"})
    return builder(RULE_SETS[rule_set])
