"""The admission rules as pure functions of facts (no database): each at its boundary and one step past it.

Rules are taken from the built procedure by their stable ids, so the date
rules that `common.with_date_rules` adds are the ones tested too.
"""
from __future__ import annotations

from datetime import date
from fractions import Fraction
from typing import Any

import pytest

from workflows.domain.calendar import WorkingCalendar
from workflows.domain.definition import (
    CaseFacts,
    Lookups,
    OrgFacts,
    PersonFacts,
    Rule,
    Step,
    StepContext,
)
from workflows.domain.fields import parse_data, to_json
from workflows.domain.rulesets import RULE_SETS
from workflows.procedures import common
from workflows.procedures.registry import get_procedure

RULE_SET = RULE_SETS["cpv-2025"]
PROCEDURE = get_procedure("admission", "cpv-2025")
CALENDAR = WorkingCalendar()

PROVINCE = OrgFacts(1, "Đảng bộ tỉnh", "province_committee", False, None)
COMMUNE = OrgFacts(2, "Đảng ủy xã (được ủy quyền)", "grassroots_committee", True, 1)
WARD = OrgFacts(3, "Đảng ủy phường", "grassroots_committee", False, 1)
CELL = OrgFacts(4, "Chi bộ thôn 1", "cell", False, 2)
WARD_CELL = OrgFacts(5, "Chi bộ khu phố 3", "cell", False, 3)
DELEGATED_CHAIN = [PROVINCE, COMMUNE, CELL]
PROVINCE_DECIDES_CHAIN = [PROVINCE, WARD, WARD_CELL]

APPLICANT = 100
M1, M2, M3, PROBATIONARY, FORMER = 1, 2, 3, 4, 5


def _person(pid: int, status: str, born=date(1980, 1, 1), education="upper_secondary") -> PersonFacts:
    return PersonFacts(id=pid, full_name=f"P{pid}", birth_date=born, organisation_id=CELL.id,
                       membership_status=status, education=education)


PEOPLE = {
    M1: _person(M1, "official"), M2: _person(M2, "official"), M3: _person(M3, "official"),
    PROBATIONARY: _person(PROBATIONARY, "probationary"), FORMER: _person(FORMER, "former"),
}


class FakeLookups(Lookups):
    def __init__(self, people: dict[int, PersonFacts]):
        self.people = people

    def person(self, person_id: int) -> PersonFacts | None:
        return self.people.get(person_id)


def step(trigger: str, source: str | None = None) -> Step:
    steps = [s for s in PROCEDURE.steps_for(trigger) if source is None or source in s.sources]
    return steps[0]


def rule(trigger: str, rule_id: str) -> Rule:
    (found,) = [r for r in step(trigger).rules if r.id == rule_id]
    return found


SUBMITTED = {
    "application_date": "2026-03-31", "education": "upper_secondary",
    "certificate": {"number": "CN-NTVĐ 1", "issued_on": "2025-12-01"},
    "introducers": [{"person_id": M1, "known_since": "2020-01-01"}, {"person_id": M2, "known_since": "2020-01-01"}],
}


def context(trigger: str, raw: dict[str, Any], *, born=date(2000, 5, 10), education="upper_secondary",
            submitted: dict | None = None, recorded: dict | None = None, deadlines: dict | None = None,
            case_data: dict | None = None, chain=DELEGATED_CHAIN, today=date(2030, 1, 1),
            applicant_status="none") -> StepContext:
    """The context a step's rules see, its data validated the way the engine validates it."""
    data = {"submit_application": {**SUBMITTED, **(submitted or {})}, **(recorded or {}), **(case_data or {})}
    case = CaseFacts(id=1, procedure="admission", rule_set=RULE_SET.name, state=None, revision=5,
                     organisation_id=chain[-1].id, person_id=APPLICANT, data=to_json(data),
                     deadlines=deadlines or {})
    applicant = _person(APPLICANT, applicant_status, born=born, education=education)
    return StepContext(rule_set=RULE_SET, case=case, person=applicant, data=parse_data(step(trigger).fields, raw),
                       chain=chain, calendar=CALENDAR, lookups=FakeLookups({**PEOPLE, APPLICANT: applicant}),
                       today=today)


def vote(day: date | str, eligible=5, agree=None) -> dict:
    agree = eligible if agree is None else agree
    return {"vote": {"date": str(day), "eligible": eligible, "agree": agree, "disagree": eligible - agree,
                     "method": "secret_ballot"}}


