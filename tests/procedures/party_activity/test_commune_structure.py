"""The 2025 structure (QĐ 294-QĐ/TW): commune-level committees directly above grassroots organisations decide."""
from __future__ import annotations

from datetime import date

import pytest

from models import Person, write_transaction
from workflows.accounts.accounts import assign_role, create_user
from workflows.demo.walk import admission_plan, at_day, walk
from workflows.directory.directory import create_organisation, create_person
from workflows.domain import organisations as orgs
from workflows.domain.definition import OrgFacts
from workflows.domain.errors import Forbidden, InvalidInput
from workflows.domain.rulesets import RULE_SETS
from workflows.engine import fire
from workflows.engine.replay import check_cases

PROVINCE = OrgFacts(1, "Tỉnh ủy", "province_committee", False, None)
XA = OrgFacts(2, "Đảng ủy xã Hòa Bình", "commune_committee", False, 1)
SCHOOL = OrgFacts(3, "Đảng bộ Trường THPT", "grassroots_committee", False, 2)
SCHOOL_CELL = OrgFacts(4, "Chi bộ giáo viên", "cell", False, 3)
VILLAGE = OrgFacts(5, "Chi bộ thôn Đông", "grassroots_cell", False, 2)


@pytest.mark.parametrize("rule_set", ["cpv-2021", "cpv-2025"])
@pytest.mark.parametrize("chain", [[PROVINCE, XA, SCHOOL, SCHOOL_CELL], [PROVINCE, XA, VILLAGE]])
def test_the_commune_committee_is_competent_and_decides_by_majority(chain, rule_set):
    """Above a grassroots organisation the commune committee is the competent and the superior committee (> 1/2)."""
    rs = RULE_SETS[rule_set]
    assert orgs.competent_committee(chain, rs) == XA
    assert orgs.superior_of_grassroots(chain) == XA
    assert orgs.decision_threshold(chain, rs) == "half"


def test_the_commune_kind_exists_only_from_2025():
    """cpv-2025 knows commune committees and no district level; cpv-2021 the other way round."""
    assert "commune_committee" in RULE_SETS["cpv-2025"].organisation_kinds
    assert "district_committee" not in RULE_SETS["cpv-2025"].organisation_kinds
    assert "commune_committee" not in RULE_SETS["cpv-2021"].organisation_kinds


@pytest.fixture
def commune(runtime, world):
    """A commune committee under the world's province: a village grassroots cell and a school party committee."""
    ids: dict[str, int] = {}
    with write_transaction(runtime.session_factory) as s:
        ids["xa"] = create_organisation(s, name="Đảng ủy xã Hòa Bình", kind="commune_committee",
                                        parent_id=world.orgs["province"]).id
        ids["village"] = create_organisation(s, name="Chi bộ thôn Đông", kind="grassroots_cell",
                                             parent_id=ids["xa"]).id
        ids["school"] = create_organisation(s, name="Đảng bộ Trường THPT Hòa Bình", kind="grassroots_committee",
                                            parent_id=ids["xa"]).id
        for key, role, at in (("btv_xa", "standing_committee", "xa"), ("bithu_thon", "cell_secretary", "village"),
                              ("tochuc_xa", "organisation_officer", "xa"), ("btv_thon", "standing_committee",
                                                                            "village")):
            ids[key] = create_user(s, username=key, password="correct horse battery staple", display_name=key,
                                   email=f"{key}@example.test").id
            assign_role(s, user_id=ids[key], organisation_id=ids[at], role=role)
        for i in range(4):
            ids[f"m{i}"] = create_person(s, organisation_id=ids["village"], membership_status="official",
                                         full_name=f"Đảng viên {i}", birth_date=date(1970 + i, 1, 1),
                                         joined_on="2010-01-01", official_on="2011-01-01").id
        ids["applicant"] = create_person(s, organisation_id=ids["village"], membership_status="none",
                                         full_name="Quần chúng", birth_date=date(2000, 5, 10),
                                         education="upper_secondary").id
    return ids


def test_directory_places_commune_committees_under_the_province(runtime, world, commune):
    """A commune committee sits under the province only; grassroots organisations may sit under it."""
    with write_transaction(runtime.session_factory) as s, pytest.raises(InvalidInput):
        create_organisation(s, name="Xã lạc chỗ", kind="commune_committee", parent_id=world.orgs["commune"])


def test_admission_in_a_commune_is_decided_by_its_standing_committee(runtime, world, commune):
    """The commune's standing committee admits; a standing committee held at the village cell itself may not."""
    plan = admission_plan(commune["m1"], (commune["m2"], commune["m3"]), date(2026, 3, 2), eligible=4)
    users = {"cell_secretary": commune["bithu_thon"], "organisation_officer": commune["tochuc_xa"],
             "standing_committee": commune["btv_xa"]}
    case = walk(runtime, plan, person_id=commune["applicant"], organisation_id=commune["village"],
                actor_for=users.__getitem__, procedure="admission", until="cell_approved", rule_set="cpv-2025")
    decided = {"decision_number": "15-QĐ/ĐU", "decision_date": "2026-05-11", "received_date": "2026-05-12"}
    with pytest.raises(Forbidden):
        _decide(runtime, case, commune["btv_thon"], decided)
    case = _decide(runtime, case, commune["btv_xa"], decided)
    assert case.state == "admitted"
    with runtime.session_factory() as s:
        assert s.get(Person, commune["applicant"]).membership_status == "probationary"
        assert list(check_cases(s)) == []


def _decide(runtime, case, user_id, data):
    return fire(at_day(runtime, date(2026, 5, 11)), case_id=case.id, trigger="decide_admission", actor_id=user_id,
                data=data)
