"""reports: step-timing columns on deadlines and covering indexes for statistics and the pipeline

Revision ID: 0006_reports
Revises: 0001

The deadline columns are written by the engine (workflows/engine/effects.py) when
a deadline is opened and met; rows written before this migration keep NULLs and
the reports compute their timings from the events instead (pipeline.py).
Indexes are created with plain CREATE INDEX (no table rebuild: events and
audit_log carry append-only triggers that a rebuild would drop).
"""
from alembic import op

from models.online_ddl import create_index_online, drop_index_online
import sqlalchemy as sa


revision = "0006_reports"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("deadlines", schema=None) as batch_op:
        batch_op.add_column(sa.Column("started_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("met_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("working_days_taken", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("working_days_allowed", sa.Integer(), nullable=True))
    # Step timings of the units of a subtree, by the date the meeting step recorded. `status` is a
    # column too: SQLite uses a partial index as a covering one only when it holds the column.
    create_index_online(
        "ix_deadlines_met", "deadlines",
        ["organisation_id", "met_on", "kind", "working_days_taken", "working_days_allowed", "due_date", "status"],
        sqlite_where=sa.text("status = 'met'"), postgresql_where=sa.text("status = 'met'"),
    )
    # Met deadlines without stored timings (written before this migration, or imported): normally none.
    create_index_online(
        "ix_deadlines_untimed", "deadlines", ["organisation_id"],
        sqlite_where=sa.text("status = 'met' AND met_on IS NULL"),
        postgresql_where=sa.text("status = 'met' AND met_on IS NULL"),
    )
    # Strike-off decisions: the statistics read the member's status before each (one row per case).
    create_index_online(
        "ix_events_struck_off", "events", ["case_id"],
        sqlite_where=sa.text("to_state = 'struck_off'"), postgresql_where=sa.text("to_state = 'struck_off'"),
    )
    # Decision counts grouped in index order, by date or by subtree; the open cases of a subtree.
    # `id` last: PostgreSQL answers the per-case strike-off test from the index alone (SQLite has the rowid).
    create_index_online("ix_cases_report_decided", "cases", ["procedure", "state", "decided_on", "organisation_path", "id"])
    create_index_online("ix_cases_report_path", "cases", ["procedure", "state", "organisation_path", "decided_on"])
    create_index_online(
        "ix_cases_open_path", "cases", ["organisation_path", "organisation_id", "procedure", "state"],
        sqlite_where=sa.text("closed_at IS NULL"), postgresql_where=sa.text("closed_at IS NULL"),
    )


def downgrade() -> None:
    drop_index_online("ix_cases_open_path", "cases")
    drop_index_online("ix_cases_report_path", "cases")
    drop_index_online("ix_cases_report_decided", "cases")
    drop_index_online("ix_events_struck_off", "events")
    drop_index_online("ix_deadlines_untimed", "deadlines")
    drop_index_online("ix_deadlines_met", "deadlines")
    with op.batch_alter_table("deadlines", schema=None) as batch_op:
        batch_op.drop_column("working_days_allowed")
        batch_op.drop_column("working_days_taken")
        batch_op.drop_column("met_on")
        batch_op.drop_column("started_on")