def holds(trigger: str, rule_id: str, raw: dict, **kw) -> bool:
    return rule(trigger, rule_id).check(context(trigger, raw, **kw))


# ---------------------------------------------------------------- age (in whole months on the vote date)


@pytest.mark.parametrize("born, vote_day, ok", [
    (date(2008, 3, 15), "2026-03-15", True),
    (date(2008, 3, 15), "2026-03-14", False),
    # Born on 29 February: 18 years are complete on 28 February of a common year.
    (date(2008, 2, 29), "2026-02-28", True),
    (date(2008, 2, 29), "2026-02-27", False),
    (date(2008, 1, 31), "2026-01-31", True),
    (date(2008, 1, 31), "2026-01-30", False),
])
def test_age_min_eighteen_years_in_months(born, vote_day, ok):
    """age_min holds from the day 216 whole months have elapsed since birth."""
    assert holds("cell_vote", "age_min", vote(vote_day), born=born) is ok


@pytest.mark.parametrize("vote_day, consent, decided, ok", [
    ("2026-04-14", None, "2026-05-04", True),                # 720 months on the cell vote: still 60
    ("2026-04-15", None, "2026-05-04", False),               # 721 months
    ("2026-04-15", "2026-05-04", "2026-05-04", True),        # consent dated the decision day
    ("2026-04-15", "2026-04-20", "2026-05-04", True),        # consent after the cell vote, before the decision
    ("2026-04-15", "2026-05-05", "2026-05-04", False),       # consent after the decision
])
def test_age_max_sixty_years_in_months_unless_consent_before_the_decision(vote_day, consent, decided, ok):
    """age_max (HD 01 §1.1): over 720 months on the cell vote needs the consent before the competent committee decides."""
    raw = {"decision_number": "1-QĐ", "decision_date": decided}
    if consent:
        raw["age_consent"] = {"number": "1-CV/TU", "date": consent}
    assert holds("decide_admission", "age_max", raw, born=date(1966, 3, 15),
                 recorded={"cell_vote": vote(vote_day)}) is ok


def test_over_sixty_consent_recorded_at_submission_also_counts():
    """age_max: the consent may have been recorded with the application, still dated before the decision."""
    raw = {"decision_number": "1-QĐ", "decision_date": "2026-05-04"}
    assert holds("decide_admission", "age_max", raw, born=date(1966, 3, 15), recorded={"cell_vote": vote("2026-04-15")},
                 submitted={"consent": {"number": "1-CV/TU", "date": "2026-01-10"}})


def test_the_cell_may_vote_on_an_applicant_over_sixty():
    """The consent is not needed before the cell votes: age_max is not a cell_vote rule any more."""
    assert "age_max" not in {r.id for r in step("cell_vote").rules}


@pytest.mark.parametrize("education, exemption, ok", [
    ("higher", False, True), ("upper_secondary", False, True), ("lower_secondary", False, True),
    ("primary", False, False), ("primary", True, True),
])
def test_education_lower_secondary_unless_exempt(education, exemption, ok):
    """The education recorded at submission must be lower-secondary or higher, unless exempt."""
    submitted = {"education": education, **({"education_exemption": True} if exemption else {})}
    assert holds("cell_vote", "education", vote("2026-05-04"), submitted=submitted) is ok


@pytest.mark.parametrize("issued, vote_day, ok", [
    ("2021-05-04", "2026-05-03", True),   # last valid day
    ("2021-05-04", "2026-05-04", False),  # 60 months have elapsed
    ("2021-05-04", "2021-05-04", True),   # valid from its issue
    ("2021-05-05", "2021-05-04", False),  # not yet issued on the vote day
    ("2020-02-29", "2025-02-27", True),   # 60 months from 29 Feb end on 28 Feb
    ("2020-02-29", "2025-02-28", False),
])
def test_certificate_valid_sixty_months(issued, vote_day, ok):
    """certificate_valid: issued on or before the vote and fewer than 60 months before it."""
    submitted = {"certificate": {"number": "CN-NTVĐ 1", "issued_on": issued}}
    assert holds("cell_vote", "certificate_valid", vote(vote_day), submitted=submitted) is ok


def test_missing_certificate_fails():
    """No certificate recorded at all: certificate_valid fails."""
    ctx = context("cell_vote", vote("2026-05-04"))
    ctx.case.data["submit_application"].pop("certificate")
    assert rule("cell_vote", "certificate_valid").check(ctx) is False


