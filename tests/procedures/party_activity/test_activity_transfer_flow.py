"""Transfer of party activity (chuyển sinh hoạt đảng, QĐ 24/294 §6.3) through the engine."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from models import Case, Deadline, Person
from tests.support.flows import act, open_as
from workflows.domain.calendar import WorkingCalendar
from workflows.domain.errors import Forbidden, NotFound, RuleViolation
from workflows.engine.replay import check_cases

START = date(2026, 3, 2)  # a Monday
LETTER = date(2026, 3, 6)
CAL = WorkingCalendar()
DUE = CAL.add_working_days(LETTER, 30)


def request(runtime, world, *, kind="official", to="cell2", person="cell1_m1", ground="job_change", until=None,
            basis=START, day=date(2026, 3, 5)):
    data = {"kind": kind, "ground": ground, "destination_id": world.orgs[to], "basis_date": basis.isoformat(),
            "date": day.isoformat()}
    if until is not None:
        data["until"] = until.isoformat()
    return open_as(runtime, world, "activity_transfer", person, day, data)


def issued(runtime, world, actor="officer", **kw):
    case = request(runtime, world, **kw)
    return act(runtime, world, case, "issue_letter", "organisation_officer", LETTER,
               {"letter_number": "125-GGT/ĐU", "letter_date": LETTER.isoformat()}, actor=actor)


def person_org(runtime, world, key="cell1_m1") -> int:
    with runtime.session_factory() as s:
        return s.get(Person, world.people[key]).organisation_id


def test_official_member_changes_cell_only_when_the_receiving_cell_records_the_arrival(runtime, world):
    """requested → letter_issued (dossier moves, member stays) → received (member moves); replay agrees."""
    case = issued(runtime, world)
    assert case.state == "letter_issued" and case.organisation_id == world.orgs["cell2"]
    assert person_org(runtime, world) == world.orgs["cell1"]
    with runtime.session_factory() as s:
        deadline = s.scalars(select(Deadline).where(Deadline.case_id == case.id)).one()
    assert (deadline.kind, deadline.due_date, deadline.organisation_id) == ("present_letter", DUE,
                                                                           world.orgs["cell2"])
    case = act(runtime, world, case, "record_arrival", "cell_secretary", date(2026, 3, 20),
               {"date": "2026-03-20"}, actor="secretary2")
    assert case.state == "received"
    assert person_org(runtime, world) == world.orgs["cell2"]
    with runtime.session_factory() as s:
        assert list(check_cases(s)) == []


def test_the_old_cell_cannot_record_the_arrival(runtime, world):
    """Once the letter is issued the dossier sits with the receiving cell: the old cell no longer sees it."""
    case = issued(runtime, world)
    with pytest.raises(NotFound):
        act(runtime, world, case, "record_arrival", "cell_secretary", date(2026, 3, 20), {"date": "2026-03-20"},
            actor="secretary1")


def test_other_open_cases_follow_the_member(runtime, world):
    """An exemption case open at the old cell moves to the new cell when the arrival is recorded."""
    exemption = open_as(runtime, world, "exemption", "cell1_m1", date(2026, 3, 3),
                        {"ground": "old_age", "extent": "exempt", "date": "2026-03-03"})
    case = issued(runtime, world)
    act(runtime, world, case, "record_arrival", "cell_secretary", date(2026, 3, 20), {"date": "2026-03-20"},
        actor="secretary2")
    with runtime.session_factory() as s:
        assert s.get(Case, exemption.id).organisation_id == world.orgs["cell2"]


def test_leaving_the_grassroots_organisation_needs_the_committee_above_it(runtime, world):
    """cell1 → cell3 (another grassroots organisation): the commune's officer may not introduce, the level above may."""
    case = request(runtime, world, to="cell3")
    with pytest.raises(Forbidden):
        act(runtime, world, case, "issue_letter", "organisation_officer", LETTER,
            {"letter_number": "1", "letter_date": LETTER.isoformat()}, actor="officer")
    case = act(runtime, world, case, "issue_letter", "standing_committee", LETTER,
               {"letter_number": "88-GGT/TU", "letter_date": LETTER.isoformat()}, actor="standing_province")
    case = act(runtime, world, case, "record_arrival", "cell_secretary", date(2026, 3, 16), {"date": "2026-03-16"},
               actor="secretary3")
    assert case.state == "received" and person_org(runtime, world) == world.orgs["cell3"]


def test_presenting_after_thirty_working_days_needs_a_reason(runtime, world):
    """On the 30th working day no reason is needed; the day after, late_presentation_reason until one is given."""
    case = issued(runtime, world)
    late = CAL.add_working_days(DUE, 1)
    with pytest.raises(RuleViolation) as err:
        act(runtime, world, case, "record_arrival", "cell_secretary", late, {"date": late.isoformat()},
            actor="secretary2")
    assert err.value.rule_ids == ["late_presentation_reason"]
    case = act(runtime, world, case, "record_arrival", "cell_secretary", late,
               {"date": late.isoformat(), "late_reason": "Đảng viên nằm viện hai tuần."}, actor="secretary2")
    assert case.state == "received"
    on_time = issued(runtime, world, person="cell1_m2")
    on_time = act(runtime, world, on_time, "record_arrival", "cell_secretary", DUE, {"date": DUE.isoformat()},
                  actor="secretary2")
    assert on_time.state == "received"


