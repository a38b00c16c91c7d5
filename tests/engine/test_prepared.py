"""Prepared statements (models/prepared.py) read and write what SQLAlchemy's own execution does."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError

from models import (
    Case,
    Deadline,
    Event,
    Organisation,
    Person,
    make_engine,
    write_connection,
)
from models.prepared import Prepared

CASES, DEADLINES, EVENTS = Case.__table__, Deadline.__table__, Event.__table__
AT = datetime(2026, 3, 2, 1, 30, 15, 123456, tzinfo=timezone.utc)


@pytest.fixture
def engine(db_url):
    engine = make_engine(db_url)
    with engine.begin() as conn:
        conn.execute(insert(Organisation.__table__), {"id": 1, "name": "Chi bộ", "kind": "cell", "path": "/1/",
                                                      "admission_authority": False})
        conn.execute(insert(Person.__table__), {"id": 1, "organisation_id": 1, "full_name": "Nguyễn Văn A",
                                                "birth_date": date(1990, 5, 17), "flags": {"x": [1, "ư"]},
                                                "membership_status": "none", "holds_post": False, "revision": 0,
                                                "created_at": AT})
        conn.execute(insert(CASES), {"id": 1, "procedure": "admission", "rule_set": "cpv-2025", "state": "a",
                                     "revision": 1, "organisation_id": 1, "organisation_path": "/1/", "person_id": 1,
                                     "data": {"open": {"date": "2026-03-02", "n": 3}}, "opened_at": AT,
                                     "decided_on": date(2026, 3, 9)})
        conn.execute(insert(DEADLINES), {"case_id": 1, "kind": "k", "due_date": date(2026, 4, 1), "role": "r",
                                         "organisation_id": 1, "status": "open", "opened_at": AT, "legal_basis": ""})
    yield engine
    engine.dispose()


def test_a_prepared_select_returns_the_values_sqlalchemy_returns(engine):
    """Dates, UTC timestamps, JSON, booleans and NULLs come back typed exactly as Connection.execute gives them."""
    statement = select(CASES.c.id, CASES.c.data, CASES.c.opened_at, CASES.c.closed_at, CASES.c.decided_on,
                       DEADLINES.c.due_date, DEADLINES.c.status).join(DEADLINES, DEADLINES.c.case_id == CASES.c.id) \
        .where(CASES.c.id == bindparam("id"), DEADLINES.c.status == "open")
    with engine.connect() as conn:
        expected = [tuple(row) for row in conn.execute(statement, {"id": 1})]
        got = Prepared(statement).rows(conn, {"id": 1})
    assert got == expected
    assert got[0][2] == AT and got[0][2].tzinfo is not None and got[0][4] == date(2026, 3, 9)


def test_prepared_writes_are_read_back_by_sqlalchemy_unchanged(engine):
    """An INSERT … RETURNING and an UPDATE through Prepared store what SQLAlchemy reads back as the same values."""
    add = Prepared(insert(EVENTS).values({n: bindparam(n) for n in (
        "case_id", "seq", "trigger", "from_state", "to_state", "actor_id", "at", "data", "comment")}).returning(EVENTS.c.id))
    move = Prepared(update(CASES).where(CASES.c.id == bindparam("_id"), CASES.c.revision == bindparam("_rev"))
                    .values(state=bindparam("state"), revision=bindparam("revision")))
    with write_connection(engine) as conn:
        event_id = add.first(conn, {"case_id": 1, "seq": 2, "trigger": "t", "from_state": "a", "to_state": "b",
                                    "actor_id": None, "at": AT, "data": {"vote": {"agree": 5}, "ngày": "2026-03-02"},
                                    "comment": "Đồng ý"})[0]
        assert move.run(conn, {"_id": 1, "_rev": 1, "state": "b", "revision": 2}) == 1
        assert move.run(conn, {"_id": 1, "_rev": 1, "state": "c", "revision": 3}) == 0  # stale revision: no row
    with engine.connect() as conn:
        event = conn.execute(select(EVENTS.c.at, EVENTS.c.data, EVENTS.c.comment).where(EVENTS.c.id == event_id)).one()
        case = conn.execute(select(CASES.c.state, CASES.c.revision).where(CASES.c.id == 1)).one()
    assert tuple(event) == (AT, {"vote": {"agree": 5}, "ngày": "2026-03-02"}, "Đồng ý")
    assert tuple(case) == ("b", 2)


def test_a_driver_error_is_raised_as_sqlalchemys_exception_and_rolls_back(engine):
    """A unique violation surfaces as sqlalchemy.exc.IntegrityError and the transaction writes nothing."""
    add = Prepared(insert(EVENTS).values({n: bindparam(n) for n in (
        "case_id", "seq", "trigger", "from_state", "to_state", "actor_id", "at", "data", "comment")}))
    row = {"case_id": 1, "seq": 5, "trigger": "t", "from_state": "a", "to_state": "b", "actor_id": None, "at": AT,
           "data": {}, "comment": None}
    with pytest.raises(IntegrityError):
        with write_connection(engine) as conn:
            add.run(conn, row)
            add.run(conn, row)  # (case_id, seq) is unique
    with engine.connect() as conn:
        assert conn.execute(select(EVENTS.c.id)).all() == []


def test_an_expanding_in_is_refused_when_compiled(engine):
    """An expanding IN would need rendering per execution: Prepared refuses it instead of running it wrong."""
    statement = Prepared(select(CASES.c.id).where(CASES.c.id.in_(bindparam("ids", expanding=True))))
    with engine.connect() as conn, pytest.raises(ValueError, match="expanding"):
        statement.rows(conn, {"ids": [1]})


def test_constants_are_written_into_the_sql_as_literals(engine):
    """A constant (`status == "open"`) is part of the SQL, quoted and escaped by SQLAlchemy, not a parameter:
    SQLite re-prepares a statement whose parameter meets a partial index's condition at every execution."""
    with write_connection(engine) as conn:
        conn.execute(update(DEADLINES).values(status="it's 5%"))
    statement = select(DEADLINES.c.kind, DEADLINES.c.status).where(
        DEADLINES.c.case_id == bindparam("case_id"), DEADLINES.c.status == "it's 5%",
        DEADLINES.c.kind.like("k%"))
    prepared = Prepared(statement)
    with engine.connect() as conn:
        expected = [tuple(row) for row in conn.execute(statement, {"case_id": 1})]
        got = prepared.rows(conn, {"case_id": 1})
        form = prepared._forms[conn.dialect]
    assert got == expected == [("k", "it's 5%")]
    assert [key for key, _process, _const in form.plan] == ["case_id"]
