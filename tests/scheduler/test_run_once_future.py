"""`scheduler run-once --now` later than the real clock is a dry run: it reports, and writes or sends nothing."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from models import Case, Deadline, Event
from tests.scheduler.support import DUE_AFTER_TET, add_deadline, open_case, outbox
from tests.support.flows import walk_plan
from workflows.demo.plans import discipline_plan


def _run(app, *args):
    return app.test_cli_runner().invoke(args=["scheduler", *args])


def test_a_future_morning_reports_the_reminders_it_would_write_and_writes_none(app, runtime, world):
    """The real clock says 30/11/2026; --now 03/02/2027 lists the reminder and its recipient, the outbox stays empty."""
    case = open_case(runtime, world)
    deadline = add_deadline(runtime, case.id, due=DUE_AFTER_TET, role="cell_secretary",
                            organisation_id=world.orgs["cell1"])
    result = _run(app, "run-once", "--now", "2027-02-03T08:00:00+07:00")
    assert result.exit_code == 0, result.output
    assert "dry run" in result.output and "--allow-future" in result.output
    assert "would remind secretary1@example.test: Nhắc hạn:" in result.output
    assert "1 reminders would be written" in result.output
    assert outbox(runtime) == []
    with runtime.session_factory() as s:
        assert s.get(Deadline, deadline).next_reminder_on is None  # not even the plan moved


def test_a_future_morning_closes_no_case_and_allow_future_does(app, runtime, world):
    """close-expired ahead of the clock names the case it would close and dates no event after today;
    --allow-future (test and demo databases) closes it."""
    case = walk_plan(runtime, world, discipline_plan(date(2026, 10, 1), violation_date=date(2026, 9, 1)),
                     "cell1_m4", "discipline")
    assert case.state == "in_force" and case.data["appeal_until"] == "2026-12-02"
    result = _run(app, "run-once", "--job", "close-expired", "--now", "2026-12-14T08:00:00+07:00")
    assert result.exit_code == 0 and f"1 cases would be closed (#{case.id})" in result.output
    with runtime.session_factory() as s:
        assert s.scalar(select(Case.state).where(Case.id == case.id)) == "in_force"
        assert s.scalar(select(func.max(Event.at)).where(Event.case_id == case.id)).date() <= date(2026, 11, 30)
    real = _run(app, "run-once", "--job", "close-expired", "--now", "2026-12-14T08:00:00+07:00", "--allow-future")
    assert "close-expired: 1 cases closed" in real.output
    with runtime.session_factory() as s:
        assert s.scalar(select(Case.state).where(Case.id == case.id)) == "closed"


def test_now_or_the_past_runs_the_jobs(app, runtime, world):
    """Without --now (the real clock) the jobs run as always: the reminders due today are written."""
    case = open_case(runtime, world)
    add_deadline(runtime, case.id, due=date(2026, 11, 30), role="cell_secretary", organisation_id=world.orgs["cell1"])
    result = _run(app, "run-once", "--job", "scan")
    assert "dry run" not in result.output and "1 reminders written" in result.output
    assert [r.stage for r in outbox(runtime)] == ["due"]
