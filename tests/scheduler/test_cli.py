"""`flask --app app scheduler …` through Flask's CliRunner, and the APScheduler wiring."""
from __future__ import annotations

import json
from datetime import date

from sqlalchemy import select

from models import Case
from scheduler.jobs import build_scheduler, close_expired_job, deliver_job, notify_job, scan_job
from scheduler.settings import config_values
from tests.scheduler.support import DUE_AFTER_TET, add_deadline, open_case, outbox
from tests.support.flows import walk_plan
from workflows.demo.plans import discipline_plan


def _run(app, *args):
    return app.test_cli_runner().invoke(args=["scheduler", *args])


def test_run_once_writes_and_keeps_the_reminders_then_nothing_new(app, runtime, world):
    """run-once --now writes the reminders due then (held: no SMTP); a second run at that instant adds nothing."""
    case = open_case(runtime, world)
    add_deadline(runtime, case.id, due=DUE_AFTER_TET, role="cell_secretary", organisation_id=world.orgs["cell1"])
    result = _run(app, "run-once", "--now", "2027-02-03T08:00:00+07:00", "--allow-future")
    assert result.exit_code == 0, result.output
    assert "1 reminders written" in result.output and "1 held" in result.output
    assert [(r.stage, r.status) for r in outbox(runtime)] == [("before_3", "held")]
    again = _run(app, "run-once", "--now", "2027-02-03T08:00:00+07:00", "--allow-future")
    assert again.exit_code == 0 and "0 reminders written" in again.output
    assert len(outbox(runtime)) == 1


def test_run_once_sends_over_the_configured_smtp(app, runtime, world, smtp):
    """With SMTP_HOST/PORT configured, run-once delivers what it wrote (and what was held before)."""
    app.config["BASE_URL"] = "https://quytrinh.example.test"
    case = open_case(runtime, world)
    add_deadline(runtime, case.id, due=DUE_AFTER_TET, role="cell_secretary", organisation_id=world.orgs["cell1"])
    assert _run(app, "run-once", "--now", "2027-01-25T08:00:00+07:00", "--allow-future").exit_code == 0  # held
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port)
    result = _run(app, "run-once", "--now", "2027-02-03T08:00:00", "--allow-future", "--job", "scan",
                  "--job", "deliver")
    assert result.exit_code == 0, result.output
    assert "2 sent" in result.output and "1 released from hold" in result.output
    assert sorted(m["Subject"].split(":")[0] for m in smtp.messages) == ["Nhắc hạn", "Nhắc hạn"]
    for message in smtp.messages:
        assert f"https://quytrinh.example.test/cases/{case.id}" in message.get_body(("plain",)).get_content()


def test_run_once_closes_discipline_cases_whose_appeal_window_passed(app, runtime, world):
    """The close-expired job closes an in-force discipline case the day after its appeal window."""
    case = walk_plan(runtime, world, discipline_plan(date(2026, 2, 2), violation_date=date(2026, 1, 10)),
                     "cell1_m4", "discipline")
    assert case.state == "in_force" and case.data["appeal_until"] == "2026-04-06"
    early = _run(app, "run-once", "--job", "close-expired", "--now", "2026-04-06T09:00:00+07:00")
    assert "close-expired: 0 cases closed" in early.output
    result = _run(app, "run-once", "--job", "close-expired", "--now", "2026-04-07T00:15:00+07:00")
    assert result.exit_code == 0 and "close-expired: 1 cases closed" in result.output
    with runtime.session_factory() as s:
        assert s.scalar(select(Case.state).where(Case.id == case.id)) == "closed"


def test_bad_now_and_bad_settings_are_refused_clearly(app, runtime, world):
    """An unreadable --now or SMTP_SECURITY is a clear error and nothing is written."""
    case = open_case(runtime, world)
    add_deadline(runtime, case.id, due=DUE_AFTER_TET, role="cell_secretary", organisation_id=world.orgs["cell1"])
    result = _run(app, "run-once", "--now", "3 Feb 2027")
    assert result.exit_code == 2 and "expected an ISO date-time" in result.output
    app.config["SMTP_SECURITY"] = "tls"
    result = _run(app, "run-once", "--now", "2027-02-03T08:00:00+07:00", "--allow-future")
    assert result.exit_code == 1 and "SMTP_SECURITY must be one of none, starttls, ssl" in result.output
    assert outbox(runtime) == []


def test_the_apscheduler_jobs_hold_no_truth(app):
    """Memory job store, plain-value arguments, module-level functions; coalesced, never dropped as late."""
    scheduler = build_scheduler(config_values(app.config), blocking=False)
    scheduler.start(paused=True)  # job defaults are applied when the scheduler starts; paused: nothing runs
    try:
        jobs = {job.id: job for job in scheduler.get_jobs()}
    finally:
        scheduler.shutdown(wait=False)
    assert set(jobs) == {"scan_deadlines", "notify", "deliver_outbox", "close_expired"}
    assert {jobs["scan_deadlines"].func, jobs["notify"].func, jobs["deliver_outbox"].func,
            jobs["close_expired"].func} == {scan_job, notify_job, deliver_job, close_expired_job}
    for job in jobs.values():
        json.dumps(job.args)  # plain values only
        assert job.coalesce is True and job.misfire_grace_time is None and job.max_instances == 1
        assert job.next_run_time is not None  # each runs as soon as the process starts: downtime is caught up
    assert type(scheduler._jobstores["default"]).__name__ == "MemoryJobStore"
