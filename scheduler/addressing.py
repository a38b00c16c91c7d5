"""Whom a deadline's reminder is for: the body that must take the step the case actually waits for.

A deadline row names the body answerable for the whole time limit and the
organisation it sits at; the case may first wait for another body's step (a
recognition deadline runs while the grassroots committee has still to vote).
The scan asks `address()` per deadline: the forward steps of the case's state
(workflows.read.due_steps), each with its body's role and organisation. When a
case waits for nobody (no forward step applies), the deadline's own role and
organisation are reminded, as before.

Answers are cached per (procedure, rule set, state, organisation, deadline role)
when the steps' authorities are static (and said to be static, so the scan keeps
them whole: scheduler/compose.py); a computed authority (an appeal's, a
discipline decision's) is asked per case from the case's recorded data.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Organisation
from scheduler.recipients import path_ids
from workflows.domain.calendar import WorkingCalendar
from workflows.domain.definition import OrgFacts
from workflows.domain.errors import QuytrinhError
from workflows.procedures.registry import get_procedure
from workflows.read.due_steps import due_steps, has_computed_steps

_CHAIN = (Organisation.id, Organisation.name, Organisation.kind, Organisation.admission_authority,
          Organisation.parent_id)


@dataclass(frozen=True, slots=True)
class Body:
    """Who a reminder goes to: holders of `role` at the organisation with `path` (or nearest above)."""

    role: str
    path: str
    name: str  # the organisation's name, said in the mail
    steps: tuple[str, ...]  # the triggers it may take now (empty: the deadline's own body, no step known)


class Addresser:
    """Bodies per deadline for one scan.

    The organisations of a batch's paths are loaded in one query; the answer for static authorities
    is computed once per chain *shape* (the kinds and admission authority along it) and state, then
    placed on the case's own chain — a province has a few shapes and many cells.
    """

    def __init__(self, calendar: WorkingCalendar, today: date) -> None:
        self.calendar, self.today = calendar, today
        self._orgs: dict[int, OrgFacts] = {}
        self._chains: dict[str, list[OrgFacts]] = {}
        self._static: dict[tuple, tuple[tuple[str, int, tuple[str, ...]], ...]] = {}
        self._shapes: dict[str, tuple] = {}  # case path → the kinds and admission authority along its chain
        self._computed: dict[tuple[str, str, str], bool] = {}  # (procedure, rule set, state) → has_computed_steps

    def load(self, session: Session, paths) -> None:
        """Fetch the organisations on these materialised paths not seen yet (one query)."""
        missing = sorted({i for path in set(paths) for i in path_ids(path)} - set(self._orgs))
        for start in range(0, len(missing), 1000):
            ids = missing[start:start + 1000]
            for row in session.execute(select(*_CHAIN).where(Organisation.id.in_(ids))):
                self._orgs[row[0]] = OrgFacts(*row)

    def chain(self, session: Session, path: str) -> list[OrgFacts]:
        found = self._chains.get(path)
        if found is None:
            if any(i not in self._orgs for i in path_ids(path)):
                self.load(session, [path])
            found = self._chains[path] = [self._orgs[i] for i in path_ids(path) if i in self._orgs]
        return found

    def address(self, session: Session, row) -> tuple[tuple[Body, ...], bool]:
        """The bodies to remind of this deadline row (see the module docstring), and whether the answer
        is static: the same for every deadline of this procedure, rule set, state, deadline body and
        case organisation (the scan keeps static answers; scheduler/compose.py)."""
        fallback = (Body(row.role, row.path, row.name, ()),)
        try:
            definition = get_procedure(row.procedure, row.rule_set)
        except QuytrinhError:
            return fallback, True
        chain = self.chain(session, row.case_path)
        if not chain:
            return fallback, True
        state = (row.procedure, row.rule_set, row.state)
        computed = self._computed.get(state)
        if computed is None:
            computed = self._computed[state] = has_computed_steps(definition, row.state)
        shape = self._shapes.get(row.case_path)
        if shape is None:
            shape = self._shapes[row.case_path] = tuple((o.kind, o.admission_authority) for o in chain)
        key = (row.procedure, row.rule_set, row.state, row.role, shape)
        placed = None if computed else self._static.get(key)
        if placed is None:
            placed = tuple(
                (due.role, chain.index(due.organisation), due.triggers)
                for due in due_steps(definition, row.state, chain, row.data or {}, calendar=self.calendar,
                                     today=self.today, prefer_role=row.role)
            )
            if not computed:
                self._static[key] = placed
        if not placed:
            return fallback, not computed
        return tuple(Body(role, "/" + "/".join(str(o.id) for o in chain[: index + 1]) + "/", chain[index].name,
                          triggers) for role, index, triggers in placed), not computed

    def case_organisation(self, session: Session, row) -> str:
        """The name of the case's own organisation (the cell), said in the mail."""
        chain = self.chain(session, row.case_path)
        return chain[-1].name if chain else row.name
