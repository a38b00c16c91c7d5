"""What operators watch that no other table says: when each scheduler job last ran and how long it took."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class JobRun(Base):
    """The last run of a scheduler job, one row per job, overwritten by whichever process ran it last.

    /metrics (web/ops/metrics.py) reads it, so the scan duration is visible from the web processes too.
    """

    __tablename__ = "job_runs"

    job: Mapped[str] = mapped_column(String(32), primary_key=True)
    started_at: Mapped[datetime] = mapped_column()
    duration_seconds: Mapped[float] = mapped_column()
    host: Mapped[str] = mapped_column(String(200))
    outcome: Mapped[str] = mapped_column(String(16))  # ok | error
