"""The summary figures over admissions walked through the engine."""
from __future__ import annotations

from datetime import date

import pytest

from workflows.demo.walk import admission_plan, walk
from workflows.domain.errors import InvalidInput, NotFound
from workflows.reports.tallied import summary


def _admit(runtime, world, cell, start):
    plan = admission_plan(world.people[f"{cell}_m1"], (world.people[f"{cell}_m2"], world.people[f"{cell}_m3"]), start)
    return walk(runtime, plan, person_id=world.people[f"{cell}_applicant"], organisation_id=world.orgs[cell],
                actor_for=world.actor_for(cell), procedure="admission", until="admitted")


def test_summary_counts_admissions_by_decision_date_and_subtree(runtime, world):
    """An admission decided in the period counts for its cell and every ancestor, not for a sibling subtree."""
    _admit(runtime, world, "cell1", date(2026, 3, 2))  # decided 2026-05-11
    with runtime.session_factory() as s:
        year = dict(date_from=date(2026, 1, 1), date_to=date(2026, 12, 31))
        assert summary(s, organisation_id=world.orgs["province"], **year)["admitted"] == 1
        assert summary(s, organisation_id=world.orgs["cell1"], **year)["admitted"] == 1
        assert summary(s, organisation_id=world.orgs["ward"], **year)["admitted"] == 0
        assert summary(s, organisation_id=world.orgs["province"], date_from=date(2026, 5, 12),
                       date_to=date(2026, 12, 31))["admitted"] == 0
        assert summary(s, organisation_id=world.orgs["province"], date_from=date(2026, 5, 11),
                       date_to=date(2026, 5, 11))["admitted"] == 1


def test_summary_refuses_unknown_organisation_and_reversed_period(runtime, world):
    """Unknown organisation → NotFound; 'from' after 'to' → InvalidInput."""
    with runtime.session_factory() as s:
        with pytest.raises(NotFound):
            summary(s, organisation_id=99999, date_from=date(2026, 1, 1), date_to=date(2026, 2, 1))
        with pytest.raises(InvalidInput):
            summary(s, organisation_id=world.orgs["province"], date_from=date(2026, 2, 1), date_to=date(2026, 1, 1))
