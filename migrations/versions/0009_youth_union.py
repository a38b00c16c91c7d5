"""organisations.youth_union: whether the unit has a Ho Chi Minh Communist Youth Union organisation

Revision ID: 0009_youth_union
Revises: 0008_one_head

NULL means "not recorded" (every existing organisation): the admission rules then behave as before.
True makes the Youth Union's resolution one of the two introductions of an applicant of Youth Union age
(Điều lệ Đảng art. 4; QĐ 24-QĐ/TW §3.1). A plain ADD COLUMN, no table rebuild.
"""
from alembic import op
import sqlalchemy as sa


revision = "0009_youth_union"
down_revision = "0008_one_head"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("organisations", sa.Column("youth_union", sa.Boolean(), nullable=True))


def downgrade() -> None:
    op.drop_column("organisations", "youth_union")
