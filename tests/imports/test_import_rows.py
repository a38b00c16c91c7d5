"""The row-by-row report: every error the issue lists, in Vietnamese, with sheet, row and column; nothing written."""
from __future__ import annotations

import pytest

from tests.imports.support import MEMBER_HEADER, ORG_HEADER, counts, member, orgs, persons, workbook, xlsx
from workflows.imports import ImportRejected, run_import


def rejected(runtime, world, data: bytes) -> list[dict]:
    before = counts(runtime)
    with pytest.raises(ImportRejected) as caught:
        run_import(runtime, actor_id=world.users["admin"], data=data, filename="x.xlsx")
    assert counts(runtime) == before  # nothing written
    return [e.as_dict() for e in caught.value.report.errors]


def test_a_clean_workbook_creates_its_organisations_and_members(runtime, world):
    """Three organisations and two members are created, with codes, keys and Vietnamese words mapped to codes."""
    report = run_import(runtime, actor_id=world.users["admin"], filename="a.xlsx",
                        data=workbook(world.orgs["province"], [member(1), member(2, "CB-2", **{"Trạng thái": "Dự bị",
                                                               "Ngày chính thức": None, "Ngày vào Đảng": "02/09/2025"})]))
    assert (report.created, report.updated, report.unchanged, report.errors_total) == (5, 0, 0, 0)
    people = persons(runtime)
    first, second = people["4000001"], people["4000002"]
    assert first.identity_number == "001080000001" and first.membership_status == "official"
    assert first.official_on.isoformat() == "2006-05-19" and first.education == "upper_secondary"
    assert second.membership_status == "probationary" and second.official_on is None


def test_each_listed_error_is_reported_on_its_row_and_column(runtime, world):
    """Unknown parent, a cell code that is no cell, an impossible date, a 13-digit CCCD, a probationary member
    without admission date, the same person twice, and a card number of another person in the database."""
    run_import(runtime, actor_id=world.users["admin"], filename="a.xlsx",
               data=workbook(world.orgs["province"], [member(1)]))
    org_rows = orgs(world.orgs["province"]) + [["CB-9", "Chi bộ lạc", "Chi bộ", "KHONG-CO", ""]]
    rows = [
        member(2, "XA-AN"),                                          # row 2: a committee, not a cell
        member(3, **{"Ngày sinh": "31/02/1980"}),                    # row 3: no such date
        member(4, **{"Số CCCD": "0010800000041"}),                   # row 4: 13 digits
        member(5, **{"Trạng thái": "Dự bị", "Ngày vào Đảng": None, "Ngày chính thức": None}),  # row 5
        member(6),                                                   # row 6
        member(7, **{"Số thẻ đảng viên": "4000006"}),                # row 7: same card as row 6
        member(8, **{"Số thẻ đảng viên": "4000001", "Họ và tên": "Lê Thị Hoa", "Ngày sinh": "01/01/1990",
                     "Số CCCD": "001090000008"}),                    # row 8: card of another person in the database
    ]
    errors = rejected(runtime, world, workbook(world.orgs["province"], rows, org_rows))
    found = {(e["sheet"], e["row"], e["column"], e["code"]) for e in errors}
    assert ("To chuc", 5, "D", "unknown_parent") in found
    assert ("Dang vien", 2, "A", "not_a_cell") in found
    assert ("Dang vien", 3, "C", "invalid_date") in found
    assert ("Dang vien", 4, "E", "invalid_identity_number") in found
    assert ("Dang vien", 5, "H", "missing_admission_date") in found
    assert ("Dang vien", 7, "F", "duplicate_person") in found
    assert ("Dang vien", 8, "F", "card_taken") in found
    assert len(errors) == 7
    messages = {e["code"]: e["message"] for e in errors}
    assert "KHONG-CO" in messages["unknown_parent"] and "không có" in messages["unknown_parent"]
    assert messages["invalid_date"] == "Ngày «31/02/1980» không có thật."
    assert "12 chữ số" in messages["invalid_identity_number"]
    assert "dòng 6" in messages["duplicate_person"]
    assert "Trần Văn Bình 1" in messages["card_taken"]


