"""Cases, their append-only events, deadlines, votes, documents and comments."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow


class Case(Base):
    """One run of one procedure for one person.

    `revision` counts the case's events: every transition bumps it by one
    (optimistic locking), so revision == number of event rows.
    """

    __tablename__ = "cases"
    __table_args__ = (
        # One open case per person per procedure.
        Index(
            "uq_cases_open_person_procedure",
            "person_id",
            "procedure",
            unique=True,
            sqlite_where=text("closed_at IS NULL"),
            postgresql_where=text("closed_at IS NULL"),
        ),
        Index("ix_cases_org_procedure_state", "organisation_id", "procedure", "state"),
        # Reports (migration 0006_reports): covering indexes for decision counts by date or by subtree,
        # and for the open cases of a subtree.
        Index("ix_cases_report_decided", "procedure", "state", "decided_on", "organisation_path", "id"),
        Index("ix_cases_report_path", "procedure", "state", "organisation_path", "decided_on"),
        # `closed_at` last (0007_report_speed): SQLite treats a partial index as covering only then.
        Index(
            "ix_cases_open_path", "organisation_path", "organisation_id", "procedure", "state", "closed_at",
            sqlite_where=text("closed_at IS NULL"), postgresql_where=text("closed_at IS NULL"),
        ),
        # Discipline decisions by form (0007_report_speed): one partial index per form, so the statistics
        # count them without reading the cases' data (written as reports.DISCIPLINE_FORM_SQL writes it).
        *(Index(f"ix_cases_discipline_{form}", "procedure", "state", "decided_on", "organisation_path",
                sqlite_where=text(f"procedure = 'discipline' AND json_extract(data, '$.form') = '{form}'"),
                postgresql_where=text(f"procedure = 'discipline' AND (data ->> 'form') = '{form}'"))
          for form in ("expulsion", "reprimand", "warning", "removal_from_post")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure: Mapped[str] = mapped_column(String(32))
    rule_set: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(40))
    revision: Mapped[int] = mapped_column(default=0)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    # Copy of the organisation's path: subtree filters without a join.
    organisation_path: Mapped[str] = mapped_column(String(400), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    parent_case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    data: Mapped[dict] = mapped_column(default=dict)
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column()
    # Date of the final decision (calendar date) for reports.
    decided_on: Mapped[date | None] = mapped_column(index=True)
    # The signed head of the case's event chain (models/record.py): the last event's hash, and an HMAC of
    # (case, revision, hash) with the server's key. Moved by the same UPDATE that checks the revision.
    event_head: Mapped[str | None] = mapped_column(String(64))
    event_mac: Mapped[str | None] = mapped_column(String(64))
    # A paper case brought in by an import: its `Mã hồ sơ` in the workbook (issue 16, migration 0016).
    import_code: Mapped[str | None] = mapped_column(String(64))

    # Optimistic locking: every UPDATE says WHERE revision = <the revision loaded>;
    # the engine sets the new revision itself (one per event), never the ORM.
    __mapper_args__ = {"version_id_col": revision, "version_id_generator": False}


Index("uq_cases_import_code", Case.import_code, unique=True)  # migration 0016_imports


class Event(Base):
    """An immutable record of one transition (database triggers refuse UPDATE and DELETE)."""

    __tablename__ = "events"
    __table_args__ = (
        UniqueConstraint("case_id", "seq"),
        # Reports: the strike-off decisions of a case in order, and those of probationary members (the status
        # before, as the decision recorded it; written as reports.STATUS_BEFORE_SQL writes it) (0006, 0007).
        Index("ix_events_struck_off", "case_id", "seq", sqlite_where=text("to_state = 'struck_off'"),
              postgresql_where=text("to_state = 'struck_off'")),
        Index("ix_events_struck_off_probationary", "case_id", "seq",
              sqlite_where=text("to_state = 'struck_off' AND "
                                "json_extract(data, '$.effects.person.membership_status[0]') = 'probationary'"),
              postgresql_where=text("to_state = 'struck_off' AND "
                                    "(data #>> '{effects,person,membership_status,0}') = 'probationary'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    seq: Mapped[int]
    trigger: Mapped[str] = mapped_column(String(40))
    from_state: Mapped[str | None] = mapped_column(String(40))
    to_state: Mapped[str] = mapped_column(String(40))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    data: Mapped[dict] = mapped_column(default=dict)
    comment: Mapped[str | None] = mapped_column(Text)
    # SHA-256 of this event's content and of the previous event of its case (models/record.py).
    hash: Mapped[str | None] = mapped_column(String(64))


class Deadline(Base):
    """A dated obligation on a case; the scheduler reminds from these rows."""

    __tablename__ = "deadlines"
    __table_args__ = (
        # The scheduler's scan: open deadlines by due date.
        Index(
            "ix_deadlines_open_due",
            "due_date",
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
        # The reminder scan's two ranges: open deadlines whose next reminder day has come, and
        # open deadlines never planned yet (next_reminder_on NULL) by due date.
        Index(
            "ix_deadlines_open_reminder",
            "next_reminder_on",
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
        Index(
            "ix_deadlines_open_unplanned",
            "due_date",
            sqlite_where=text("status = 'open' AND next_reminder_on IS NULL"),
            postgresql_where=text("status = 'open' AND next_reminder_on IS NULL"),
        ),
        # Reports' step timings: met deadlines by the unit that had to act and the date the meeting
        # step recorded (0006_reports).
        Index(
            "ix_deadlines_met", "organisation_id", "met_on", "kind", "working_days_taken", "working_days_allowed",
            "due_date", "status",
            sqlite_where=text("status = 'met'"), postgresql_where=text("status = 'met'"),
        ),
        # Overdue deadlines of a subtree's units (0007_report_speed).
        Index(
            "ix_deadlines_open_unit", "organisation_id", "kind", "due_date", "status",
            sqlite_where=text("status = 'open'"), postgresql_where=text("status = 'open'"),
        ),
        Index("ix_deadlines_untimed", "organisation_id", sqlite_where=text("status = 'met' AND met_on IS NULL"),
              postgresql_where=text("status = 'met' AND met_on IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    due_date: Mapped[date]
    # Who must act: a role, at `organisation_id` (or an ancestor holding it).
    role: Mapped[str] = mapped_column(String(32))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | met | cancelled
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column()
    legal_basis: Mapped[str] = mapped_column(String(200), default="")
    # The day the scheduler next looks at this deadline for a reminder (NULL: not planned yet).
    # Written only by the reminder scan; see scheduler/scan.py.
    next_reminder_on: Mapped[date | None] = mapped_column()
    # Step timings for the reports (migration 0006_reports), written by the engine when the deadline is
    # opened and met: the dates the two steps recorded, and the working days taken and allowed between them.
    started_on: Mapped[date | None] = mapped_column()
    met_on: Mapped[date | None] = mapped_column()
    working_days_taken: Mapped[int | None] = mapped_column()
    working_days_allowed: Mapped[int | None] = mapped_column()


class Vote(Base):
    """A vote recorded by a step (cell, committee, decision body)."""

    __tablename__ = "votes"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    event_seq: Mapped[int]
    body: Mapped[str] = mapped_column(String(32))
    held_on: Mapped[date]
    eligible: Mapped[int]
    agree: Mapped[int]
    disagree: Mapped[int]
    method: Mapped[str] = mapped_column(String(16))
    threshold: Mapped[str] = mapped_column(String(16))
    passed: Mapped[bool]


class Document(Base):
    """Metadata of a stored file; the bytes live under the instance folder, named by sha256."""

    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40), default="")
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(200))
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)


class Comment(Base):
    __tablename__ = "comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    body: Mapped[str] = mapped_column(Text)