# ---------------------------------------------------------------- introducers


def _submit(introducers, **extra) -> dict:
    return {**SUBMITTED, "introducers": introducers, **extra}


def _intro(pid, since, replacement=False):
    return {"person_id": pid, "known_since": since, **({"replacement": True} if replacement else {})}


@pytest.mark.parametrize("introducers, extra, ok", [
    ([_intro(M1, "2025-03-31"), _intro(M2, "2025-03-31")], {}, True),     # 12 months exactly
    ([_intro(M1, "2025-03-31"), _intro(M2, "2025-04-01")], {}, False),    # 11 months 30 days
    ([_intro(M1, "2025-03-31"), _intro(M2, "2026-03-30", True)], {}, True),  # replacement: exempt
    ([_intro(M1, "2020-01-01")], {}, False),                              # one member, no resolution
    ([_intro(M1, "2020-01-01")], {"union_resolution": {"kind": "youth_union", "date": "2026-03-01"}}, True),
    ([_intro(M1, "2020-01-01")], {"union_resolution": {"kind": "trade_union", "date": "2026-03-01"}}, True),
    ([_intro(M1, "2020-01-01"), _intro(PROBATIONARY, "2020-01-01")], {}, False),
    ([_intro(M1, "2020-01-01"), _intro(FORMER, "2020-01-01")], {}, False),
    ([_intro(M1, "2020-01-01"), _intro(999, "2020-01-01")], {}, False),   # no such person
    ([_intro(M1, "2020-01-01"), _intro(M1, "2020-01-01")], {}, False),    # the same member twice
    ([_intro(M1, "2020-01-01"), _intro(APPLICANT, "2020-01-01")], {}, False),  # introducing oneself
    ([_intro(M1, "2020-01-01"), _intro(M2, "2020-01-01"), _intro(M3, "2020-01-01")], {}, False),
])
def test_introducers_at_submission(introducers, extra, ok):
    """Two official members known ≥ 12 months (replacements exempt), or a union resolution and one member."""
    assert holds("submit_application", "introducers", _submit(introducers, **extra)) is ok


def test_introducers_checked_again_at_the_vote():
    """At the cell vote the recorded introducers must still be official members."""
    good = {"introducers": [_intro(M1, "2020-01-01"), _intro(M2, "2020-01-01")]}
    lapsed = {"introducers": [_intro(M1, "2020-01-01"), _intro(FORMER, "2020-01-01")]}
    assert holds("cell_vote", "introducers", vote("2026-05-04"), submitted=good) is True
    assert holds("cell_vote", "introducers", vote("2026-05-04"), submitted=lapsed) is False


# ---------------------------------------------------------------- opening


@pytest.mark.parametrize("status, ok", [("none", True), ("former", True), ("probationary", False), ("official", False)])
def test_not_a_member(status, ok):
    """Only a non-member or a former member can have an admission case opened."""
    raw = {"resolution_date": "2026-03-02", "helper_id": M1}
    assert rule("open", "not_a_member").check(context("open", raw, applicant_status=status)) is ok


@pytest.mark.parametrize("helper, ok", [(M1, True), (PROBATIONARY, False), (FORMER, False), (999, False),
                                        (APPLICANT, False)])
def test_helper_must_be_an_official_member(helper, ok):
    """The helper member assigned at opening is an official member (not the applicant)."""
    raw = {"resolution_date": "2026-03-02", "helper_id": helper}
    assert rule("open", "helper_official").check(context("open", raw)) is ok


# ---------------------------------------------------------------- votes: 2/3 of N, > 1/2 of N


@pytest.mark.parametrize("eligible, agree, outcome", [
    (7, 5, "passed"), (7, 4, "failed"), (10, 7, "passed"), (10, 6, "failed"), (3, 2, "passed"), (3, 1, "failed"),
    (9, 6, "passed"), (9, 5, "failed"), (1, 1, "passed"), (1, 0, "failed"),
])
def test_cell_vote_outcome_two_thirds(eligible, agree, outcome):
    """The cell vote passes at ≥ 2/3 of all official members, one vote fewer fails."""
    ctx = context("cell_vote", vote("2026-05-04", eligible, agree))
    assert step("cell_vote").outcome(ctx) == outcome


