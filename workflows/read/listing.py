"""Read-side queries of the web UI: the case list and the "My work" dashboard.

Built to stay fast at national scale (quality.md Performance 4): every filter is
an indexed range on the materialised organisation path (`'/1/4/' <= path <
'/1/40'`, which works on SQLite and PostgreSQL alike), pages are LIMIT/OFFSET
over an indexed order, and "who may act now" is decided once per group of cases
that share procedure, rule set, state and organisation — not once per case.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, exists, false, func, or_, select
from sqlalchemy.orm import Session

from models import Case, Deadline, Organisation, Person
from workflows.domain.definition import Authority, Procedure, Step, StepContext
from workflows.domain.errors import InvalidInput, NotFound
from workflows.domain.rulesets import RULE_SETS
from workflows.engine.access import Actor, load_actor
from workflows.engine.audit import audit, describe_filters
from workflows.engine.runtime import Runtime
from workflows.read.search import cases_with_decision, ids_or_subquery, parse_query, people_statement
from workflows.procedures.registry import procedure_names

# Side actions available in almost every state: they do not make a case "waiting on you".
SIDE_TRIGGERS = frozenset({"withdraw", "return_for_rework", "transfer", "revoke", "extend_deadline"})
SORTS = ("deadline", "recent")
PER_PAGE_MAX = 100
SEARCH_LIST_MAX = 2000
SMALL_SET = 3000  # up to this many matching cases, sort their deadlines directly  # matching people passed as a list of ids; more are kept as a subquery


# ---------------------------------------------------------------- path arithmetic


def subtree(column, path: str):
    """`column` is the path of an organisation at or under `path` (an index range, no LIKE)."""
    # Paths hold digits and '/', so every descendant of '/1/4/' sorts in ['/1/4/', '/1/40').
    return and_(column >= path, column < path[:-1] + "0")


def visible(actor: Actor, column):
    """The rows the actor may see: under any organisation where they hold a role."""
    if actor.is_admin:
        return None
    roots = actor.visible_paths()
    if not roots:
        return false()
    return or_(*(subtree(column, p) for p in roots))


def _where(query, condition):
    return query if condition is None else query.where(condition)


# ---------------------------------------------------------------- the case list


@dataclass(frozen=True)
class CaseFilter:
    procedure: str | None = None
    state: str | None = None
    organisation_id: int | None = None
    overdue: bool = False
    search: str | None = None
    status: str = "open"  # open | closed | all
    sort: str = "deadline"
    page: int = 1
    per_page: int = 25


@dataclass(frozen=True)
class CaseRow:
    id: int
    procedure: str
    rule_set: str
    state: str
    revision: int
    person_id: int
    person_name: str
    organisation_id: int
    organisation_name: str
    opened_at: datetime
    closed: bool
    next_due: date | None = None
    next_due_kind: str | None = None
    person_birth_year: int | None = None  # beside the name: tells two people of the same name apart


@dataclass(frozen=True)
class CasePage:
    items: list[CaseRow]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def check_filter(filt: CaseFilter) -> CaseFilter:
    """Refuse unknown values with a clear message rather than silently ignoring them."""
    if filt.procedure and filt.procedure not in procedure_names():
        raise InvalidInput(f"Không có thủ tục «{filt.procedure}».", f"Unknown procedure '{filt.procedure}'.",
                           {"procedure": "unknown"})
    if filt.sort not in SORTS:
        raise InvalidInput("Cách sắp xếp không hợp lệ.", "Unknown sort order.", {"sort": "unknown"})
    if filt.status not in ("open", "closed", "all"):
        raise InvalidInput("Trạng thái lọc không hợp lệ.", "Unknown status filter.", {"status": "unknown"})
    if filt.page < 1 or filt.page > 100_000 or not 1 <= filt.per_page <= PER_PAGE_MAX:
        raise InvalidInput("Số trang không hợp lệ.", "Page out of range.", {"page": "invalid"})
    return filt


def list_cases(rt: Runtime, *, actor_id: int, filt: CaseFilter, remote_addr: str | None = None) -> CasePage:
    """One page of the cases the actor may see, filtered, searched and sorted.

    The read is audited with its filters and the ids of the cases on the page (issue 14 item 7).
    """
    check_filter(filt)
    with rt.session_factory() as session:
        actor = load_actor(session, actor_id)
        page = cases_page(session, rt, actor, filt)
    filters = {"procedure": filt.procedure, "state": filt.state, "organisation_id": filt.organisation_id,
               "overdue": filt.overdue or None, "q": filt.search, "status": filt.status, "sort": filt.sort,
               "page": filt.page, "per_page": filt.per_page}
    audit(rt, user_id=actor_id, action="case.list", object_type="case", remote_addr=remote_addr,
          detail=f"{describe_filters(filters)} total={page.total}", object_ids=[c.id for c in page.items])
    return page


def case_conditions(session: Session, rt: Runtime, actor: Actor, filt: CaseFilter, *, plain: bool = False,
                    people=None) -> list:
    """WHERE conditions on `cases` alone (the name search is a subquery on persons, not a join).

    `plain`: for SQLite, the path range is written so that its index is not used, which lets the
    planner walk the primary key (newest first) and stop at the page instead of sorting the subtree.
    """
    path = Case.organisation_path.concat("") if plain else Case.organisation_path
    conditions = []
    seen = visible(actor, path)
    if seen is not None:
        conditions.append(seen)
    if filt.organisation_id is not None:
        org = session.get(Organisation, filt.organisation_id)
        if org is None or not actor.can_see(org.path):
            raise NotFound("tổ chức", filt.organisation_id)
        conditions.append(subtree(path, org.path))
    if filt.procedure:
        conditions.append(Case.procedure == filt.procedure)
    if filt.state:
        conditions.append(Case.state == filt.state)
    if filt.status == "open":
        conditions.append(Case.closed_at.is_(None))
    elif filt.status == "closed":
        conditions.append(Case.closed_at.is_not(None))
    if filt.overdue:
        conditions.append(Case.id.in_(select(Deadline.case_id).where(
            Deadline.status == "open", Deadline.due_date < rt.clock.today())))
    if filt.search:
        conditions.extend(people if people is not None else search_conditions(session, rt, filt.search))
    return conditions


def search_conditions(session: Session, rt: Runtime, text: str) -> list:
    """The cases a search box's text asks for (workflows.read.search): of the people named or born in the
    year typed, with the case number typed, or having recorded the decision number typed."""
    query = parse_query(text, this_year=rt.clock.today().year)
    if query.empty:
        return [false()]
    found = []
    people = people_statement(session, query)
    if people is not None:
        found.append(Case.person_id.in_(ids_or_subquery(session, people, SEARCH_LIST_MAX)))
    if query.case_ids:
        found.append(Case.id.in_(query.case_ids))
    if query.decision:
        found.append(Case.id.in_(ids_or_subquery(session, cases_with_decision(query.decision), SEARCH_LIST_MAX)))
    return found


def _open_deadline(case_id_column):
    return exists().where(Deadline.case_id == case_id_column, Deadline.status == "open")


def ids_by_deadline(session: Session, conditions: list, plain_conditions: list, offset: int, limit: int,
                    total: int) -> list[int]:
    """Case ids ordered by their nearest open deadline, then (no deadline) newest first.

    Few matching cases (a cell, a search): read their deadlines and sort them. Many (a
    province): walk the open deadlines in due order (their partial index) and keep the first
    `offset + limit` distinct cases that match — a page costs what it shows, not the subtree.
    """
    need = offset + limit
    if total <= SMALL_SET:
        dated = session.execute(select(Deadline.case_id, func.min(Deadline.due_date)).join(Case, Case.id == Deadline.case_id)
                                .where(Deadline.status == "open", *conditions).group_by(Deadline.case_id)).all()
        ordered = [case_id for case_id, _due in sorted(dated, key=lambda row: (row[1], row[0]))]
        page = ordered[offset:need]
        if len(page) < limit:
            page.extend(session.scalars(select(Case.id).where(*conditions, ~_open_deadline(Case.id))
                                        .order_by(Case.id.desc()).limit(limit - len(page))
                                        .offset(max(0, offset - len(ordered)))).all())
        return page
    batch = need * 2 + 50
    while True:
        matching = exists().where(Case.id == Deadline.case_id, *conditions)
        rows = session.scalars(select(Deadline.case_id).where(Deadline.status == "open", matching)
                               .order_by(Deadline.due_date, Deadline.case_id).limit(batch)).all()
        ordered = list(dict.fromkeys(rows))
        exhausted = len(rows) < batch
        if len(ordered) >= need or exhausted:
            break
        batch *= 4
    page = ordered[offset:need]
    if len(page) < limit and exhausted:
        rest = session.scalars(select(Case.id).where(*plain_conditions, ~_open_deadline(Case.id))
                               .order_by(Case.id.desc()).limit(limit - len(page))
                               .offset(max(0, offset - len(ordered)))).all()
        page.extend(rest)
    return page


def cases_page(session: Session, rt: Runtime, actor: Actor, filt: CaseFilter) -> CasePage:
    sqlite = session.get_bind().dialect.name == "sqlite"
    people = search_conditions(session, rt, filt.search) if filt.search else None
    conditions = case_conditions(session, rt, actor, filt, people=people)
    plain = case_conditions(session, rt, actor, filt, plain=sqlite, people=people) if sqlite else conditions
    total = session.scalar(select(func.count(Case.id)).where(*conditions)) or 0
    offset = (filt.page - 1) * filt.per_page
    if filt.sort == "deadline":
        ids = ids_by_deadline(session, conditions, plain, offset, filt.per_page, total)
    else:
        ids = session.scalars(select(Case.id).where(*plain).order_by(Case.id.desc())
                              .limit(filt.per_page).offset(offset)).all()
    rows = {r[0]: r for r in session.execute(
        select(Case.id, Case.procedure, Case.rule_set, Case.state, Case.revision, Case.person_id, Person.full_name,
               Case.organisation_id, Organisation.name, Case.opened_at, Case.closed_at, Person.birth_date)
        .join(Person, Person.id == Case.person_id).join(Organisation, Organisation.id == Case.organisation_id)
        .where(Case.id.in_(ids))).all()} if ids else {}
    dues = _dues(session, ids)
    items = [CaseRow(*rows[i][:10], rows[i][10] is not None, *dues.get(i, (None, None)), rows[i][11].year)
             for i in ids if i in rows]
    return CasePage(items, total, filt.page, filt.per_page)


def _dues(session: Session, case_ids: list[int]) -> dict[int, tuple[date, str]]:
    """The earliest open deadline (date, kind) of each listed case."""
    if not case_ids:
        return {}
    result: dict[int, tuple[date, str]] = {}
    rows = session.execute(select(Deadline.case_id, Deadline.due_date, Deadline.kind)
                           .where(Deadline.case_id.in_(case_ids), Deadline.status == "open")
                           .order_by(Deadline.due_date)).all()
    for case_id, due, kind in rows:
        result.setdefault(case_id, (due, kind))
    return result


def filter_options(rt: Runtime, *, actor_id: int) -> dict:
    """What the filter form offers: procedures with their states, and the visible organisations."""
    with rt.session_factory() as session:
        actor = load_actor(session, actor_id)
        orgs = session.execute(_where(select(Organisation.id, Organisation.name, Organisation.path,
                                             Organisation.kind), visible(actor, Organisation.path))
                               .order_by(Organisation.path).limit(2000)).all()
    return {"organisations": [dict(id=o[0], name=o[1], depth=o[2].count("/") - 2, kind=o[3]) for o in orgs]}


# ---------------------------------------------------------------- who may act


def _forward_steps(definition: Procedure, state: str) -> list[Step]:
    return [s for s in definition.steps_from(state)
            if s.trigger not in SIDE_TRIGGERS and not getattr(s, "system", False)]


def authorities_needed(definition: Procedure, state: str) -> list[Authority]:
    result: list[Authority] = []
    for step in _forward_steps(definition, state):
        if not callable(step.who):
            result.extend(a for a in step.who if a not in result)
    return result


def actionable_triggers(actor: Actor, definition: Procedure, ctx: StepContext) -> list[str]:
    """Forward steps from the context's state that apply there and that the actor may take.

    As queries.allowed_actions: a step that records no data is offered only when its rules hold.
    """
    rule_set = RULE_SETS[definition.rule_set]
    triggers: list[str] = []
    for step in _forward_steps(definition, ctx.case.state):
        if step.trigger in triggers:
            continue
        if step.applies is not None and not step.applies(ctx):
            continue
        if not step.fields and not all(rule.check(ctx) for rule in step.rules):
            continue
        if actor.may(step.authorities(ctx), ctx.chain, rule_set):
            triggers.append(step.trigger)
    return triggers
