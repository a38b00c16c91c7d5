"""Real scheduler processes: killed mid-batch, several at once, the long-running `flask scheduler` itself."""
from __future__ import annotations

import os
import signal
import time
from datetime import datetime, timedelta

import pytest

from tests.scheduler.support import (
    DUE_AFTER_TET,
    add_deadline,
    cli_env,
    flask_cli,
    open_case,
    outbox,
)
from workflows.engine import LOCAL_ZONE

pytestmark = pytest.mark.slow


def _finish(proc, timeout: float = 120) -> str:
    out, err = proc.communicate(timeout=timeout)
    assert proc.returncode == 0, err
    return out


def test_delivery_killed_mid_batch_loses_nothing(runtime, world, smtp, db_url, tmp_path):
    """SIGKILL while a batch is being sent: after restart every reminder is delivered, at most one twice."""
    case = open_case(runtime, world)
    for _ in range(12):
        add_deadline(runtime, case.id, due=DUE_AFTER_TET, role="cell_secretary", organisation_id=world.orgs["cell1"])
    env = cli_env(db_url, tmp_path / "instance", smtp)
    _finish(flask_cli("scheduler", "run-once", "--job", "scan", "--now", "2027-02-03T09:00:00+07:00",
                      "--allow-future", env=env))
    assert len(outbox(runtime, status="queued")) == 12

    smtp.recorder.block_after = 3  # the server takes the 3rd message, then never answers
    proc = flask_cli("scheduler", "run-once", "--job", "deliver", "--now", "2027-02-03T09:05:00+07:00",
                     "--allow-future", env=env)
    assert smtp.recorder.blocked.wait(timeout=120), "the delivery process never reached the third message"
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    smtp.recorder.block_after = None
    smtp.recorder.release.set()
    statuses = sorted(r.status for r in outbox(runtime))
    assert statuses.count("sent") == 2 and "sending" in statuses  # killed with a claimed batch in hand

    # Restarted within the lease: the rest of the queue goes, the claimed rows wait for their lease to end.
    _finish(flask_cli("scheduler", "run-once", "--job", "deliver", "--now", "2027-02-03T09:06:00+07:00",
                      "--allow-future", env=env))
    assert "sending" in {r.status for r in outbox(runtime)}
    # After the lease (10 minutes): the rows the dead process held are sent too.
    _finish(flask_cli("scheduler", "run-once", "--job", "deliver", "--now", "2027-02-03T09:16:00+07:00",
                      "--allow-future", env=env))
    rows = outbox(runtime)
    assert {r.status for r in rows} == {"sent"}
    received = smtp.recorder.message_ids()
    assert set(received) == {r.message_id for r in rows}
    assert len(received) - len(set(received)) <= 1  # only the message in flight at the kill may come twice


def test_three_scheduler_processes_at_once_send_each_reminder_once(runtime, world, smtp, db_url, tmp_path):
    """Three `run-once` processes started together on one database: every reminder is written and sent once."""
    case = open_case(runtime, world)
    for i in range(30):
        add_deadline(runtime, case.id, due=DUE_AFTER_TET - timedelta(days=i % 3), role="cell_secretary",
                     organisation_id=world.orgs["cell1"])
    env = cli_env(db_url, tmp_path / "instance", smtp)
    procs = [flask_cli("scheduler", "run-once", "--job", "scan", "--job", "deliver",
                       "--now", "2027-02-22T09:00:00+07:00", "--allow-future", env=env) for _ in range(3)]
    for proc in procs:
        _finish(proc)
    rows = outbox(runtime)
    assert len(rows) == 60  # 30 overdue deadlines: the secretary and the commune officer's copy each
    assert {r.status for r in rows} == {"sent"}
    received = smtp.recorder.message_ids()
    assert len(received) == 60 and set(received) == {r.message_id for r in rows}


def test_two_long_running_schedulers_catch_up_at_start_and_send_once(runtime, world, smtp, db_url, tmp_path):
    """`flask --app app scheduler` twice at once (as `make run` starts it): missed reminders go out once, SIGTERM stops."""
    today = datetime.now(LOCAL_ZONE).date()
    case = open_case(runtime, world)
    expected = 0
    for i in range(8):
        # Due today (stage "due") or three weeks overdue or more (secretary + officer's copy), whatever
        # weekday or holiday today is.
        due = today if i % 2 else today - timedelta(days=21 + i)
        add_deadline(runtime, case.id, due=due, role="cell_secretary", organisation_id=world.orgs["cell1"])
        expected += 1 if i % 2 else 2
    env = cli_env(db_url, tmp_path / "instance", smtp, QUYTRINH_SCHEDULER_DELIVER_SECONDS="2")
    procs = [flask_cli("scheduler", env=env), flask_cli("scheduler", "start", env=env)]
    try:
        deadline = time.monotonic() + 120
        while len(smtp.messages) < expected and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(3)  # a full delivery interval more: a double send would show now
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        outputs = [proc.communicate(timeout=60) for proc in procs]
    for proc, (_, err) in zip(procs, outputs):
        assert proc.returncode == 0, err
    received = smtp.recorder.message_ids()
    assert len(received) == expected and len(set(received)) == expected
    assert {r.status for r in outbox(runtime)} == {"sent"}
