"""Generated documents (issue 15): the register of numbers of each issuing body, and the documents issued.

A number is taken from `form_number_counters` (one row per body, year and kind, bumped under its row
lock) or given by hand; `form_numbers` keeps every number used, unique per body, year and kind —
what refuses a number used twice. `issued_forms` keeps each final document: the facts it was filled
from (their sha256 is in the event) and, once drawn, the PDF and DOCX bytes with their own hashes.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow


class FormNumberCounter(Base):
    __tablename__ = "form_number_counters"

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)  # resolution | decision | notice | letter
    last: Mapped[int] = mapped_column(default=0)


class FormNumber(Base):
    __tablename__ = "form_numbers"
    __table_args__ = (
        UniqueConstraint("organisation_id", "year", "kind", "number", name="uq_form_numbers_body_year_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    year: Mapped[int] = mapped_column()
    kind: Mapped[str] = mapped_column(String(16))
    number: Mapped[int] = mapped_column()
    label: Mapped[str] = mapped_column(String(100))  # as written: «12-QĐ/ĐU»
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    form_id: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class IssuedForm(Base):
    __tablename__ = "issued_forms"
    __table_args__ = (
        UniqueConstraint("case_id", "seq", "form_id", name="uq_issued_forms_case_seq_form"),
        Index("ix_issued_forms_person", "person_id", "issued_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"))
    seq: Mapped[int] = mapped_column()  # the event that recorded the step
    form_id: Mapped[str] = mapped_column(String(20))
    template: Mapped[str] = mapped_column(String(40))  # "<id>.v<N>": the version it was filled from
    number: Mapped[str | None] = mapped_column(String(100))
    issued_on: Mapped[date] = mapped_column()  # the date the document bears
    facts: Mapped[dict] = mapped_column()
    sha256: Mapped[str] = mapped_column(String(64))  # of the facts' canonical JSON, as the event records
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary)
    pdf_sha256: Mapped[str | None] = mapped_column(String(64))
    docx: Mapped[bytes | None] = mapped_column(LargeBinary)
    docx_sha256: Mapped[str | None] = mapped_column(String(64))
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    rendered_at: Mapped[datetime | None] = mapped_column()
