"""Every admission rule through the engine: accepted at its boundary, refused one step past it (procedures.md §2–3).

Each refusal must name the failing rule and leave every table as it was; the
accepted fire that follows on the same case proves the refusal left nothing
behind (no lock, no half-written state). Expected dates are counted by hand
from the 2026/2027 calendars, not by the calendar under test.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from models import Case, Deadline, Event, Vote, write_transaction
from models.base import Base
from workflows.demo.walk import admission_plan, at_day, walk
from workflows.directory.directory import create_person
from workflows.domain.errors import RuleViolation
from workflows.engine import fire, open_case

# ---------------------------------------------------------------- helpers

_STEP_OFFSETS = {"open": 56, "submit_application": 36, "verify_background": 16, "collect_opinions": 6,
                 "cell_vote": 0}


def new_person(runtime, world, cell="cell1", born=date(2000, 5, 10), status="none", education="upper_secondary"):
    with write_transaction(runtime.session_factory) as s:
        return create_person(s, organisation_id=world.orgs[cell], membership_status=status,
                             full_name=f"Nguyễn Văn {born.isoformat()}", birth_date=born, education=education).id


def plan(world, vote_day: date, cell="cell1", submit: dict[str, Any] | None = None, eligible=5):
    """The admission plan with its cell vote on `vote_day`; `submit` overrides the application's data."""
    steps = admission_plan(world.people[f"{cell}_m1"], (world.people[f"{cell}_m2"], world.people[f"{cell}_m3"]),
                           vote_day - timedelta(days=56), eligible=eligible)
    if submit:
        steps = [(t, role, day, {**data, **submit} if t == "submit_application" else data)
                 for t, role, day, data in steps]
    return steps


def walk_to(runtime, world, person_id, until, vote_day, cell="cell1", submit=None, eligible=5) -> Case:
    case = walk(runtime, plan(world, vote_day, cell, submit, eligible), person_id=person_id,
                organisation_id=world.orgs[cell], actor_for=world.actor_for(cell), procedure="admission",
                until=until)
    assert case.state == until
    return case


def snapshot(runtime) -> dict[str, list]:
    """Every row of every table (audit rows of successful transitions only)."""
    rows = {}
    with runtime.session_factory() as s:
        for table in Base.metadata.sorted_tables:
            query = select(table)
            if table.name == "audit_log":
                query = query.where(table.c.action.like("case.%"), table.c.outcome == "ok")
            rows[table.name] = sorted((tuple(map(repr, r)) for r in s.execute(query)), key=repr)
    return rows


def refused(runtime, case, rule_ids: list[str], *, day: date, trigger: str, actor: int, data: dict) -> None:
    """Firing is refused naming exactly `rule_ids`, and nothing at all is written."""
    before = snapshot(runtime)
    with pytest.raises(RuleViolation) as err:
        fire(at_day(runtime, day), case_id=case.id, trigger=trigger, actor_id=actor, data=data,
             revision=case.revision)
    assert err.value.rule_ids == rule_ids
    assert all(f["source"] and f["message_vi"] and f["message_en"] for f in err.value.failures)
    assert snapshot(runtime) == before


def accepted(runtime, case, *, day: date, trigger: str, actor: int, data: dict) -> Case:
    moved = fire(at_day(runtime, day), case_id=case.id, trigger=trigger, actor_id=actor, data=data,
                 revision=case.revision)
    assert moved.revision == case.revision + 1
    return moved


def vote(day: date, eligible=5, agree=None) -> dict:
    agree = eligible if agree is None else agree
    return {"vote": {"date": day.isoformat(), "eligible": eligible, "agree": agree, "disagree": eligible - agree,
                     "method": "secret_ballot"}}


def cell_vote_refused(runtime, world, case, day, rule_ids):
    refused(runtime, case, rule_ids, day=day, trigger="cell_vote", actor=world.users["secretary1"], data=vote(day))


def cell_vote_accepted(runtime, world, case, day):
    moved = accepted(runtime, case, day=day, trigger="cell_vote", actor=world.users["secretary1"], data=vote(day))
    assert moved.state == "cell_approved"
    return moved


