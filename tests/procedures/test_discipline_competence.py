"""Who may decide which discipline (Điều lệ art. 36): the body a decision names, expulsion above all."""
from __future__ import annotations

import pytest

from tests.support.facts import DELEGATED, UNDELEGATED, context, holds, person
from workflows.domain.definition import Authority
from workflows.procedures.discipline import deciders

OPENED = {"violation": "x", "violation_date": "2025-11-30", "proposed_form": "reprimand"}


def decision(form, decided_by=None, **extra):
    data = {"decision_number": "1", "decision_date": "2026-01-10", "form": form, **extra}
    if decided_by:
        data["decided_by"] = decided_by
    return data


def check(rule_id, data, chain=DELEGATED, who=None):
    return holds("discipline", "decide_discipline", rule_id, data, state="proposed", case_data={"open": OPENED},
                 chain=chain, who=who or person(holds_post=True))


@pytest.mark.parametrize(("decided_by", "form", "ok"), [
    ("cell", "warning", True),
    ("cell", "removal_from_post", False),
    ("grassroots_inspection", "reprimand", True),
    ("grassroots_inspection", "removal_from_post", False),
    ("grassroots_committee", "removal_from_post", True),
    ("superior_inspection", "removal_from_post", True),
])
def test_decider_competence_by_form(decided_by, form, ok):
    """decider_competence: a cell and a grassroots inspection commission reprimand or warn, no more."""
    assert check("decider_competence", decision(form, decided_by)) is ok


@pytest.mark.parametrize(("decided_by", "chain", "extra", "ok"), [
    ("grassroots_committee", DELEGATED, {}, True),       # delegated admission authority
    ("grassroots_committee", UNDELEGATED, {}, False),    # not delegated
    ("grassroots_committee", DELEGATED, {"member_is_committee_member": True}, False),
    ("grassroots_committee", DELEGATED, {"member_superior_managed": True}, False),
    ("grassroots_inspection", DELEGATED, {}, False),     # never a grassroots inspection commission (art. 36.4)
    ("cell", DELEGATED, {}, False),
    ("superior_inspection", DELEGATED, {}, True),
    ("superior_committee", UNDELEGATED, {"member_superior_managed": True}, True),
])
def test_who_may_expel(decided_by, chain, extra, ok):
    """expulsion_competence: Điều lệ art. 36.2 and 36.4."""
    assert check("expulsion_competence", decision("expulsion", decided_by, **extra), chain=chain) is ok


def test_a_committee_member_flag_on_the_person_counts_too():
    """expulsion_competence: the person's flags may say they sit on the committee."""
    who = person(flags={"committee_member": True})
    assert not check("expulsion_competence", decision("expulsion", "grassroots_committee"), who=who)


def test_the_named_body_is_who_may_record_the_decision():
    """deciders: decided_by names one body; unnamed, the lighter forms any of cell / grassroots bodies."""
    named = context("discipline", "decide_discipline", decision("warning", "grassroots_inspection"), state="proposed",
                    case_data={"open": OPENED})
    assert deciders(named) == (Authority("inspection_committee", "grassroots"),)
    unnamed = context("discipline", "decide_discipline", decision("expulsion"), state="proposed",
                      case_data={"open": OPENED})
    assert Authority("inspection_committee", "grassroots") not in deciders(unnamed)
    assert Authority("inspection_committee", "superior") in deciders(unnamed)
