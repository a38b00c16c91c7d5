"""The pipeline of a subtree: open cases, overdue deadlines, and how long steps took against their deadlines.

Open cases count by the case's organisation. Deadlines count by the unit that
had to act (`Deadline.organisation_id`: the cell for a ceremony, the competent
committee for a decision), so "overdue by unit" and "how long each unit took"
name the same bodies.

Step timings are in working days between the dates the steps recorded (not the
moment they were typed in), so cases recorded after the fact count by their
real dates: a deadline runs from the date of the step that opened it to the
date of the step that met it, against its due date.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from itertools import islice
from math import ceil

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session, aliased

from models import Case, Deadline, Event, Organisation
from workflows.domain.calendar import WorkingCalendar
from workflows.domain.rulesets import RULE_SETS
from workflows.procedures.registry import PROCEDURE_BUILDERS, get_procedure
from workflows.reports.exports import Table
from workflows.reports.statistics import (
    OrgRef,
    Period,
    organisation_or_404,
    subtree_filter,
)


@dataclass(frozen=True)
class StepTiming:
    """How long the step meeting one kind of deadline took, in working days."""

    kind: str
    label: str
    count: int
    median: int
    p90: int
    allowed_median: int
    late: int


@dataclass(frozen=True)
class Pipeline:
    organisation: OrgRef
    today: date
    period: Period
    open_cases: list[tuple[OrgRef, str, str, int]]  # (organisation, procedure, state, count)
    overdue: list[tuple[OrgRef, str, int]]  # (organisation that must act, deadline kind, count)
    timings: list[StepTiming]


def percentile(histogram: dict[int, int], p: float) -> int:
    """Nearest-rank percentile of a value → count histogram (p in 0..100)."""
    total = sum(histogram.values())
    rank = max(1, ceil(p / 100 * total))
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen >= rank:
            return value
    raise ValueError("empty histogram")


# ---------------------------------------------------------------- labels from the definitions


@lru_cache(maxsize=None)
def _definitions():
    return [get_procedure(name, rs) for name in PROCEDURE_BUILDERS for rs in RULE_SETS]


def procedure_label(name: str) -> str:
    for definition in _definitions():
        if definition.name == name:
            return definition.label_vi
    return name


def state_label(procedure: str, state: str) -> str:
    for definition in _definitions():
        if definition.name == procedure:
            try:
                return definition.state(state).label_vi
            except KeyError:
                continue
    return state


def deadline_label(kind: str) -> str:
    for definition in _definitions():
        # The open step opens deadlines too (probation's cell review, an appeal's resolution).
        for step in (definition.open_step, *definition.steps):
            for spec in step.opens:
                if spec.kind == kind and spec.label_vi:
                    return spec.label_vi
    return kind


@lru_cache(maxsize=None)
def _date_paths() -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    """(procedure, trigger, JSON path of the recorded date) for every dated step."""
    found: dict[tuple[str, str], tuple[str, ...]] = {}
    for definition in _definitions():
        for step in (definition.open_step, *definition.steps):
            if step.date_field:
                found.setdefault((definition.name, step.trigger), tuple(step.date_field.split(".")))
    return tuple((p, t, path) for (p, t), path in sorted(found.items()))


def _recorded_date(event):
    """SQL: the date an event's step recorded (its definition's date_field), as text."""
    whens = [(and_(Case.procedure == p, event.trigger == t), event.data[path].as_string())
             for p, t, path in _date_paths()]
    return case(*whens, else_=None)


# ---------------------------------------------------------------- the pipeline


def _org_refs(session: Session, path: str, ids) -> dict[int, OrgRef]:
    """The organisations `ids`, read as the subtree of `path` (one index range, not an IN of hundreds of
    ids); any outside it (a case whose path is not its organisation's) by id."""
    ids = set(ids)
    if not ids:
        return {}
    conn = session.connection()
    refs = {i: OrgRef(i, n, p) for i, n, p in conn.execute(
        select(Organisation.id, Organisation.name, Organisation.path).where(subtree_filter(Organisation.path, path)))
        if i in ids}
    missing = ids - refs.keys()
    if missing:
        refs.update((i, OrgRef(i, n, p)) for i, n, p in conn.execute(
            select(Organisation.id, Organisation.name, Organisation.path).where(Organisation.id.in_(missing))))
    return refs


def open_cases(session: Session, path: str) -> list[tuple[int, str, str, int]]:
    """(organisation id, procedure, state, count) of the subtree's open cases.

    Grouped in the order of the covering index ix_cases_open_path (path, organisation, procedure, state;
    `closed_at` is in it too, so SQLite reads no table row): one streaming pass, no sort. A case's
    path is its organisation's, so each (organisation, procedure, state) comes once; should the same
    organisation ever show under two paths, its rows are merged.
    """
    rows = session.connection().execute(
        select(Case.organisation_path, Case.organisation_id, Case.procedure, Case.state, func.count())
        .where(subtree_filter(Case.organisation_path, path), Case.closed_at.is_(None))
        .group_by(Case.organisation_path, Case.organisation_id, Case.procedure, Case.state)
    )
    result: list[tuple[int, str, str, int]] = []
    path_of: dict[int, str] = {}
    merged = False
    for case_path, o, p, s, n in rows:
        if path_of.setdefault(o, case_path) != case_path:
            merged = True
        result.append((o, p, s, n))
    if merged:
        totals: dict[tuple[int, str, str], int] = defaultdict(int)
        for o, p, s, n in result:
            totals[(o, p, s)] += n
        result = [(o, p, s, n) for (o, p, s), n in totals.items()]
    return result


def _units(path: str):
    """The ids of the organisations in the subtree (a subquery)."""
    return select(Organisation.id).where(subtree_filter(Organisation.path, path)).scalar_subquery()


def overdue(session: Session, path: str, today: date) -> list[tuple[int, str, int]]:
    """(organisation that must act, kind, count) of the open deadlines due before `today`, per unit of the
    subtree: a range of ix_deadlines_open_unit (organisation, kind, due date) for each unit."""
    rows = session.connection().execute(
        select(Deadline.organisation_id, Deadline.kind, func.count())
        .where(Deadline.status == "open", Deadline.due_date < today, Deadline.organisation_id.in_(_units(path)))
        .group_by(Deadline.organisation_id, Deadline.kind)
    )
    return [(o, k, int(n)) for o, k, n in rows]


def step_timings(session: Session, calendar: WorkingCalendar, path: str, period: Period) -> list[StepTiming]:
    """Met deadlines of the subtree's units whose meeting step is dated within the period, per kind.

    The engine stores each met deadline's working days taken and allowed (effects.py); deadlines
    written without them (before migration 0006, or imported) are measured from their events here.
    """
    taken: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    allowed: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    late: dict[str, int] = defaultdict(int)
    # `status` is in the index too: SQLite treats a partial index as covering only then.
    late_count = func.sum(case((Deadline.met_on > Deadline.due_date, 1), else_=0))
    stored = session.connection().execute(
        select(Deadline.kind, Deadline.working_days_taken, Deadline.working_days_allowed, late_count, func.count())
        .where(Deadline.status == "met", Deadline.organisation_id.in_(_units(path)),
               Deadline.met_on >= period.date_from, Deadline.met_on <= period.date_to,
               Deadline.working_days_taken.is_not(None))
        .group_by(Deadline.kind, Deadline.working_days_taken, Deadline.working_days_allowed)
    )
    for kind, days_taken, days_allowed, n_late, n in stored:
        taken[kind][days_taken] += n
        allowed[kind][days_allowed] += n
        late[kind] += int(n_late or 0)
    for kind, days_taken, days_allowed, is_late, n in _timings_from_events(session, path, period, calendar):
        taken[kind][days_taken] += n
        allowed[kind][days_allowed] += n
        if is_late:
            late[kind] += n
    return [
        StepTiming(kind, deadline_label(kind), sum(taken[kind].values()), percentile(taken[kind], 50),
                   percentile(taken[kind], 90), percentile(allowed[kind], 50), late[kind])
        for kind in sorted(taken)
    ]


def _timings_from_events(session: Session, path: str, period: Period, calendar: WorkingCalendar):
    """(kind, taken, allowed, late, count) of met deadlines without stored timings, from their events."""
    # A count, not LIMIT 1: with a LIMIT PostgreSQL bets on a sequential scan finding a row early;
    # counting reads the (normally empty) partial index ix_deadlines_untimed.
    missing = session.scalar(
        select(func.count()).select_from(Deadline)
        .where(Deadline.status == "met", Deadline.met_on.is_(None), Deadline.organisation_id.in_(_units(path))))
    if not missing:  # the usual case: every deadline was met through the engine
        return
    opened, met = aliased(Event), aliased(Event)
    started_on, met_on = _recorded_date(opened).label("started"), _recorded_date(met).label("met")
    rows = session.execute(
        select(Deadline.kind, Deadline.due_date, started_on, met_on, func.count())
        .join(Case, Case.id == Deadline.case_id)
        .join(opened, and_(opened.case_id == Deadline.case_id, opened.at == Deadline.opened_at))
        .join(met, and_(met.case_id == Deadline.case_id, met.at == Deadline.closed_at))
        .where(Deadline.status == "met", Deadline.organisation_id.in_(_units(path)), Deadline.met_on.is_(None))
        .group_by(Deadline.kind, Deadline.due_date, started_on, met_on)
    ).all()
    for kind, due, start, end, n in rows:
        if not start or not end:
            continue
        start, end = date.fromisoformat(start), date.fromisoformat(end)
        if period.date_from <= end <= period.date_to:
            yield (kind, calendar.working_days_between(start, end), calendar.working_days_between(start, due),
                   end > due, int(n))


def pipeline(session: Session, calendar: WorkingCalendar, *, organisation_id: int, today: date,
             date_from: date, date_to: date) -> Pipeline:
    """Open cases per organisation, procedure and state; overdue deadlines by the unit that must act;
    working days each deadline-bound step took in the period (median, 90th percentile) against the allowed."""
    org = organisation_or_404(session, organisation_id)
    period = Period(date_from, date_to)
    cases = open_cases(session, org.path)
    late = overdue(session, org.path, today)
    refs = _org_refs(session, org.path, {o for o, *_ in cases} | {o for o, *_ in late})
    for o, *_ in cases + late:
        if o not in refs:  # an organisation deleted meanwhile
            refs[o] = OrgRef(o, f"#{o}", "")
    # In place, and sorted only when out of order (the open cases come in path order): a province has
    # thousands of rows, and every extra live object brings Python's full garbage collection nearer.
    for i, (o, p, s, n) in enumerate(cases):
        cases[i] = (refs[o], p, s, n)
    if not _in_order(cases):
        cases.sort(key=lambda r: (r[0].path, r[1], r[2]))
    late_rows = sorted(((refs[o], k, n) for o, k, n in late), key=lambda r: (r[0].path, r[1]))
    return Pipeline(OrgRef(org.id, org.name, org.path), today, period, cases, late_rows,
                    step_timings(session, calendar, org.path, period))


def _in_order(rows: list[tuple[OrgRef, str, str, int]]) -> bool:
    """Whether the rows are sorted by (organisation path, procedure, state)."""
    for a, b in zip(rows, islice(rows, 1, None)):
        pa, pb = a[0].path, b[0].path
        if pa > pb or (pa == pb and (a[1], a[2]) > (b[1], b[2])):
            return False
    return True


def pipeline_tables(p: Pipeline) -> list[Table]:
    """Open cases, overdue deadlines and step timings, with Vietnamese headers."""
    return [
        Table("open_cases", "Hồ sơ đang giải quyết", ("Tổ chức", "Thủ tục", "Trạng thái", "Số hồ sơ"),
              tuple((o.name, procedure_label(proc), state_label(proc, s), n) for o, proc, s, n in p.open_cases)),
        Table("overdue", "Thời hạn đã quá", ("Tổ chức phải thực hiện", "Loại thời hạn", "Số quá hạn"),
              tuple((o.name, deadline_label(k), n) for o, k, n in p.overdue),
              notes=(f"Tính đến ngày {p.today:%d/%m/%Y}.",)),
        Table("timings", "Thời gian thực hiện so với thời hạn (ngày làm việc)",
              ("Bước (thời hạn)", "Số lượt", "Trung vị", "Phân vị 90", "Thời hạn (trung vị)", "Số lượt trễ hạn"),
              tuple((t.label, t.count, t.median, t.p90, t.allowed_median, t.late) for t in p.timings),
              notes=(f"Các bước có ngày thực hiện từ {p.period.date_from:%d/%m/%Y} đến {p.period.date_to:%d/%m/%Y}.",)),
    ]
