"""sign-in security (issue 14): server-side web sessions, the account's second factor and must-change flag,
recovery codes, shared rate-limit counters, and an expiry on API tokens

Revision ID: 0014_signin_security
Revises: 0013_record_chains
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from alembic import op

from models.online_ddl import create_index_online, drop_index_online

from models.base import UTCDateTime

revision = "0014_signin_security"
down_revision = "0013_record_chains"
branch_labels = None
depends_on = None

TOKEN_LIFETIME = timedelta(days=90)


def upgrade() -> None:
    op.create_table(
        "web_sessions",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("last_seen_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("ended_at", UTCDateTime(), nullable=True),
        sa.Column("ended_reason", sa.String(32), nullable=True),
        sa.Column("remote_addr", sa.String(64), nullable=True),
        sa.Column("user_agent", sa.String(200), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_web_sessions_user_id_users"),
        sa.PrimaryKeyConstraint("id", name="pk_web_sessions"),
    )
    create_index_online("ix_web_sessions_user_id_ended_at", "web_sessions", ["user_id", "ended_at"])
    op.create_table(
        "account_security",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("must_change_password", sa.Boolean(), nullable=False),
        sa.Column("totp_secret", sa.String(64), nullable=True),
        sa.Column("totp_enabled_at", UTCDateTime(), nullable=True),
        sa.Column("totp_last_step", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_account_security_user_id_users"),
        sa.PrimaryKeyConstraint("user_id", name="pk_account_security"),
    )
    op.create_table(
        "recovery_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("used_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_recovery_codes_user_id_users"),
        sa.PrimaryKeyConstraint("id", name="pk_recovery_codes"),
    )
    create_index_online("ix_recovery_codes_user_id", "recovery_codes", ["user_id"])
    op.create_table(
        "rate_counters",
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("window_start", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", "window_start", name="pk_rate_counters"),
    )
    create_index_online("ix_rate_counters_window_start", "rate_counters", ["window_start"])
    # Tokens issued before expiry existed get the default lifetime from today (plain ADD COLUMN: no rebuild).
    op.add_column("api_tokens", sa.Column("expires_at", UTCDateTime(), nullable=True))
    api_tokens = sa.table("api_tokens", sa.column("expires_at", UTCDateTime()))
    op.execute(api_tokens.update().values(expires_at=datetime.now(timezone.utc) + TOKEN_LIFETIME))


def downgrade() -> None:
    op.drop_column("api_tokens", "expires_at")
    drop_index_online("ix_rate_counters_window_start", "rate_counters")
    op.drop_table("rate_counters")
    drop_index_online("ix_recovery_codes_user_id", "recovery_codes")
    op.drop_table("recovery_codes")
    op.drop_table("account_security")
    drop_index_online("ix_web_sessions_user_id_ended_at", "web_sessions")
    op.drop_table("web_sessions")
