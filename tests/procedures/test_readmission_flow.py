"""Re-admission (procedures.md §3, admission with readmission = true) through the engine."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from models import Case, Person, write_transaction
from tests.support.flows import add_person, walk_plan
from workflows.demo.walk import admission_plan
from workflows.domain.errors import RuleViolation

START = date(2026, 3, 2)
VOTE_DAY = START + timedelta(days=56)  # admission_plan's cell vote: 2026-04-27
CONSENT = {"number": "45-CV/TU", "date": "2026-05-05"}


def former(runtime, world, left_on=date(2022, 1, 10), reason="struck_off:no_improvement_after_education", **extra):
    return add_person(runtime, world, "former", "cell1", status="former", left_on=left_on, left_reason=reason, **extra)


def plan(world, consent=CONSENT, **opened):
    steps = admission_plan(world.people["cell1_m1"], (world.people["cell1_m2"], world.people["cell1_m3"]), START)
    trigger, role, day, data = steps[0]
    steps[0] = (trigger, role, day, {**data, "readmission": True, **opened})
    trigger, role, day, data = steps[6]
    steps[6] = (trigger, role, day, {**data, **({"province_consent": consent} if consent else {})})
    return steps


def readmit(runtime, world, until=None, **kw):
    return walk_plan(runtime, world, plan(world, **kw), "former", "admission", until=until)


def test_former_member_is_readmitted_with_full_probation(runtime, world):
    """A re-admission with the province's consent: admitted, probationary again, flagged, a new probation case opens."""
    former(runtime, world)
    case = readmit(runtime, world)
    assert case.state == "completed"
    with runtime.session_factory() as s:
        person = s.get(Person, world.people["former"])
        probation = s.scalars(select(Case).where(Case.procedure == "probation")).one()
    assert person.membership_status == "probationary" and person.flags == {"readmitted": True}
    assert (person.left_on, person.left_reason) == (None, None)
    assert probation.parent_case_id == case.id and probation.state == "on_probation"


@pytest.mark.parametrize(("left_on", "ok"), [(date(2023, 4, 27), True), (date(2023, 4, 28), False)])
def test_thirty_six_months_after_leaving(runtime, world, left_on, ok):
    """The cell vote is allowed 36 months after leaving to the day, not a day sooner (readmission_wait)."""
    former(runtime, world, left_on=left_on)
    if ok:
        assert readmit(runtime, world, until="cell_approved").state == "cell_approved"
        return
    with pytest.raises(RuleViolation) as err:
        readmit(runtime, world, until="cell_approved")
    assert err.value.rule_ids == ["readmission_wait"]


@pytest.mark.parametrize(("cleared", "ok"), [("2021-04-27", True), ("2021-04-28", False)])
def test_sixty_months_after_a_conviction_is_cleared(runtime, world, cleared, ok):
    """With a (minor) conviction, the vote comes 60 months after it was cleared."""
    former(runtime, world, left_on=date(2015, 1, 1))
    if ok:
        readmit(runtime, world, until="cell_approved", conviction="other", conviction_cleared_on=cleared)
        return
    with pytest.raises(RuleViolation) as err:
        readmit(runtime, world, until="cell_approved", conviction="other", conviction_cleared_on=cleared)
    assert err.value.rule_ids == ["readmission_wait"]


@pytest.mark.parametrize(("reason", "opened", "ok"), [
    ("withdrawal", {}, False),
    ("withdrawal_family_hardship", {}, True),
    ("struck_off:missed_activities_or_dues", {}, False),   # abandoned party activities
    ("expelled", {}, True),
    ("expelled", {"conviction": "corruption"}, False),
    ("expelled", {"conviction": "serious_crime"}, False),
    ("struck_off:political_standard_not_met", {"serious_disunity": True}, False),
])
def test_excluded_categories(runtime, world, reason, opened, ok):
    """Those who left by abandoning activities, withdrawing (no hardship), disunity, corruption, serious crime: never."""
    former(runtime, world, reason=reason)
    if ok:
        assert readmit(runtime, world, until="sympathiser", **opened).state == "sympathiser"
        return
    with pytest.raises(RuleViolation) as err:
        readmit(runtime, world, until="sympathiser", **opened)
    assert err.value.rule_ids == ["readmission_excluded"]


def test_only_once_in_a_lifetime(runtime, world):
    """A person already re-admitted once cannot be re-admitted again (readmission_once)."""
    former(runtime, world)
    with write_transaction(runtime.session_factory) as s:
        s.get(Person, world.people["former"]).flags = {"readmitted": True}
    with pytest.raises(RuleViolation) as err:
        readmit(runtime, world, until="sympathiser")
    assert err.value.rule_ids == ["readmission_once"]


def test_readmission_flag_must_match_the_person(runtime, world):
    """A former member needs readmission = true; someone never a member cannot be re-admitted."""
    former(runtime, world)
    steps = admission_plan(world.people["cell1_m1"], (world.people["cell1_m2"], world.people["cell1_m3"]), START)
    with pytest.raises(RuleViolation) as err:
        walk_plan(runtime, world, steps, "former", "admission", until="sympathiser")
    assert err.value.rule_ids == ["readmission_flag"]
    with pytest.raises(RuleViolation) as err:
        walk_plan(runtime, world, plan(world), "cell1_applicant", "admission", until="sympathiser")
    assert err.value.rule_ids == ["readmission_flag"]


@pytest.mark.parametrize("consent", [None, {"number": "45-CV/TU", "date": "2026-05-12"}])
def test_province_consent_before_the_decision(runtime, world, consent):
    """No consent, or one dated after the decision (2026-05-11), refuses the decision (readmission_consent)."""
    former(runtime, world)
    with pytest.raises(RuleViolation) as err:
        readmit(runtime, world, consent=consent)
    assert err.value.rule_ids == ["readmission_consent"]