def decision(day: date, received: date | None = None, **extra) -> dict:
    data = {"decision_number": f"{day.day}-QĐ/ĐU", "decision_date": day.isoformat(), **extra}
    if received:
        data["received_date"] = received.isoformat()
    return data


def decision_due(runtime, case) -> date:
    with runtime.session_factory() as s:
        return s.scalars(select(Deadline.due_date).where(
            Deadline.case_id == case.id, Deadline.kind == "admission_decision", Deadline.status == "open")).one()


# ---------------------------------------------------------------- age


def test_age_min_eighteen_years_counted_in_months(runtime, world):
    """Born 2008-03-15: a cell vote on 2026-03-14 is refused (age_min), on 2026-03-15 accepted."""
    person = new_person(runtime, world, born=date(2008, 3, 15))
    case = walk_to(runtime, world, person, "opinions_collected", vote_day=date(2026, 3, 14))
    cell_vote_refused(runtime, world, case, date(2026, 3, 14), ["age_min"])
    cell_vote_accepted(runtime, world, case, date(2026, 3, 15))


def test_age_max_sixty_years_in_months_without_consent(runtime, world):
    """Born 1966-03-15: 721 months on the 2026-04-15 cell vote; the cell may vote, the decision is refused (age_max)."""
    person = new_person(runtime, world, born=date(1966, 3, 15))
    case = walk_to(runtime, world, person, "opinions_collected", vote_day=date(2026, 4, 15))
    case = cell_vote_accepted(runtime, world, case, date(2026, 4, 15))
    case = accepted(runtime, case, day=date(2026, 4, 20), trigger="committee_vote",
                    actor=world.users["committee"], data=vote(date(2026, 4, 20), 7))
    actor = world.users["standing_commune"]
    refused(runtime, case, ["age_max"], day=date(2026, 5, 4), trigger="decide_admission", actor=actor,
            data=decision(date(2026, 5, 4)))
    consent = {"age_consent": {"number": "112-CV/TU", "date": "2026-05-04"}}
    moved = accepted(runtime, case, day=date(2026, 5, 4), trigger="decide_admission", actor=actor,
                     data=decision(date(2026, 5, 4), **consent))
    assert moved.state == "admitted"


def test_sixty_exactly_on_the_cell_vote_needs_no_consent(runtime, world):
    """Born 1966-03-15: 720 months on the 2026-04-14 cell vote, decided without any consent."""
    person = new_person(runtime, world, born=date(1966, 3, 15))
    case = walk_to(runtime, world, person, "opinions_collected", vote_day=date(2026, 4, 14))
    case = cell_vote_accepted(runtime, world, case, date(2026, 4, 14))
    case = accepted(runtime, case, day=date(2026, 4, 20), trigger="committee_vote",
                    actor=world.users["committee"], data=vote(date(2026, 4, 20), 7))
    moved = accepted(runtime, case, day=date(2026, 5, 4), trigger="decide_admission",
                     actor=world.users["standing_commune"], data=decision(date(2026, 5, 4)))
    assert moved.state == "admitted"


def test_consent_dated_after_the_decision_does_not_count(runtime, world):
    """A consent dated the day after the decision is not prior consent: age_max."""
    person = new_person(runtime, world, born=date(1960, 1, 2))
    consent = {"consent": {"number": "112-CV/TU", "date": "2026-05-05"}}
    case = walk_to(runtime, world, person, "opinions_collected", vote_day=date(2026, 4, 15), submit=consent)
    case = cell_vote_accepted(runtime, world, case, date(2026, 4, 15))
    case = accepted(runtime, case, day=date(2026, 4, 20), trigger="committee_vote",
                    actor=world.users["committee"], data=vote(date(2026, 4, 20), 7))
    refused(runtime, case, ["age_max"], day=date(2026, 5, 4), trigger="decide_admission",
            actor=world.users["standing_commune"], data=decision(date(2026, 5, 4)))


# ---------------------------------------------------------------- education, certificate


