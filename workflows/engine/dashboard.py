"""The "My work" dashboard: what the user may do now, what waits on others, what is due.

A supervisor sees their whole subtree, a secretary their cell (listing.visible).
Built for a province of 100,000 open cases (quality.md Performance 4):

- one GROUP BY over the open cases' covering index (organisation, procedure, state) gives
  every count;
- "may act now" is decided once per procedure state and *shape* of the organisation chain
  (kinds, admission authority, the user's roles at each level) — a province has a few dozen
  shapes, not 100,000 cases; only steps whose authority depends on the case's own data
  (e.g. who decides a discipline depends on the proposed form) are judged case by case, from
  the stored data alone;
- the lists walk the open deadlines in due order (their index) and stop when full.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, case as sql_case, func, or_, select, tuple_
from sqlalchemy.orm import Session

from models import Case, Deadline, Organisation, Person
from ..definition import CaseFacts, OrgFacts, PersonFacts, StepContext
from ..organisations import scope_organisation
from ..registry import get_procedure
from ..rulesets import RULE_SETS
from .access import Actor, load_actor
from .facts import SessionLookups, org_facts
from .listing import _forward_steps, actionable_triggers, authorities_needed, visible
from .runtime import Runtime

HORIZON_WORKING_DAYS = 7
LIST_SCAN = 400  # rows read per list query before giving up on filling a list
TARGETED_SCAN = 2000  # rows read when looking up the user's own (rare) cases by their procedure state
SMALL_SUBTREE = 3000  # open cases up to which the lists read the subtree rather than the deadlines
DUE_COUNT_MAX = 1000  # a large subtree's due deadlines are counted up to this


@dataclass(frozen=True)
class WorkItem:
    case_id: int
    procedure: str
    rule_set: str
    state: str
    person_id: int
    person_name: str
    organisation_name: str
    triggers: tuple[str, ...] = ()  # what the user may do now
    waiting_on: tuple[tuple[str, str], ...] = ()  # (role, organisation name) who must act
    next_due: date | None = None
    next_due_kind: str | None = None
    days_left: int | None = None  # working days until next_due (negative: overdue)


@dataclass(frozen=True)
class DueItem:
    case_id: int
    procedure: str
    rule_set: str
    state: str
    person_name: str
    organisation_name: str
    kind: str
    due_date: date
    days_left: int  # working days; negative when overdue
    role: str
    mine: bool  # the user may take a step on this case now


@dataclass
class ProcedureCount:
    procedure: str
    open: int = 0
    actionable: int = 0
    overdue: int | None = None  # counted for small subtrees (a cell, a commune); None for a province


@dataclass
class Dashboard:
    today: date
    actionable: list[WorkItem]
    actionable_total: int
    waiting: list[WorkItem]
    waiting_total: int
    due: list[DueItem]
    due_total: int
    horizon: date
    due_capped: bool = False  # due_total is a lower bound (a large subtree is not counted to the end)
    per_procedure: list[ProcedureCount] = field(default_factory=list)


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


class _TripLookups(SessionLookups):
    def __init__(self, flag: list):
        self.flag = flag

    def __getattribute__(self, name):
        if name not in ("flag", "__class__"):
            object.__getattribute__(self, "flag").append(name)
            raise _Touched(name)
        return object.__getattribute__(self, name)


class _Judge:
    """Decides which forward steps the actor may take, memoised by chain shape.

    The answer for a procedure state is computed once per organisation shape with a context whose
    case data, step data and lookups are tripwires: if a step's authority or `applies` reads them,
    that state is judged case by case instead (from the case's stored data).
    """

    def __init__(self, session: Session, rt: Runtime, actor: Actor, organisations: dict[int, OrgFacts]):
        self.session, self.rt, self.actor, self.orgs = session, rt, actor, organisations
        self.roles_at: dict[int, frozenset[str]] = {}
        for grant in actor.grants:
            self.roles_at[grant.organisation_id] = self.roles_at.get(grant.organisation_id, frozenset()) | {grant.role}
        self.held = {g.role for g in actor.grants}
        self.chains: dict[str, list[OrgFacts]] = {}
        self.shape_ids: dict[str, int] = {}
        self.shape_index: dict[tuple, int] = {}
        self.memo: dict[tuple, dict[str, tuple[str, ...]]] = {}
        self.verdicts: dict[tuple, tuple[str, ...] | None] = {}
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
            key = (self.actor.superuser_over(path),) + tuple(
                (o.kind, o.admission_authority, self.roles_at.get(o.id, frozenset())) for o in self.chain(path))
            found = self.shape_ids[path] = self.shape_index.setdefault(key, len(self.shape_index))
        return found

    def _context(self, rule_set: str, procedure: str, state: str, path: str, data: dict | None = None,
                 case_id: int | None = None) -> StepContext:
        chain = self.chain(path)
        return StepContext(
            rule_set=RULE_SETS[rule_set],
            case=CaseFacts(case_id, procedure, rule_set, state, 0, chain[-1].id, 0, data or {}, {}),
            person=PersonFacts(0, "", date(2000, 1, 1), chain[-1].id, "none"), data={}, chain=chain,
            calendar=self.rt.calendar(), lookups=SessionLookups(self.session), today=self.rt.clock.today(),
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
            self.possible_memo[key] = self.actor.is_admin or bool(
                self.held & {a.role for a in authorities_needed(definition, state)})
        return self.possible_memo[key]

    def verdict(self, procedure: str, state: str, path: str) -> tuple[str, ...] | None:
        """The triggers when every rule set agrees (the usual case), else None (count by rule set)."""
        key = (procedure, state, self.shape(path))
        found = self.verdicts.get(key, False)
        if found is False:
            answers = self.answers(procedure, state, path)
            first = next(iter(answers.values()))
            found = self.verdicts[key] = first if all(a == first for a in answers.values()) else None
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
                ctx.case = CaseFacts(None, procedure, rs, state, 0, ctx.chain[-1].id, 0, _Tripwire(flag), {})
                ctx.data, ctx.lookups = _Tripwire(flag), _TripLookups(flag)
                try:
                    found[rs] = tuple(actionable_triggers(self.actor, definition, ctx))
                except _Touched:
                    found[rs] = ()
                if flag:
                    self.data_dependent.add((procedure, state))
        return found

    def case_triggers(self, case_id: int, procedure: str, rule_set: str, state: str, path: str,
                      data: dict) -> tuple[str, ...]:
        """One case whose step authority depends on its recorded data (only that data is looked at)."""
        shape = self.shape(path)
        triggers: list[str] = []
        steps = self.forward.get((procedure, rule_set, state))
        if steps is None:
            steps = self.forward[(procedure, rule_set, state)] = _forward_steps(get_procedure(procedure, rule_set), state)
        ctx = self.contexts.get((procedure, rule_set, state, path))
        if ctx is None:
            # One context per procedure state and organisation; only the case's facts change.
            ctx = self.contexts[(procedure, rule_set, state, path)] = self._context(rule_set, procedure, state, path)
        ctx.case = CaseFacts(case_id, procedure, rule_set, state, 0, ctx.chain[-1].id, 0, data, {})
        for step in steps:
            if step.trigger in triggers:
                continue
            if step.applies is not None and not step.applies(ctx):
                continue
            authorities = step.authorities(ctx) if callable(step.who) else step.who
            key = (authorities, shape, rule_set)
            if key not in self.may_memo:
                self.may_memo[key] = self.actor.may(authorities, self.chain(path), RULE_SETS[rule_set])
            if self.may_memo[key]:
                triggers.append(step.trigger)
        return tuple(triggers)

    def waiting_on(self, procedure: str, rule_set: str, state: str, path: str) -> tuple[tuple[str, str], ...]:
        definition = get_procedure(procedure, rule_set)
        chain = self.chain(path)
        result: list[tuple[str, str]] = []
        for authority in authorities_needed(definition, state):
            try:
                org = scope_organisation(authority.scope, chain, RULE_SETS[rule_set])
            except Exception:  # a scope this page does not know must not break the dashboard
                continue
            if (authority.role, org.name) not in result:
                result.append((authority.role, org.name))
        return tuple(result)


def my_work(rt: Runtime, *, actor_id: int, limit: int = 25) -> Dashboard:
    """The signed-in user's dashboard."""
    with rt.session_factory() as session:
        return build_dashboard(session, rt, load_actor(session, actor_id), limit)


class _DaysLeft:
    """Working days from today to a date, each distinct date counted once."""

    def __init__(self, calendar, today: date):
        self.calendar, self.today, self.memo = calendar, today, {}

    def __call__(self, day: date) -> int:
        if day not in self.memo:
            self.memo[day] = self.calendar.working_days_between(self.today, day)
        return self.memo[day]


def build_dashboard(session: Session, rt: Runtime, actor: Actor, limit: int = 25) -> Dashboard:
    today, calendar = rt.clock.today(), rt.calendar()
    days_left = _DaysLeft(calendar, today)
    seen = visible(actor, Case.organisation_path)
    base = [Case.closed_at.is_(None)] + ([seen] if seen is not None else [])
    # Queries driven by the deadlines' due-date index: on SQLite the path range is written so that
    # its index is not chosen (the planner would read the whole subtree and sort it).
    small = _small(session, base)
    if session.get_bind().dialect.name == "sqlite" and not small:
        seen_plain = visible(actor, Case.organisation_path.concat(""))
        by_due = [Case.closed_at.is_(None)] + ([seen_plain] if seen_plain is not None else [])
    else:
        by_due = base
    org_seen = visible(actor, Organisation.path)
    orgs = {o.id: org_facts(o) for o in session.scalars(
        select(Organisation) if org_seen is None else select(Organisation).where(org_seen))}
    # Ancestors of one's organisations are part of every chain (a competent committee above).
    missing = {int(p) for g in actor.grants for p in g.path.strip("/").split("/") if p} - set(orgs)
    if missing:
        orgs.update({o.id: org_facts(o) for o in session.scalars(select(Organisation).where(Organisation.id.in_(missing)))})
    judge = _Judge(session, rt, actor, orgs)
    counts, actionable_groups, case_verdict, actionable_total, open_total = _count(session, base, judge)

    def triggers_of(case_id: int, procedure: str, rule_set: str, state: str, path: str) -> tuple[str, ...]:
        if case_id in case_verdict:
            return case_verdict[case_id]
        return judge.answers(procedure, state, path).get(rule_set, ())

    pairs = sorted({(procedure, state) for procedure, state, _path in actionable_groups})
    mine_ids = [case_id for case_id, v in case_verdict.items() if v]
    mine, waiting = _fill_lists(session, base, by_due, triggers_of, limit, min(limit, actionable_total), pairs,
                                mine_ids)
    items = _describe(session, judge, days_left, mine + waiting, triggers_of)

    horizon = calendar.add_working_days(today, HORIZON_WORKING_DAYS)
    due_scope = and_(Deadline.status == "open", Deadline.due_date <= horizon, *by_due)
    due_total, due_capped = _count_due(session, due_scope, today, counts, small=small)
    due_rows = session.execute(
        select(Deadline, Case.procedure, Case.rule_set, Case.state, Case.organisation_path, Person.full_name,
               Organisation.name)
        .join(Case, Case.id == Deadline.case_id).join(Person, Person.id == Case.person_id)
        .join(Organisation, Organisation.id == Case.organisation_id)
        .where(due_scope).order_by(Deadline.due_date, Deadline.id).limit(limit * 2)).all()
    due_items = [DueItem(d.case_id, procedure, rs, state, person, org, d.kind, d.due_date,
                         days_left(d.due_date), d.role,
                         bool(triggers_of(d.case_id, procedure, rs, state, path)))
                 for d, procedure, rs, state, path, person, org in due_rows]
    return Dashboard(
        today=today, actionable=[items[i] for i in mine], actionable_total=actionable_total,
        waiting=[items[i] for i in waiting], waiting_total=open_total - actionable_total, due=due_items,
        due_total=due_total, due_capped=due_capped, horizon=horizon, per_procedure=sorted(counts.values(), key=lambda c: c.procedure),
    )


def _count(session: Session, base: list, judge: _Judge):
    """Open and actionable counts per procedure; the cases judged one by one; the actionable groups."""
    counts: dict[str, ProcedureCount] = {}
    # Grouped in the order of the open cases' covering index (path, organisation, procedure, state):
    # one streaming pass, no sort.
    # Core rows (no ORM): thousands of groups for a province.
    groups = session.connection().execute(
        select(Case.organisation_path, Case.organisation_id, Case.procedure, Case.state, func.count()).where(*base)
        .group_by(Case.organisation_path, Case.organisation_id, Case.procedure, Case.state)).all()
    open_total = 0
    actionable_groups: set[tuple[str, str, str]] = set()
    case_verdict: dict[int, tuple[str, ...]] = {}
    actionable_total = 0
    possible: dict[tuple[str, str], bool] = {}
    split: list[tuple[str, str, str]] = []  # groups whose rule sets disagree: counted by rule set
    for path, _org_id, procedure, state, n in groups:
        entry = counts.get(procedure)
        if entry is None:
            entry = counts[procedure] = ProcedureCount(procedure)
        entry.open += n
        open_total += n
        key = (procedure, state)
        allowed = possible.get(key)
        if allowed is None:
            allowed = possible[key] = judge.possible(procedure, state)
        if not allowed:
            continue
        triggers = judge.verdict(procedure, state, path)
        if key in judge.data_dependent:
            continue
        if triggers is None:
            split.append((procedure, state, path))
        elif triggers:
            entry.actionable += n
            actionable_total += n
            actionable_groups.add((procedure, state, path))
    for procedure, state, path in split:
        for rs, n in session.execute(select(Case.rule_set, func.count()).where(
                *base, Case.procedure == procedure, Case.state == state, Case.organisation_path == path)
                .group_by(Case.rule_set)).all():
            if judge.answers(procedure, state, path).get(rs):
                counts[procedure].actionable += n
                actionable_total += n
                actionable_groups.add((procedure, state, path))
    for procedure, state in sorted(judge.data_dependent):
        rows = session.execute(select(Case.id, Case.rule_set, Case.organisation_path, Case.data)
                               .where(*base, Case.procedure == procedure, Case.state == state)).all()
        for case_id, rs, path, data in rows:
            triggers = judge.case_triggers(case_id, procedure, rs, state, path, data or {})
            case_verdict[case_id] = triggers
            if triggers:
                counts[procedure].actionable += 1
                actionable_total += 1
    return counts, actionable_groups, case_verdict, actionable_total, open_total


def _count_due(session: Session, due_scope, today: date, counts: dict[str, ProcedureCount],
               small: bool) -> tuple[int, bool]:
    """Deadlines overdue or due soon: counted exactly (with overdue cases per procedure) for a small
    subtree; for a large one, counted up to DUE_COUNT_MAX (the list itself is always exact)."""
    if small:
        total = 0
        for procedure, n_due, n_overdue in session.execute(
                select(Case.procedure, func.count(Deadline.id),
                       func.count(func.distinct(sql_case((Deadline.due_date < today, Case.id)))))
                .join(Case, Case.id == Deadline.case_id).where(due_scope).group_by(Case.procedure)).all():
            total += n_due
            counts.setdefault(procedure, ProcedureCount(procedure)).overdue = n_overdue
        return total, False
    capped = select(Deadline.id).join(Case, Case.id == Deadline.case_id).where(due_scope).limit(DUE_COUNT_MAX)
    total = session.scalar(select(func.count()).select_from(capped.subquery())) or 0
    return total, total >= DUE_COUNT_MAX


def _small(session: Session, base: list) -> bool:
    """Few open cases (a cell): reading them by path and sorting is cheaper than walking every deadline."""
    return (session.scalar(select(func.count()).select_from(
        select(Case.id).where(*base).limit(SMALL_SUBTREE + 1).subquery())) or 0) <= SMALL_SUBTREE


def _fill_lists(session: Session, base: list, by_due: list, triggers_of, limit: int, mine_wanted: int,
                pairs: list[tuple[str, str]], mine_ids: list[int]) -> tuple[list[int], list[int]]:
    """The first `limit` cases the user may act on and the first waiting on others, nearest deadline first
    (then the newest); when the user's cases are rare, they are looked up by their procedure state."""
    mine: list[int] = []
    waiting: list[int] = []
    seen: set[int] = set()

    def take(rows) -> None:
        for case_id, procedure, rs, state, path in rows:
            if case_id in seen:
                continue
            seen.add(case_id)
            target = mine if triggers_of(case_id, procedure, rs, state, path) else waiting
            if len(target) < limit:
                target.append(case_id)

    columns = (Case.id, Case.procedure, Case.rule_set, Case.state, Case.organisation_path)
    take(session.execute(select(*columns).join(Deadline, Deadline.case_id == Case.id)
                         .where(Deadline.status == "open", *by_due)
                         .order_by(Deadline.due_date, Deadline.case_id).limit(LIST_SCAN)).all())
    if len(waiting) < limit or len(mine) < mine_wanted:
        no_deadline = ~select(Deadline.id).where(Deadline.case_id == Case.id, Deadline.status == "open").exists()
        take(session.execute(select(*columns).where(*by_due, no_deadline).order_by(Case.id.desc())
                             .limit(LIST_SCAN)).all())
    if len(mine) < mine_wanted and (pairs or mine_ids):
        targeted = []
        if pairs:
            targeted.append(tuple_(Case.procedure, Case.state).in_(pairs))
        if mine_ids:
            targeted.append(Case.id.in_(mine_ids[:TARGETED_SCAN]))
        take(session.execute(select(*columns).where(*base, or_(*targeted)).order_by(Case.id.desc())
                             .limit(TARGETED_SCAN)).all())
    return mine, waiting


def _describe(session: Session, judge: _Judge, days_left, case_ids: list[int], triggers_of) -> dict[int, WorkItem]:
    """Names, organisations, next deadlines and who acts, for the listed cases only."""
    if not case_ids:
        return {}
    rows = session.execute(select(Case.id, Case.procedure, Case.rule_set, Case.state, Case.organisation_path,
                                  Case.person_id, Person.full_name, Organisation.name)
                           .join(Person, Person.id == Case.person_id)
                           .join(Organisation, Organisation.id == Case.organisation_id)
                           .where(Case.id.in_(case_ids))).all()
    dues: dict[int, tuple[date, str]] = {}
    for case_id, due, kind in session.execute(select(Deadline.case_id, Deadline.due_date, Deadline.kind).where(
            Deadline.case_id.in_(case_ids), Deadline.status == "open").order_by(Deadline.due_date)).all():
        dues.setdefault(case_id, (due, kind))
    items = {}
    for case_id, procedure, rs, state, path, person_id, person, org in rows:
        triggers = triggers_of(case_id, procedure, rs, state, path)
        next_due, kind = dues.get(case_id, (None, None))
        items[case_id] = WorkItem(
            case_id, procedure, rs, state, person_id, person, org, triggers=triggers,
            waiting_on=() if triggers else judge.waiting_on(procedure, rs, state, path),
            next_due=next_due, next_due_kind=kind,
            days_left=days_left(next_due) if next_due else None)
    return items
