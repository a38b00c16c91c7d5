"""Deferral of discipline (QĐ 69-QĐ/TW art. 2.14): the four grounds, their end dates, resuming, the statute."""
from __future__ import annotations

from datetime import date

import pytest

from tests.support.facts import context, holds, person, step_of
from workflows.procedures.deferral import ends_on

WOMAN, MAN = person(gender="female"), person(gender="male")


def defer(ground, **extra):
    return {"date": "2026-03-10", "ground": ground, **extra}


@pytest.mark.parametrize(("ground", "extra", "who", "ok"), [
    ("pregnancy", {"ends_on": "2026-07-01"}, WOMAN, True),
    ("pregnancy", {"ends_on": "2026-07-01"}, MAN, False),
    ("maternity_leave", {"ends_on": "2026-09-10"}, WOMAN, True),
    ("maternity_leave", {"ends_on": "2026-09-10"}, MAN, False),
    ("raising_child", {"child_birth_date": "2025-03-11"}, WOMAN, True),   # 11 months 27 days
    ("raising_child", {"child_birth_date": "2025-03-10"}, WOMAN, False),  # exactly 12 months
    ("raising_child", {"child_birth_date": "2025-03-11"}, MAN, False),    # a father, not alone
    ("raising_child", {"child_birth_date": "2025-03-11", "raising_alone": True}, MAN, True),
    ("inpatient_treatment", {}, MAN, True),
    ("inpatient_treatment", {"ends_on": "2026-04-01"}, WOMAN, True),
])
def test_deferral_grounds(ground, extra, who, ok):
    """deferral_ground: pregnancy, maternity leave, a child under 12 months (a father alone too), inpatient treatment."""
    assert holds("discipline", "defer", "deferral_ground", defer(ground, **extra), state="opened", who=who) is ok


@pytest.mark.parametrize(("ground", "extra", "ok"), [
    ("pregnancy", {}, False),                          # its end must be recorded
    ("pregnancy", {"ends_on": "2026-03-10"}, False),   # not after the deferral
    ("pregnancy", {"ends_on": "2026-03-11"}, True),
    ("maternity_leave", {}, False),
    ("inpatient_treatment", {}, True),                 # discharge not known yet
    ("raising_child", {"child_birth_date": "2025-06-01"}, True),
])
def test_deferral_end_dates(ground, extra, ok):
    """deferral_end_date: pregnancy and maternity leave need their (expected) end, after the deferral date."""
    assert holds("discipline", "defer", "deferral_end_date", defer(ground, **extra), state="opened", who=WOMAN) is ok


def test_the_deferral_deadline_is_the_end_of_the_ground():
    """The deferral_end deadline: the child's first birthday; the recorded end; none while discharge is unknown."""
    (spec,) = step_of("discipline", "defer").opens
    child = context("discipline", "defer", defer("raising_child", child_birth_date="2025-06-01"), state="opened",
                    who=WOMAN)
    assert spec.due(child) == date(2026, 6, 1)
    leave = context("discipline", "defer", defer("maternity_leave", ends_on="2026-09-10"), state="opened", who=WOMAN)
    assert spec.due(leave) == date(2026, 9, 10)
    hospital = context("discipline", "defer", defer("inpatient_treatment"), state="opened", who=MAN)
    assert spec.when(hospital) is False and ends_on(hospital, hospital.data) is None


@pytest.mark.parametrize(("recorded", "day", "ok"), [
    (defer("maternity_leave", ends_on="2026-09-10"), "2026-09-09", False),
    (defer("maternity_leave", ends_on="2026-09-10"), "2026-09-10", True),
    (defer("raising_child", child_birth_date="2025-06-01"), "2026-05-31", False),
    (defer("raising_child", child_birth_date="2025-06-01"), "2026-06-01", True),
    (defer("inpatient_treatment"), "2026-03-20", True),  # discharged: resumes the day it is recorded
])
def test_resume_once_the_ground_has_ended(recorded, day, ok):
    """deferral_ended: on the end date, not the day before; a hospital stay ends with discharge."""
    assert holds("discipline", "resume", "deferral_ended", {"date": day}, state="deferred",
                 case_data={"defer": recorded}, who=WOMAN) is ok


def test_a_deferred_case_may_be_deferred_again_on_the_next_ground():
    """Pregnancy → maternity leave: defer from deferred counts the days of the first deferral."""
    step = step_of("discipline", "defer", "deferred")
    ctx = context("discipline", "defer", {"date": "2026-07-01", "ground": "maternity_leave", "ends_on": "2026-12-31"},
                  state="deferred", case_data={"defer": defer("pregnancy", ends_on="2026-07-01"), "deferred_days": 5},
                  who=WOMAN)
    (update,) = step.effects(ctx)
    assert update.values == {"deferred_days": 5 + (date(2026, 7, 1) - date(2026, 3, 10)).days}


def test_pregnancy_then_maternity_leave_through_the_engine(runtime, world):
    """deferral chain: pregnancy, then maternity leave, then resume; every deferred day counts, deadlines follow."""
    from sqlalchemy import select

    from models import Deadline
    from tests.support.flows import act, open_as

    data = {"violation": "x", "violation_date": "2024-06-01", "proposed_form": "reprimand"}
    case = open_as(runtime, world, "discipline", "cell1_m2", date(2026, 3, 1), data)  # cell1_m2 is a woman
    case = act(runtime, world, case, "defer", "cell_secretary", date(2026, 3, 10),
               {"date": "2026-03-10", "ground": "pregnancy", "ends_on": "2026-07-01"})
    case = act(runtime, world, case, "defer", "cell_secretary", date(2026, 7, 1),
               {"date": "2026-07-01", "ground": "maternity_leave", "ends_on": "2026-12-31"})
    with runtime.session_factory() as s:
        rows = s.execute(select(Deadline.due_date, Deadline.status).where(Deadline.case_id == case.id)
                         .order_by(Deadline.id)).all()
    assert [tuple(r) for r in rows] == [(date(2026, 7, 1), "cancelled"), (date(2026, 12, 31), "open")]
    case = act(runtime, world, case, "resume", "cell_secretary", date(2026, 12, 31), {"date": "2026-12-31"})
    assert case.state == "opened"
    assert case.data["deferred_days"] == (date(2026, 12, 31) - date(2026, 3, 10)).days
