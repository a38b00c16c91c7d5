"""imports: organisation codes, identity and card numbers of persons, paper cases' codes, import runs and changes (issue 16)

Revision ID: 0016_imports
Revises: 0015_forms

Plain ADD COLUMN and CREATE INDEX on SQLite too (no table rebuild).
"""
from alembic import op

from models.online_ddl import create_index_online, drop_index_online
import sqlalchemy as sa

import models.base

revision = "0016_imports"
down_revision = "0015_forms"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("organisations", sa.Column("code", sa.String(64), nullable=True))
    create_index_online("uq_organisations_code", "organisations", ["code"], unique=True)
    op.add_column("persons", sa.Column("phone", sa.String(32), nullable=True))
    op.add_column("persons", sa.Column("identity_number", sa.String(12), nullable=True))
    op.add_column("persons", sa.Column("card_number", sa.String(32), nullable=True))
    create_index_online("uq_persons_identity_number", "persons", ["identity_number"], unique=True)
    create_index_online("uq_persons_card_number", "persons", ["card_number"], unique=True)
    op.add_column("cases", sa.Column("import_code", sa.String(64), nullable=True))
    create_index_online("uq_cases_import_code", "cases", ["import_code"], unique=True)
    op.create_table(
        "import_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("created", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_import_runs_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_runs")),
    )
    create_index_online("ix_import_runs_user_id", "import_runs", ["user_id"])
    op.create_table(
        "import_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("object_type", sa.String(32), nullable=False),
        sa.Column("object_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["import_runs.id"], name=op.f("fk_import_changes_run_id_import_runs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_changes")),
    )
    create_index_online("ix_import_changes_run_id", "import_changes", ["run_id"])


def downgrade() -> None:
    drop_index_online("ix_import_changes_run_id", "import_changes")
    op.drop_table("import_changes")
    drop_index_online("ix_import_runs_user_id", "import_runs")
    op.drop_table("import_runs")
    drop_index_online("uq_cases_import_code", "cases")
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("import_code")
    drop_index_online("uq_persons_card_number", "persons")
    drop_index_online("uq_persons_identity_number", "persons")
    with op.batch_alter_table("persons") as batch:
        batch.drop_column("card_number")
        batch.drop_column("identity_number")
        batch.drop_column("phone")
    drop_index_online("uq_organisations_code", "organisations")
    with op.batch_alter_table("organisations") as batch:
        batch.drop_column("code")
