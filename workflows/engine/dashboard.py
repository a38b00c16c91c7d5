"""The "My work" dashboard: what the user may do now, what waits on others, what is due.

A supervisor sees their whole subtree, a secretary their cell (the visibility of
listing.visible). "May do now" is decided once per group of open cases sharing
procedure, rule set, state and organisation (one GROUP BY), so a province of
100,000 cases costs a few hundred evaluations, not 100,000.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, func, not_, or_, select, tuple_
from sqlalchemy.orm import Session

from models import Case, Deadline, Organisation, Person
from ..definition import CaseFacts, PersonFacts, StepContext
from ..organisations import scope_organisation
from ..registry import get_procedure
from ..rulesets import RULE_SETS
from .access import Actor, load_actor
from .facts import SessionLookups, case_facts, person_facts
from .listing import _Chains, _Group, _dues, actionable_triggers, authorities_needed, visible
from .runtime import Runtime

HORIZON_WORKING_DAYS = 7


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
    overdue: int = 0


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
    per_procedure: list[ProcedureCount] = field(default_factory=list)


def _dummy_person(org_id: int) -> PersonFacts:
    return PersonFacts(id=0, full_name="", birth_date=date(2000, 1, 1), organisation_id=org_id,
                       membership_status="none")


def _evaluate_groups(session: Session, rt: Runtime, actor: Actor, groups: list[_Group], chains: _Chains) -> None:
    """Fill each group's `triggers` (structural `applies`, static authorities) or mark it per-case."""
    held = {g.role for g in actor.grants}
    for group in groups:
        definition = get_procedure(group.procedure, group.rule_set)
        steps = [s for s in definition.steps_from(group.state)]
        if not actor.is_admin and not any(callable(s.who) for s in steps) \
                and not held & {a.role for a in authorities_needed(definition, group.state)}:
            continue
        if any(callable(s.who) for s in steps):
            group.per_case = True
            continue
        chain = chains(group.path)
        ctx = StepContext(
            rule_set=RULE_SETS[group.rule_set],
            case=CaseFacts(None, group.procedure, group.rule_set, group.state, 0, chain[-1].id, 0, {}, {}),
            person=_dummy_person(chain[-1].id), data={}, chain=chain, calendar=rt.calendar(),
            lookups=SessionLookups(session), today=rt.clock.today(),
        )
        group.triggers = actionable_triggers(actor, definition, ctx)


def _per_case(session: Session, rt: Runtime, actor: Actor, groups: list[_Group], chains: _Chains,
              cap: int = 2000) -> dict[int, list[str]]:
    """Cases of groups whose authority depends on the case itself: evaluated one by one (capped)."""
    result: dict[int, list[str]] = {}
    for group in groups:
        if not group.per_case:
            continue
        cases = session.scalars(select(Case).where(
            Case.procedure == group.procedure, Case.rule_set == group.rule_set, Case.state == group.state,
            Case.organisation_path == group.path, Case.closed_at.is_(None)).limit(cap)).all()
        definition = get_procedure(group.procedure, group.rule_set)
        for case in cases:
            ctx = StepContext(
                rule_set=RULE_SETS[case.rule_set], case=case_facts(case),
                person=person_facts(session.get(Person, case.person_id)), data={}, chain=chains(case.organisation_path),
                calendar=rt.calendar(), lookups=SessionLookups(session), today=rt.clock.today(),
            )
            triggers = actionable_triggers(actor, definition, ctx)
            if triggers:
                result[case.id] = triggers
    return result


def my_work(rt: Runtime, *, actor_id: int, limit: int = 25) -> Dashboard:
    """The signed-in user's dashboard."""
    with rt.session_factory() as session:
        return build_dashboard(session, rt, load_actor(session, actor_id), limit)


