"""The member register: members of a subtree with status, dates and party age; its Excel export."""
from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from tests.support.flows import add_person
from workflows.domain.errors import InvalidInput
from workflows.reports.exports import to_xlsx
from workflows.reports.register import member_register, party_age_months, register_table

ON = date(2026, 11, 30)


def test_party_age_counts_whole_months_from_the_admission_decision():
    """Party age: whole calendar months since the admission decision; none before it."""
    assert party_age_months(date(2012, 5, 19), date(2026, 11, 30)) == 14 * 12 + 6
    assert party_age_months(date(2026, 1, 31), date(2026, 2, 28)) == 1
    assert party_age_months(date(2026, 12, 1), ON) is None
    assert party_age_months(None, ON) is None


def test_register_lists_the_members_of_the_subtree_only(runtime, world):
    """A commune's register holds its cells' official and probationary members, not applicants or other subtrees."""
    add_person(runtime, world, "probie", "cell2", status="probationary", joined_on="2026-03-10")
    add_person(runtime, world, "gone", "cell2", status="former", left_on=date(2025, 1, 1))
    with runtime.session_factory() as s:
        register = member_register(s, organisation_id=world.orgs["commune"], on=ON)
    names = [r.full_name for r in register.rows]
    assert sorted(names) == sorted([f"{c}_m{i}" for c in ("cell1", "cell2") for i in range(1, 5)] + ["probie"])
    assert register.counts == {"official": 8, "probationary": 1}
    probie = next(r for r in register.rows if r.full_name == "probie")
    assert (probie.status, probie.joined_on, probie.official_on, probie.party_age_vi) == (
        "probationary", date(2026, 3, 10), None, "0 năm 8 tháng")
    member = next(r for r in register.rows if r.full_name == "cell1_m1")
    assert member.official_on == date(2013, 5, 19) and member.party_age_vi == "14 năm 6 tháng"


def test_register_pages_and_status_filter(runtime, world):
    """Pages of the register follow each other; a status filter narrows it; a bad status is refused."""
    with runtime.session_factory() as s:
        first = member_register(s, organisation_id=world.orgs["province"], on=ON, limit=10)
        rest = member_register(s, organisation_id=world.orgs["province"], on=ON, offset=10, limit=10)
        former = member_register(s, organisation_id=world.orgs["province"], on=ON, statuses=("former",))
        with pytest.raises(InvalidInput):
            member_register(s, organisation_id=world.orgs["province"], on=ON, statuses=("ghost",))
    assert first.total == 16 and len(first.rows) == 10 and len(rest.rows) == 6
    assert not {r.person_id for r in first.rows} & {r.person_id for r in rest.rows}
    assert former.rows == [] and former.total == 0


def test_register_excel_export_opens_with_the_rows(runtime, world):
    """The register's Excel export opens with openpyxl and lists every member with Vietnamese headers."""
    with runtime.session_factory() as s:
        register = member_register(s, organisation_id=world.orgs["cell3"], on=ON, limit=None)
    book = load_workbook(io.BytesIO(to_xlsx([register_table(register)])), read_only=True)
    rows = list(book["Danh sách đảng viên"].iter_rows(values_only=True))
    header = next(i for i, row in enumerate(rows) if row and row[0] == "STT")
    assert rows[header][:3] == ("STT", "Họ và tên", "Ngày sinh")
    body = [row for row in rows[header + 1:] if row and isinstance(row[0], int)]
    assert [row[1] for row in body] == sorted(f"cell3_m{i}" for i in range(1, 5))
    assert all(row[5] == "Chính thức" for row in body)
