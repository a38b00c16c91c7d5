"""Building import files in memory, and reading back what an import wrote."""
from __future__ import annotations

import io
import zipfile

from openpyxl import Workbook
from sqlalchemy import select

from models import Organisation, Person
from workflows.imports.layout import MEMBER_HEADERS, ORGANISATION_HEADERS

ORG_HEADER = list(ORGANISATION_HEADERS)
MEMBER_HEADER = list(MEMBER_HEADERS)[:13]  # without the export's «Mã người»

# A small tree under the world's province (exported code TC-<id>): a commune and two cells.
def orgs(province_id: int) -> list[list]:
    return [
        ["XA-AN", "Đảng bộ xã An Bình", "Đảng ủy cơ sở", f"TC-{province_id}", "x"],
        ["CB-1", "Chi bộ thôn Đông", "Chi bộ", "XA-AN", ""],
        ["CB-2", "Chi bộ thôn Tây", "Chi bộ", "XA-AN", ""],
    ]


def member(n: int, cell: str = "CB-1", **over) -> list:
    """A valid official member row; `over` replaces cells by header."""
    row = {"Mã tổ chức": cell, "Họ và tên": f"Trần Văn Bình {n}", "Ngày sinh": "12/05/1980", "Giới tính": "Nam",
           "Số CCCD": f"0010800{n:05d}", "Số thẻ đảng viên": f"{4000000 + n}", "Trạng thái": "Chính thức",
           "Ngày vào Đảng": "19/05/2005", "Ngày chính thức": "19/05/2006", "Trình độ học vấn": "THPT",
           "Email": f"binh{n}@example.vn", "Điện thoại": "0912345678", "Địa chỉ": "Thôn Đông"}
    row.update(over)
    return [row[h] for h in MEMBER_HEADER]


def xlsx(sheets: dict[str, list[list]]) -> bytes:
    """A workbook with these sheets (first row of each is its header)."""
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def workbook(province_id: int, members: list[list], org_rows: list[list] | None = None) -> bytes:
    return xlsx({"To chuc": [ORG_HEADER, *(orgs(province_id) if org_rows is None else org_rows)],
                 "Dang vien": [MEMBER_HEADER, *members]})


def csv_bytes(rows: list[list], *, bom: bool = False) -> bytes:
    import csv

    text = io.StringIO()
    csv.writer(text).writerows([["" if v is None else v for v in r] for r in rows])
    return (b"\xef\xbb\xbf" if bom else b"") + text.getvalue().encode("utf-8")


def zipped(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


def persons(runtime) -> dict[str, Person]:
    """Persons that have a card number, by card number."""
    with runtime.session_factory() as s:
        return {p.card_number: p for p in s.scalars(select(Person).where(Person.card_number.is_not(None)))}


def organisation(runtime, code: str) -> Organisation | None:
    with runtime.session_factory() as s:
        return s.scalar(select(Organisation).where(Organisation.code == code))


def counts(runtime) -> tuple[int, int]:
    """(organisations, persons) in the database."""
    from sqlalchemy import func

    with runtime.session_factory() as s:
        return s.scalar(select(func.count(Organisation.id))), s.scalar(select(func.count(Person.id)))
