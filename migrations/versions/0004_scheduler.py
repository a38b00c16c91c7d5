"""reminder scheduling: deadlines.next_reminder_on and the indexes the scan and the outbox pages use

Revision ID: 0004_scheduler
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa


revision = "0004_scheduler"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("deadlines", schema=None) as batch_op:
        batch_op.add_column(sa.Column("next_reminder_on", sa.Date(), nullable=True))
        batch_op.create_index(
            "ix_deadlines_open_reminder", ["next_reminder_on"], unique=False,
            sqlite_where=sa.text("status = 'open'"), postgresql_where=sa.text("status = 'open'"),
        )
        batch_op.create_index(
            "ix_deadlines_open_unplanned", ["due_date"], unique=False,
            sqlite_where=sa.text("status = 'open' AND next_reminder_on IS NULL"),
            postgresql_where=sa.text("status = 'open' AND next_reminder_on IS NULL"),
        )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_status_id", ["status", "id"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        # Both tables work as queues: each reminder moves a deadline's next_reminder_on and an outbox
        # row's status, leaving dead entries in the partial indexes the scan and the delivery range
        # over. The default (vacuum after 20% of the table changed) would let a million-deadline table
        # collect weeks of them and slow every idle scan; vacuum after 1% instead.
        for table in ("deadlines", "outbox"):
            op.execute(f"ALTER TABLE {table} SET (autovacuum_vacuum_scale_factor = 0.01, "
                       "autovacuum_analyze_scale_factor = 0.02)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in ("deadlines", "outbox"):
            op.execute(f"ALTER TABLE {table} RESET (autovacuum_vacuum_scale_factor, autovacuum_analyze_scale_factor)")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_status_id")
    with op.batch_alter_table("deadlines", schema=None) as batch_op:
        batch_op.drop_index("ix_deadlines_open_unplanned")
        batch_op.drop_index("ix_deadlines_open_reminder")
        batch_op.drop_column("next_reminder_on")
