"""The yearly statistics read from the decision tallies the transition keeps (models/tallies.py).

Same answers as the live count of the cases (workflows/reports/statistics.py's `live_*`, which the tests
hold these to), at any scale: an organisation's own tallies already add up its whole subtree, so the
totals and the months are its own rows of the period (at most 365 × 9), and the breakdown by child is
the children's rows. A nation's year is read in milliseconds instead of seconds (issue 18).
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import DecisionTally, Organisation
from workflows.reports.statistics import (
    OrgRef,
    Period,
    Statistics,
    empty_counts,
    months_of,
    organisation_or_404,
)

T = DecisionTally.__table__


def _period(period: Period):
    return T.c.day >= period.date_from, T.c.day <= period.date_to


def summary(session: Session, *, organisation_id: int, date_from: date, date_to: date) -> dict[str, int]:
    """The figures for an organisation's subtree and a period of decision dates (inclusive).

    {admitted, recognised, struck_off, struck_off_probationary, expelled, withdrawn, reprimand, warning,
    removal_from_post}. Raises NotFound for an unknown organisation, InvalidInput when the period is reversed.
    """
    org = organisation_or_404(session, organisation_id)
    period = Period(date_from, date_to)
    counts = empty_counts()
    for category, n in session.execute(select(T.c.category, func.sum(T.c.n))
                                       .where(T.c.organisation_id == org.id, *_period(period))
                                       .group_by(T.c.category)):
        counts[category] += int(n or 0)
    return counts


def statistics(session: Session, *, organisation_id: int, date_from: date, date_to: date) -> Statistics:
    """Totals, the breakdown by direct child organisation and the monthly trend (two small queries).

    A decision of a case at the organisation itself (not under a child) shows as its own row, first."""
    org = organisation_or_404(session, organisation_id)
    period = Period(date_from, date_to)
    root = OrgRef(org.id, org.name, org.path)
    children = [OrgRef(c.id, c.name, c.path) for c in session.scalars(
        select(Organisation).where(Organisation.parent_id == org.id).order_by(Organisation.name, Organisation.id))]
    totals = empty_counts()
    months = {ym: empty_counts() for ym in months_of(period)}
    for day, category, n in session.execute(select(T.c.day, T.c.category, T.c.n)
                                            .where(T.c.organisation_id == org.id, *_period(period))):
        totals[category] += n
        months[(day.year, day.month)][category] += n
    by_child = {c.id: empty_counts() for c in children}
    if children:
        for child_id, category, n in session.execute(
                select(T.c.organisation_id, T.c.category, func.sum(T.c.n))
                .where(T.c.organisation_id.in_(list(by_child)), *_period(period))
                .group_by(T.c.organisation_id, T.c.category)):
            by_child[child_id][category] += int(n or 0)
    own = {c: totals[c] - sum(counts[c] for counts in by_child.values()) for c in totals}
    rows = [(c, by_child[c.id]) for c in children]
    if any(own.values()):
        rows.insert(0, (root, own))
    return Statistics(root, period, totals, rows, sorted(months.items()))
