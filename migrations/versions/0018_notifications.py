"""notifications: new-task and escalation notifications, preferences, calendar feeds, the fan-out cursor.

Revision ID: 0018_notifications
Revises: 0017_job_runs
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from models.base import UTCDateTime
from models.online_ddl import create_index_online, drop_index_online

revision = "0018_notifications"
down_revision = "0017_job_runs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("dedupe_key", sa.String(120), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", name="fk_notifications_user_id_users"),
                  nullable=False),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id", name="fk_notifications_case_id_cases")),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("read_at", UTCDateTime()),
        sa.UniqueConstraint("dedupe_key", name="uq_notifications_dedupe_key"),
    )
    create_index_online("ix_notifications_user_unread", "notifications", ["user_id", "read_at", "id"])
    op.create_table(
        "notification_preferences",
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", name="fk_notification_preferences_user_id_users"),
                  primary_key=True),
        sa.Column("new_task", sa.String(16), nullable=False),
        sa.Column("escalation", sa.String(16), nullable=False),
        sa.Column("any_time", sa.Boolean(), nullable=False),
    )
    op.create_table(
        "calendar_feeds",
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", name="fk_calendar_feeds_user_id_users"),
                  primary_key=True),
        sa.Column("token_digest", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("token_digest", name="uq_calendar_feeds_token"),
    )
    op.create_table(
        "fanout_cursors",
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("last_event_id", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("fanout_cursors")
    op.drop_table("calendar_feeds")
    op.drop_table("notification_preferences")
    drop_index_online("ix_notifications_user_unread", "notifications")
    op.drop_table("notifications")
