"""The event log is the truth: replay every case's events and compare with its stored state."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Case, Event
from workflows.engine.machine import machine_transitions
from workflows.procedures.registry import get_procedure


@dataclass(frozen=True)
class Mismatch:
    case_id: int
    stored_state: str
    replayed_state: str | None
    problem: str


def replay_state(procedure_name: str, rule_set: str, events: list[Event]) -> tuple[str | None, str | None]:
    """The state the events lead to, and the first problem met (None when the log is sound)."""
    definition = get_procedure(procedure_name, rule_set)
    allowed = {(t["trigger"], t["source"], t["dest"] if t["dest"] != "=" else t["source"])
               for t in machine_transitions(definition)}
    state: str | None = None
    for expected_seq, event in enumerate(events, start=1):
        if event.seq != expected_seq:
            return state, f"event seq {event.seq} where {expected_seq} was expected"
        if event.from_state != state:
            return state, f"event {event.seq} starts from {event.from_state}, the log was at {state}"
        if state is None:
            if event.trigger != "open" or event.to_state != definition.initial:
                return state, f"event {event.seq} does not open the case"
        elif (event.trigger, state, event.to_state) not in allowed:
            return state, f"event {event.seq}: {event.trigger} {state} -> {event.to_state} is not in the procedure"
        state = event.to_state
    return state, None


def check_cases(session: Session, batch: int = 1000) -> Iterator[Mismatch]:
    """Every case whose stored state or revision differs from the replay of its events."""
    last_id = 0
    while True:
        cases = session.scalars(select(Case).where(Case.id > last_id).order_by(Case.id).limit(batch)).all()
        if not cases:
            return
        ids = [c.id for c in cases]
        events: dict[int, list[Event]] = {i: [] for i in ids}
        for event in session.scalars(select(Event).where(Event.case_id.in_(ids)).order_by(Event.case_id, Event.seq)):
            events[event.case_id].append(event)
        for case in cases:
            state, problem = replay_state(case.procedure, case.rule_set, events[case.id])
            if problem is None and state != case.state:
                problem = f"stored state {case.state}, replay gives {state}"
            if problem is None and case.revision != len(events[case.id]):
                problem = f"revision {case.revision} but {len(events[case.id])} events"
            if problem:
                yield Mismatch(case.id, case.state, state, problem)
        last_id = ids[-1]
        session.expunge_all()
