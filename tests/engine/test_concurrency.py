"""Concurrent writers and atomicity (quality.md Reliability 1, 2, 7) on SQLite and PostgreSQL.

Every thread makes its own engine call (its own session and transaction); a
Barrier releases them together so the race is real, not sequential.
"""
from __future__ import annotations

import dataclasses
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError

from models import AuditRecord, Case, Deadline, Event, Person, write_transaction
from models.base import Base
from workflows.demo.walk import admission_plan, at_day, walk
from workflows.directory.directory import create_person
from workflows.domain.definition import UpdatePerson
from workflows.domain.errors import (
    ConflictingUpdate,
    Forbidden,
    RuleViolation,
    TransitionNotAllowed,
)
from workflows.engine import (
    CalendarSource,
    check_cases,
    effects,
    fire,
    open_case,
    store,
)
from workflows.engine.effects import register_effect
from workflows.engine.record_check import check_record
from workflows.engine.store import CaseRow

THREADS = 20
ROUNDS = 10
START = date(2026, 3, 2)
ROOT = Path(__file__).resolve().parents[2]


# ---------------------------------------------------------------- helpers


def race(n: int, call: Callable[[int], object]) -> list[object]:
    """Run `call(i)` in n threads released together; each slot holds the result or the exception."""
    barrier = threading.Barrier(n, timeout=60)
    results: list[object] = [None] * n

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = call(i)
        except BaseException as exc:  # noqa: BLE001 - the test inspects every outcome
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not any(t.is_alive() for t in threads), "a thread never finished (deadlock?)"
    return results


def describe(results: list[object]) -> str:
    return "; ".join(sorted({f"{type(r).__name__}: {r}"[:200] for r in results}))


def plan_for(world, cell="cell1", start=START):
    return admission_plan(world.people[f"{cell}_m1"], (world.people[f"{cell}_m2"], world.people[f"{cell}_m3"]), start)


def walk_to(runtime, world, until, cell="cell1", person_id=None, start=START):
    return walk(runtime, plan_for(world, cell, start), person_id=person_id or world.people[f"{cell}_applicant"],
                organisation_id=world.orgs[cell], actor_for=world.actor_for(cell), procedure="admission",
                until=until)


def add_applicants(runtime, world, count: int, cell="cell1") -> list[int]:
    with write_transaction(runtime.session_factory) as s:
        return [create_person(s, organisation_id=world.orgs[cell], membership_status="none",
                              full_name=f"Người xin vào Đảng {i}", birth_date=date(1999, 1, 1) + timedelta(days=i),
                              education="upper_secondary").id
                for i in range(count)]


def snapshot(runtime) -> dict[str, list[tuple]]:
    """Every row of every table (audit rows of case transitions only), to prove nothing was written."""
    rows = {}
    with runtime.session_factory() as s:
        for table in Base.metadata.sorted_tables:
            query = select(table)
            if table.name == "audit_log":
                query = query.where(table.c.action.like("case.%"), table.c.outcome == "ok")
            rows[table.name] = sorted((tuple(map(repr, r)) for r in s.execute(query)), key=repr)
    return rows


def counts(runtime, case_id: int) -> tuple[int, int, int]:
    """(case revision, event rows, audit rows of transitions) of a case."""
    with runtime.session_factory() as s:
        revision = s.scalar(select(Case.revision).where(Case.id == case_id))
        events = s.scalar(select(func.count(Event.id)).where(Event.case_id == case_id))
        audits = s.scalar(select(func.count(AuditRecord.id)).where(
            AuditRecord.object_type == "case", AuditRecord.object_id == str(case_id)))
    return revision, events, audits


# ---------------------------------------------------------------- the same step, twenty times at once


