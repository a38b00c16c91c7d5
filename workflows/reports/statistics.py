"""Statistics: decisions made in a period, for an organisation subtree (procedures.md §9).

What counts is the final state a decision put the case in, on the decision
date (`Case.decided_on`, a calendar date). A revoked decision reopens its case
at the step before it and clears `decided_on`; an annulling appeal moves the
case to `annulled`: either way the case leaves the counted states by itself.

Three grouped queries: plain outcomes by (procedure, state), from a covering
index of migration 0006_reports; discipline by its decided form (`Case.data.form`,
which an amending appeal updates); and strike-offs of probationary members (the
decision event records the person's status before it,
`effects.person.membership_status[0]`), through the partial indexes of 0007.
Totals, the breakdown by child organisation and the monthly trend come from the
same queries, so they agree.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from itertools import chain

from sqlalchemy import (
    String,
    and_,
    exists,
    func,
    literal_column,
    select,
    tuple_,
    union_all,
)
from sqlalchemy.orm import Session, aliased

from models import Case, Event, Organisation
from workflows.domain.errors import InvalidInput, NotFound
from workflows.engine.facts import path_ids
from workflows.domain.outcomes import CATEGORIES, DISCIPLINE_FORMS, DISCIPLINE_STATES, OUTCOMES
from workflows.reports.exports import Table

CATEGORY_LABELS_VI = {
    "admitted": "Kết nạp",
    "recognised": "Công nhận chính thức",
    "struck_off": "Xóa tên",
    "struck_off_probationary": "Trong đó: đảng viên dự bị",
    "expelled": "Khai trừ",
    "withdrawn": "Xin ra khỏi Đảng",
    "reprimand": "Khiển trách",
    "warning": "Cảnh cáo",
    "removal_from_post": "Cách chức",
}


@dataclass(frozen=True)
class Period:
    date_from: date
    date_to: date

    def __post_init__(self) -> None:
        if self.date_from > self.date_to:
            raise InvalidInput("Ngày bắt đầu phải trước hoặc bằng ngày kết thúc.",
                               "'from' must not be after 'to'.", {"from": "after to"})


def subtree_filter(column, path: str):
    """`column` lies in the subtree of `path` ('/1/4/'): an index-friendly range, not LIKE.

    Paths hold only digits and '/', and '0' follows '/' in byte order, so every
    path starting with '/1/4/' sorts in ['/1/4/', '/1/40'). (The PostgreSQL
    database collation is C, like SQLite's binary order.)
    """
    return and_(column >= path, column < path[:-1] + "0")


def organisation_or_404(session: Session, organisation_id: int) -> Organisation:
    org = session.get(Organisation, organisation_id)
    if org is None:
        raise NotFound("tổ chức", organisation_id)
    return org


def _in_scope(path: str, period: Period):
    return (subtree_filter(Case.organisation_path, path),
            Case.decided_on >= period.date_from, Case.decided_on <= period.date_to)


def decision_counts(session: Session, path: str, period: Period, by: tuple[str, ...] = (), *,
                    special: bool = True) -> Iterator[tuple[date | None, str | None, str, int]]:
    """(day, organisation path, category, count) for the decisions of a subtree and period.

    `by` names what to break down by: () for totals only, ("day",), ("path",), or ("day", "path")
    as two grouping sets (PostgreSQL: one scan; each plain row then carries one of the two keys).
    The plain outcomes are grouped in the order of a covering index (no sort), by decision date and
    case path. Discipline and probationary strike-offs, few and read from their own partial indexes,
    are grouped by both, coarser (on SQLite and PostgreSQL): by month (the row's day is the 1st of its
    month) and by the child of `path` the case lies under (the row's path is that child's, or `path`
    itself for a case of the organisation's own); `special=False` leaves them out, for a second
    breakdown of the same period.
    """
    key_columns = {"day": Case.decided_on, "path": Case.organisation_path}
    keys = [key_columns[name] for name in by]
    day_at = 2 + by.index("day") if "day" in by else None
    path_at = 2 + by.index("path") if "path" in by else None
    # Core rows straight from the connection: thousands of small rows, no ORM bookkeeping needed.
    conn = session.connection()
    # IN on both columns keeps the index order (an OR of pairs would not); the cross product
    # of these procedures and states holds no other pair that exists.
    grouping = [Case.procedure, Case.state, *keys]
    if len(keys) == 2:
        grouping = [func.grouping_sets(*(tuple_(Case.procedure, Case.state, key) for key in keys))]
    plain = conn.execute(
        select(Case.procedure, Case.state, *keys, func.count())
        .where(Case.procedure.in_({p for p, _ in OUTCOMES}), Case.state.in_({s for _, s in OUTCOMES}),
               *_in_scope(path, period))
        .group_by(*grouping))
    for row in plain:
        category = OUTCOMES.get((row[0], row[1]))
        if category is None:
            continue
        day = row[day_at] if day_at else None
        org_path = row[path_at] if path_at else None
        n = int(row[-1])
        yield day, org_path, category, n
        if (row[0], row[1]) == ("probation", "struck_off"):
            yield day, org_path, "struck_off_probationary", n
    if not special:
        return
    dialect = conn.dialect.name
    coarse = _month_and_child(dialect, path) if by else None
    detail = list(coarse) if coarse else [Case.decided_on, Case.organisation_path] if by else []
    first_of = _first_of_month if coarse else None
    form_sql = DISCIPLINE_FORM_SQL.get(dialect)
    if form_sql is None:  # another database: the form read from each case's data
        form = Case.data["form"].as_string()
        discipline = conn.execute(
            select(form, *detail, func.count())
            .where(Case.procedure == "discipline", Case.state.in_(DISCIPLINE_STATES), *_in_scope(path, period))
            .group_by(form, *detail))
    else:  # one covering partial index per form (ix_cases_discipline_<form>, migration 0007): no case row read
        discipline = conn.execute(union_all(*(
            select(literal_column(f"'{form}'", String), *detail, func.count())
            .where(Case.procedure == literal_column("'discipline'"),
                   literal_column(form_sql, String) == literal_column(f"'{form}'"),
                   Case.state.in_(DISCIPLINE_STATES), *_in_scope(path, period))
            .group_by(*detail)
            for form in DISCIPLINE_FORMS)))
    def keyed(category: str, keys, n) -> tuple[date | None, str | None, str, int]:
        """A row of the detail keys (day or month, path or child path), or of none (totals only)."""
        if not by:
            return None, None, category, int(n)
        day, org_path = keys
        return (first_of(day) if first_of else day), org_path, category, int(n)

    for row in discipline:
        category = DISCIPLINE_FORMS.get(row[0] or "")
        if category and row[-1]:
            yield keyed(category, row[1:3], row[-1])
    # Strike-offs of probationary members: the member's status before the latest strike-off decision of
    # the case, as that event recorded it. Joined to the (few) probationary strike-off decisions through
    # the partial index ix_events_struck_off_probationary, one probe per strike-off of the period; a later
    # strike-off decision of the same case (after a revoked one) wins, through ix_events_struck_off.
    decision, later = aliased(Event, name="decision"), aliased(Event, name="later")
    probationary = conn.execute(
        select(*detail, func.count())
        .select_from(Case)
        .join(decision, and_(decision.case_id == Case.id, decision.to_state == "struck_off",
                             status_before(decision, "decision", conn.dialect.name) == literal_column("'probationary'")))
        .where(Case.procedure == "strike_off", Case.state == "struck_off", *_in_scope(path, period),
               ~exists().where(later.case_id == Case.id, later.to_state == "struck_off", later.seq > decision.seq))
        .group_by(*detail))
    for row in probationary:
        if row[-1]:
            yield keyed("struck_off_probationary", row[0:2], row[-1])


def _month_and_child(dialect: str, path: str):
    """SQL: a case's decision month ('YYYY-MM') and the path of the child of `path` it lies under (`path`
    itself for the organisation's own), or None on a database without these functions. Literals, not
    parameters: the same expression is grouped by and selected."""
    if dialect not in ("sqlite", "postgresql"):
        return None
    start = literal_column(str(len(path) + 1))  # the first character after `path`
    rest = func.substr(Case.organisation_path, start)
    position = func.instr(rest, literal_column("'/'")) if dialect == "sqlite" else \
        func.strpos(rest, literal_column("'/'"))
    child = func.substr(Case.organisation_path, literal_column("1"), literal_column(str(len(path))) + position,
                        type_=String).label("child_path")
    month = (func.substr(Case.decided_on, literal_column("1"), literal_column("7"), type_=String) if dialect == "sqlite"
             else func.to_char(Case.decided_on, literal_column("'YYYY-MM'"), type_=String)).label("month")
    return month, child


@lru_cache(maxsize=256)
def _first_of_month(month: str) -> date:
    """'2026-03' -> 2026-03-01."""
    return date(int(month[:4]), int(month[5:7]), 1)


# A discipline case's decided form, written exactly as the partial indexes ix_cases_discipline_<form> say it
# (migration 0007); the form itself is a literal in the query too, as in the index.
DISCIPLINE_FORM_SQL = {
    "sqlite": "json_extract(cases.data, '$.form')",
    "postgresql": "(cases.data ->> 'form')",
}

# The member's status before a strike-off decision (`effects.person.membership_status[0]` of its event), written
# exactly as the partial index ix_events_struck_off_probationary says it (migration 0007): an index's
# expression is matched as written, never through a bound parameter.
STATUS_BEFORE_SQL = {
    "sqlite": "json_extract({}.data, '$.effects.person.membership_status[0]')",
    "postgresql": "({}.data #>> '{{effects,person,membership_status,0}}')",
}


def status_before(event, alias: str, dialect: str):
    """SQL: the status before the strike-off decision `event` (an alias of Event named `alias`)."""
    template = STATUS_BEFORE_SQL.get(dialect)
    if template is None:
        return event.data[("effects", "person", "membership_status", 0)].as_string()
    return literal_column(template.format(alias), String)


def empty_counts() -> dict[str, int]:
    return {name: 0 for name in CATEGORIES}


def live_summary(session: Session, *, organisation_id: int, date_from: date, date_to: date) -> dict[str, int]:
    """The figures for an organisation's subtree and a period of decision dates (inclusive), counted from the
    cases (the pages read the tallies, workflows/reports/tallied.py; tests prove both agree).

    {admitted, recognised, struck_off, struck_off_probationary, expelled, withdrawn,
    reprimand, warning, removal_from_post}. Raises NotFound for an unknown
    organisation, InvalidInput when the period is reversed.
    """
    org = organisation_or_404(session, organisation_id)
    counts = empty_counts()
    for _day, _path, category, n in decision_counts(session, org.path, Period(date_from, date_to)):
        counts[category] += n
    return counts


# ---------------------------------------------------------------- statistics: totals, by child, by month


@dataclass(frozen=True)
class OrgRef:
    id: int
    name: str
    path: str


@dataclass(frozen=True)
class Statistics:
    """The figures of a subtree and period, three ways that always add up to the same totals."""

    organisation: OrgRef
    period: Period
    totals: dict[str, int]
    children: list[tuple[OrgRef, dict[str, int]]]  # direct children; the organisation itself first if it has its own
    months: list[tuple[tuple[int, int], dict[str, int]]]  # every month of the period, zeros included




def months_of(period: Period) -> list[tuple[int, int]]:
    """(year, month) for every month the period touches."""
    result, y, m = [], period.date_from.year, period.date_from.month
    while (y, m) <= (period.date_to.year, period.date_to.month):
        result.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return result


def live_statistics(session: Session, *, organisation_id: int, date_from: date, date_to: date) -> Statistics:
    """Totals, the breakdown by direct child organisation and the monthly trend, counted from the cases (four
    grouped queries; fast for a province, seconds for the nation — the pages read the tallies instead)."""
    org = organisation_or_404(session, organisation_id)
    period = Period(date_from, date_to)
    root = OrgRef(org.id, org.name, org.path)
    children = [OrgRef(c.id, c.name, c.path) for c in session.scalars(
        select(Organisation).where(Organisation.parent_id == org.id).order_by(Organisation.name, Organisation.id))]
    by_child: dict[int, dict[str, int]] = {c.id: empty_counts() for c in children}
    own = empty_counts()
    months = {ym: empty_counts() for ym in months_of(period)}
    totals = empty_counts()
    depth = len(path_ids(org.path))

    child_of: dict[str, dict[str, int]] = {}  # case path -> its child's counts (paths repeat a lot)

    def child_counts(case_path: str) -> dict[str, int]:
        counts = child_of.get(case_path)
        if counts is None:
            ids = path_ids(case_path)
            # A child created after the query above counts as the organisation's own.
            counts = child_of[case_path] = by_child.get(ids[depth], own) if len(ids) > depth else own
        return counts

    # The plain outcomes by day and by path: two grouping sets of one scan on PostgreSQL, two streaming
    # index scans on SQLite (which has no grouping sets). The few discipline and probationary
    # strike-off rows come with both keys, once.
    if session.get_bind().dialect.name == "postgresql":
        rows = decision_counts(session, org.path, period, by=("day", "path"))
    else:
        rows = chain(decision_counts(session, org.path, period, by=("day",)),
                     decision_counts(session, org.path, period, by=("path",), special=False))
    month_of: dict[date, dict[str, int]] = {}  # decision date -> its month's counts (dates repeat a lot)

    def month_counts(day: date) -> dict[str, int]:
        counts = month_of.get(day)
        if counts is None:
            counts = month_of[day] = months.setdefault((day.year, day.month), empty_counts())
        return counts

    for day, case_path, category, n in rows:
        if case_path is not None:
            child_counts(case_path)[category] += n
        if day is not None:
            month_counts(day)[category] += n
            totals[category] += n
    rows = [(c, by_child[c.id]) for c in children]
    if any(own.values()):
        rows.insert(0, (root, own))
    return Statistics(root, period, totals, rows, sorted(months.items()))


# ---------------------------------------------------------------- tables (pages and exports share them)

MAIN_CATEGORIES = ("admitted", "recognised", "struck_off", "struck_off_probationary", "expelled", "withdrawn")
OTHER_FORMS = ("reprimand", "warning", "removal_from_post")


def _period_vi(period: Period) -> str:
    return f"từ {period.date_from:%d/%m/%Y} đến {period.date_to:%d/%m/%Y}"


def statistics_tables(stats: Statistics) -> list[Table]:
    """Summary, by child organisation and by month, with Vietnamese headers."""
    headers = tuple(CATEGORY_LABELS_VI[c] for c in CATEGORIES)
    summary_table = Table(
        "summary", "Tổng hợp", ("Chỉ tiêu", "Số lượng"),
        tuple((CATEGORY_LABELS_VI[c], stats.totals[c]) for c in CATEGORIES),
        notes=(f"{stats.organisation.name}, {_period_vi(stats.period)} (theo ngày quyết định).",),
    )
    child_rows = [(("Trực tiếp " if ref.id == stats.organisation.id else "") + ref.name,
                   *(counts[c] for c in CATEGORIES)) for ref, counts in stats.children]
    child_rows.append(("Cộng", *(stats.totals[c] for c in CATEGORIES)))
    by_child = Table("by_child", "Theo tổ chức trực thuộc", ("Tổ chức", *headers), tuple(child_rows))
    month_rows = [(f"{m:02d}/{y}", *(counts[c] for c in CATEGORIES)) for (y, m), counts in stats.months]
    month_rows.append(("Cộng", *(stats.totals[c] for c in CATEGORIES)))
    by_month = Table("by_month", "Theo tháng", ("Tháng", *headers), tuple(month_rows))
    return [summary_table, by_child, by_month]


def seed_sentence(totals: dict[str, int]) -> str:
    """The figures in the words a province report uses (procedures.md §9)."""
    return (f"kết nạp {totals['admitted']}, công nhận chính thức {totals['recognised']}, "
            f"khai trừ {totals['expelled']}, xóa tên {totals['struck_off']} "
            f"(trong đó {totals['struck_off_probationary']} đảng viên dự bị), "
            f"xin ra khỏi Đảng {totals['withdrawn']}")