def test_not_presented_only_after_the_deadline_and_the_dossier_returns(runtime, world):
    """record_not_presented is refused on the due date, accepted after it; the case goes back, the member stays."""
    case = issued(runtime, world)
    with pytest.raises(RuleViolation) as err:
        act(runtime, world, case, "record_not_presented", "organisation_officer", DUE,
            {"date": DUE.isoformat(), "reason": "Chưa thấy đảng viên đến."}, actor="officer")
    assert err.value.rule_ids == ["presentation_not_overdue"]
    after = CAL.add_working_days(DUE, 1)
    case = act(runtime, world, case, "record_not_presented", "organisation_officer", after,
               {"date": after.isoformat(), "reason": "Đảng viên không xuất trình giấy giới thiệu."}, actor="officer")
    assert case.state == "not_presented" and case.organisation_id == world.orgs["cell1"]
    assert person_org(runtime, world) == world.orgs["cell1"]


def test_a_member_under_suspension_or_discipline_is_not_transferred_officially(runtime, world):
    """An open suspension case refuses an official transfer (under_review_not_transferred), not a temporary one."""
    open_as(runtime, world, "suspension", "cell1_m1", date(2026, 3, 2), {
        "ground": "detained", "legal_document": "Lệnh tạm giam 12/LTG", "legal_document_date": "2026-03-01",
        "date": "2026-03-02"})
    with pytest.raises(RuleViolation) as err:
        request(runtime, world)
    assert err.value.rule_ids == ["under_review_not_transferred"]
    case = request(runtime, world, kind="temporary", until=date(2026, 9, 1))
    assert case.state == "requested"


def test_a_late_request_is_recorded_not_refused(runtime, world):
    """A request after the 60 working days is accepted and marked request_late on the case."""
    due = CAL.add_working_days(START, 60)
    case = request(runtime, world, day=CAL.add_working_days(due, 1))
    assert case.data["request_late"] is True and case.data["request_due"] == due.isoformat()
    other = request(runtime, world, person="cell1_m2", day=due)
    assert other.data["request_late"] is False


@pytest.mark.parametrize(("ground", "until", "ok"), [
    ("residence_change", date(2026, 6, 1), False),   # 2 months 30 days: under 3 months
    ("residence_change", date(2026, 6, 2), True),    # exactly 3 months
    ("residence_change", date(2027, 3, 1), True),    # the last day under 1 year
    ("residence_change", date(2027, 3, 2), False),   # 1 year: an official transfer is needed
    ("study", date(2028, 3, 2), True),               # studies: up to 2 years
    ("study", date(2028, 3, 3), False),
])
def test_temporary_stay_from_three_months_to_under_a_year(runtime, world, ground, until, ok):
    """temporary_duration at its boundaries (basis 2026-03-02)."""
    if ok:
        assert request(runtime, world, kind="temporary", ground=ground, until=until).state == "requested"
    else:
        with pytest.raises(RuleViolation) as err:
            request(runtime, world, kind="temporary", ground=ground, until=until)
        assert err.value.rule_ids == ["temporary_duration"]


def test_an_official_transfer_has_no_end_date(runtime, world):
    """Giving `until` to an official transfer is refused (temporary_duration)."""
    with pytest.raises(RuleViolation) as err:
        request(runtime, world, until=date(2026, 9, 1))
    assert err.value.rule_ids == ["temporary_duration"]


def test_temporary_transfer_keeps_the_member_home_then_extends_and_returns(runtime, world):
    """temporarily_active keeps the home cell; an extension to a year is refused, within it accepted; return closes."""
    case = request(runtime, world, kind="temporary", ground="residence_change", to="cell3", until=date(2026, 9, 1))
    case = act(runtime, world, case, "issue_letter", "organisation_officer", LETTER,
               {"letter_number": "7-GGT/ĐU", "letter_date": LETTER.isoformat()}, actor="officer")
    assert case.organisation_id == world.orgs["cell1"]
    case = act(runtime, world, case, "record_arrival", "cell_secretary", date(2026, 3, 16), {"date": "2026-03-16"},
               actor="secretary1")
    assert case.state == "temporarily_active" and person_org(runtime, world) == world.orgs["cell1"]
    with pytest.raises(RuleViolation) as err:
        act(runtime, world, case, "extend_temporary", "cell_secretary", date(2026, 8, 20),
            {"until": "2027-03-02", "date": "2026-08-20"}, actor="secretary1")
    assert err.value.rule_ids == ["temporary_extension"]
    case = act(runtime, world, case, "extend_temporary", "cell_secretary", date(2026, 8, 20),
               {"until": "2026-12-01", "date": "2026-08-20"}, actor="secretary1")
    with runtime.session_factory() as s:
        deadline = s.scalars(select(Deadline).where(Deadline.case_id == case.id, Deadline.status == "open")).one()
    assert (deadline.kind, deadline.due_date) == ("temporary_end", date(2026, 12, 1))
    case = act(runtime, world, case, "record_return", "cell_secretary", date(2026, 11, 30), {"date": "2026-11-30"},
               actor="secretary1")
    assert case.state == "returned"
    with runtime.session_factory() as s:
        assert list(check_cases(s)) == []


def test_the_destination_must_be_another_cell(runtime, world):
    """A committee or the member's own cell is not a destination (transfer_destination)."""
    for target in ("commune", "cell1"):
        with pytest.raises(RuleViolation) as err:
            request(runtime, world, to=target)
        assert err.value.rule_ids == ["transfer_destination"]


def test_cancel_the_letter_brings_the_dossier_back(runtime, world):
    """cancel_letter by the issuing committee: withdrawn, the case back at the home cell."""
    case = issued(runtime, world)
    case = act(runtime, world, case, "cancel_letter", "organisation_officer", date(2026, 3, 9),
               {"reason": "Quyết định điều động bị hủy."}, actor="officer")
    assert case.state == "withdrawn" and case.organisation_id == world.orgs["cell1"]
