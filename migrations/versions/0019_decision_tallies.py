"""decision_tallies: the yearly statistics kept in step by the transition (issue 18), filled from the cases

Revision ID: 0019_decision_tallies
Revises: 0018_notifications

The backfill counts the decided cases as workflows/engine/tallies.py does (the one place of that rule);
on a national database it reads every decided case once (about a minute per million).
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019_decision_tallies"
down_revision = "0018_notifications"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "decision_tallies",
        sa.Column("organisation_id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("category", sa.String(32), primary_key=True),
        sa.Column("n", sa.Integer(), nullable=False),
    )
    from workflows.engine.tallies import rebuild

    rebuild(op.get_bind())


def downgrade() -> None:
    op.drop_table("decision_tallies")
