"""Who may act now on many cases at once: answers memoised per organisation *shape*.

The dashboard (and anything listing what a user may do across a subtree) cannot
ask the engine case by case at national scale. A step's authority is a role held
at or above an organisation named by the step's scope; whether the actor holds
it depends only on the kinds and admission authority along the case's
organisation chain and on the actor's roles at each level — the chain's shape.
A province has a few shapes, so each procedure state is judged a few times.

Steps whose authority (or `applies`) reads the case's own data are detected with
a tripwire context and judged case by case, from the stored data alone.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from workflows.domain.definition import CaseFacts, OrgFacts, PersonFacts, StepContext
from workflows.domain.organisations import scope_organisation
from workflows.domain.rulesets import RULE_SETS
from workflows.engine.access import Actor
from workflows.engine.facts import DbLookups, OrgTable
from workflows.engine.runtime import Runtime
from workflows.procedures.registry import get_procedure
from workflows.read.listing import (
    _forward_steps,
    actionable_triggers,
    authorities_needed,
)


class _Touched(Exception):
    pass


class _Tripwire(dict):
    """An empty mapping that notes being read: a step that reads it depends on the case's data."""

    def __init__(self, flag: list):
        super().__init__()
        self.flag = flag

    def get(self, key, default=None):
        self.flag.append(key)
        return default

    def __getitem__(self, key):
        self.flag.append(key)
        raise KeyError(key)

    def __contains__(self, key):
        self.flag.append(key)
        return False


class _TripLookups(DbLookups):
    def __init__(self, flag: list):
        self.flag = flag

    def __getattribute__(self, name):
        if name not in ("flag", "__class__"):
            object.__getattribute__(self, "flag").append(name)
            raise _Touched(name)
        return object.__getattribute__(self, name)


class _TripPerson(PersonFacts):
    """A person whose every attribute read is noted."""

    def __getattribute__(self, name):
        if not name.startswith("__"):
            object.__getattribute__(self, "flag").append(name)
        return object.__getattribute__(self, name)


def _trip_person(flag: list, org_id: int) -> PersonFacts:
    person = _TripPerson(0, "", date(2000, 1, 1), org_id, "none")
    object.__setattr__(person, "flag", flag)
    return person


