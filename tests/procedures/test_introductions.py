"""Introductions to admission (QĐ 24 §3.2.1–3.2.2; Điều lệ art. 4): same grassroots unit, the Youth Union's resolution."""
from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from tests.support.facts import (
    CELL,
    COMMUNE,
    DELEGATED,
    PROVINCE,
    WARD_CELL,
    FakeLookups,
    context,
    holds,
    person,
    rule_of,
)
from workflows.procedures.introductions import youth_union_recorded

M1, M2, OTHER = 201, 202, 203
PEOPLE = {
    M1: person(M1),                                              # cell 1, commune (grassroots 2)
    M2: person(M2),
    OTHER: dataclasses.replace(person(OTHER), organisation_id=WARD_CELL.id),  # the ward: another grassroots
}
APPLICANT = dataclasses.replace(person(100, "none"), birth_date=date(1996, 4, 15))


def submit(introducers, union=None, on="2026-04-15"):
    data = {"application_date": on, "education": "upper_secondary",
            "certificate": {"number": "CN 1", "issued_on": "2026-01-05"},
            "introducers": [{"person_id": i, "known_since": "2020-01-01", **extra} for i, extra in introducers]}
    if union:
        data["union_resolution"] = {"kind": union, "date": "2026-04-01"}
    return data


def check(rule_id, data, chain=DELEGATED, who=APPLICANT):
    return holds("admission", "submit_application", rule_id, data, state="sympathiser", who=who, chain=chain,
                 lookups=FakeLookups(people=dict(PEOPLE)))


def test_introducers_from_the_applicants_grassroots_organisation_pass():
    """introducer_same_unit: both introducers belong to the commune the applicant's cell is in."""
    assert check("introducer_same_unit", submit([(M1, {}), (M2, {})]))


def test_an_introducer_from_another_grassroots_organisation_is_refused():
    """introducer_same_unit: a member of the ward's cell cannot introduce an applicant of the commune."""
    assert not check("introducer_same_unit", submit([(M1, {}), (OTHER, {})]))


def test_a_replacement_is_exempt_from_twelve_months_not_from_the_same_unit():
    """QĐ 24 §3.2.2: a replacement known one month passes `introducers`; from another grassroots it still fails."""
    fresh = {"replacement": True, "known_since": "2026-03-15"}
    assert check("introducers", submit([(M1, {}), (M2, fresh)]))
    assert not check("introducer_same_unit", submit([(M1, {}), (OTHER, {"replacement": True})]))


def _with_youth_union(flag, at=CELL):
    return [dataclasses.replace(o, youth_union=flag) if o.id == at.id else o for o in DELEGATED]


def test_youth_union_recorded_takes_the_nearest_answer_up_to_the_grassroots():
    """The cell's own answer first, then its grassroots organisation's; the province's never counts."""
    assert youth_union_recorded(DELEGATED) is None
    assert youth_union_recorded(_with_youth_union(True, COMMUNE)) is True
    assert youth_union_recorded([dataclasses.replace(PROVINCE, youth_union=True), COMMUNE, CELL]) is None
    chain = [PROVINCE, dataclasses.replace(COMMUNE, youth_union=True), dataclasses.replace(CELL, youth_union=False)]
    assert youth_union_recorded(chain) is False


@pytest.mark.parametrize(("born", "ok"), [
    (date(1996, 3, 16), False),  # 360 whole months on the application date (2026-04-15): of Youth Union age
    (date(1996, 3, 15), True),   # 361 months: past it, two members may introduce
])
def test_youth_age_applicant_needs_the_union_resolution_where_there_is_a_union(born, ok):
    """youth_union_introduction: with a Youth Union at the unit, two members alone do not do up to 30 years."""
    who = dataclasses.replace(APPLICANT, birth_date=born)
    assert check("youth_union_introduction", submit([(M1, {}), (M2, {})]), chain=_with_youth_union(True),
                 who=who) is ok


def test_youth_union_resolution_and_one_member_pass_where_there_is_a_union():
    """youth_union_introduction: the Union's resolution and one official member."""
    assert check("youth_union_introduction", submit([(M1, {})], union="youth_union"), chain=_with_youth_union(True))


def test_no_youth_union_resolution_where_the_unit_has_none():
    """youth_union_introduction: a unit recorded without a Youth Union cannot introduce by its resolution."""
    assert not check("youth_union_introduction", submit([(M1, {})], union="youth_union"),
                     chain=_with_youth_union(False))
    assert check("youth_union_introduction", submit([(M1, {}), (M2, {})]), chain=_with_youth_union(False))


def test_not_recorded_changes_nothing():
    """Default (not recorded): two members or a resolution and one member, as before."""
    assert check("youth_union_introduction", submit([(M1, {}), (M2, {})]))
    assert check("youth_union_introduction", submit([(M1, {})], union="youth_union"))


def test_the_rules_are_checked_again_at_the_cell_vote():
    """An introducer who moved to another grassroots organisation after submission fails at the vote."""
    moved = dict(PEOPLE)
    moved[M2] = dataclasses.replace(PEOPLE[M2], organisation_id=WARD_CELL.id)
    ctx = context("admission", "cell_vote",
                  {"vote": {"date": "2026-05-04", "eligible": 5, "agree": 5, "disagree": 0, "method": "secret_ballot"}},
                  state="opinions_collected", who=APPLICANT,
                  case_data={"submit_application": submit([(M1, {}), (M2, {})])}, lookups=FakeLookups(people=moved))
    assert not rule_of("admission", "cell_vote", "introducer_same_unit", "opinions_collected").check(ctx)
