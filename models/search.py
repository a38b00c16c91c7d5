"""Search keys (migration 0012_search): the folded words of people's names and the cases' decision numbers.

Written beside the rows they index, by the code that writes those rows
(workflows.directory.directory for names, the engine's step write for decision
numbers), so every search is an index range. The keys compare code point by code
point — SQLite's default, COLLATE "C" on PostgreSQL — so a prefix is a range.
"""
from __future__ import annotations

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


def search_key(length: int) -> String:
    """A string compared code point by code point on every database (prefix = index range; sort keys)."""
    return String(length).with_variant(String(length, collation="C"), "postgresql")


class PersonNameWord(Base):
    """One folded word of a person's name («Vũ Đức Tuấn» → vu, duc, tuan)."""

    __tablename__ = "person_name_words"
    # The other words of a candidate are checked by (person_id, word): one seek each.
    __table_args__ = (Index("ix_person_name_words_person_id_word", "person_id", "word"),)

    word: Mapped[str] = mapped_column(search_key(60), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), primary_key=True)


class DecisionNumber(Base):
    """A decision number a case recorded, folded («15-QĐ/ĐU» → «15-qd/du»)."""

    __tablename__ = "decision_numbers"
    __table_args__ = (Index("ix_decision_numbers_case_id", "case_id"),)

    number_key: Mapped[str] = mapped_column(search_key(100), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
