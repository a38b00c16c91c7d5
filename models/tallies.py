"""Decision tallies (migration 0019_decision_tallies): the yearly statistics kept in step by the transition.

One row per (organisation, decision date, category) holding how many decided cases of the organisation's
subtree count there: a decision adds one to the row of the case's organisation and of each of its
ancestors, so a nation's statistics by province and month read a few thousand rows instead of every
decided case (issue 18). Written only by workflows/engine/tallies.py; `flask check` proves them equal to
the live count of the cases.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class DecisionTally(Base):
    __tablename__ = "decision_tallies"

    # Reads are "this organisation (or these children), these days": the key's order.
    organisation_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    day: Mapped[date] = mapped_column(primary_key=True)
    category: Mapped[str] = mapped_column(String(32), primary_key=True)
    n: Mapped[int] = mapped_column(nullable=False)