@pytest.mark.parametrize("eligible", range(1, 61))
def test_two_thirds_is_exact_for_every_n(eligible):
    """For N = 1..60 the outcome flips exactly where agree/N reaches 2/3 (no float rounding)."""
    cell_vote = step("cell_vote")
    outcomes = [cell_vote.outcome(context("cell_vote", vote("2026-05-04", eligible, a))) for a in range(eligible + 1)]
    expected = ["passed" if Fraction(a, eligible) >= Fraction(2, 3) else "failed" for a in range(eligible + 1)]
    assert outcomes == expected


@pytest.mark.parametrize("chain, eligible, short, enough", [
    (DELEGATED_CHAIN, 7, 4, 5), (DELEGATED_CHAIN, 10, 6, 7), (DELEGATED_CHAIN, 3, 1, 2),
    (PROVINCE_DECIDES_CHAIN, 7, 3, 4), (PROVINCE_DECIDES_CHAIN, 10, 5, 6), (PROVINCE_DECIDES_CHAIN, 3, 1, 2),
])
def test_decision_vote_threshold(chain, eligible, short, enough):
    """A delegated grassroots committee needs ≥ 2/3, a standing committee > 1/2: refused one vote short."""
    def check(agree):
        raw = {"decision_number": "1-QĐ", "decision_date": "2026-06-01", **vote("2026-06-01", eligible, agree)}
        return holds("decide_admission", "decision_vote", raw, chain=chain)

    assert check(short) is False
    assert check(enough) is True


# ---------------------------------------------------------------- the decision deadline and its extension


def test_decision_due_sixty_working_days_after_the_vote_across_tet_2027():
    """Vote Mon 2026-12-14 → the 60th working day is Tue 2027-03-16 (1/1 and Tết 4–10/2 skipped)."""
    spec = step("cell_vote").opens[0]
    assert spec.kind == "admission_decision"
    assert spec.due(context("cell_vote", vote("2026-12-14"))) == date(2027, 3, 16)


def test_decision_due_across_tet_2026():
    """Vote Mon 2026-01-05 → 60 working days, Tết 16–20/2/2026 skipped, end on Mon 2026-04-06."""
    spec = step("cell_vote").opens[0]
    assert spec.due(context("cell_vote", vote("2026-01-05"))) == date(2026, 4, 6)


def test_a_late_admission_decision_is_not_refused():
    """late_decision: the decision has no deadline_passed rule; its deadline records lateness under late_decision."""
    for decide in get_procedure("admission", RULE_SETS["cpv-2025"].name).steps_for("decide_admission"):
        assert "deadline_passed" not in {r.id for r in decide.rules}
    (spec,) = step("cell_vote").opens
    assert (spec.kind, spec.late_rule_id) == ("admission_decision", "late_decision")
    assert "chuẩn y chậm" in spec.late_source and len(spec.legal_basis) <= 200


def test_the_ceremony_window_still_bars():
    """The ceremony keeps deadline_passed: only the competent committee's decision may be late."""
    assert "deadline_passed" in {r.id for r in step("hold_ceremony").rules}


@pytest.mark.parametrize("used, days, ok", [(0, 30, True), (0, 31, False), (20, 10, True), (20, 11, False),
                                            (30, 1, False)])
def test_extension_max_thirty_working_days_in_all(used, days, ok):
    """Extensions add up to at most 30 working days."""
    raw = {"days": days, "reason": "Chờ bổ sung."}
    case_data = {"decision_extension_days": used} if used else {}
    assert holds("extend_deadline", "extension_max", raw, case_data=case_data,
                 deadlines={"admission_decision": date(2027, 3, 16)}) is ok


# ---------------------------------------------------------------- the ceremony


@pytest.mark.parametrize("received, last_day, day_after", [
    ("2027-01-25", "2027-03-15", "2027-03-16"),  # Tết 2027: Thu 4 – Wed 10 Feb off
    ("2026-02-02", "2026-03-23", "2026-03-24"),  # Tết 2026: Mon 16 – Fri 20 Feb off
    ("2026-11-20", "2027-01-05", "2027-01-06"),  # 24/11 (from 2026) and 1/1/2027 off
])
def test_ceremony_within_thirty_working_days_of_receipt(received, last_day, day_after):
    """deadline_passed at the ceremony: the 30th working day after receipt is accepted, the day after refused."""
    decided = {"decide_admission": {"decision_number": "1", "decision_date": received, "received_date": received}}
    assert holds("hold_ceremony", "deadline_passed", {"ceremony_date": last_day}, recorded=decided)
    assert not holds("hold_ceremony", "deadline_passed", {"ceremony_date": day_after}, recorded=decided)
    late_with_consent = {"ceremony_date": day_after, "superior_consent": {"number": "9-CV", "date": received}}
    assert holds("hold_ceremony", "deadline_passed", late_with_consent, recorded=decided)