@pytest.mark.parametrize("education, exemption, rule_ids", [
    ("lower_secondary", False, []),
    ("primary", False, ["education"]),
    ("primary", True, []),
])
def test_education_lower_secondary_or_an_exemption(runtime, world, education, exemption, rule_ids):
    """A lower-secondary diploma is enough; primary is refused unless an exemption is recorded."""
    person = new_person(runtime, world, education=education)
    submit = {"education": education, **({"education_exemption": True} if exemption else {})}
    case = walk_to(runtime, world, person, "opinions_collected", vote_day=date(2026, 5, 4), submit=submit)
    if rule_ids:
        cell_vote_refused(runtime, world, case, date(2026, 5, 4), rule_ids)
    else:
        cell_vote_accepted(runtime, world, case, date(2026, 5, 4))


def test_certificate_valid_sixty_months_from_issue(runtime, world):
    """Issued 2021-05-04: its last valid day 2026-05-03 is accepted, 2026-05-04 refused (certificate_valid)."""
    person = new_person(runtime, world)
    submit = {"certificate": {"number": "CN-NTVĐ 77", "issued_on": "2021-05-04"}}
    case = walk_to(runtime, world, person, "opinions_collected", vote_day=date(2026, 5, 3), submit=submit)
    cell_vote_refused(runtime, world, case, date(2026, 5, 4), ["certificate_valid"])
    cell_vote_accepted(runtime, world, case, date(2026, 5, 3))


# ---------------------------------------------------------------- introducers (checked at submit and again at the vote)


def _introducers(world, *known: tuple[str, str], replacement=False):
    return [{"person_id": world.people[key], "known_since": since, **({"replacement": True} if replacement else {})}
            for key, since in known]


def _submit_data(world, introducers, **extra):
    return {"application_date": "2026-03-31", "education": "upper_secondary",
            "certificate": {"number": "CN-NTVĐ 12", "issued_on": "2025-12-01"}, "introducers": introducers, **extra}


def _sympathiser(runtime, world):
    person = new_person(runtime, world)
    return walk_to(runtime, world, person, "sympathiser", vote_day=date(2026, 5, 4))


def test_introducers_known_twelve_months_accepted_eleven_months_thirty_days_refused(runtime, world):
    """Application 2026-03-31: known since 2025-04-01 (11 months 30 days) refused, since 2025-03-31 accepted."""
    case = _sympathiser(runtime, world)
    secretary, day = world.users["secretary1"], date(2026, 3, 31)
    short = _introducers(world, ("cell1_m2", "2025-03-31"), ("cell1_m3", "2025-04-01"))
    refused(runtime, case, ["introducers"], day=day, trigger="submit_application", actor=secretary,
            data=_submit_data(world, short))
    enough = _introducers(world, ("cell1_m2", "2025-03-31"), ("cell1_m3", "2025-03-31"))
    moved = accepted(runtime, case, day=day, trigger="submit_application", actor=secretary,
                     data=_submit_data(world, enough))
    assert moved.state == "application_submitted"


def test_introducers_other_refusals(runtime, world):
    """One official alone, a probationary introducer, the same introducer twice: each refused (introducers)."""
    case = _sympathiser(runtime, world)
    probationary = new_person(runtime, world, status="probationary")
    secretary, day = world.users["secretary1"], date(2026, 3, 31)
    alone = _introducers(world, ("cell1_m2", "2020-01-01"))
    twice = _introducers(world, ("cell1_m2", "2020-01-01"), ("cell1_m2", "2020-01-01"))
    with_probationary = _introducers(world, ("cell1_m2", "2020-01-01")) + [
        {"person_id": probationary, "known_since": "2020-01-01"}]
    for introducers in (alone, twice, with_probationary):
        refused(runtime, case, ["introducers"], day=day, trigger="submit_application", actor=secretary,
                data=_submit_data(world, introducers))


def test_replacement_introducer_is_exempt_from_the_twelve_months(runtime, world):
    """A replacement introducer assigned by the cell may have known the applicant for a week."""
    case = _sympathiser(runtime, world)
    introducers = (_introducers(world, ("cell1_m2", "2020-01-01"))
                   + _introducers(world, ("cell1_m3", "2026-03-24"), replacement=True))
    moved = accepted(runtime, case, day=date(2026, 3, 31), trigger="submit_application",
                     actor=world.users["secretary1"], data=_submit_data(world, introducers))
    assert moved.state == "application_submitted"


