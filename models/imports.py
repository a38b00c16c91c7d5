"""Imports of organisations and members from a spreadsheet (issue 16): each run, and what it changed.

A run row is written only by an import that was committed (a rejected or dry
run writes nothing). `import_changes` keeps the full before/after of each
organisation or person the run updated or moved; the audit log has one record
for each as well, with the same change in its (400-character) detail.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow


class ImportRun(Base):
    __tablename__ = "import_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255), default="")
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    created: Mapped[int] = mapped_column(default=0)
    updated: Mapped[int] = mapped_column(default=0)
    unchanged: Mapped[int] = mapped_column(default=0)


class ImportChange(Base):
    """One organisation or person an import run changed: {field: [before, after]}."""

    __tablename__ = "import_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("import_runs.id"), index=True)
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[int]
    action: Mapped[str] = mapped_column(String(64))
    changes: Mapped[dict] = mapped_column(default=dict)
