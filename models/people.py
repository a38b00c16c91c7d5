"""Persons: members, probationary members, sympathisers and former members."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow
from models.search import search_key

MEMBERSHIP_STATUSES = ("none", "probationary", "official", "former")
EDUCATION_LEVELS = ("primary", "lower_secondary", "upper_secondary", "higher")
GENDERS = ("male", "female", "other")


class Person(Base):
    """A person's biography (the fields a dossier needs) and membership status.

    `membership_status` is only ever changed by a case decision, recorded as an
    event of that case; `revision` guards against two cases changing it at once.
    """

    __tablename__ = "persons"
    __table_args__ = (
        # Members listed in Vietnamese order; people found by birth year (migration 0012_search).
        Index("ix_persons_organisation_id_sort_key", "organisation_id", "sort_key"),
        Index("ix_persons_birth_date", "birth_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    full_name: Mapped[str] = mapped_column(String(200), index=True)
    birth_date: Mapped[date]
    gender: Mapped[str | None] = mapped_column(String(16))
    ethnicity: Mapped[str | None] = mapped_column(String(100))
    religion: Mapped[str | None] = mapped_column(String(100))
    home_address: Mapped[str | None] = mapped_column(String(400))
    education: Mapped[str | None] = mapped_column(String(32))
    occupation: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(32))  # issue 16: the import workbook's «Điện thoại»
    # Keys of the import (issue 16, migration 0016): citizen identity number (12 digits) and party card number.
    identity_number: Mapped[str | None] = mapped_column(String(12))
    card_number: Mapped[str | None] = mapped_column(String(32))
    membership_status: Mapped[str] = mapped_column(String(16), default="none", index=True)
    joined_on: Mapped[date | None]  # date of the admission decision: party age counts from it
    official_on: Mapped[date | None]  # official member from (end of probation)
    left_on: Mapped[date | None]
    left_reason: Mapped[str | None] = mapped_column(String(64))
    holds_post: Mapped[bool] = mapped_column(Boolean, default=False)
    # Recorded facts the rules look at (violations, re-admission bars, ...).
    flags: Mapped[dict] = mapped_column(default=dict)
    revision: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # workflows.domain.text.sort_key(full_name): given name, family name, middle names in Vietnamese order.
    sort_key: Mapped[str | None] = mapped_column(search_key(400))


# The import's keys are unique when present (migration 0016_imports).
Index("uq_persons_identity_number", Person.identity_number, unique=True)
Index("uq_persons_card_number", Person.card_number, unique=True)