def test_union_resolution_and_one_official_member(runtime, world):
    """A Youth Union resolution plus one official member introduces the applicant."""
    case = _sympathiser(runtime, world)
    data = _submit_data(world, _introducers(world, ("cell1_m2", "2020-01-01")),
                        union_resolution={"kind": "youth_union", "date": "2026-03-20"})
    moved = accepted(runtime, case, day=date(2026, 3, 31), trigger="submit_application",
                     actor=world.users["secretary1"], data=data)
    assert moved.state == "application_submitted"


def test_introducer_no_longer_official_at_the_vote(runtime, world):
    """Introducers are checked again at the cell vote: one who became a former member fails it (introducers)."""
    introducer = new_person(runtime, world, status="official")
    person = new_person(runtime, world)
    submit = {"introducers": [{"person_id": introducer, "known_since": "2020-01-01"},
                              {"person_id": world.people["cell1_m3"], "known_since": "2020-01-01"}]}
    case = walk_to(runtime, world, person, "opinions_collected", vote_day=date(2026, 5, 4), submit=submit)
    with runtime.session_factory.begin() as s:  # a later decision (strike-off) made them a former member
        from models import Person
        s.get(Person, introducer).membership_status = "former"
    cell_vote_refused(runtime, world, case, date(2026, 5, 4), ["introducers"])


# ---------------------------------------------------------------- 2/3 of N at the cell vote


@pytest.mark.parametrize("eligible, agree, state", [
    (7, 5, "cell_approved"), (7, 4, "referred_to_superior"),
    (10, 7, "cell_approved"), (10, 6, "referred_to_superior"),
    (3, 2, "cell_approved"), (3, 1, "referred_to_superior"),
    (9, 6, "cell_approved"), (9, 5, "referred_to_superior"),
    (8, 6, "cell_approved"), (8, 5, "referred_to_superior"),
])
def test_cell_vote_two_thirds_of_all_official_members(runtime, world, eligible, agree, state):
    """≥ 2/3 of N agreeing approves; one vote fewer refers the case to the superior committee."""
    person = new_person(runtime, world)
    day = date(2026, 5, 4)
    case = walk_to(runtime, world, person, "opinions_collected", vote_day=day)
    moved = accepted(runtime, case, day=day, trigger="cell_vote", actor=world.users["secretary1"],
                     data=vote(day, eligible, agree))
    assert moved.state == state
    with runtime.session_factory() as s:
        row = s.scalars(select(Vote).where(Vote.case_id == case.id)).one()
        assert (row.eligible, row.agree, row.threshold, row.passed) == (eligible, agree, "two_thirds",
                                                                        state == "cell_approved")
        # Both outcomes open the decision deadline (the superior committee decides a referred case).
        assert s.scalar(select(func.count(Deadline.id)).where(Deadline.case_id == case.id)) == 1


@pytest.mark.parametrize("cell, eligible, short, enough", [
    ("cell1", 7, 4, 5),     # delegated grassroots committee: ≥ 2/3 of its members
    ("cell1", 10, 6, 7),
    ("cell3", 7, 3, 4),     # province standing committee: > 1/2
    ("cell3", 10, 5, 6),
])
def test_decision_vote_threshold_of_the_deciding_body(runtime, world, cell, eligible, short, enough):
    """The decision's own vote: refused one vote short (decision_vote), accepted at the threshold."""
    person = new_person(runtime, world, cell=cell)
    case = walk_to(runtime, world, person, "committee_approved", vote_day=date(2026, 5, 4), cell=cell)
    actor = world.actor_for(cell)("standing_committee")
    day = date(2026, 5, 20)
    refused(runtime, case, ["decision_vote"], day=day, trigger="decide_admission", actor=actor,
            data=decision(day, **vote(day, eligible, short)))
    moved = accepted(runtime, case, day=day, trigger="decide_admission", actor=actor,
                     data=decision(day, **vote(day, eligible, enough)))
    assert moved.state == "admitted"


