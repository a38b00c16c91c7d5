"""Introductions through the engine: the same grassroots organisation, the Youth Union flag on the organisation."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from models import Case, Organisation
from tests.support.flows import act, open_as
from workflows.accounts.admin import update_organisation
from workflows.domain.errors import RuleViolation

START = date(2026, 3, 2)


def sympathiser(runtime, world):
    return open_as(runtime, world, "admission", "cell1_applicant", START,
                   {"resolution_date": START.isoformat(), "helper_id": world.people["cell1_m1"]})


def application(world, introducers, union=None):
    day = START + timedelta(days=20)
    data = {"application_date": day.isoformat(), "education": "upper_secondary",
            "certificate": {"number": "CN 1", "issued_on": "2026-01-05"},
            "introducers": [{"person_id": world.people[k], "known_since": "2020-01-01"} for k in introducers]}
    if union:
        data["union_resolution"] = {"kind": union, "date": (day - timedelta(days=5)).isoformat()}
    return day, data


def test_an_introducer_of_another_grassroots_organisation_is_refused_and_nothing_written(runtime, world):
    """introducer_same_unit: a member of the ward (cell 3) cannot introduce a commune applicant; cell 1's can."""
    case = sympathiser(runtime, world)
    day, data = application(world, ("cell1_m2", "cell3_m1"))
    with pytest.raises(RuleViolation) as err:
        act(runtime, world, case, "submit_application", "cell_secretary", day, data)
    assert err.value.rule_ids == ["introducer_same_unit"]
    with runtime.session_factory() as s:
        assert s.get(Case, case.id).state == "sympathiser"
    day, data = application(world, ("cell1_m2", "cell2_m1"))  # cell 2 is in the same commune
    assert act(runtime, world, case, "submit_application", "cell_secretary", day, data).state == "application_submitted"


def test_where_the_unit_has_a_youth_union_its_resolution_introduces_a_youth_applicant(runtime, world):
    """youth_union_introduction: once the commune records a Youth Union, a 25-year-old needs its resolution."""
    update_organisation(runtime, actor_id=world.users["admin"], organisation_id=world.orgs["commune"],
                        name="Đảng ủy xã", email=None, admission_authority=True, youth_union=True)
    case = sympathiser(runtime, world)
    day, data = application(world, ("cell1_m2", "cell1_m3"))
    with pytest.raises(RuleViolation) as err:
        act(runtime, world, case, "submit_application", "cell_secretary", day, data)
    assert err.value.rule_ids == ["youth_union_introduction"]
    day, data = application(world, ("cell1_m2",), union="youth_union")
    assert act(runtime, world, case, "submit_application", "cell_secretary", day, data).state == "application_submitted"


def test_youth_union_not_recorded_by_default(runtime, world):
    """Existing organisations have no answer recorded (NULL): two members introduce as before."""
    with runtime.session_factory() as s:
        assert set(s.scalars(select(Organisation.youth_union))) == {None}
    case = sympathiser(runtime, world)
    day, data = application(world, ("cell1_m2", "cell1_m3"))
    assert act(runtime, world, case, "submit_application", "cell_secretary", day, data).state == "application_submitted"