def test_twenty_threads_firing_the_same_step_one_wins_each_time(runtime, world):
    """20 concurrent fires of one step at one revision: 1 wins, 19 conflict, revision +1, one event — 10 rounds."""
    case = walk_to(runtime, world, "application_submitted")
    forward = ("verify_background", world.users["officer"],
               {"date": (START + timedelta(days=40)).isoformat(), "conclusion": "Lý lịch rõ ràng."})
    back = ("return_for_rework", world.users["secretary1"], {"reason": "Thẩm tra lại quê quán của mẹ."})
    rt = at_day(runtime, START + timedelta(days=41))
    for round_no in range(ROUNDS):
        trigger, actor, data = forward if round_no % 2 == 0 else back
        revision, events_before, audits_before = counts(runtime, case.id)

        results = race(THREADS, lambda i: fire(rt, case_id=case.id, trigger=trigger, actor_id=actor, data=data,
                                                  revision=revision))

        winners = [r for r in results if isinstance(r, CaseRow)]
        conflicts = [r for r in results if isinstance(r, ConflictingUpdate)]
        assert len(winners) == 1, f"round {round_no}: {describe(results)}"
        assert len(conflicts) == THREADS - 1, f"round {round_no}: {describe(results)}"
        assert winners[0].revision == revision + 1
        assert counts(runtime, case.id) == (revision + 1, events_before + 1, audits_before + 1)
        with runtime.session_factory() as s:
            last = s.scalars(select(Event).where(Event.case_id == case.id).order_by(Event.seq.desc())).first()
        assert (last.seq, last.trigger) == (revision + 1, trigger)
    with runtime.session_factory() as s:
        assert list(check_cases(s)) == []
        assert s.get(Case, case.id).state == "application_submitted"


def test_twenty_threads_without_a_revision_apply_the_step_once(runtime, world):
    """Fired without an expected revision, a step applies once and no caller gets a conflict (issue 14 item 10).

    A loser that lost the row race is retried on the moved case, where the step no longer applies.
    """
    case = walk_to(runtime, world, "application_submitted")
    rt = at_day(runtime, START + timedelta(days=41))
    data = {"date": (START + timedelta(days=40)).isoformat(), "conclusion": "Lý lịch rõ ràng."}

    results = race(THREADS, lambda i: fire(rt, case_id=case.id, trigger="verify_background",
                                              actor_id=world.users["officer"], data=data))

    winners = [r for r in results if isinstance(r, CaseRow)]
    assert len(winners) == 1, describe(results)
    assert all(isinstance(r, TransitionNotAllowed) for r in results if r not in winners), describe(results)
    assert counts(runtime, case.id)[:2] == (case.revision + 1, case.revision + 1)
    with runtime.session_factory() as s:
        assert check_record(s)[0] == []


def test_twenty_threads_moving_a_case_back_and_forth_without_a_revision_never_conflict(runtime, world):
    """Ten forward and ten back steps at once, none with a revision: no conflict; every applied step is recorded."""
    case = walk_to(runtime, world, "application_submitted")
    rt = at_day(runtime, START + timedelta(days=41))
    forward = ("verify_background", world.users["officer"],
               {"date": (START + timedelta(days=40)).isoformat(), "conclusion": "Lý lịch rõ ràng."})
    back = ("return_for_rework", world.users["secretary1"], {"reason": "Thẩm tra lại quê quán của mẹ."})

    results = race(THREADS, lambda i: fire(rt, case_id=case.id, trigger=(forward, back)[i % 2][0],
                                              actor_id=(forward, back)[i % 2][1], data=(forward, back)[i % 2][2]))

    assert not any(isinstance(r, ConflictingUpdate) for r in results), describe(results)
    # A step that no longer applies in the state a loser finds is refused as in that state (wrong state,
    # or — returning from application_submitted — not this actor's step there).
    assert all(isinstance(r, (CaseRow, TransitionNotAllowed, Forbidden)) for r in results), describe(results)
    applied = sum(isinstance(r, CaseRow) for r in results)
    assert counts(runtime, case.id) == (case.revision + applied, case.revision + applied, case.revision + applied)
    with runtime.session_factory() as s:
        assert list(check_cases(s)) == [] and check_record(s)[0] == []


def test_a_serialisation_failure_is_retried_inside_the_call(runtime, world, monkeypatch):
    """A PostgreSQL serialisation failure (SQLSTATE 40001) on the first try: the step is retried and applied once."""
    case = walk_to(runtime, world, "application_submitted")
    rt = at_day(runtime, START + timedelta(days=41))
    real_update, failures = store.update_case, []

    class SerializationFailure(Exception):
        sqlstate = "40001"

    def failing_once(*args, **kwargs):
        if not failures:
            failures.append(1)
            raise OperationalError("UPDATE cases …", {}, SerializationFailure("could not serialize access"))
        return real_update(*args, **kwargs)

    monkeypatch.setattr(store, "update_case", failing_once)
    moved = fire(rt, case_id=case.id, trigger="verify_background", actor_id=world.users["officer"],
                 data={"date": (START + timedelta(days=40)).isoformat(), "conclusion": "Lý lịch rõ ràng."})

    assert failures == [1] and moved.revision == case.revision + 1
    assert counts(runtime, case.id) == (case.revision + 1,) * 3
    with runtime.session_factory() as s:
        assert check_record(s)[0] == []