def test_ceremony_counts_from_the_decision_date_when_receipt_is_not_recorded():
    """Without a received date the window runs from the decision date."""
    decided = {"decide_admission": {"decision_number": "1", "decision_date": "2027-01-25"}}
    assert holds("hold_ceremony", "deadline_passed", {"ceremony_date": "2027-03-15"}, recorded=decided)
    assert not holds("hold_ceremony", "deadline_passed", {"ceremony_date": "2027-03-16"}, recorded=decided)


def test_ceremony_not_before_the_decision_was_received():
    """ceremony_after_decision: on the day of receipt accepted, the day before refused."""
    decided = {"decide_admission": {"decision_number": "1", "decision_date": "2027-01-22",
                                    "received_date": "2027-01-25"}}
    assert holds("hold_ceremony", "ceremony_after_decision", {"ceremony_date": "2027-01-25"}, recorded=decided)
    assert not holds("hold_ceremony", "ceremony_after_decision", {"ceremony_date": "2027-01-24"}, recorded=decided)


def test_ceremony_deadline_row_due_date():
    """The ceremony deadline a decision opens is the 30th working day after receipt."""
    spec = step("decide_admission").opens[0]
    raw = {"decision_number": "1", "decision_date": "2027-01-22", "received_date": "2027-01-25"}
    assert (spec.kind, spec.due(context("decide_admission", raw))) == ("ceremony", date(2027, 3, 15))


# ---------------------------------------------------------------- dates in order, not in the future


def test_date_order_same_day_accepted_day_before_refused():
    """A step dated the day of the previous step is in order; the day before is not (date_order)."""
    recorded = {"submit_application": {**SUBMITTED, "application_date": "2026-03-31"}}
    for day, ok in (("2026-03-31", True), ("2026-03-30", False)):
        raw = {"date": day, "conclusion": "Rõ ràng."}
        assert holds("verify_background", "date_order", raw, recorded=recorded) is ok


def test_date_order_uses_the_latest_earlier_step():
    """After a vote dated 2026-05-04, a decision dated 2026-05-03 is out of order."""
    recorded = {"cell_vote": vote("2026-05-04"), "committee_vote": vote("2026-05-04")}
    for day, ok in (("2026-05-04", True), ("2026-05-03", False)):
        raw = {"decision_number": "1", "decision_date": day}
        assert holds("decide_admission", "date_order", raw, recorded=recorded) is ok


def test_date_not_future_today_accepted_tomorrow_refused():
    """A step may be dated today but not tomorrow (date_not_future)."""
    for day, ok in (("2026-06-01", True), ("2026-06-02", False)):
        raw = {"date": day, "conclusion": "Rõ ràng."}
        assert holds("verify_background", "date_not_future", raw, today=date(2026, 6, 1)) is ok


FORWARD_STEPS = ("open", "submit_application", "verify_background", "collect_opinions", "cell_vote",
                 "committee_vote", "decide_admission", "refuse_admission", "hold_ceremony")


def test_every_dated_step_has_the_date_rules():
    """Every dated step refuses a future date; every step of the forward path also a date out of order."""
    for s in (PROCEDURE.open_step, *PROCEDURE.steps):
        ids = {r.id for r in s.rules}
        assert bool(s.date_field) == ("date_not_future" in ids), s.trigger
        if s.trigger in FORWARD_STEPS:
            assert s.date_field and "date_order" in ids, s.trigger


def test_every_rule_has_an_id_a_source_and_both_messages():
    """Errors name the rule and its legal source in Vietnamese and English."""
    for s in (PROCEDURE.open_step, *PROCEDURE.steps):
        for r in s.rules:
            assert r.id and r.source and r.message_vi and r.message_en, (s.trigger, r)


def test_the_vote_threshold_rule_helper():
    """common.vote_threshold_rule refuses a vote below its threshold and accepts one at it."""
    half = common.vote_threshold_rule("x_half", "half", "src", "Việc này", "This")
    ctx = context("cell_vote", vote("2026-05-04", 10, 5))
    assert half.check(ctx) is False
    ctx.data = parse_data(step("cell_vote").fields, vote("2026-05-04", 10, 6))
    assert half.check(ctx) is True
