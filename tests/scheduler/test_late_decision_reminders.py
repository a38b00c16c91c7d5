"""A late decision deadline keeps being reminded as overdue until the decision is taken (issue 12, correction 1)."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from models import Deadline
from tests.scheduler.support import outbox, scan
from workflows.demo.walk import admission_plan, at_day, walk
from workflows.engine import fire

START = date(2026, 3, 2)


def test_overdue_decision_is_reminded_until_taken_then_never_again(runtime, world):
    """late_decision: overdue_1, overdue_2 … while the admission decision is late; the late decision stops them."""
    plan = admission_plan(world.people["cell1_m1"], (world.people["cell1_m2"], world.people["cell1_m3"]), START)
    case = walk(runtime, plan, person_id=world.people["cell1_applicant"], organisation_id=world.orgs["cell1"],
                actor_for=world.actor_for("cell1"), procedure="admission", until="committee_approved")
    with runtime.session_factory() as s:
        deadline = s.scalars(select(Deadline).where(Deadline.case_id == case.id,
                                                    Deadline.kind == "admission_decision")).one()
    due = deadline.due_date
    day = due
    while day <= due + timedelta(days=16):
        scan(runtime, day)
        day += timedelta(days=1)
    stages = [r.stage for r in outbox(runtime, deadline_id=deadline.id) if r.user_id == world.users["standing_commune"]]
    assert stages[-2:] == ["overdue_1", "overdue_2"]
    decided = due + timedelta(days=17)
    decided = runtime.calendar().next_working_day(decided)
    case = fire(at_day(runtime, decided), case_id=case.id, trigger="decide_admission",
                actor_id=world.users["standing_commune"],
                data={"decision_number": "9-QĐ", "decision_date": decided.isoformat()})
    assert case.state == "admitted"
    before = len(outbox(runtime, deadline_id=deadline.id))
    for offset in range(30):
        scan(runtime, decided + timedelta(days=offset))
    assert len(outbox(runtime, deadline_id=deadline.id)) == before
