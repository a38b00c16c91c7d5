"""Whom a deadline's reminder is for: the body that must take the step the case actually waits for.

A deadline row names the body answerable for the whole time limit and the
organisation it sits at; the case may first wait for another body's step (a
recognition deadline runs while the grassroots committee has still to vote).
The scan asks `bodies()` per deadline: the forward steps of the case's state
(workflows.read.due_steps), each with its body's role and organisation. When a
case waits for nobody (no forward step applies), the deadline's own role and
organisation are reminded, as before.

Answers are cached per (procedure, rule set, state, organisation, deadline role)
when the steps' authorities are static; a computed authority (an appeal's, a
discipline decision's) is asked per case from the case's recorded data.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from workflows.domain.calendar import WorkingCalendar
from workflows.domain.definition import OrgFacts
from workflows.domain.errors import QuytrinhError
from workflows.engine.facts import load_chain
from workflows.procedures.registry import get_procedure
from workflows.read.due_steps import due_steps, has_computed_steps


@dataclass(frozen=True)
class Body:
    """Who a reminder goes to: holders of `role` at the organisation with `path` (or nearest above)."""

    role: str
    path: str
    name: str  # the organisation's name, said in the mail
    steps: tuple[str, ...]  # the triggers it may take now (empty: the deadline's own body, no step known)


class Addresser:
    """Bodies per deadline for one scan; organisation chains are loaded once per organisation path."""

    def __init__(self, calendar: WorkingCalendar, today: date) -> None:
        self.calendar, self.today = calendar, today
        self._chains: dict[str, list[OrgFacts]] = {}
        self._static: dict[tuple, tuple[Body, ...]] = {}

    def chain(self, session: Session, path: str) -> list[OrgFacts]:
        found = self._chains.get(path)
        if found is None:
            found = self._chains[path] = load_chain(session, path)
        return found

    def bodies(self, session: Session, row) -> tuple[Body, ...]:
        """The bodies to remind of this deadline row (see the module docstring)."""
        fallback = (Body(row.role, row.path, row.name, ()),)
        try:
            definition = get_procedure(row.procedure, row.rule_set)
        except QuytrinhError:
            return fallback
        computed = has_computed_steps(definition, row.state)
        key = (row.procedure, row.rule_set, row.state, row.case_path, row.role)
        if not computed and key in self._static:
            return self._static[key]
        chain = self.chain(session, row.case_path)
        found = tuple(
            Body(due.role, due.path, due.organisation.name, due.triggers)
            for due in due_steps(definition, row.state, chain, row.data or {}, calendar=self.calendar,
                                 today=self.today, prefer_role=row.role)
        ) or fallback
        if not computed:
            self._static[key] = found
        return found

    def case_organisation(self, session: Session, row) -> str:
        """The name of the case's own organisation (the cell), said in the mail."""
        chain = self.chain(session, row.case_path)
        return chain[-1].name if chain else row.name
