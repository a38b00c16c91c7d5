"""Importing again changes nothing; a changed row updates its person, a moved one changes cell, both audited."""
from __future__ import annotations

import io
import json

from sqlalchemy import select

from models import AuditRecord, ImportChange, ImportRun, Organisation, Person
from tests.imports.support import member, organisation, persons, workbook
from workflows.imports import run_import
from workflows.imports.workbook import export_members


def snapshot(runtime) -> list[tuple]:
    """Every column of every person and organisation: proof that nothing at all changed."""
    with runtime.session_factory() as s:
        people = [tuple(r) for r in s.execute(select(Person.__table__).order_by(Person.id))]
        orgs = [tuple(r) for r in s.execute(select(Organisation.__table__).order_by(Organisation.id))]
    return people + orgs


def imported(runtime, world, data: bytes, **kw):
    return run_import(runtime, actor_id=world.users["admin"], data=data, filename="f.xlsx", **kw)


def test_the_same_file_again_changes_nothing(runtime, world):
    """Second import: 0 created, 0 updated, N unchanged, and not one column of any row differs."""
    data = workbook(world.orgs["province"], [member(n) for n in range(1, 6)])
    imported(runtime, world, data)
    before = snapshot(runtime)
    report = imported(runtime, world, data)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 8)
    assert report.summary() == "created=0 updated=0 unchanged=8 errors=0"
    assert snapshot(runtime) == before


def test_a_changed_row_updates_that_person_with_before_and_after_in_the_audit_log(runtime, world):
    """A new address and phone update the person (revision counted); the audit log and the run's changes
    hold the before/after, and the run says who imported which file."""
    imported(runtime, world, workbook(world.orgs["province"], [member(1), member(2)]))
    old = persons(runtime)["4000002"]
    report = imported(runtime, world, workbook(world.orgs["province"], [
        member(1), member(2, **{"Địa chỉ": "Xóm Mới", "Điện thoại": "0987654321"})]))
    assert (report.created, report.updated, report.unchanged) == (0, 1, 4)
    new = persons(runtime)["4000002"]
    assert (new.home_address, new.phone, new.revision) == ("Xóm Mới", "0987654321", old.revision + 1)
    with runtime.session_factory() as s:
        audit = s.scalars(select(AuditRecord).where(AuditRecord.action == "person.import_update")).all()
        assert [(a.object_id, a.user_id) for a in audit] == [(str(new.id), world.users["admin"])]
        assert '"home_address":["Thôn Đông","Xóm Mới"]' in audit[0].detail
        change = s.scalars(select(ImportChange)).one()
        assert change.changes == {"home_address": ["Thôn Đông", "Xóm Mới"], "phone": ["0912345678", "0987654321"]}
        run = s.get(ImportRun, change.run_id)
        assert (run.user_id, run.filename, run.updated) == (world.users["admin"], "f.xlsx", 1)
        runs = s.scalars(select(AuditRecord).where(AuditRecord.action == "import.members")).all()
        assert len(runs) == 2 and "created=0 updated=1 unchanged=4" in runs[-1].detail


def test_moving_to_another_cell_is_an_update_of_the_same_person(runtime, world):
    """A member whose row names another cell keeps their id and is recorded as moved, old and new cell named."""
    imported(runtime, world, workbook(world.orgs["province"], [member(1)]))
    person_id = persons(runtime)["4000001"].id
    report = imported(runtime, world, workbook(world.orgs["province"], [member(1, "CB-2")]))
    assert report.members == {"created": 0, "updated": 1, "unchanged": 0, "moved": 1}
    moved = persons(runtime)["4000001"]
    assert moved.id == person_id and moved.organisation_id == organisation(runtime, "CB-2").id
    with runtime.session_factory() as s:
        record = s.scalars(select(AuditRecord).where(AuditRecord.action == "person.import_move")).one()
        assert json.loads(record.detail.split(": ", 1)[1]) == {"organisation_id": ["CB-1", "CB-2"]}


def test_a_person_found_by_identity_number_gets_the_card_number(runtime, world):
    """Without a card in the database, the CCCD finds the person and the card number is added to them."""
    imported(runtime, world, workbook(world.orgs["province"], [member(1, **{"Số thẻ đảng viên": None})]))
    report = imported(runtime, world, workbook(world.orgs["province"], [member(1)]))
    assert report.members["updated"] == 1 and persons(runtime)["4000001"].identity_number == "001080000001"


def test_moving_an_organisation_moves_its_subtree_paths(runtime, world):
    """A cell given another parent keeps its id; its path and its members' place follow."""
    orgs = [["XA-AN", "Đảng bộ xã An Bình", "Đảng ủy cơ sở", f"TC-{world.orgs['province']}", "x"],
            ["XA-BA", "Đảng bộ xã Ba Lòng", "Đảng ủy cơ sở", f"TC-{world.orgs['province']}", ""],
            ["CB-1", "Chi bộ thôn Đông", "Chi bộ", "XA-AN", ""]]
    imported(runtime, world, workbook(world.orgs["province"], [member(1)], orgs))
    cell = organisation(runtime, "CB-1")
    orgs[2][3] = "XA-BA"
    report = imported(runtime, world, workbook(world.orgs["province"], [member(1)], orgs))
    assert report.organisations == {"created": 0, "updated": 1, "unchanged": 2}
    moved = organisation(runtime, "CB-1")
    assert moved.id == cell.id and moved.path == organisation(runtime, "XA-BA").path + f"{cell.id}/"


def test_an_exported_subtree_imports_again_unchanged(runtime, world):
    """export-members of the whole province (persons without keys get their NG- code) re-imports unchanged."""
    imported(runtime, world, workbook(world.orgs["province"], [member(n) for n in range(1, 4)]))
    out = io.BytesIO()
    with runtime.session_factory() as s:
        written = export_members(s, world.orgs["province"], out)
    assert written == {"organisations": 10, "members": 23}
    before = snapshot(runtime)
    report = imported(runtime, world, out.getvalue())
    assert (report.created, report.updated, report.unchanged, report.errors_total) == (0, 0, 33, 0)
    assert snapshot(runtime) == before
