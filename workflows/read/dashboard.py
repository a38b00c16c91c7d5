"""The "My work" dashboard: what the user may do now, what waits on others, what is due.

A supervisor sees their whole subtree, a secretary their cell (listing.visible).
Built for a province of 100,000 open cases (quality.md Performance 4):

- one streaming GROUP BY over the open cases' covering index (path, organisation,
  procedure, state) gives every count;
- "may act now" is decided per procedure state and organisation shape (judge.py), only
  steps whose authority reads the case's data being judged case by case;
- the lists walk the open deadlines in due order (their index) and stop when full.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, func, or_, select, tuple_
from sqlalchemy import case as sql_case
from sqlalchemy.orm import Session

from models import Case, Deadline, Organisation, Person
from workflows.engine.access import Actor, load_actor
from workflows.engine.facts import load_org_table
from workflows.engine.runtime import Runtime
from workflows.read.judge import Judge
from workflows.read.listing import visible

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
    person_birth_year: int | None = None  # beside the name: tells two people of the same name apart


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
    person_birth_year: int | None = None


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
    conn = session.connection()
    orgs = load_org_table(conn, *([] if org_seen is None else [org_seen]))
    # Ancestors of one's organisations are part of every chain (a competent committee above).
    missing = {int(p) for g in actor.grants for p in g.path.strip("/").split("/") if p} - set(orgs)
    if missing:
        orgs.update(load_org_table(conn, Organisation.id.in_(missing)))
    judge = Judge(session, rt, actor, orgs)
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
               Organisation.name, Person.birth_date)
        .join(Case, Case.id == Deadline.case_id).join(Person, Person.id == Case.person_id)
        .join(Organisation, Organisation.id == Case.organisation_id)
        .where(due_scope).order_by(Deadline.due_date, Deadline.id).limit(limit * 2)).all()
    due_items = [DueItem(d.case_id, procedure, rs, state, person, org, d.kind, d.due_date,
                         days_left(d.due_date), d.role,
                         bool(triggers_of(d.case_id, procedure, rs, state, path)), born.year)
                 for d, procedure, rs, state, path, person, org, born in due_rows]
    return Dashboard(
        today=today, actionable=[items[i] for i in mine], actionable_total=actionable_total,
        waiting=[items[i] for i in waiting], waiting_total=open_total - actionable_total, due=due_items,
        due_total=due_total, due_capped=due_capped, horizon=horizon, per_procedure=sorted(counts.values(), key=lambda c: c.procedure),
    )


def _count(session: Session, base: list, judge: Judge):
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
        in_state = [*base, Case.procedure == procedure, Case.state == state]
        rows = session.execute(select(Case.id, Case.rule_set, Case.organisation_path, Case.data, Case.person_id)
                               .where(*in_state)).all()
        deadlines: dict[int, dict[str, date]] = {}
        for case_id, kind, due in session.execute(
                select(Deadline.case_id, Deadline.kind, Deadline.due_date).join(Case, Case.id == Deadline.case_id)
                .where(Deadline.status == "open", *in_state)).all():
            deadlines.setdefault(case_id, {})[kind] = due
        for case_id, rs, path, data, person_id in rows:
            triggers = judge.case_triggers(case_id, procedure, rs, state, path, data or {}, person_id,
                                           deadlines.get(case_id))
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


def _describe(session: Session, judge: Judge, days_left, case_ids: list[int], triggers_of) -> dict[int, WorkItem]:
    """Names, organisations, next deadlines and who acts, for the listed cases only."""
    if not case_ids:
        return {}
    rows = session.execute(select(Case.id, Case.procedure, Case.rule_set, Case.state, Case.organisation_path,
                                  Case.person_id, Person.full_name, Organisation.name, Case.data, Person.birth_date)
                           .join(Person, Person.id == Case.person_id)
                           .join(Organisation, Organisation.id == Case.organisation_id)
                           .where(Case.id.in_(case_ids))).all()
    dues: dict[int, tuple[date, str]] = {}
    for case_id, due, kind in session.execute(select(Deadline.case_id, Deadline.due_date, Deadline.kind).where(
            Deadline.case_id.in_(case_ids), Deadline.status == "open").order_by(Deadline.due_date)).all():
        dues.setdefault(case_id, (due, kind))
    items = {}
    for case_id, procedure, rs, state, path, person_id, person, org, data, born in rows:
        triggers = triggers_of(case_id, procedure, rs, state, path)
        next_due, kind = dues.get(case_id, (None, None))
        items[case_id] = WorkItem(
            case_id, procedure, rs, state, person_id, person, org, triggers=triggers,
            waiting_on=() if triggers else judge.waiting_on(procedure, rs, state, path, data or {}),
            next_due=next_due, next_due_kind=kind,
            days_left=days_left(next_due) if next_due else None, person_birth_year=born.year)
    return items
