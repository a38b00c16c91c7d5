"""Exemption from party work and activities (QĐ 24 §7.1) and its effect on a cell vote's count."""
from __future__ import annotations

from datetime import date

import pytest

from tests.support.flows import act, open_as, walk_plan
from workflows.demo.plans import vote, withdrawal_plan
from workflows.domain.errors import RuleViolation
from workflows.engine.replay import check_cases
from workflows.reports.compliance import audit_subtree


def exempt(runtime, world, person="cell1_m4", extent="exempt", decided=date(2026, 3, 10), agree=4, eligible=4):
    case = open_as(runtime, world, "exemption", person, date(2026, 3, 2),
                   {"ground": "old_age_and_poor_health", "extent": extent, "date": "2026-03-02",
                    "evidence": "Bệnh án điều trị dài ngày tại bệnh viện tỉnh."})
    return act(runtime, world, case, "cell_decide", "cell_secretary", decided,
               {"vote": vote(decided, eligible, agree)})


def test_request_decision_report_and_end(runtime, world):
    """requested → exempt (cell majority) → reported to the superior committee → ended; replay agrees."""
    case = exempt(runtime, world)
    assert case.state == "exempt"
    case = act(runtime, world, case, "report_to_superior", "cell_secretary", date(2026, 3, 12), {"date": "2026-03-12"})
    assert case.state == "exempt"
    case = act(runtime, world, case, "end_exemption", "cell_secretary", date(2026, 9, 1),
               {"date": "2026-09-01", "reason": "Sức khỏe đã hồi phục, đồng chí xin sinh hoạt trở lại."})
    assert case.state == "ended"
    with runtime.session_factory() as s:
        assert list(check_cases(s)) == []


@pytest.mark.parametrize(("agree", "extent", "state"), [
    (3, "exempt", "exempt"), (2, "exempt", "rejected"),     # of 4: more than half, exactly half
    (3, "reduced", "reduced"),
])
def test_the_cell_decides_by_more_than_half(runtime, world, agree, extent, state):
    """More than 1/2 of all official members grants what was asked (exempt or reduced); half is not enough."""
    assert exempt(runtime, world, extent=extent, agree=agree).state == state


def _vote_in_cell1(runtime, world, day: date, eligible: int, person="cell1_m1"):
    """A withdrawal request in cell1 taken to its cell vote on `day` with `eligible` official members counted."""
    case = walk_plan(runtime, world, withdrawal_plan(date(2026, 3, 2)), person, "withdrawal", until="requested")
    return act(runtime, world, case, "cell_vote", "cell_secretary", day, {"vote": vote(day, eligible)})


def short_counts(runtime, world) -> set[int]:
    """The cases the compliance audit finds counting fewer official members than the cell's roll allowed."""
    with runtime.session_factory() as s:
        audit = audit_subtree(s, runtime.calendar(), organisation_id=world.orgs["province"],
                              date_from=date(2026, 1, 1), date_to=date(2026, 12, 31), kinds=("vote_denominator",))
    return {f.case_id for f in audit.findings if f.rule_id == "vote_denominator"}


def test_an_exempt_member_may_be_left_out_of_a_cell_vote(runtime, world):
    """cell1 has 4 official members; with one exempt from 10/3, 3 is a lawful count from that day, 2 never is."""
    exempt(runtime, world)
    three = _vote_in_cell1(runtime, world, date(2026, 3, 12), 3)
    two = _vote_in_cell1(runtime, world, date(2026, 3, 12), 2, person="cell1_m2")
    assert short_counts(runtime, world) == {two.id} and three.state == "cell_approved"


def test_before_the_decision_and_after_the_end_the_member_counts(runtime, world):
    """A vote dated before the cell's decision, or on the day the exemption ended, must count all 4."""
    case = exempt(runtime, world)
    before = _vote_in_cell1(runtime, world, date(2026, 3, 9), 3)
    act(runtime, world, case, "end_exemption", "cell_secretary", date(2026, 4, 1),
        {"date": "2026-04-01", "reason": "Xin sinh hoạt trở lại."})
    ended = _vote_in_cell1(runtime, world, date(2026, 4, 1), 3, person="cell1_m2")
    during = _vote_in_cell1(runtime, world, date(2026, 3, 31), 3, person="cell1_m3")
    assert short_counts(runtime, world) == {before.id, ended.id} and during.id not in {before.id, ended.id}


def test_with_the_setting_off_exempt_members_always_count(runtime, world, monkeypatch):
    """exclude_exempt_from_denominator off (a rule set's C setting): 3 of 4 is short even with one exempt."""
    from types import MappingProxyType

    from workflows.domain.rulesets import RULE_SETS

    exempt(runtime, world)
    counted = _vote_in_cell1(runtime, world, date(2026, 3, 12), 3)
    assert short_counts(runtime, world) == set()
    rule_set = RULE_SETS["cpv-2025"]
    monkeypatch.setitem(RULE_SETS, "cpv-2025", type(rule_set)(**{
        **rule_set.__dict__, "settings": MappingProxyType({**rule_set.settings,
                                                           "exclude_exempt_from_denominator": False})}))
    assert short_counts(runtime, world) == {counted.id}


def test_a_reduction_does_not_change_the_count(runtime, world):
    """Only an exemption leaves the count; a member whose work was reduced still counts."""
    exempt(runtime, world, extent="reduced")
    short = _vote_in_cell1(runtime, world, date(2026, 3, 12), 3)
    assert short_counts(runtime, world) == {short.id}


def test_a_former_member_cannot_ask(runtime, world):
    """is_member: only a probationary or official member asks for an exemption."""
    from tests.support.flows import add_person

    add_person(runtime, world, "gone", status="former", left_on=date(2020, 1, 1), left_reason="withdrawal")
    with pytest.raises(RuleViolation) as err:
        open_as(runtime, world, "exemption", "gone", date(2026, 3, 2),
                {"ground": "old_age", "extent": "exempt", "date": "2026-03-02"})
    assert err.value.rule_ids == ["is_member"]


def test_an_irregular_decision_is_revoked_from_above(runtime, world):
    """revoke (standing committee above) returns the case to requested; the member counts again."""
    case = exempt(runtime, world)
    case = act(runtime, world, case, "revoke", "standing_committee", date(2026, 3, 20),
               {"decision_number": "5-QĐ/TU", "decision_date": "2026-03-20",
                "reason": "Chi bộ biểu quyết khi không đủ số đảng viên dự họp."}, actor="standing_province")
    assert case.state == "requested"
    short = _vote_in_cell1(runtime, world, date(2026, 3, 23), 3)
    assert short_counts(runtime, world) == {short.id}