class Judge:
    """Decides which forward steps the actor may take, memoised by chain shape.

    The answer for a procedure state is computed once per organisation shape with a context whose
    case data, step data and lookups are tripwires: if a step's authority or `applies` reads them,
    that state is judged case by case instead (from the case's stored data).
    """

    def __init__(self, session: Session, rt: Runtime, actor: Actor, organisations: OrgTable):
        self.session, self.rt, self.actor, self.orgs = session, rt, actor, organisations
        self.rows = organisations.rows  # shapes read kind, authority and parent from the rows
        self.roles_at: dict[int, frozenset[str]] = {}
        for grant in actor.grants:
            self.roles_at[grant.organisation_id] = self.roles_at.get(grant.organisation_id, frozenset()) | {grant.role}
        self.held = {g.role for g in actor.grants}
        self.chains: dict[str, list[OrgFacts]] = {}
        self.shape_ids: dict[str, int] = {}
        self.org_shapes: dict[int | None, int] = {}
        self.shape_index: dict[tuple, int] = {}
        self.memo: dict[tuple, dict[str, tuple[str, ...]]] = {}
        self.verdicts: dict[tuple, tuple[str, ...] | None] = {}
        self.by_path: dict[tuple[str, str, str], tuple[str, ...] | None] = {}
        self.data_dependent: set[tuple[str, str]] = set()  # procedure states judged case by case
        self.possible_memo: dict[tuple[str, str, str], bool] = {}
        self.may_memo: dict[tuple, bool] = {}
        self.contexts: dict[tuple, StepContext] = {}
        self.forward: dict[tuple[str, str, str], list] = {}

    def chain(self, path: str) -> list[OrgFacts]:
        found = self.chains.get(path)
        if found is None:
            ids = [int(p) for p in path.strip("/").split("/") if p]
            found = self.chains[path] = [self.orgs[i] for i in ids if i in self.orgs]
        return found

    def shape(self, path: str) -> int:
        """What decides the answer at an organisation — kinds, authority and the actor's roles along the
        chain — as a small number: organisations of the same shape get the same answers."""
        found = self.shape_ids.get(path)
        if found is None:
            found = self.shape_ids[path] = self._org_shape(int(path[path.rindex("/", 0, -1) + 1:-1]))
        return found

    def _org_shape(self, org_id: int | None) -> int:
        """The shape of an organisation, built on its parent's (a province has thousands of cells and a
        handful of shapes: each organisation costs one small tuple, not a walk of its chain)."""
        found = self.org_shapes.get(org_id)
        if found is None:
            row = self.rows.get(org_id) if org_id is not None else None
            if row is None:  # above the root, or above what the actor's chains hold
                key: tuple = (self.actor.is_admin,)
            else:
                key = (self._org_shape(row[OrgTable.PARENT]), row[OrgTable.KIND], row[OrgTable.AUTHORITY],
                       self.roles_at.get(org_id, frozenset()))
            found = self.org_shapes[org_id] = self.shape_index.setdefault(key, len(self.shape_index))
        return found

    def _context(self, rule_set: str, procedure: str, state: str, path: str, data: dict | None = None,
                 case_id: int | None = None) -> StepContext:
        chain = self.chain(path)
        return StepContext(
            rule_set=RULE_SETS[rule_set],
            case=CaseFacts(case_id, procedure, rule_set, state, 0, chain[-1].id, 0, data or {}, {}),
            person=PersonFacts(0, "", date(2000, 1, 1), chain[-1].id, "none"), data={}, chain=chain,
            calendar=self.rt.calendar(), lookups=DbLookups(self.session), today=self.rt.clock.today(),
        )

    def per_case(self, procedure: str, state: str) -> bool:
        """True when a forward step's authority (or `applies`) reads the case's own data."""
        return (procedure, state) in self.data_dependent

    def possible(self, procedure: str, state: str) -> bool:
        """Worth a closer look: the actor may hold a needed role, or a step's authority is computed."""
        return any(self._possible(procedure, rs, state) or any(
            callable(st.who) for st in _forward_steps(get_procedure(procedure, rs), state)) for rs in RULE_SETS)

    def _possible(self, procedure: str, rule_set: str, state: str) -> bool:
        """A cheap first test: the actor holds a role one of the forward steps needs."""
        key = (procedure, rule_set, state)
        if key not in self.possible_memo:
            definition = get_procedure(procedure, rule_set)
            self.possible_memo[key] = bool(self.held & {a.role for a in authorities_needed(definition, state)})
        return self.possible_memo[key]

    def verdict(self, procedure: str, state: str, path: str) -> tuple[str, ...] | None:
        """The triggers when every rule set agrees (the usual case), else None (count by rule set)."""
        found = self.by_path.get((procedure, state, path), False)
        if found is not False:
            return found
        key = (procedure, state, self.shape(path))
        found = self.verdicts.get(key, False)
        if found is False:
            answers = self.answers(procedure, state, path)
            first = next(iter(answers.values()))
            found = self.verdicts[key] = first if all(a == first for a in answers.values()) else None
        self.by_path[(procedure, state, path)] = found
        return found

    def answers(self, procedure: str, state: str, path: str) -> dict[str, tuple[str, ...]]:
        """Rule set -> what the actor may do in cases of this state at this organisation."""
        key = (procedure, state, self.shape(path))
        found = self.memo.get(key)
        if found is None:
            found = self.memo[key] = {}
            for rs in RULE_SETS:
                definition = get_procedure(procedure, rs)
                if not self._possible(procedure, rs, state) and not any(
                        callable(st.who) for st in _forward_steps(definition, state)):
                    found[rs] = ()
                    continue
                flag: list = []
                ctx = self._context(rs, procedure, state, path)
                ctx.case = CaseFacts(None, procedure, rs, state, 0, ctx.chain[-1].id, 0, _Tripwire(flag),
                                     _Tripwire(flag))
                ctx.data, ctx.lookups = _Tripwire(flag), _TripLookups(flag)
                ctx.person = _trip_person(flag, ctx.chain[-1].id)
                try:
                    found[rs] = tuple(actionable_triggers(self.actor, definition, ctx))
                except Exception:
                    if not flag:
                        raise
                    found[rs] = ()
                if flag:
                    self.data_dependent.add((procedure, state))
        return found

    def case_triggers(self, case_id: int, procedure: str, rule_set: str, state: str, path: str, data: dict,
                      person_id: int = 0, deadlines: dict | None = None) -> tuple[str, ...]:
        """One case whose steps read its own data: judged from the stored data, open deadlines and
        the lookups (the person's biography is not loaded)."""
        shape = self.shape(path)
        triggers: list[str] = []
        steps = self.forward.get((procedure, rule_set, state))
        if steps is None:
            steps = self.forward[(procedure, rule_set, state)] = _forward_steps(get_procedure(procedure, rule_set), state)
        ctx = self.contexts.get((procedure, rule_set, state, path))
        if ctx is None:
            # One context per procedure state and organisation; only the case's facts change.
            ctx = self.contexts[(procedure, rule_set, state, path)] = self._context(rule_set, procedure, state, path)
        ctx.case = CaseFacts(case_id, procedure, rule_set, state, 0, ctx.chain[-1].id, person_id, data,
                             deadlines or {})
        ctx.person = PersonFacts(person_id, "", date(2000, 1, 1), ctx.chain[-1].id, "none")
        for step in steps:
            if step.trigger in triggers:
                continue
            if step.applies is not None and not step.applies(ctx):
                continue
            if not step.fields and not all(rule.check(ctx) for rule in step.rules):
                continue
            authorities = step.authorities(ctx) if callable(step.who) else step.who
            key = (authorities, shape, rule_set)
            if key not in self.may_memo:
                self.may_memo[key] = self.actor.may(authorities, self.chain(path), RULE_SETS[rule_set])
            if self.may_memo[key]:
                triggers.append(step.trigger)
        return tuple(triggers)

    def waiting_on(self, procedure: str, rule_set: str, state: str, path: str,
                   data: dict | None = None) -> tuple[tuple[str, str], ...]:
        """(role, organisation name) of whoever must take the next forward step."""
        definition = get_procedure(procedure, rule_set)
        chain = self.chain(path)
        authorities = list(authorities_needed(definition, state))
        for step in _forward_steps(definition, state):
            if callable(step.who):  # computed from the case (e.g. the level above the decider)
                try:
                    ctx = self._context(rule_set, procedure, state, path, data)
                    authorities.extend(a for a in step.authorities(ctx) if a not in authorities)
                except Exception:  # the case's data may be needed in full: name the others only
                    continue
        result: list[tuple[str, str]] = []
        for authority in authorities:
            try:
                org = scope_organisation(authority.scope, chain, RULE_SETS[rule_set])
            except Exception:  # a scope this page does not know must not break the dashboard
                continue
            if (authority.role, org.name) not in result:
                result.append((authority.role, org.name))
        return tuple(result)