def test_a_dry_run_counts_and_writes_nothing(runtime, world):
    """A dry run reports what would be created and leaves the database as it was."""
    before = counts(runtime)
    report = run_import(runtime, actor_id=world.users["admin"], dry_run=True, filename="a.xlsx",
                        data=workbook(world.orgs["province"], [member(1), member(2)]))
    assert (report.created, report.updated, report.unchanged, report.errors_total) == (5, 0, 0, 0)
    assert report.dry_run and report.run_id is None
    assert counts(runtime) == before


def test_a_dry_run_with_errors_answers_with_the_errors_and_the_counts(runtime, world):
    """A dry run of a faulty file returns its errors (no exception) and the counts of the good rows."""
    report = run_import(runtime, actor_id=world.users["admin"], dry_run=True, filename="a.xlsx",
                        data=workbook(world.orgs["province"], [member(1), member(2, **{"Giới tính": "Bê đê"})]))
    assert report.errors_total == 1 and report.errors[0].code == "unknown_gender"
    assert report.members["created"] == 1


def test_one_bad_row_among_many_writes_nothing(runtime, world):
    """All or nothing: 2,500 good rows (two chunks) and one bad last row leave no person behind."""
    rows = [member(n) for n in range(1, 2501)] + [member(9999, **{"Ngày sinh": "hôm qua"})]
    errors = rejected(runtime, world, workbook(world.orgs["province"], rows))
    assert [(e["row"], e["code"]) for e in errors] == [(2502, "invalid_date")]


def test_text_is_stored_nfc_normalised(runtime, world):
    """A name typed in decomposed Unicode (Unikey's «Unicode tổ hợp», macOS) is stored composed."""
    import unicodedata

    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Tuyết")
    run_import(runtime, actor_id=world.users["admin"], filename="a.xlsx",
               data=workbook(world.orgs["province"], [member(1, **{"Họ và tên": "  " + decomposed + " "})]))
    assert persons(runtime)["4000001"].full_name == unicodedata.normalize("NFC", "Nguyễn Thị Tuyết")


def test_dates_are_read_in_the_three_accepted_forms(runtime, world):
    """dd/mm/yyyy, yyyy-mm-dd and a real spreadsheet date all read as the same day."""
    from datetime import date, datetime

    rows = [member(1, **{"Ngày sinh": "05/03/1979"}), member(2, **{"Ngày sinh": "1979-03-05"}),
            member(3, **{"Ngày sinh": datetime(1979, 3, 5)})]
    run_import(runtime, actor_id=world.users["admin"], filename="a.xlsx", data=workbook(world.orgs["province"], rows))
    assert {p.birth_date for p in persons(runtime).values()} == {date(1979, 3, 5)}


def test_headers_in_any_order_with_extra_columns(runtime, world):
    """Columns may come in any order; a column the layout does not know is ignored."""
    header = ["Ghi chú", *reversed(MEMBER_HEADER)]
    rows = [["bất kỳ", *reversed(member(1))]]
    report = run_import(runtime, actor_id=world.users["admin"], filename="a.xlsx",
                        data=xlsx({"To chuc": [ORG_HEADER, *orgs(world.orgs["province"])], "Dang vien": [header, *rows]}))
    assert report.members["created"] == 1


def test_a_missing_required_header_is_named(runtime, world):
    """A members sheet without «Ngày sinh» is refused with the missing header's name."""
    header = [h for h in MEMBER_HEADER if h != "Ngày sinh"]
    errors = rejected(runtime, world, xlsx({"Dang vien": [header, member(1)[:2] + member(1)[3:]]}))
    assert [(e["row"], e["code"]) for e in errors] == [(1, "missing_header")]
    assert "Ngày sinh" in errors[0]["message"]
