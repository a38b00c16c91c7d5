"""forms: the register of numbers of each issuing body, and the final documents issued (issue 15)

Revision ID: 0015_forms
Revises: 0014_signin_security
"""
from alembic import op

from models.online_ddl import create_index_online, drop_index_online
import sqlalchemy as sa


revision = "0015_forms"
down_revision = "0014_signin_security"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "form_number_counters",
        sa.Column("organisation_id", sa.Integer(), sa.ForeignKey("organisations.id"), primary_key=True),
        sa.Column("year", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("last", sa.Integer(), nullable=False),
    )
    op.create_table(
        "form_numbers",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("organisation_id", sa.Integer(), sa.ForeignKey("organisations.id"), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(100), nullable=False),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("form_id", sa.String(20), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("organisation_id", "year", "kind", "number", name="uq_form_numbers_body_year_number"),
    )
    create_index_online("ix_form_numbers_case_id", "form_numbers", ["case_id"])
    op.create_table(
        "issued_forms",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("person_id", sa.Integer(), sa.ForeignKey("persons.id"), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("form_id", sa.String(20), nullable=False),
        sa.Column("template", sa.String(40), nullable=False),
        sa.Column("number", sa.String(100), nullable=True),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("facts", sa.JSON(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=True),
        sa.Column("pdf_sha256", sa.String(64), nullable=True),
        sa.Column("docx", sa.LargeBinary(), nullable=True),
        sa.Column("docx_sha256", sa.String(64), nullable=True),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rendered_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("case_id", "seq", "form_id", name="uq_issued_forms_case_seq_form"),
    )
    create_index_online("ix_issued_forms_person", "issued_forms", ["person_id", "issued_on"])


def downgrade() -> None:
    drop_index_online("ix_issued_forms_person", "issued_forms")
    op.drop_table("issued_forms")
    drop_index_online("ix_form_numbers_case_id", "form_numbers")
    op.drop_table("form_numbers")
    op.drop_table("form_number_counters")
