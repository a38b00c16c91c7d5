"""Keep the decision tallies (models/tallies.py) in step with the cases, inside the transition's transaction.

A case's tally key is where and when it counts: (its organisation path, its decision date, the categories
workflows/domain/outcomes.py gives it). The transition computes the key before and after the step; when
they differ, one multi-row upsert takes one off the old rows and adds one to the new, for the case's
organisation and every ancestor (rows in key order, the same in every transaction, so two concurrent
decisions queue on a shared ancestor's row instead of deadlocking). Most steps decide nothing and write
nothing here.

`expected_tallies` recomputes every tally from the cases (and the strike-off decisions' events), for
`rebuild` (after a bulk load that bypasses the engine, e.g. bench/national.py's COPY) and for `flask check`,
which fails when the stored tallies and the live count disagree.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import Connection, bindparam, delete, select
from sqlalchemy.dialects import postgresql, sqlite

from models import Case, DecisionTally, Event
from models.prepared import Prepared
from workflows.engine.facts import path_ids
from workflows.domain.outcomes import DISCIPLINE_STATES, OUTCOMES, counted_as

TALLIES, CASES, EVENTS = DecisionTally.__table__, Case.__table__, Event.__table__
TallyKey = tuple[str, date, tuple[str, ...]]  # (organisation path, decision date, categories)

_LATEST_STRIKE_OFF = Prepared(
    select(EVENTS.c.data).where(EVENTS.c.case_id == bindparam("case_id"), EVENTS.c.to_state == "struck_off")
    .order_by(EVENTS.c.seq.desc()).limit(1))


def status_before(event_data: dict[str, Any] | None) -> str | None:
    """The member's status before a decision, as its event's effects recorded it."""
    changed = (((event_data or {}).get("effects") or {}).get("person") or {}).get("membership_status")
    return changed[0] if changed else None


def _probationary_at_last_strike_off(conn: Connection, case_id: int) -> bool:
    row = _LATEST_STRIKE_OFF.first(conn, {"case_id": case_id})
    return row is not None and status_before(row[0]) == "probationary"


def tally_key(conn: Connection, case_id: int | None, procedure: str, values: dict[str, Any],
              decision_event: dict[str, Any] | None = None) -> TallyKey | None:
    """Where and when the case counts with these column values (`state`, `decided_on`, `organisation_path`,
    `data`), or None. `decision_event`: the data of the event this step is writing when it leads to the
    state (its effects say the member's status before); otherwise the case's last strike-off event is read."""
    state, decided_on = values["state"], values["decided_on"]
    if decided_on is None or ((procedure, state) not in OUTCOMES and
                              not (procedure == "discipline" and state in DISCIPLINE_STATES)):
        return None
    probationary = False
    if (procedure, state) == ("strike_off", "struck_off"):
        probationary = (status_before(decision_event) == "probationary" if decision_event is not None
                        else case_id is not None and _probationary_at_last_strike_off(conn, case_id))
    categories = counted_as(procedure, state, (values["data"] or {}).get("form"), probationary)
    return (values["organisation_path"], decided_on, categories) if categories else None


# The upsert of k rows, per dialect, built and compiled once (models/prepared.py): the transition's hot path.
_UPSERTS: dict[tuple[str, int], Prepared] = {}
_FIELDS = ("organisation_id", "day", "category", "n")


def _upsert(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Add each row's n to its tally (a new row when none); one statement."""
    key = (conn.dialect.name, len(rows))
    statement = _UPSERTS.get(key)
    if statement is None:
        insert = postgresql.insert if key[0] == "postgresql" else sqlite.insert
        values = insert(TALLIES).values([{f: bindparam(f"{f}{i}") for f in _FIELDS} for i in range(len(rows))])
        statement = _UPSERTS[key] = Prepared(values.on_conflict_do_update(
            index_elements=[TALLIES.c.organisation_id, TALLIES.c.day, TALLIES.c.category],
            set_={"n": TALLIES.c.n + values.excluded.n}))
    statement.run(conn, {f"{f}{i}": row[f] for i, row in enumerate(rows) for f in _FIELDS})


def record_change(conn: Connection, before: TallyKey | None, after: TallyKey | None) -> None:
    """Move the case's count from `before` to `after` (either may be None: not counted)."""
    if before == after:
        return
    delta: Counter = Counter()
    for key, sign in ((before, -1), (after, 1)):
        if key is not None:
            path, day, categories = key
            for org_id in path_ids(path):
                for category in categories:
                    delta[(org_id, day, category)] += sign
    rows = [{"organisation_id": o, "day": d, "category": c, "n": n}
            for (o, d, c), n in sorted(delta.items()) if n]
    if rows:
        _upsert(conn, rows)


# ---------------------------------------------------------------- recomputed from the cases


def expected_tallies(conn: Connection) -> Counter:
    """{(organisation id, day, category): n} as the cases say, for every organisation with a decision."""
    procedures = {p for p, _ in OUTCOMES} | {"discipline"}
    probationary = {case_id for case_id, data in _latest_strike_off_events(conn)
                    if status_before(data) == "probationary"}
    expected: Counter = Counter()
    rows = conn.execute(select(CASES.c.id, CASES.c.procedure, CASES.c.state, CASES.c.decided_on,
                               CASES.c.organisation_path, CASES.c.data["form"].as_string())
                        .where(CASES.c.decided_on.is_not(None), CASES.c.procedure.in_(procedures)))
    for case_id, procedure, state, day, path, form in rows:
        for category in counted_as(procedure, state, form, case_id in probationary):
            for org_id in path_ids(path):
                expected[(org_id, day, category)] += 1
    return expected


def _latest_strike_off_events(conn: Connection) -> Iterable[tuple[int, dict]]:
    """(case id, data of its latest event into struck_off) of the strike-off cases that are struck off."""
    latest: dict[int, tuple[int, dict]] = {}
    for case_id, seq, data in conn.execute(
            select(EVENTS.c.case_id, EVENTS.c.seq, EVENTS.c.data).join(CASES, CASES.c.id == EVENTS.c.case_id)
            .where(CASES.c.procedure == "strike_off", CASES.c.state == "struck_off",
                   EVENTS.c.to_state == "struck_off")):
        if case_id not in latest or latest[case_id][0] < seq:
            latest[case_id] = (seq, data)
    return ((case_id, data) for case_id, (_seq, data) in latest.items())


def stored_tallies(conn: Connection) -> Counter:
    return Counter({(o, d, c): n for o, d, c, n in conn.execute(
        select(TALLIES.c.organisation_id, TALLIES.c.day, TALLIES.c.category, TALLIES.c.n)) if n})


def rebuild(conn: Connection) -> int:
    """Replace every tally by the count of the cases (in the caller's transaction); the number of rows."""
    expected = expected_tallies(conn)
    conn.execute(delete(TALLIES))
    rows = [{"organisation_id": o, "day": d, "category": c, "n": n} for (o, d, c), n in expected.items()]
    for start in range(0, len(rows), 5000):
        conn.execute(TALLIES.insert(), rows[start:start + 5000])
    return len(rows)


def differences(conn: Connection, limit: int = 20) -> list[str]:
    """Where the stored tallies and the live count of the cases disagree (empty: they agree)."""
    expected, stored = expected_tallies(conn), stored_tallies(conn)
    found = []
    for key in sorted(set(expected) | set(stored), key=lambda k: (k[0], k[1], k[2])):
        if expected.get(key, 0) != stored.get(key, 0):
            org_id, day, category = key
            found.append(f"organisation {org_id}, {day:%d/%m/%Y}, {category}: "
                         f"stored {stored.get(key, 0)}, counted {expected.get(key, 0)}")
            if len(found) >= limit:
                break
    return found
