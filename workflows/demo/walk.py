"""Walking cases through their steps with plausible data: shared by the demo and the tests.

Every step goes through the engine (roles, rules, events), at the date it
records: the clock is set to that day, 09:00 in Vietnam.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from datetime import date, datetime, time, timedelta
from typing import Any

from models import Case
from workflows.engine import LOCAL_ZONE, FixedClock, Runtime, fire, open_case

ActorFor = Callable[[str], int]  # role name -> user id acting in that role


def at_day(rt: Runtime, day: date) -> Runtime:
    """The same runtime with its clock at 09:00 local time on `day`."""
    instant = datetime.combine(day, time(9, 0), tzinfo=LOCAL_ZONE)
    return dataclasses.replace(rt, clock=FixedClock(instant))


# The admission steps in order: (trigger, role that fires it, day offset, data builder).
def admission_plan(helper_id: int, introducer_ids: tuple[int, int], start: date,
                   eligible: int = 5, education: str = "upper_secondary") -> list[tuple[str, str, date, dict[str, Any]]]:
    """The forward steps of a clean admission starting from a cell resolution on `start`.

    `education` is what the application states: the person's own record (the demo passes it).
    """
    d = lambda days: start + timedelta(days=days)  # noqa: E731
    vote = lambda day, n: {"date": day.isoformat(), "eligible": n, "agree": n, "disagree": 0,  # noqa: E731
                           "method": "show_of_cards"}
    return [
        ("open", "cell_secretary", d(0), {"resolution_date": d(0).isoformat(), "helper_id": helper_id}),
        ("submit_application", "cell_secretary", d(20), {
            "application_date": d(20).isoformat(), "education": education,
            "certificate": {"number": "CN-NTVĐ 0412", "issued_on": (start - timedelta(days=30)).isoformat()},
            "introducers": [
                {"person_id": introducer_ids[0], "known_since": (start - timedelta(days=800)).isoformat()},
                {"person_id": introducer_ids[1], "known_since": (start - timedelta(days=900)).isoformat()},
            ],
        }),
        ("verify_background", "organisation_officer", d(40), {
            "date": d(40).isoformat(), "conclusion": "Lý lịch rõ ràng; gia đình chấp hành tốt chủ trương, pháp luật."}),
        ("collect_opinions", "cell_secretary", d(50), {
            "date": d(50).isoformat(), "summary": "Chi ủy nơi cư trú và Đoàn thanh niên đều nhận xét tốt."}),
        ("cell_vote", "cell_secretary", d(56), {"vote": vote(d(56), eligible)}),
        ("committee_vote", "committee_member", d(63), {"vote": vote(d(63), 7)}),
        ("decide_admission", "standing_committee", d(70), {
            "decision_date": d(70).isoformat(),
            "received_date": d(72).isoformat()}),
        ("hold_ceremony", "cell_secretary", d(80), {"ceremony_date": d(80).isoformat()}),
    ]


def walk(rt: Runtime, plan: list[tuple[str, str, date, Mapping[str, Any]]], *, person_id: int,
         organisation_id: int, actor_for: ActorFor, procedure: str, until: str | None = None,
         skip: tuple[str, ...] = (), rule_set: str | None = None) -> Case:
    """Fire the plan's steps in order; stop after the step that reaches state `until`."""
    case: Case | None = None
    for trigger, role, day, data in plan:
        if trigger in skip:
            continue
        step_rt = at_day(rt, day)
        if trigger == "open":
            case = open_case(step_rt, procedure=procedure, person_id=person_id, organisation_id=organisation_id,
                             actor_id=actor_for(role), data=data, rule_set=rule_set)
        else:
            case = fire(step_rt, case_id=case.id, trigger=trigger, actor_id=actor_for(role), data=data,
                        revision=case.revision)
        if until is not None and case.state == until:
            break
    return case
