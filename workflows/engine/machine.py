"""One `transitions` state machine per procedure version, shared by every case.

A case row is never the machine's model: for one call a small token object is
bound to the shared machine in the case's state, fired, read and unbound, so
nothing stays attached and memory does not grow with the number of cases
(architecture.md principle 5).
"""
from __future__ import annotations

import threading

from transitions import Machine, MachineError

from workflows.domain.definition import STAY, Procedure
from workflows.domain.errors import TransitionNotAllowed


class _Token:
    """The object bound to the machine for one call."""

    __slots__ = ("state", "trigger", "__dict__")


def _branch_condition(expected: str):
    def condition(event) -> bool:
        return event.kwargs.get("outcome") == expected

    condition.__name__ = f"outcome_is_{expected}"
    return condition


def machine_transitions(procedure: Procedure) -> list[dict]:
    """The `transitions` table of a procedure: one entry per step, source and branch."""
    table = []
    for step in procedure.steps:
        for source in step.sources:
            if step.dest == STAY:
                table.append({"trigger": step.trigger, "source": source, "dest": "="})
            elif isinstance(step.dest, str):
                table.append({"trigger": step.trigger, "source": source, "dest": step.dest})
            else:
                for branch in step.dest:
                    table.append({
                        "trigger": step.trigger, "source": source, "dest": branch.dest,
                        "conditions": [_branch_condition(branch.when)],
                    })
    return table


class ProcedureMachine:
    """The shared machine of one procedure version."""

    def __init__(self, procedure: Procedure):
        self.procedure = procedure
        self._machine = Machine(
            model=None,
            states=[s.name for s in procedure.states],
            transitions=machine_transitions(procedure),
            initial=procedure.initial,
            auto_transitions=False,
            send_event=True,
            ignore_invalid_triggers=False,
        )
        # add_model/remove_model mutate the shared machine: one call at a time.
        self._lock = threading.Lock()
        # The machine's answers: its only conditions are on the outcome, so (state, trigger, outcome)
        # always leads to the same destination. Bounded by the size of the transitions table.
        self._answers: dict[tuple[str, str, str | None], str] = {}

    def next_state(self, state: str, trigger: str, outcome: str | None = None) -> str:
        """Fire `trigger` from `state` with the step's outcome; return the destination.

        The first call for a (state, trigger, outcome) fires the shared `transitions` machine; later
        ones get its remembered answer. Raises TransitionNotAllowed when the trigger does not apply.
        """
        key = (state, trigger, outcome)
        answer = self._answers.get(key)
        if answer is None:
            answer = self._answers[key] = self.fire(state, trigger, outcome)
        return answer

    def fire(self, state: str, trigger: str, outcome: str | None = None) -> str:
        """Fire `trigger` on a token bound to the machine in `state`; return the destination (never cached)."""
        token = _Token()
        with self._lock:
            self._machine.add_model(token, initial=state)
            try:
                moved = token.trigger(trigger, outcome=outcome)
            except (MachineError, AttributeError):
                raise TransitionNotAllowed(trigger, state) from None
            finally:
                self._machine.remove_model(token)
        if not moved:
            # No branch matched the outcome: a definition error, never a user's.
            raise RuntimeError(f"{self.procedure.name}.{trigger}: no branch for outcome {outcome!r} from {state}")
        return token.state

    def can_fire(self, state: str, trigger: str) -> bool:
        """True when the trigger has a transition from the state."""
        return bool(self._machine.get_transitions(trigger=trigger, source=state))

    @property
    def model_count(self) -> int:
        """Models attached to the machine (0 between calls)."""
        return len(self._machine.models)


_MACHINES: dict[int, tuple[Procedure, ProcedureMachine]] = {}


def machine_for(procedure: Procedure) -> ProcedureMachine:
    """The machine of a procedure version, built once per process.

    Keyed by the definition object's identity (definitions are built once, see registry.py): hashing a
    whole frozen Procedure on every transition cost more than the machine itself. Two threads may both
    build the first one; each machine guards itself, and the last stored serves from then on.
    """
    entry = _MACHINES.get(id(procedure))
    if entry is None or entry[0] is not procedure:  # the definition is kept: its id is not reused
        entry = _MACHINES[id(procedure)] = (procedure, ProcedureMachine(procedure))
    return entry[1]
