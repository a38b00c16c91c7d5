"""reminder scheduling: deadlines.next_reminder_on and the indexes the scan and the outbox pages use

Revision ID: 0004_scheduler
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

from models.online_ddl import create_index_online, drop_index_online


revision = "0004_scheduler"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("deadlines", schema=None) as batch_op:
        batch_op.add_column(sa.Column("next_reminder_on", sa.Date(), nullable=True))
    create_index_online(
        "ix_deadlines_open_reminder", "deadlines", ["next_reminder_on"], unique=False,
        sqlite_where=sa.text("status = 'open'"), postgresql_where=sa.text("status = 'open'"),
    )
    create_index_online(
        "ix_deadlines_open_unplanned", "deadlines", ["due_date"], unique=False,
        sqlite_where=sa.text("status = 'open' AND next_reminder_on IS NULL"),
        postgresql_where=sa.text("status = 'open' AND next_reminder_on IS NULL"),
    )
    create_index_online("ix_outbox_status_id", "outbox", ["status", "id"], unique=False)
    if op.get_context().dialect.name == "postgresql":
        # Both tables work as queues: each reminder moves a deadline's next_reminder_on and an outbox
        # row's status, leaving dead entries in the partial indexes the scan and the delivery range
        # over. The default (vacuum after 20% of the table changed) would let a million-deadline table
        # collect weeks of them and slow every idle scan; vacuum after 1% instead.
        for table in ("deadlines", "outbox"):
            op.execute(f"ALTER TABLE {table} SET (autovacuum_vacuum_scale_factor = 0.01, "
                       "autovacuum_analyze_scale_factor = 0.02)")


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        for table in ("deadlines", "outbox"):
            op.execute(f"ALTER TABLE {table} RESET (autovacuum_vacuum_scale_factor, autovacuum_analyze_scale_factor)")
    drop_index_online("ix_outbox_status_id", "outbox")
    drop_index_online("ix_deadlines_open_unplanned", "deadlines")
    drop_index_online("ix_deadlines_open_reminder", "deadlines")
    with op.batch_alter_table("deadlines", schema=None) as batch_op:
        batch_op.drop_column("next_reminder_on")
