"""Rules that tie the procedures together (issue 3: cross-procedure rules)."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from models import Case, Event, Person
from tests.support.flows import act, add_person, open_as, walk_plan
from workflows.demo.plans import (
    appeal_plan,
    decision,
    discipline_plan,
    probation_plan,
    strike_off_plan,
    withdrawal_plan,
)
from workflows.demo.walk import admission_plan, walk
from workflows.domain.errors import RuleViolation
from workflows.engine import check_cases
from workflows.engine.automatic import close_expired

CEREMONY = date(2025, 9, 1)


def probationer(runtime, world, key="young"):
    """A probationary member with an open probation case."""
    add_person(runtime, world, key, "cell1", status="probationary")
    return open_as(runtime, world, "probation", key, CEREMONY, {"ceremony_date": CEREMONY.isoformat()})


@pytest.mark.parametrize(("procedure", "plan", "final"), [
    ("strike_off", strike_off_plan, "struck_off"),
    ("withdrawal", withdrawal_plan, "removed"),
])
def test_a_removal_ends_the_open_probation(runtime, world, procedure, plan, final):
    """Striking off, or letting withdraw, a probationary member terminates their probation case by its own event."""
    probation = probationer(runtime, world)
    case = walk_plan(runtime, world, plan(date(2026, 3, 2)), "young", procedure)
    assert case.state == final
    with runtime.session_factory() as s:
        ended = s.get(Case, probation.id)
        event = s.scalars(select(Event).where(Event.case_id == probation.id, Event.trigger == "terminate")).one()
    assert ended.state == "terminated" and ended.closed_at is not None
    assert event.data["by_case_id"] == case.id


def test_probationary_member_no_longer_qualified_is_struck_off_not_expelled(runtime, world):
    """Proposing expulsion is refused with form_not_allowed; the strike-off case it points to can be opened."""
    probationer(runtime, world)
    with pytest.raises(RuleViolation) as err:
        open_as(runtime, world, "discipline", "young", date(2026, 3, 2), {
            "violation": "Vi phạm nghiêm trọng", "violation_date": "2026-02-20", "proposed_form": "expulsion"})
    assert err.value.rule_ids == ["form_not_allowed"]
    case = open_as(runtime, world, "strike_off", "young", date(2026, 3, 2), {
        "ground": "political_standard_not_met", "evidence": "Biên bản kiểm tra", "date": "2026-03-02"})
    assert case.state == "proposed"


def test_a_reprimand_does_not_stop_the_probation_review(runtime, world):
    """A probationary member reprimanded during probation is still reviewed and recognised at the end."""
    probation = probationer(runtime, world)
    walk_plan(runtime, world, discipline_plan(date(2026, 2, 2), violation_date=date(2026, 1, 10)), "young",
              "discipline")
    steps = probation_plan(CEREMONY, eligible=6)[1:]
    for trigger, role, day, data in steps:
        probation = act(runtime, world, probation, trigger, role, day, data)
    assert probation.state == "official"


def test_withdrawal_possible_once_the_discipline_case_closed(runtime, world):
    """open_discipline refuses the request while the reprimand is in force; after it closes the request is taken."""
    walk_plan(runtime, world, discipline_plan(date(2026, 2, 2), violation_date=date(2026, 1, 10)), "cell1_m4",
              "discipline")
    data = {"date": "2026-04-01", "reason": "Xin ra khỏi Đảng"}
    with pytest.raises(RuleViolation):
        open_as(runtime, world, "withdrawal", "cell1_m4", date(2026, 4, 1), data)
    assert close_expired(runtime, date(2026, 4, 7)) == 1
    assert open_as(runtime, world, "withdrawal", "cell1_m4", date(2026, 4, 8), {**data, "date": "2026-04-08"}).state \
        == "requested"


@pytest.mark.parametrize(("procedure", "data"), [
    ("strike_off", {"ground": "returned_or_destroyed_card", "evidence": "x", "date": "2026-03-02"}),
    ("withdrawal", {"date": "2026-03-02", "reason": "x"}),
    ("discipline", {"violation": "x", "violation_date": "2026-02-01", "proposed_form": "warning"}),
])
def test_one_open_case_per_person_per_procedure(runtime, world, procedure, data):
    """A second open case of the same procedure for the same person is refused (one_open_case)."""
    open_as(runtime, world, procedure, "cell1_m4", date(2026, 3, 2), data)
    with pytest.raises(RuleViolation) as err:
        open_as(runtime, world, procedure, "cell1_m4", date(2026, 3, 2), data)
    assert err.value.rule_ids == ["one_open_case"]


def test_revoke_cannot_reopen_beside_another_open_case(runtime, world):
    """Reopening a rejected strike-off while a new one is open would make two: refused (one_open_case)."""
    old = walk_plan(runtime, world, strike_off_plan(date(2026, 1, 5)), "cell1_m4", "strike_off",
                    until="committee_approved")
    old = act(runtime, world, old, "reject_strike_off", "standing_committee", date(2026, 2, 20),
              {"decision_date": "2026-02-20", "reason": "Chưa đủ căn cứ"})
    walk_plan(runtime, world, strike_off_plan(date(2026, 3, 2)), "cell1_m4", "strike_off", until="proposed")
    with pytest.raises(RuleViolation) as err:
        act(runtime, world, old, "revoke", "standing_committee", date(2026, 3, 10),
            decision("1-QĐ/TU", date(2026, 3, 10), reason="Sai thẩm quyền"), actor="standing_province")
    assert err.value.rule_ids == ["one_open_case"]


def test_every_membership_change_is_an_event_of_a_decision(runtime, world):
    """Admission, recognition, expulsion, annulment: each status change sits in one event's effects; replay agrees."""
    plan = admission_plan(world.people["cell1_m1"], (world.people["cell1_m2"], world.people["cell1_m3"]),
                          date(2024, 3, 4))
    walk(runtime, plan, person_id=world.people["cell1_applicant"], organisation_id=world.orgs["cell1"],
         actor_for=world.actor_for("cell1"), procedure="admission")
    with runtime.session_factory() as s:
        probation = s.scalars(select(Case).where(Case.procedure == "probation")).one()
    for trigger, role, day, data in probation_plan(date(2024, 5, 23))[1:]:
        probation = act(runtime, world, probation, trigger, role, day, data)
    expelled = walk_plan(runtime, world, discipline_plan(date(2026, 2, 2), violation_date=date(2026, 1, 10),
                                                         form="expulsion"), "cell1_applicant", "discipline")
    walk_plan(runtime, world, appeal_plan(expelled.id, date(2026, 3, 6), date(2026, 3, 20), outcome="annul"),
              "cell1_applicant", "appeal")
    with runtime.session_factory() as s:
        events = s.scalars(select(Event).join(Case).where(Case.person_id == world.people["cell1_applicant"])
                           .order_by(Event.at, Event.id)).all()
        changes = [(e.trigger, e.data["effects"]["person"]["membership_status"]) for e in events
                   if "membership_status" in (e.data.get("effects") or {}).get("person", {})]
        assert s.get(Person, world.people["cell1_applicant"]).membership_status == "official"
        assert list(check_cases(s)) == []
    assert changes == [
        ("decide_admission", ["none", "probationary"]),
        ("recognise", ["probationary", "official"]),
        ("decide_discipline", ["official", "former"]),
        ("annul", ["former", "official"]),
    ]


def test_late_ceremony_with_the_superior_committees_consent(runtime, world):
    """hold_ceremony after 30 working days needs superior_consent (api.md's name); with it, probation opens."""
    plan = admission_plan(world.people["cell1_m1"], (world.people["cell1_m2"], world.people["cell1_m3"]),
                          date(2026, 3, 2))
    case = walk(runtime, plan[:-1], person_id=world.people["cell1_applicant"], organisation_id=world.orgs["cell1"],
                actor_for=world.actor_for("cell1"), procedure="admission")
    late = date(2026, 7, 20)
    with pytest.raises(RuleViolation) as err:
        act(runtime, world, case, "hold_ceremony", "cell_secretary", late, {"ceremony_date": late.isoformat()})
    assert err.value.rule_ids == ["deadline_passed"]
    case = act(runtime, world, case, "hold_ceremony", "cell_secretary", late, {
        "ceremony_date": late.isoformat(), "superior_consent": {"number": "12-CV/ĐU", "date": "2026-06-30"}})
    assert case.state == "completed"