# ---------------------------------------------------------------- 60 working days and extensions (Tết 2027 inside)

# Cell vote Mon 2026-12-14. 60 working days, skipping weekends, 1/1/2027 and Tết 4–10/2/2027
# (Thu 4, Fri 5, Mon 8, Tue 9, Wed 10 are weekdays off), end on Tue 2027-03-16.
VOTE_2026 = date(2026, 12, 14)
DUE_2027 = date(2027, 3, 16)
# 30 more working days from 2027-03-16 (Hùng Kings' day Fri 2027-04-16 off) end on Wed 2027-04-28.
EXTENDED_DUE_2027 = date(2027, 4, 28)


def late_of(runtime, case) -> list[dict]:
    """The `late` record of the case's last event (empty when it met its deadlines in time)."""
    with runtime.session_factory() as s:
        event = s.scalars(select(Event).where(Event.case_id == case.id).order_by(Event.seq.desc())).first()
        return list((event.data or {}).get("late") or [])


def test_decision_due_on_the_sixtieth_working_day_across_tet_2027(runtime, world):
    """Decision on the due date (2027-03-16) is in time: the event records no lateness, the deadline is met."""
    person = new_person(runtime, world)
    case = walk_to(runtime, world, person, "committee_approved", vote_day=VOTE_2026)
    assert decision_due(runtime, case) == DUE_2027
    actor = world.users["standing_commune"]
    moved = accepted(runtime, case, day=DUE_2027, trigger="decide_admission", actor=actor, data=decision(DUE_2027))
    assert moved.state == "admitted"
    assert late_of(runtime, moved) == []
    with runtime.session_factory() as s:
        row = s.scalars(select(Deadline).where(Deadline.case_id == case.id, Deadline.kind == "admission_decision")).one()
        assert row.status == "met"


def test_decision_a_working_day_after_the_sixtieth_is_late_not_void(runtime, world):
    """late_decision: on 2027-03-17, one working day past the due date, the person is admitted and the lateness recorded."""
    person = new_person(runtime, world)
    case = walk_to(runtime, world, person, "committee_approved", vote_day=VOTE_2026)
    actor = world.users["standing_commune"]
    moved = accepted(runtime, case, day=date(2027, 3, 17), trigger="decide_admission", actor=actor,
                     data=decision(date(2027, 3, 17)))
    assert moved.state == "admitted"
    (late,) = late_of(runtime, moved)
    assert (late["deadline"], late["due"], late["on"], late["working_days"], late["rule"]) == (
        "admission_decision", "2027-03-16", "2027-03-17", 1, "late_decision")
    assert "chuẩn y chậm" in late["source"]


def test_extension_of_thirty_working_days_then_decision_accepted(runtime, world):
    """Extended by 30 working days, a decision past the first due date is in time; past the new one it is late."""
    person = new_person(runtime, world)
    case = walk_to(runtime, world, person, "committee_approved", vote_day=VOTE_2026)
    actor = world.users["standing_commune"]
    case = accepted(runtime, case, day=date(2027, 3, 10), trigger="extend_deadline", actor=actor,
                    data={"days": 30, "reason": "Chờ kết quả thẩm tra bổ sung."})
    assert case.state == "committee_approved"
    assert decision_due(runtime, case) == EXTENDED_DUE_2027
    moved = accepted(runtime, case, day=date(2027, 3, 17), trigger="decide_admission", actor=actor,
                     data=decision(date(2027, 3, 17)))
    assert moved.state == "admitted"
    assert late_of(runtime, moved) == []


def test_extension_over_thirty_working_days_in_all_is_refused(runtime, world):
    """31 days at once, or 20 then 11, exceed the 30 allowed (extension_max); 20 then 10 is accepted."""
    person = new_person(runtime, world)
    case = walk_to(runtime, world, person, "committee_approved", vote_day=VOTE_2026)
    actor, day = world.users["standing_commune"], date(2027, 1, 4)
    extend = lambda days: {"days": days, "reason": "Chờ bổ sung hồ sơ."}  # noqa: E731
    refused(runtime, case, ["extension_max"], day=day, trigger="extend_deadline", actor=actor, data=extend(31))
    case = accepted(runtime, case, day=day, trigger="extend_deadline", actor=actor, data=extend(20))
    refused(runtime, case, ["extension_max"], day=day, trigger="extend_deadline", actor=actor, data=extend(11))
    case = accepted(runtime, case, day=day, trigger="extend_deadline", actor=actor, data=extend(10))
    assert decision_due(runtime, case) == EXTENDED_DUE_2027


