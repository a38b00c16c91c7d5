"""One line of migrations from here on: merge the scheduler branch (0004) and the reports branch (0007).

Revision ID: 0008_one_head
Revises: 0004_scheduler, 0007_report_speed
"""
from __future__ import annotations

revision = "0008_one_head"
down_revision = ("0004_scheduler", "0007_report_speed")
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing to change: this revision only joins the two heads."""


def downgrade() -> None:
    """Nothing to change: downgrading below it splits the line again."""
