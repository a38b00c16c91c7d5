"""Several schedulers at once on one database (threads with engines of their own, released together)."""
from __future__ import annotations

import threading
from datetime import date, timedelta

from sqlalchemy import func, select

from models import (
    OutboxMessage,
    User,
    make_engine,
    make_session_factory,
    write_transaction,
)
from scheduler.delivery import deliver_outbox
from scheduler.scan import scan_deadlines
from tests.scheduler.support import (
    DUE_AFTER_TET,
    FAST_RETRY,
    MAIL,
    add_deadline,
    at,
    open_case,
    outbox,
)
from workflows.engine import Runtime


def _schedulers(db_url: str, n: int) -> list[Runtime]:
    return [Runtime(session_factory=make_session_factory(make_engine(db_url))) for _ in range(n)]


def _together(runtimes: list[Runtime], job) -> list:
    """Run job(rt) in one thread per runtime, all released at the same moment; re-raise any error."""
    barrier = threading.Barrier(len(runtimes))
    results: list = [None] * len(runtimes)
    errors: list[BaseException] = []

    def run(i: int, rt: Runtime) -> None:
        try:
            barrier.wait(timeout=30)
            results[i] = job(rt)
        except BaseException as exc:  # noqa: BLE001 — reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i, rt)) for i, rt in enumerate(runtimes)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    if errors:
        raise errors[0]
    return results


def test_concurrent_scans_and_deliveries_send_each_reminder_once(runtime, world, db_url, smtp):
    """Four schedulers scan and deliver at once, day after day: each reminder is written and sent exactly once."""
    with write_transaction(runtime.session_factory) as s:
        s.get(User, world.users["officer"]).digest = True  # digests composed concurrently too
    case = open_case(runtime, world)
    for i in range(40):
        add_deadline(runtime, case.id, due=DUE_AFTER_TET + timedelta(days=i % 9), role="cell_secretary",
                     organisation_id=world.orgs["cell1" if i % 2 else "cell2"])
    schedulers = _schedulers(db_url, 4)
    try:
        day = date(2027, 2, 1)
        while day <= date(2027, 3, 10):
            when = at(runtime, day).clock.now()
            results = _together(schedulers, lambda rt: scan_deadlines(
                at(rt, when), mail=MAIL, batch_size=7))
            assert sum(r.digests for r in results) <= 1
            _together(schedulers, lambda rt: deliver_outbox(at(rt, when), smtp.settings(), FAST_RETRY))
            day += timedelta(days=1)
        # Items a racing scan wrote after that day's digest wait for the next day's (scheduler/digest.py):
        # the next morning one scheduler digests what the last day left waiting, and delivers it.
        when = at(runtime, day).clock.now()
        scan_deadlines(at(schedulers[0], when), mail=MAIL, batch_size=7)
        deliver_outbox(at(schedulers[0], when), smtp.settings(), FAST_RETRY)
    finally:
        for rt in schedulers:
            rt.session_factory.kw["bind"].dispose()
    rows = outbox(runtime)
    with runtime.session_factory() as s:
        keys = s.execute(select(OutboxMessage.dedupe_key, func.count()).group_by(OutboxMessage.dedupe_key)).all()
    assert all(n == 1 for _, n in keys)
    to_send = [r for r in rows if r.status != "digested"]
    assert {r.status for r in to_send} == {"sent"}
    received = smtp.recorder.message_ids()
    assert len(received) == len(set(received)) == len(to_send)
    assert set(received) == {r.message_id for r in to_send}
    # Every stage of every deadline was reminded: 40 deadlines × (before_10, before_3, due) at least.
    assert len({(r.deadline_id, r.stage) for r in rows if r.kind == "reminder"}) >= 120
    digests = [r for r in rows if r.kind == "digest"]
    assert len({r.payload["day"] for r in digests}) == len(digests)  # at most one digest a day