# ---------------------------------------------------------------- the ceremony: 30 working days from receipt


def test_ceremony_window_spanning_tet_2027(runtime, world):
    """Received Mon 2027-01-25: the 30th working day is Mon 2027-03-15 (Tết 4–10/2 skipped); 03-16 refused."""
    person = new_person(runtime, world)
    case = walk_to(runtime, world, person, "committee_approved", vote_day=VOTE_2026)
    case = accepted(runtime, case, day=date(2027, 1, 25), trigger="decide_admission",
                    actor=world.users["standing_commune"], data=decision(date(2027, 1, 22), date(2027, 1, 25)))
    with runtime.session_factory() as s:
        due = s.scalars(select(Deadline.due_date).where(Deadline.case_id == case.id, Deadline.kind == "ceremony")).one()
    assert due == date(2027, 3, 15)
    secretary = world.users["secretary1"]
    refused(runtime, case, ["deadline_passed"], day=date(2027, 3, 16), trigger="hold_ceremony", actor=secretary,
            data={"ceremony_date": "2027-03-16"})
    refused(runtime, case, ["ceremony_after_decision"], day=date(2027, 1, 25), trigger="hold_ceremony",
            actor=secretary, data={"ceremony_date": "2027-01-24"})
    moved = accepted(runtime, case, day=date(2027, 3, 15), trigger="hold_ceremony", actor=secretary,
                     data={"ceremony_date": "2027-03-15"})
    assert moved.state == "completed"
    with runtime.session_factory() as s:  # the ceremony opened the probation case
        assert s.scalars(select(Case.procedure).where(Case.parent_case_id == case.id)).all() == ["probation"]


def test_ceremony_window_spanning_tet_2026_and_a_later_date_with_consent(runtime, world):
    """Received Mon 2026-02-02: due Mon 2026-03-23 (Tết 16–20/2 skipped); 03-24 refused, accepted with consent."""
    person = new_person(runtime, world)
    case = walk_to(runtime, world, person, "committee_approved", vote_day=date(2026, 1, 5))
    case = accepted(runtime, case, day=date(2026, 2, 2), trigger="decide_admission",
                    actor=world.users["standing_commune"], data=decision(date(2026, 1, 30), date(2026, 2, 2)))
    secretary, late = world.users["secretary1"], date(2026, 3, 24)
    refused(runtime, case, ["deadline_passed"], day=late, trigger="hold_ceremony", actor=secretary,
            data={"ceremony_date": late.isoformat()})
    moved = accepted(runtime, case, day=late, trigger="hold_ceremony", actor=secretary,
                     data={"ceremony_date": late.isoformat(),
                           "superior_consent": {"number": "45-CV/ĐU", "date": "2026-03-20"}})
    assert moved.state == "completed"


def test_ceremony_on_the_last_day_of_the_tet_2026_window(runtime, world):
    """Received Mon 2026-02-02: a ceremony on Mon 2026-03-23, the 30th working day, is accepted."""
    person = new_person(runtime, world)
    case = walk_to(runtime, world, person, "committee_approved", vote_day=date(2026, 1, 5))
    case = accepted(runtime, case, day=date(2026, 2, 2), trigger="decide_admission",
                    actor=world.users["standing_commune"], data=decision(date(2026, 1, 30), date(2026, 2, 2)))
    moved = accepted(runtime, case, day=date(2026, 3, 23), trigger="hold_ceremony", actor=world.users["secretary1"],
                     data={"ceremony_date": "2026-03-23"})
    assert moved.state == "completed"


# ---------------------------------------------------------------- dates: in order, not in the future


