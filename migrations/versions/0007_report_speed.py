"""reports: covering indexes for the pipeline's open cases and overdue deadlines, for discipline by form and for
probationary strike-offs

Revision ID: 0007_report_speed
Revises: 0006_reports

Plain CREATE INDEX / DROP INDEX (no table rebuild: events and audit_log carry
append-only triggers that a rebuild would drop).
"""
from alembic import op

from models.online_ddl import create_index_online, drop_index_online
import sqlalchemy as sa


revision = "0007_report_speed"
down_revision = "0006_reports"
branch_labels = None
depends_on = None

OPEN = dict(sqlite_where=sa.text("closed_at IS NULL"), postgresql_where=sa.text("closed_at IS NULL"))
STRUCK_OFF = dict(sqlite_where=sa.text("to_state = 'struck_off'"), postgresql_where=sa.text("to_state = 'struck_off'"))
# The member's status before a strike-off decision, as the decision event recorded it; written exactly as
# workflows/reports/statistics.py STATUS_BEFORE_SQL writes it in the query.
PROBATIONARY = dict(
    sqlite_where=sa.text("to_state = 'struck_off' AND "
                         "json_extract(data, '$.effects.person.membership_status[0]') = 'probationary'"),
    postgresql_where=sa.text("to_state = 'struck_off' AND "
                             "(data #>> '{effects,person,membership_status,0}') = 'probationary'"),
)

# Discipline decisions by form: one partial index per form that the statistics count
# (workflows/reports/statistics.py DISCIPLINE_FORMS; the form written as DISCIPLINE_FORM_SQL writes it).
FORMS = ("expulsion", "reprimand", "warning", "removal_from_post")


def _form(form: str) -> dict:
    return dict(sqlite_where=sa.text(f"procedure = 'discipline' AND json_extract(data, '$.form') = '{form}'"),
                postgresql_where=sa.text(f"procedure = 'discipline' AND (data ->> 'form') = '{form}'"))


def upgrade() -> None:
    # The open cases of a subtree (pipeline, dashboard), grouped in index order. `closed_at` is a column
    # too: SQLite uses a partial index as a covering one only when it holds the column of its WHERE.
    drop_index_online("ix_cases_open_path", "cases")
    create_index_online("ix_cases_open_path", "cases",
                    ["organisation_path", "organisation_id", "procedure", "state", "closed_at"], **OPEN)
    # Overdue deadlines by the unit that must act: one range per unit of the subtree, instead of every
    # open deadline of the country due before today.
    create_index_online(
        "ix_deadlines_open_unit", "deadlines", ["organisation_id", "kind", "due_date", "status"],
        sqlite_where=sa.text("status = 'open'"), postgresql_where=sa.text("status = 'open'"),
    )
    # Strike-offs of probationary members: the (few) probationary strike-off decisions, and every
    # strike-off decision by case and order (the latest one counts).
    create_index_online("ix_events_struck_off_probationary", "events", ["case_id", "seq"], **PROBATIONARY)
    drop_index_online("ix_events_struck_off", "events")
    create_index_online("ix_events_struck_off", "events", ["case_id", "seq"], **STRUCK_OFF)
    # Discipline by form, from the index alone (procedure first: SQLite then prefers it to ix_cases_report_decided).
    for form in FORMS:
        create_index_online(f"ix_cases_discipline_{form}", "cases", ["procedure", "state", "decided_on", "organisation_path"],
                        **_form(form))


def downgrade() -> None:
    for form in FORMS:
        drop_index_online(f"ix_cases_discipline_{form}", "cases")
    drop_index_online("ix_events_struck_off", "events")
    create_index_online("ix_events_struck_off", "events", ["case_id"], **STRUCK_OFF)
    drop_index_online("ix_events_struck_off_probationary", "events")
    drop_index_online("ix_deadlines_open_unit", "deadlines")
    drop_index_online("ix_cases_open_path", "cases")
    create_index_online("ix_cases_open_path", "cases", ["organisation_path", "organisation_id", "procedure", "state"],
                    **OPEN)