def build_dashboard(session: Session, rt: Runtime, actor: Actor, limit: int = 25) -> Dashboard:
    today = rt.clock.today()
    calendar = rt.calendar()
    chains = _Chains(session)
    base = [Case.closed_at.is_(None)]
    seen = visible(actor, Case.organisation_path)
    if seen is not None:
        base.append(seen)
    rows = session.execute(select(Case.procedure, Case.rule_set, Case.state, Case.organisation_path, func.count())
                           .where(*base).group_by(Case.procedure, Case.rule_set, Case.state,
                                                   Case.organisation_path)).all()
    groups = [_Group(*row) for row in rows]
    _evaluate_groups(session, rt, actor, groups, chains)
    per_case = _per_case(session, rt, actor, groups, chains)

    counts: dict[str, ProcedureCount] = {}
    for group in groups:
        entry = counts.setdefault(group.procedure, ProcedureCount(group.procedure))
        entry.open += group.count
        if group.triggers:
            entry.actionable += group.count
    by_case_procedure = dict(session.execute(select(Case.id, Case.procedure).where(Case.id.in_(list(per_case)))).all()) \
        if per_case else {}
    for case_id in per_case:
        counts[by_case_procedure[case_id]].actionable += 1
    overdue_rows = session.execute(
        select(Case.procedure, func.count(func.distinct(Case.id))).join(Deadline, Deadline.case_id == Case.id)
        .where(*base, Deadline.status == "open", Deadline.due_date < today).group_by(Case.procedure)).all()
    for procedure, n in overdue_rows:
        counts.setdefault(procedure, ProcedureCount(procedure)).overdue = n

    keys = [(g.procedure, g.rule_set, g.state, g.path) for g in groups if g.triggers]
    group_of = {(g.procedure, g.rule_set, g.state, g.path): g for g in groups}
    mine_parts = []
    if keys:
        mine_parts.append(tuple_(Case.procedure, Case.rule_set, Case.state, Case.organisation_path).in_(keys))
    if per_case:
        mine_parts.append(Case.id.in_(list(per_case)))
    mine = or_(*mine_parts) if mine_parts else None
    actionable_total = sum(g.count for g in groups if g.triggers) + len(per_case)
    open_total = sum(g.count for g in groups)

    def fetch(condition) -> list[WorkItem]:
        due = (select(Deadline.case_id.label("case_id"), func.min(Deadline.due_date).label("due"))
               .where(Deadline.status == "open").group_by(Deadline.case_id).subquery())
        query = (select(Case, Person.full_name, Organisation.name)
                 .join(Person, Person.id == Case.person_id).join(Organisation, Organisation.id == Case.organisation_id)
                 .outerjoin(due, due.c.case_id == Case.id).where(*base)
                 .order_by(due.c.due.is_(None), due.c.due, Case.id).limit(limit))
        if condition is not None:
            query = query.where(condition)
        found = session.execute(query).all()
        dues = _dues(session, [c.id for c, _n, _o in found])
        items = []
        for case, person_name, org_name in found:
            key = (case.procedure, case.rule_set, case.state, case.organisation_path)
            triggers = tuple(per_case.get(case.id) or (group_of[key].triggers if key in group_of else ()))
            next_due, kind = dues.get(case.id, (None, None))
            items.append(WorkItem(
                case.id, case.procedure, case.rule_set, case.state, case.person_id, person_name, org_name,
                triggers=triggers, waiting_on=() if triggers else _waiting_on(case, chains),
                next_due=next_due, next_due_kind=kind,
                days_left=calendar.working_days_between(today, next_due) if next_due else None,
            ))
        return items

    actionable = fetch(mine) if mine is not None else []
    waiting = fetch(not_(mine) if mine is not None else None)

    horizon = calendar.add_working_days(today, HORIZON_WORKING_DAYS)
    due_conditions = [*base, Deadline.status == "open", Deadline.due_date <= horizon]
    due_total = session.scalar(select(func.count(Deadline.id)).join(Case, Case.id == Deadline.case_id)
                               .where(*due_conditions)) or 0
    due_rows = session.execute(
        select(Deadline, Case, Person.full_name, Organisation.name).join(Case, Case.id == Deadline.case_id)
        .join(Person, Person.id == Case.person_id).join(Organisation, Organisation.id == Case.organisation_id)
        .where(*due_conditions).order_by(Deadline.due_date, Deadline.id).limit(limit * 2)).all()
    due_items = []
    for deadline, case, person_name, org_name in due_rows:
        key = (case.procedure, case.rule_set, case.state, case.organisation_path)
        is_mine = bool(per_case.get(case.id) or (key in group_of and group_of[key].triggers))
        due_items.append(DueItem(
            case.id, case.procedure, case.rule_set, case.state, person_name, org_name, deadline.kind,
            deadline.due_date, calendar.working_days_between(today, deadline.due_date), deadline.role, is_mine))
    return Dashboard(
        today=today, actionable=actionable, actionable_total=actionable_total, waiting=waiting,
        waiting_total=open_total - actionable_total, due=due_items, due_total=due_total, horizon=horizon,
        per_procedure=sorted(counts.values(), key=lambda c: c.procedure),
    )


def _waiting_on(case: Case, chains: _Chains) -> tuple[tuple[str, str], ...]:
    """Who must act next on the case: (role, organisation name) of its forward steps."""
    definition = get_procedure(case.procedure, case.rule_set)
    chain = chains(case.organisation_path)
    rule_set = RULE_SETS[case.rule_set]
    result: list[tuple[str, str]] = []
    for authority in authorities_needed(definition, case.state):
        try:
            org = scope_organisation(authority.scope, chain, rule_set)
        except Exception:  # an unknown scope must not break the dashboard
            continue
        entry = (authority.role, org.name)
        if entry not in result:
            result.append(entry)
    return tuple(result)