def test_step_dates_in_order_and_not_in_the_future(runtime, world):
    """The background check dated before the application (date_order) or after today (date_not_future) is refused."""
    person = new_person(runtime, world)
    vote_day = date(2026, 5, 4)
    case = walk_to(runtime, world, person, "application_submitted", vote_day=vote_day)
    applied = vote_day - timedelta(days=36)
    officer = world.users["officer"]
    check = lambda d: {"date": d.isoformat(), "conclusion": "Lý lịch rõ ràng."}  # noqa: E731
    refused(runtime, case, ["date_order"], day=applied, trigger="verify_background", actor=officer,
            data=check(applied - timedelta(days=1)))
    refused(runtime, case, ["date_not_future"], day=applied, trigger="verify_background", actor=officer,
            data=check(applied + timedelta(days=1)))
    moved = accepted(runtime, case, day=applied, trigger="verify_background", actor=officer, data=check(applied))
    assert moved.state == "background_verified"


# ---------------------------------------------------------------- opening the case


def test_open_refused_for_a_member_a_probationary_helper_or_another_cell(runtime, world):
    """not_a_member, helper_official and person_in_organisation each refuse the open step and write nothing."""
    day = date(2026, 3, 2)
    rt = at_day(runtime, day)
    probationary = new_person(runtime, world, status="probationary")
    data = lambda helper: {"resolution_date": day.isoformat(), "helper_id": helper}  # noqa: E731
    attempts = [
        (world.people["cell1_m4"], "cell1", world.people["cell1_m1"], ["not_a_member"], "secretary1"),
        (world.people["cell1_applicant"], "cell1", probationary, ["helper_official"], "secretary1"),
        # Someone who sees both cells: the person's own cell is checked before any role.
        (world.people["cell2_applicant"], "cell1", world.people["cell1_m1"], ["person_in_organisation"],
         "standing_commune"),
    ]
    before = snapshot(runtime)
    for person_id, cell, helper, rule_ids, actor in attempts:
        with pytest.raises(RuleViolation) as err:
            open_case(rt, procedure="admission", person_id=person_id, organisation_id=world.orgs[cell],
                      actor_id=world.users[actor], data=data(helper))
        assert err.value.rule_ids == rule_ids
    assert snapshot(runtime) == before
    case = open_case(rt, procedure="admission", person_id=world.people["cell1_applicant"],
                     organisation_id=world.orgs["cell1"], actor_id=world.users["secretary1"],
                     data=data(world.people["cell1_m1"]))
    assert case.state == "sympathiser"
    with runtime.session_factory() as s:
        assert s.scalar(select(func.count(Event.id))) == 1


# ---------------------------------------------------------------- extension after a revoked decision


def test_extension_after_a_revoked_decision_is_refused_or_extends_never_crashes(runtime, world):
    """After the decision is revoked, extend_deadline is refused by a named rule or extends an open deadline."""
    person = new_person(runtime, world)
    case = walk_to(runtime, world, person, "committee_approved", vote_day=date(2026, 5, 4))
    case = accepted(runtime, case, day=date(2026, 5, 20), trigger="decide_admission",
                    actor=world.users["standing_commune"], data=decision(date(2026, 5, 20)))
    case = accepted(runtime, case, day=date(2026, 5, 25), trigger="revoke", actor=world.users["standing_province"],
                    data={"decision_number": "3-QĐ/TU", "decision_date": "2026-05-25", "reason": "Sai quy trình."})
    assert case.state == "committee_approved"
    before = snapshot(runtime)
    try:
        moved = fire(at_day(runtime, date(2026, 5, 26)), case_id=case.id, trigger="extend_deadline",
                     actor_id=world.users["standing_commune"], revision=case.revision,
                     data={"days": 10, "reason": "Chờ bổ sung hồ sơ."})
    except RuleViolation as err:  # no open decision deadline to extend: a clear refusal, nothing written
        assert err.rule_ids == ["no_deadline_to_extend"]
        assert snapshot(runtime) == before
    else:  # the revocation reopened the decision deadline: the extension moved it
        assert moved.state == "committee_approved"
        assert decision_due(runtime, moved) > date(2026, 5, 26)
