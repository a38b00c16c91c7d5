"""Tables to files: Excel (openpyxl) and CSV, with Vietnamese headers. Pure functions returning bytes.

A report is a list of `Table`s; the Excel file has one sheet per table, the
CSV one table. CSV is UTF-8 with a byte-order mark so that Excel opens the
Vietnamese diacritics correctly.
"""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

Cell = str | int | float | date | None


@dataclass(frozen=True)
class Table:
    """A titled table: the unit every report page shows and every export writes."""

    key: str  # stable name used in URLs (?table=by_child)
    title: str  # Vietnamese title, also the sheet name
    headers: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    notes: tuple[str, ...] = field(default=())

    def column(self, header: str) -> list[Cell]:
        index = self.headers.index(header)
        return [row[index] for row in self.rows]


_SHEET_FORBIDDEN = re.compile(r"[\[\]\*\?/\\:]")
# Cells starting with these would be read as formulas by a spreadsheet (CSV/formula injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe_text(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _sheet_name(title: str, used: set[str]) -> str:
    name = _SHEET_FORBIDDEN.sub(" ", title).strip()[:31] or "Bang"
    base, n = name, 2
    while name in used:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(name)
    return name


def to_xlsx(tables: Sequence[Table], *, title: str = "", subtitle: str = "") -> bytes:
    """An Excel workbook, one sheet per table: title line(s), bold header row, then the rows."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    used: set[str] = set()
    for table in tables:
        sheet = workbook.create_sheet(_sheet_name(table.title, used))
        line = 1
        for text in (title, subtitle, table.title):
            if text:
                sheet.cell(row=line, column=1, value=_safe_text(text)).font = Font(bold=line == 1)
                line += 1
        header_row = line + (1 if line > 1 else 0)
        for col, header in enumerate(table.headers, start=1):
            sheet.cell(row=header_row, column=col, value=header).font = Font(bold=True)
        for r, row in enumerate(table.rows, start=header_row + 1):
            for col, value in enumerate(row, start=1):
                cell = sheet.cell(row=r, column=col, value=_safe_text(value))
                if isinstance(value, (date, datetime)):
                    cell.number_format = "DD/MM/YYYY"
        for note_line, note in enumerate(table.notes, start=header_row + len(table.rows) + 2):
            sheet.cell(row=note_line, column=1, value=_safe_text(note))
        for col, header in enumerate(table.headers, start=1):
            width = max([len(str(header))] + [len(str(row[col - 1] or "")) for row in table.rows[:200]])
            sheet.column_dimensions[get_column_letter(col)].width = min(60, max(10, width + 2))
        sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    if not tables:
        workbook.create_sheet("Bang")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _csv_value(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, (date, datetime)):
        return value.strftime("%d/%m/%Y")
    return str(_safe_text(value))


def to_csv(table: Table) -> bytes:
    """One table as CSV (UTF-8 with BOM, comma-separated, header row first)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(table.headers)
    for row in table.rows:
        writer.writerow([_csv_value(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def filename(stem: str, extension: str) -> str:
    """An ASCII file name (headers cannot carry raw Vietnamese): 'thong-ke-2026.xlsx'."""
    ascii_stem = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-") or "bao-cao"
    return f"{ascii_stem}.{extension}"
