"""Statistics: decisions made in a period, for an organisation subtree (procedures.md §9).

What counts is the canonical final state a decision put the case in, on the
decision date (`Case.decided_on`, a calendar date). A revoked decision reopens
its case at the step before it (procedures.md §9), so the case leaves the
counted state and drops out by itself; an annulled one is excluded explicitly.

One grouped query feeds the totals, the breakdown by child organisation and
the monthly trend, so the three always agree.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, case as sql_case, exists, func, literal, select, tuple_
from sqlalchemy.orm import Session, aliased

from models import Case, Event, Organisation
from ..errors import InvalidInput, NotFound

# The figures, in the order the province reports them (procedures.md §9).
CATEGORIES = (
    "admitted", "recognised", "struck_off", "struck_off_probationary", "expelled", "withdrawn",
    "reprimand", "warning", "removal_from_post",
)
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

# (procedure, final state reached by a decision) -> what it counts as.
# Discipline is counted by the decided form; strike-offs also feed the probationary figure.
OUTCOMES: dict[tuple[str, str], str] = {
    ("admission", "admitted"): "admitted",
    ("admission", "completed"): "admitted",
    ("probation", "official"): "recognised",
    ("probation", "struck_off"): "struck_off",
    ("strike_off", "struck_off"): "struck_off",
    ("discipline", "in_force"): "discipline",
    ("discipline", "closed"): "discipline",
    ("withdrawal", "removed"): "withdrawn",
}
DISCIPLINE_FORMS = {"expulsion": "expelled", "reprimand": "reprimand", "warning": "warning",
                    "removal_from_post": "removal_from_post"}


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
    path starting with '/1/4/' sorts in ['/1/4/', '/1/40'). (PostgreSQL's
    database collation is C here; LIKE would need text_pattern_ops otherwise.)
    """
    return and_(column >= path, column < path[:-1] + "0")


def organisation_or_404(session: Session, organisation_id: int) -> Organisation:
    org = session.get(Organisation, organisation_id)
    if org is None:
        raise NotFound("tổ chức", organisation_id)
    return org


def _form_expression():
    """The decided discipline form; an appeal's `amend` overrides it (see _amended_form)."""
    return Case.data[("decide_discipline", "form")].as_string()


def _probationary_expression():
    """1 when the person was a probationary member when struck off.

    A probation strike-off always is; for a strike_off case the decision event
    records the person's status before the change (effects.person.membership_status[0]).
    """
    decision = aliased(Event)
    was_probationary = exists().where(
        decision.case_id == Case.id,
        decision.to_state == "struck_off",
        decision.data[("effects", "person", "membership_status", 0)].as_string() == "probationary",
    )
    return sql_case(
        (Case.procedure == "probation", literal(1)),
        (and_(Case.procedure == "strike_off", was_probationary), literal(1)),
        else_=literal(0),
    )


def annulled_case_ids(session: Session, path: str) -> set[int]:
    """Cases in the subtree whose decision an appeal annulled: they are not counted.

    Annulments are rare, so their ids are fetched once and excluded with NOT IN.
    """
    target = Case.data[("open", "against_case_id")].as_integer()
    rows = session.execute(
        select(Case.parent_case_id, target).where(Case.procedure == "appeal", Case.state == "annulled")
    ).all()
    ids = {value for row in rows for value in row if value is not None}
    if not ids:
        return set()
    return set(session.scalars(
        select(Case.id).where(Case.id.in_(ids), subtree_filter(Case.organisation_path, path))))


def outcome_rows(session: Session, path: str, period: Period, *, by_path: bool = False,
                 by_month: bool = False) -> list[tuple[dict[str, Any], str]]:
    """Grouped counts of decisions: [(keys, category, count)] where keys hold path/month when asked."""
    pairs = list(OUTCOMES)
    columns = [Case.procedure, Case.state, _form_expression().label("form"),
               _probationary_expression().label("probationary")]
    if by_path:
        columns.append(Case.organisation_path)
    if by_month:
        columns += [func.extract("year", Case.decided_on).label("y"), func.extract("month", Case.decided_on).label("m")]
    query = (
        select(*columns, func.count().label("n"))
        .where(subtree_filter(Case.organisation_path, path))
        .where(Case.decided_on >= period.date_from, Case.decided_on <= period.date_to)
        .where(tuple_(Case.procedure, Case.state).in_(pairs))
        .group_by(*columns)
    )
    annulled = annulled_case_ids(session, path)
    if annulled:
        query = query.where(Case.id.not_in(annulled))
    result = []
    for row in session.execute(query):
        mapping = row._mapping
        for category in categorise(mapping["procedure"], mapping["state"], mapping["form"], mapping["probationary"]):
            keys = {}
            if by_path:
                keys["path"] = mapping["organisation_path"]
            if by_month:
                keys["month"] = (int(mapping["y"]), int(mapping["m"]))
            result.append((keys, category, int(mapping["n"])))
    return result


def categorise(procedure: str, state: str, form: str | None, probationary: int | None) -> list[str]:
    """The figures one decided case adds to (a probationary strike-off adds to two)."""
    kind = OUTCOMES.get((procedure, state))
    if kind is None:
        return []
    if kind == "discipline":
        category = DISCIPLINE_FORMS.get(form or "")
        return [category] if category else []
    if kind == "struck_off" and probationary:
        return ["struck_off", "struck_off_probationary"]
    return [kind]


def empty_counts() -> dict[str, int]:
    return {name: 0 for name in CATEGORIES}


def summary(session: Session, *, organisation_id: int, date_from: date, date_to: date) -> dict[str, int]:
    """The figures for an organisation's subtree and a period of decision dates (inclusive).

    {admitted, recognised, struck_off, struck_off_probationary, expelled, withdrawn,
    reprimand, warning, removal_from_post}. Raises NotFound for an unknown
    organisation, InvalidInput when the period is reversed.
    """
    org = organisation_or_404(session, organisation_id)
    counts = empty_counts()
    for _keys, category, n in outcome_rows(session, org.path, Period(date_from, date_to)):
        counts[category] += n
    return counts