def test_twenty_threads_opening_a_case_for_one_person_open_exactly_one(runtime, world):
    """20 concurrent opens of an admission case for the same person: exactly one case, 19 one_open_case."""
    person_id = world.people["cell1_applicant"]
    # A calendar that reloads on every call: its load must not need a second pooled connection
    # inside the write transaction (with 20 writers that deadlocked on the pool and SQLite's lock).
    rt = dataclasses.replace(at_day(runtime, START), calendar_source=CalendarSource(runtime.session_factory, ttl=0))
    data = {"resolution_date": START.isoformat(), "helper_id": world.people["cell1_m1"]}

    results = race(THREADS, lambda i: open_case(rt, procedure="admission", person_id=person_id,
                                                   organisation_id=world.orgs["cell1"],
                                                   actor_id=world.users["secretary1"], data=data))

    opened = [r for r in results if isinstance(r, CaseRow)]
    refused = [r for r in results if isinstance(r, RuleViolation)]
    assert len(opened) == 1, describe(results)
    assert len(refused) == THREADS - 1, describe(results)
    assert all(r.rule_ids == ["one_open_case"] for r in refused)
    with runtime.session_factory() as s:
        assert s.scalar(select(func.count(Case.id)).where(Case.person_id == person_id)) == 1
        assert s.scalar(select(func.count(Event.id))) == 1


def test_concurrent_writers_on_different_cases_never_fail(runtime, world):
    """Twelve threads each walk their own case to the cell vote at once: every transition succeeds, no lock errors."""
    people = add_applicants(runtime, world, 12)

    results = race(len(people), lambda i: walk_to(runtime, world, "cell_approved", person_id=people[i]))

    assert all(isinstance(r, CaseRow) and r.state == "cell_approved" for r in results), describe(results)
    with runtime.session_factory() as s:
        assert s.scalar(select(func.count(Event.id))) == 12 * 5
        assert list(check_cases(s)) == []
        assert check_record(s)[0] == []  # every case chain and audit lane links up after the race


# ---------------------------------------------------------------- atomicity


def _decide(runtime, world, case):
    day = START + timedelta(days=70)
    return fire(at_day(runtime, day), case_id=case.id, trigger="decide_admission",
                actor_id=world.users["standing_commune"], revision=case.revision,
                data={"decision_number": "15-QĐ/ĐU", "decision_date": day.isoformat()})


def test_an_effect_that_raises_leaves_nothing_written(runtime, world):
    """An effect failing mid-transition (after the case moved in memory) rolls everything back."""
    case = walk_to(runtime, world, "committee_approved")
    before = snapshot(runtime)
    original = effects._APPLIERS[UpdatePerson]

    def explode(write, effect, record):
        raise RuntimeError("injected failure in an effect")

    register_effect(UpdatePerson, explode)
    try:
        with pytest.raises(RuntimeError, match="injected"):
            _decide(runtime, world, case)
    finally:
        register_effect(UpdatePerson, original)
    assert snapshot(runtime) == before
    # The same step goes through once the fault is gone: the failure left no stale lock or state.
    assert _decide(runtime, world, case).state == "admitted"


@pytest.mark.parametrize("hook", ["after_event_insert", "commit"])
def test_a_failure_after_the_event_row_is_written_leaves_nothing(runtime, world, hook, monkeypatch):
    """A failure once the event row is written, before commit: no state without event, no event without state."""
    case = walk_to(runtime, world, "committee_approved")
    before = snapshot(runtime)
    seen = []

    def count_and_explode(conn):
        in_db = conn.execute(select(func.count(Event.id)).where(Event.case_id == case.id)).scalar()
        seen.append(in_db)
        raise RuntimeError("injected failure before commit")

    insert_event = store.insert_event

    def insert_event_then_fail(conn, **values):
        insert_event(conn, **values)
        count_and_explode(conn)

    def on_commit(conn):
        count_and_explode(conn)

    if hook == "after_event_insert":
        monkeypatch.setattr(store, "insert_event", insert_event_then_fail)
    else:
        sa_event.listen(runtime.engine, "commit", on_commit)
    try:
        with pytest.raises(RuntimeError, match="injected"):
            _decide(runtime, world, case)
    finally:
        if hook == "commit":
            sa_event.remove(runtime.engine, "commit", on_commit)
    # The event row really was in the transaction when it failed …
    assert seen == [case.revision + 1]
    # … and none of it survived.
    assert snapshot(runtime) == before
    with runtime.session_factory() as s:
        assert list(check_cases(s)) == []


