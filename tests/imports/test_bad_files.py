"""Bad input: each refused with a clear message, nothing written, memory bounded (nothing loaded whole first)."""
from __future__ import annotations

import io
import resource
import zipfile

import pytest
from openpyxl import Workbook

from tests.imports.support import (
    MEMBER_HEADER, ORG_HEADER, counts, csv_bytes, member, orgs, persons, workbook, xlsx, zipped,
)
from workflows.imports import ImportRejected, run_import
from workflows.imports.reading import MAX_BYTES, MAX_ROWS


def refused(runtime, world, data: bytes, filename: str = "f.xlsx") -> list[dict]:
    before = counts(runtime)
    with pytest.raises(ImportRejected) as caught:
        run_import(runtime, actor_id=world.users["admin"], data=data, filename=filename)
    assert counts(runtime) == before
    return [e.as_dict() for e in caught.value.report.errors]


def test_a_file_that_is_not_a_spreadsheet(runtime, world):
    """A PNG picture is refused as not a spreadsheet, in Vietnamese."""
    errors = refused(runtime, world, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200), "anh.png")
    assert [e["code"] for e in errors] == ["not_a_spreadsheet"] and "không phải bảng tính" in errors[0]["message"]


def test_an_old_xls_file_is_asked_to_be_saved_as_xlsx(runtime, world):
    """An Excel 97 file gets the advice to save it as .xlsx."""
    errors = refused(runtime, world, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "cu.xls")
    assert ".xlsx" in errors[0]["message"]


def test_an_empty_file_and_a_workbook_with_only_headers(runtime, world):
    """Zero bytes, and a workbook of headers without rows, are both «empty»."""
    assert [e["code"] for e in refused(runtime, world, b"")] == ["empty_file"]
    only_headers = xlsx({"To chuc": [ORG_HEADER], "Dang vien": [MEMBER_HEADER]})
    assert [e["code"] for e in refused(runtime, world, only_headers)] == ["empty_file"]


def test_a_workbook_with_a_formula_names_its_cell(runtime, world):
    """A formula in a member's row is refused with its cell; nothing is read as its computed value."""
    book = Workbook()
    book.active.title = "Dang vien"
    book.active.append(MEMBER_HEADER)
    book.active.append(member(1))
    book.active["B2"] = '=CONCATENATE("Trần ","Bình")'
    out = io.BytesIO()
    book.save(out)
    errors = refused(runtime, world, out.getvalue())
    assert [(e["sheet"], e["row"], e["column"], e["code"]) for e in errors] == [("Dang vien", 2, "B", "formula")]
    assert "công thức" in errors[0]["message"]


def test_a_merged_header_is_refused(runtime, world):
    """Two header cells merged into one are reported as a merged header at row 1."""
    book = Workbook()
    sheet = book.active
    sheet.title = "To chuc"
    sheet.append(ORG_HEADER)
    sheet.append(orgs(world.orgs["province"])[0])
    sheet.merge_cells("A1:B1")
    out = io.BytesIO()
    book.save(out)
    errors = refused(runtime, world, out.getvalue())
    assert [(e["row"], e["code"]) for e in errors] == [(1, "merged_header")] and "A1:B1" in errors[0]["message"]


def _million_row_xlsx() -> bytes:
    """A real .xlsx of 1,000,000 rows, written straight as XML (openpyxl would take minutes)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/content-types"/>')
        z.writestr("xl/workbook.xml", '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                   'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
                   '<sheet name="Dang vien" sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels", '<Relationships xmlns="http://schemas.openxmlformats.org/package/'
                   '2006/relationships"><Relationship Id="rId1" Target="worksheets/sheet1.xml" Type="http://'
                   'schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/></Relationships>')
        with z.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
            row = '<row r="{0}"><c r="A{0}" t="inlineStr"><is><t>CB-1</t></is></c></row>'
            for start in range(1, 1_000_001, 10_000):
                sheet.write("".join(row.format(n) for n in range(start, start + 10_000)).encode())
            sheet.write(b"</sheetData></worksheet>")
    return out.getvalue()


def test_a_million_rows_are_refused_before_they_are_loaded(runtime, world):
    """1,000,000 rows: «too many rows», decided while streaming, with memory growing by far less than the sheet."""
    data = _million_row_xlsx()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    errors = refused(runtime, world, data)
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert [e["code"] for e in errors] == ["too_many_rows"] and f"{MAX_ROWS:,}".replace(",", ".") in errors[0]["message"]
    assert grown_mb < 50  # the sheet's XML is ~75 MB unpacked


def test_a_million_row_csv_is_refused(runtime, world):
    """The same limit holds for a CSV file."""
    data = csv_bytes([MEMBER_HEADER]) + b"CB-1,x\n" * 1_000_000
    assert [e["code"] for e in refused(runtime, world, data, "dang_vien.csv")] == ["too_many_rows"]


def test_a_50_mb_file_is_refused_by_its_size(runtime, world):
    """50 MB is over the 20 MB limit: refused by its size, before any parsing."""
    errors = refused(runtime, world, b"PK\x03\x04" + bytes(50 * 1024 * 1024))
    assert [e["code"] for e in errors] == ["file_too_large"] and "50.0 MB" in errors[0]["message"]
    assert MAX_BYTES == 20 * 1024 * 1024


@pytest.mark.parametrize("bom", [False, True])
def test_a_members_csv_with_or_without_bom(runtime, world, bom):
    """dang_vien.csv in UTF-8, with or without the BOM Excel writes, imports into organisations already there."""
    run_import(runtime, actor_id=world.users["admin"], filename="a.xlsx",
               data=workbook(world.orgs["province"], [member(1)]))
    data = csv_bytes([MEMBER_HEADER, member(2), member(3, "CB-2")], bom=bom)
    report = run_import(runtime, actor_id=world.users["admin"], data=data, filename="dang_vien.csv")
    assert report.members["created"] == 2
    assert persons(runtime)["4000003"].full_name == "Trần Văn Bình 3"


def test_two_csv_files_in_one_zip(runtime, world):
    """to_chuc.csv and dang_vien.csv travel together in a .zip; a row error names the CSV file as its sheet."""
    data = zipped({"to_chuc.csv": csv_bytes([ORG_HEADER, *orgs(world.orgs["province"])], bom=True),
                   "dang_vien.csv": csv_bytes([MEMBER_HEADER, member(1), member(2, "CB-2")])})
    report = run_import(runtime, actor_id=world.users["admin"], data=data, filename="nhap.zip")
    assert (report.organisations["created"], report.members["created"]) == (3, 2)
    bad = zipped({"to_chuc.csv": csv_bytes([ORG_HEADER, *orgs(world.orgs["province"])]),
                  "dang_vien.csv": csv_bytes([MEMBER_HEADER, member(5, **{"Ngày sinh": "30/02/1990"})])})
    errors = refused(runtime, world, bad, "nhap.zip")
    assert [(e["sheet"], e["row"], e["column"]) for e in errors] == [("dang_vien.csv", 2, "C")]


def test_a_csv_that_is_not_utf8(runtime, world):
    """A CSV saved in a legacy code page is refused, naming the line, with the advice to save as CSV UTF-8."""
    data = ",".join(MEMBER_HEADER).encode() + "\nCB-1,Trần Văn Bình".encode("cp1258", errors="replace")
    errors = refused(runtime, world, data, "dang_vien.csv")
    assert [(e["code"], e["row"]) for e in errors] == [("encoding", 2)] and "UTF-8" in errors[0]["message"]
