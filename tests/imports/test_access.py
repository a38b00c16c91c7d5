"""Who may import where: administrators anywhere, organisation officers in their subtree, nobody else."""
from __future__ import annotations

import pytest

from tests.imports.support import counts, member, organisation, workbook
from workflows.domain.errors import Forbidden
from workflows.imports import ImportRejected, run_import


def _commune_rows(world, commune_code: str = "TC-{commune}") -> list[list]:
    return [["CB-MOI", "Chi bộ thôn Mới", "Chi bộ", commune_code.format(commune=world.orgs["commune"]), ""]]


def test_an_officer_imports_into_the_subtree_of_their_role(runtime, world):
    """The commune's organisation officer adds a cell under the commune and members in it."""
    report = run_import(runtime, actor_id=world.users["officer"], filename="f.xlsx",
                        data=workbook(world.orgs["province"], [member(1, "CB-MOI")], _commune_rows(world)))
    assert (report.created, report.errors_total) == (2, 0)
    assert organisation(runtime, "CB-MOI").parent_id == world.orgs["commune"]


def test_an_officer_cannot_write_outside_their_subtree(runtime, world):
    """The ward's officer may not add a cell under the commune: a row error «forbidden», nothing written."""
    before = counts(runtime)
    with pytest.raises(ImportRejected) as caught:
        run_import(runtime, actor_id=world.users["officer_ward"], filename="f.xlsx",
                   data=workbook(world.orgs["province"], [member(1, "CB-MOI")], _commune_rows(world)))
    assert [(e.row, e.code) for e in caught.value.report.errors] == [(2, "forbidden")]
    assert counts(runtime) == before


def test_an_officer_cannot_move_a_member_out_of_another_subtree(runtime, world):
    """A person of the commune, imported by the admin, cannot be moved into the ward by the ward's officer."""
    rows = [["CB-PHUONG", "Chi bộ khu phố 9", "Chi bộ", f"TC-{world.orgs['ward']}", ""]]
    commune = _commune_rows(world)
    run_import(runtime, actor_id=world.users["admin"], filename="f.xlsx",
               data=workbook(world.orgs["province"], [member(1, "CB-MOI")], commune + rows))
    with pytest.raises(ImportRejected) as caught:
        run_import(runtime, actor_id=world.users["officer_ward"], filename="f.xlsx",
                   data=workbook(world.orgs["province"], [member(1, "CB-PHUONG")], rows))
    assert [e.code for e in caught.value.report.errors] == ["forbidden"]


@pytest.mark.parametrize("who", ["secretary1", "committee", "standing_province", "outsider"])
def test_roles_that_keep_no_import_may_not_import(runtime, world, who):
    """A cell secretary, a committee member, a standing committee or a user without roles: Forbidden."""
    with pytest.raises(Forbidden):
        run_import(runtime, actor_id=world.users[who], filename="f.xlsx",
                   data=workbook(world.orgs["province"], [member(1)]))