def test_a_rule_violation_leaves_nothing_written(runtime, world):
    """A ceremony after its 30 working days (a window that bars) is refused with the rule id; every table as it was."""
    case = walk_to(runtime, world, "admitted")
    before = snapshot(runtime)
    with runtime.session_factory() as s:
        due = s.scalars(select(Deadline.due_date).where(Deadline.case_id == case.id,
                                                        Deadline.kind == "ceremony")).one()
    late = runtime.calendar().next_working_day(due + timedelta(days=1))
    with pytest.raises(RuleViolation) as err:
        fire(at_day(runtime, late), case_id=case.id, trigger="hold_ceremony",
             actor_id=world.users["secretary1"], revision=case.revision,
             data={"ceremony_date": late.isoformat()})
    assert err.value.rule_ids == ["deadline_passed"]
    assert snapshot(runtime) == before


# A child process walks cases in a loop; the test kills it with SIGKILL at random moments.
_WORKER = r"""
import json, sys
from datetime import date
from models import make_engine, make_session_factory
from workflows.demo.walk import admission_plan, walk
from workflows.engine import Runtime

cfg = json.loads(sys.argv[1])
engine = make_engine(cfg["url"])
rt = Runtime(session_factory=make_session_factory(engine))
users = cfg["users"]
print("ready", flush=True)
while True:
    for person_id in cfg["people"]:
        plan = admission_plan(cfg["helper"], tuple(cfg["introducers"]), date(2026, 3, 2))
        try:
            walk(rt, plan, person_id=person_id, organisation_id=cfg["org"], actor_for=lambda role: users[role],
                 procedure="admission")
        except Exception as exc:  # one_open_case once a person's case is open: move on
            pass
"""


def test_a_process_killed_at_random_points_leaves_every_case_consistent(runtime, world, db_url):
    """SIGKILL of a writer at random moments: every case's state equals the replay of its events."""
    people = add_applicants(runtime, world, 40)
    actor = world.actor_for("cell1")
    cfg = {
        "url": db_url, "people": people, "org": world.orgs["cell1"], "helper": world.people["cell1_m1"],
        "introducers": [world.people["cell1_m2"], world.people["cell1_m3"]],
        "users": {role: actor(role) for role in ("cell_secretary", "committee_member", "organisation_officer",
                                                 "standing_committee")},
    }
    rng = random.Random(20260302)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for kill_no in range(4):
        child = subprocess.Popen([sys.executable, "-c", _WORKER, json.dumps(cfg)], cwd=ROOT, env=env,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            assert child.stdout.readline().strip() == "ready", child.stderr.read()
            time.sleep(rng.uniform(0.05, 0.6))  # where the kill lands, not an assertion on time
        finally:
            child.send_signal(signal.SIGKILL)
            child.wait()
        # Shift the next walk's cases: earlier ones are complete or stuck open.
        cfg["people"] = cfg["people"][10:] + cfg["people"][:10]
    with runtime.session_factory() as s:
        assert list(check_cases(s)) == []
        events = s.scalar(select(func.count(Event.id)))
        revisions = s.scalar(select(func.coalesce(func.sum(Case.revision), 0)))
        assert events == revisions and events > 0
        # Every vote and every deadline belongs to an event that was committed with it.
        orphan_votes = s.scalar(text(
            "SELECT count(*) FROM votes v WHERE NOT EXISTS "
            "(SELECT 1 FROM events e WHERE e.case_id = v.case_id AND e.seq = v.event_seq)"))
        assert orphan_votes == 0
        people_admitted = s.scalar(select(func.count(Person.id)).where(Person.membership_status == "probationary"))
        decided = s.scalar(select(func.count(Event.id)).where(Event.trigger == "decide_admission"))
        assert people_admitted == decided
