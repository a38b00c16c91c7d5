"""Writing the import workbook: the empty template with its drop-down lists, and the export of a subtree.

Both write the layout the import reads (docs/import.md), with the same words
for kinds, statuses and levels, so an exported file imports again unchanged.
Text cells are written as text cells (never as formulas, whatever they start
with), so a name beginning with «=» stays a name and the value round-trips.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import IO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Organisation, Person
from workflows.domain.errors import NotFound
from workflows.domain.rulesets import rule_set_in_force
from workflows.imports.layout import (
    CASE_HEADERS, CASES, EDUCATION_WORDS, GENDER_WORDS, KIND_WORDS, MEMBER_HEADERS, MEMBERS, ORGANISATION_HEADERS, ORGANISATIONS,
    SHEET_NAMES, STATUS_WORDS, choices, word_for,
)
from workflows.imports.members import FIELDS, person_code
from workflows.procedures.registry import get_procedure, procedure_names

BOLD = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
TEXT_COLUMNS = ("Mã tổ chức", "Mã tổ chức cấp trên", "Số CCCD", "Số thẻ đảng viên", "Điện thoại", "Ngày sinh",
                "Ngày vào Đảng", "Ngày chính thức", "Mã người", "Mã hồ sơ", "Ngày", "Số văn bản")
WIDTHS = {"Bước": 36, "Quy trình": 26, "Họ và tên": 28, "Tên tổ chức": 36, "Địa chỉ": 36, "Email": 26, "Loại": 22, "Trạng thái": 16,
          "Trình độ học vấn": 18, "Được ủy quyền kết nạp": 12}
LISTS_SHEET = "Danh muc"

EXAMPLE_ORGANISATIONS = [
    ["TU", "Đảng bộ tỉnh", "Tỉnh ủy", "", ""],
    ["DB-XA", "Đảng bộ xã Tân Phú", "Đảng ủy cơ sở", "TU", "x"],
    ["CB-THON1", "Chi bộ thôn 1", "Chi bộ", "DB-XA", ""],
]
EXAMPLE_MEMBER = ["CB-THON1", "Nguyễn Thị Lan", "15/03/1985", "Nữ", "001185012345", "12.345678", "Chính thức",
                  "02/09/2010", "02/09/2011", "Cao đẳng, đại học", "lan.nt@example.vn", "0912345678",
                  "Thôn 1, xã Tân Phú", ""]


def _fmt(value) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def _text_cells(sheet, values: Iterable) -> list:
    """A row of text cells: typed as strings, never read back as formulas."""
    row = []
    for value in values:
        cell = WriteOnlyCell(sheet, value=_fmt(value) or None)
        if cell.value is not None:
            cell.data_type = "s"
        row.append(cell)
    return row


def _header(sheet, headers: list[str]) -> None:
    cells = []
    for title in headers:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font, cell.fill = BOLD, HEADER_FILL
        cells.append(cell)
    for index, title in enumerate(headers):
        letter = chr(65 + index)
        sheet.column_dimensions[letter].width = WIDTHS.get(title, 16)
    sheet.freeze_panes = "A2"
    sheet.append(cells)


# ---------------------------------------------------------------- the template

def write_template(out: IO[bytes] | str) -> None:
    """The empty workbook: headers, one example row per sheet, drop-down lists of the allowed values."""
    book = Workbook()
    orgs = book.active
    orgs.title = SHEET_NAMES[ORGANISATIONS]
    members = book.create_sheet(SHEET_NAMES[MEMBERS])
    lists = book.create_sheet(LISTS_SHEET)
    # Allowed values on a sheet of their own: «Cao đẳng, đại học» has a comma, which an inline list cannot hold.
    columns = {"Loại": choices(KIND_WORDS), "Giới tính": choices(GENDER_WORDS), "Trạng thái": choices(STATUS_WORDS),
               "Trình độ học vấn": choices(EDUCATION_WORDS), "Được ủy quyền kết nạp": ["x"]}
    ranges = {}
    for index, (title, words) in enumerate(columns.items()):
        letter = chr(65 + index)
        lists.cell(row=1, column=index + 1, value=title).font = BOLD
        for row, word in enumerate(words, start=2):
            lists.cell(row=row, column=index + 1, value=word)
        ranges[title] = f"'{LISTS_SHEET}'!${letter}$2:${letter}${len(words) + 1}"
    procedures = [get_procedure(n, rule_set_in_force(date.today()).name).label_vi for n in procedure_names()]
    column = len(columns) + 1
    lists.cell(row=1, column=column, value="Quy trình").font = BOLD
    for row, word in enumerate(procedures, start=2):
        lists.cell(row=row, column=column, value=word)
    letter = chr(64 + column)
    ranges["Quy trình"] = f"'{LISTS_SHEET}'!${letter}$2:${letter}${len(procedures) + 1}"
    lists.sheet_state = "hidden"
    # The third sheet (paper cases in flight) has its headers only: each case is one row per step taken.
    cases = book.create_sheet(SHEET_NAMES[CASES], index=2)
    for sheet, headers, examples in ((orgs, list(ORGANISATION_HEADERS), EXAMPLE_ORGANISATIONS),
                                     (members, list(MEMBER_HEADERS), [EXAMPLE_MEMBER]),
                                     (cases, list(CASE_HEADERS), [])):
        for col, title in enumerate(headers, start=1):
            cell = sheet.cell(row=1, column=col, value=title)
            cell.font, cell.fill = BOLD, HEADER_FILL
            letter = cell.column_letter
            sheet.column_dimensions[letter].width = WIDTHS.get(title, 16)
            if title in TEXT_COLUMNS:
                for row in range(2, 1002):
                    sheet.cell(row=row, column=col).number_format = "@"
            if title in ranges:
                rule = DataValidation(type="list", formula1=ranges[title], allow_blank=True, showErrorMessage=True,
                                      errorTitle="Giá trị không hợp lệ", error="Chọn một giá trị trong danh sách.")
                rule.add(f"{letter}2:{letter}100000")
                sheet.add_data_validation(rule)
        for row, values in enumerate(examples, start=2):
            for col, value in enumerate(values, start=1):
                sheet.cell(row=row, column=col, value=value or None)
        sheet.freeze_panes = "A2"
    book.save(out)


# ---------------------------------------------------------------- the export

def export_members(session: Session, organisation_id: int, out: IO[bytes] | str) -> dict[str, int]:
    """The subtree of an organisation in the import layout; {organisations, members} written."""
    root = session.get(Organisation, organisation_id)
    if root is None:
        raise NotFound("tổ chức", organisation_id)
    book = Workbook(write_only=True)
    orgs_sheet = book.create_sheet(SHEET_NAMES[ORGANISATIONS])
    _header(orgs_sheet, list(ORGANISATION_HEADERS))
    org_table = Organisation.__table__
    subtree = org_table.c.path.startswith(root.path, autoescape=True)
    by_id: dict[int, tuple[int, str | None]] = {}
    parent = session.get(Organisation, root.parent_id) if root.parent_id else None
    if parent is not None:
        by_id[parent.id] = (parent.id, parent.code)
    n_orgs = 0
    for oid, code, name, kind, parent_id, authority in session.execute(
            select(org_table.c.id, org_table.c.code, org_table.c.name, org_table.c.kind, org_table.c.parent_id,
                   org_table.c.admission_authority).where(subtree).order_by(org_table.c.path)):
        by_id[oid] = (oid, code)
        parent_code = _code(*by_id[parent_id]) if parent_id in by_id else ""
        orgs_sheet.append(_text_cells(orgs_sheet, [_code(oid, code), name, word_for(KIND_WORDS, kind), parent_code,
                                                   "x" if authority else ""]))
        n_orgs += 1
    members_sheet = book.create_sheet(SHEET_NAMES[MEMBERS])
    _header(members_sheet, list(MEMBER_HEADERS))
    people = Person.__table__
    query = (select(people.c.id, *(people.c[f] for f in FIELDS))
             .join(org_table, org_table.c.id == people.c.organisation_id).where(subtree)
             .order_by(org_table.c.path, people.c.id))
    n_members = 0
    for row in session.execute(query.execution_options(yield_per=2000)).mappings():
        values = {f: row[f] for f in FIELDS}
        values["organisation_id"] = _code(*by_id[row["organisation_id"]])
        values["gender"] = word_for(GENDER_WORDS, values["gender"])
        values["membership_status"] = word_for(STATUS_WORDS, values["membership_status"])
        values["education"] = word_for(EDUCATION_WORDS, values["education"])
        keyless = not row["identity_number"] and not row["card_number"]
        members_sheet.append(_text_cells(members_sheet, [values[f] for f in FIELDS]
                                         + [person_code(row["id"]) if keyless else ""]))
        n_members += 1
    book.save(out)
    return {"organisations": n_orgs, "members": n_members}


def _code(oid: int, code: str | None) -> str:
    return code or f"TC-{oid}"
