"""Acceptance: GET /reports/summary counts decisions by date, per organisation subtree (api.md, procedures.md §9).

A province of its own (no other test writes there) is walked to known decisions over HTTP.
"""
from __future__ import annotations

from datetime import date

from tests.acceptance.client import TODAY, add_months, build_tree, days_ago, iso
from tests.acceptance.flows import (
    admit,
    applicant,
    discipline_steps,
    drive,
    open_discipline,
    open_strike_off,
    open_withdrawal,
    past_probation_ceremony,
    probation_case,
    probation_steps,
    strike_off_steps,
    withdrawal_steps,
)


def test_reports_summary_counts_decisions_in_the_subtree_and_period(server):
    """The summary counts admissions, recognitions, strike-offs, expulsions and withdrawals by decision date."""
    tree = build_tree(server, with_users=True, label="R")
    cell, ward_cell = tree.cell(), tree.cell("ward")
    admit(tree, "roles", cell, applicant(tree, cell), days_ago(80))
    for proposal in ("recognise", "strike_off"):
        person = applicant(tree, cell)
        ceremony = past_probation_ceremony()
        admit(tree, "roles", cell, person, ceremony)
        drive(tree, "roles", cell, probation_case(tree, person)["id"],
              probation_steps(cell, add_months(ceremony, 12), proposal))
    member = tree.official(cell.id)
    case = open_strike_off(tree, "roles", cell, member, days_ago(60))
    drive(tree, "roles", cell, case["id"], strike_off_steps(cell, days_ago(60), len(cell.officials) + 1))
    member = tree.official(cell.id)
    case = open_discipline(tree, "roles", cell, member, days_ago(100), "expulsion")
    drive(tree, "roles", cell, case["id"], discipline_steps(cell, days_ago(50), len(cell.officials) + 1, "expulsion"))
    member = tree.official(ward_cell.id)
    case = open_withdrawal(tree, "roles", ward_cell, member, days_ago(50))
    drive(tree, "roles", ward_cell, case["id"], withdrawal_steps(ward_cell, days_ago(50), len(ward_cell.officials) + 1))

    def summary(organisation_id: int, start: date) -> dict:
        found = tree.admin.get("/reports/summary", organisation_id=organisation_id, to=iso(TODAY),
                               **{"from": iso(start)})
        return {k: found[k] for k in ("admitted", "recognised", "struck_off", "struck_off_probationary",
                                      "expelled", "withdrawn")}

    two_years = add_months(TODAY, -24)
    assert summary(tree.province, two_years) == {"admitted": 3, "recognised": 1, "struck_off": 2,
                                                 "struck_off_probationary": 1, "expelled": 1, "withdrawn": 1}
    assert summary(tree.ward, two_years) == {"admitted": 0, "recognised": 0, "struck_off": 0,
                                             "struck_off_probationary": 0, "expelled": 0, "withdrawn": 1}
    assert summary(tree.commune, days_ago(200))["admitted"] == 1
