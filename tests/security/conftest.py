"""The attacker's tools for tests/security: cases on the record, the owner's raw SQL, and `flask check`."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text

from models import write_transaction
from workflows.demo.walk import admission_plan, walk
from workflows.directory.directory import create_person

START = date(2026, 3, 2)


def walk_case(runtime, world, until: str, cell: str = "cell1", eligible: int = 6):
    """A new applicant's admission case walked by the engine to `until` (its cell vote is eligible–0)."""
    plan = admission_plan(world.people[f"{cell}_m1"], (world.people[f"{cell}_m2"], world.people[f"{cell}_m3"]),
                          START, eligible=eligible)
    with write_transaction(runtime.session_factory) as s:
        person_id = create_person(s, organisation_id=world.orgs[cell], full_name=f"Người nộp đơn {until}",
                                  birth_date=date(1998, 7, 1), education="higher").id
    case = walk(runtime, plan, person_id=person_id, organisation_id=world.orgs[cell],
                actor_for=world.actor_for(cell), procedure="admission", until=until)
    assert case.state == until
    return case


@pytest.fixture
def recorded(runtime, world):
    """Two cases on the record: one admitted after a 6–0 cell vote, one at the committee."""
    return {"admitted": walk_case(runtime, world, "admitted"),
            "committee": walk_case(runtime, world, "cell_approved", cell="cell2")}


def owner_sql(runtime, *statements: str, **params) -> None:
    """Run statements as the database's owner would, straight on a connection, in one transaction."""
    with runtime.engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement), params)


@pytest.fixture
def drop_guards(runtime, dialect):
    """What an attacker with the owner's rights does first: take the append-only triggers away.

    PostgreSQL's test database outlives the test (its tables are emptied between tests), so the
    triggers are enabled again afterwards; SQLite's is a fresh copy per test.
    """
    dropped = []

    def drop() -> None:
        dropped.append(True)
        if dialect == "sqlite":
            owner_sql(runtime, *(f"DROP TRIGGER {name}" for name in (
                "events_no_update", "events_no_delete", "events_no_replace", "events_no_replace_seq",
                "audit_log_no_update", "audit_log_no_delete", "audit_log_no_replace")))
        else:
            owner_sql(runtime, "ALTER TABLE events DISABLE TRIGGER USER", "ALTER TABLE audit_log DISABLE TRIGGER USER")

    yield drop
    if dropped and dialect == "postgresql":
        owner_sql(runtime, "ALTER TABLE events ENABLE TRIGGER USER", "ALTER TABLE audit_log ENABLE TRIGGER USER")


def run_check(app, *args: str):
    """`flask --app app check` against the test database: (exit code, output)."""
    result = app.test_cli_runner().invoke(args=["check", *args])
    return result.exit_code, result.output


def scalar(runtime, statement: str, **params):
    with runtime.engine.connect() as conn:
        return conn.execute(text(statement), params).scalar()
