"""Reading an uploaded file into tables of rows, with the limits that keep memory bounded.

.xlsx is read by python-calamine (Rust's calamine: the whole sheet in one call,
about a second for 100,000 rows where openpyxl takes most of a minute); before
that, the sheet's XML is streamed once in small pieces to refuse formulas,
merged cells and oversized sheets without loading them. .csv is UTF-8 with or
without BOM; two CSV files travel in one upload as a .zip holding `to_chuc.csv`
and `dang_vien.csv`, and a lone .csv is recognised by its header row.
"""
from __future__ import annotations

import csv
import io
import posixpath
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from xml.etree import ElementTree

from workflows.imports.layout import (
    CASES, COLUMN_OF, CSV_NAMES, HEADERS, MEMBERS, ORGANISATIONS, REQUIRED, SHEET_NAMES, RowError, fold,
)

MAX_BYTES = 20 * 1024 * 1024       # the upload limit of the web (MAX_CONTENT_LENGTH), for every door
MAX_ROWS = 200_000                 # data rows of one sheet: a province is ~100k members
MAX_UNZIPPED = 400 * 1024 * 1024   # what the sheets may expand to (a zip bomb stops here)
MAX_FILE_ERRORS = 200              # formula and merged-cell findings listed before giving up
FILE = "Tệp"                       # the `sheet` of errors about the file as a whole
_PIECE = 1 << 20


class FileRejected(Exception):
    """The file cannot be read as an import workbook; `errors` say why (nothing was written)."""

    def __init__(self, errors: list[RowError]):
        super().__init__("; ".join(e.message for e in errors))
        self.errors = errors


@dataclass
class Table:
    """One sheet (or CSV file): its display name, its header row and its data rows, numbered as in the file."""

    kind: str
    name: str
    header: list[str]
    source: Callable[[], Iterator[list]]  # every row, header first, read lazily (never 100k lists at once)
    total: int  # rows after the header, empty ones included (for the progress bar)
    columns: dict[str, int] = field(default_factory=dict)  # field -> column index

    def numbered(self) -> Iterator[tuple[int, list]]:
        """(spreadsheet row number, cells) of the non-empty data rows."""
        rows = self.source()
        next(rows, None)
        for number, cells in enumerate(rows, start=2):
            if any(c is not None and c != "" for c in cells):
                yield number, cells

    def has_data(self) -> bool:
        return next(self.numbered(), None) is not None


def _reject(message: str, code: str, sheet: str = FILE, row: int | None = None, column: str | None = None):
    raise FileRejected([RowError(sheet, row, column, code, message)])


def read_upload(data: bytes, filename: str = "") -> dict[str, Table]:
    """The tables of an upload (.xlsx, .csv or a .zip of CSV files), keyed by ORGANISATIONS / MEMBERS."""
    if len(data) == 0:
        _reject("Tệp rỗng (0 byte): không có gì để nhập.", "empty_file")
    if len(data) > MAX_BYTES:
        _reject(f"Tệp quá lớn ({len(data) / 1048576:.1f} MB); tối đa {MAX_BYTES // 1048576} MB. "
                "Hãy chia thành nhiều tệp, mỗi tệp một phần cây tổ chức.", "file_too_large")
    if data[:4] == b"PK\x03\x04":
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
            names = archive.namelist()
        except (zipfile.BadZipFile, ValueError):
            _reject("Tệp bị hỏng: không đọc được như một bảng tính .xlsx.", "not_a_spreadsheet")
        if "xl/workbook.xml" in names:
            return _read_xlsx(data, archive)
        return _read_csv_zip(archive)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        _reject("Tệp Excel đời cũ (.xls) không được hỗ trợ: hãy mở bằng Excel và lưu lại dạng .xlsx.",
                "not_a_spreadsheet")
    return _tables([_read_csv(data, filename or CSV_NAMES[MEMBERS])])


def check_size(size: int) -> None:
    """Refuse a file by its size before reading it (the command line stats the file first)."""
    if size == 0:
        _reject("Tệp rỗng (0 byte): không có gì để nhập.", "empty_file")
    if size > MAX_BYTES:
        _reject(f"Tệp quá lớn ({size / 1048576:.1f} MB); tối đa {MAX_BYTES // 1048576} MB. "
                "Hãy chia thành nhiều tệp, mỗi tệp một phần cây tổ chức.", "file_too_large")


def _tables(tables: list[Table]) -> dict[str, Table]:
    found: dict[str, Table] = {}
    for table in tables:
        if table.kind in found:
            _reject(f"Có hai bảng {table.name!r} và {found[table.kind].name!r} cùng loại.", "duplicate_sheet")
        found[table.kind] = table
    if not found:
        _reject("Không tìm thấy trang «To chuc» hay «Dang vien» nào trong tệp.", "missing_sheet")
    if not any(t.has_data() for t in found.values()):
        _reject("Tệp không có dòng dữ liệu nào (chỉ có dòng tiêu đề).", "empty_file")
    return found


# ---------------------------------------------------------------- .xlsx

_ROW = re.compile(rb"<(?:\w+:)?row[\s>]")
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
_CELL = re.compile(rb'<(?:\w+:)?c\s[^>]*?\br="([A-Z]+)([0-9]+)"')
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s[^>]*?\bref="([A-Z]+)([0-9]+)(?::([A-Z]+)([0-9]+))?"')
_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
       "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
       "p": "http://schemas.openxmlformats.org/package/2006/relationships"}


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> the zip member holding its XML."""
    try:
        book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError):
        _reject("Tệp bị hỏng: thiếu phần mô tả các trang của bảng tính.", "not_a_spreadsheet")
    targets = {r.get("Id"): r.get("Target", "") for r in rels.findall("p:Relationship", _NS)}
    parts = {}
    for sheet in book.iterfind("m:sheets/m:sheet", _NS):
        target = targets.get(sheet.get(f"{{{_NS['r']}}}id"), "")
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
        parts[sheet.get("name", "")] = path
    return parts


def _wanted(name: str) -> str | None:
    folded = fold(name)
    for kind, sheet in SHEET_NAMES.items():
        if folded == fold(sheet):
            return kind
    return None


def _scan(archive: zipfile.ZipFile, part: str, sheet: str) -> list[RowError]:
    """Stream the sheet's XML once: count rows (stop past the limit), list formulas and merged cells."""
    errors: list[RowError] = []
    rows = 0
    carry = previous = b""
    prefixed = None
    try:
        info = archive.getinfo(part)
    except KeyError:
        return [RowError(sheet, None, None, "not_a_spreadsheet", f"Tệp bị hỏng: thiếu dữ liệu của trang «{sheet}».")]
    with archive.open(info) as stream:
        while True:
            piece = stream.read(_PIECE)
            buffer = carry + piece
            # Cut at the last '<': every tag before it is complete (XML allows no raw '<' inside a tag).
            cut = buffer.rfind(b"<") if piece else len(buffer)
            work, carry = buffer[:cut], buffer[cut:]
            if prefixed is None:
                prefixed = re.search(rb"<\w+:(?:worksheet|row)[\s>]", work) is not None
            # Plain counts first (a namespace prefix such as <x:row needs the expression).
            rows += len(_ROW.findall(work)) if prefixed else work.count(b"<row ") + work.count(b"<row>")
            if rows > MAX_ROWS + 1:
                return [RowError(sheet, None, None, "too_many_rows",
                                 f"Trang «{sheet}» có hơn {MAX_ROWS:,} dòng (tối đa {MAX_ROWS:,} dòng mỗi lần nhập); "
                                 "hãy chia thành nhiều tệp.".replace(",", "."))]
            if _FORMULA.search(work):
                for found in _FORMULA.finditer(work):
                    if len(errors) >= MAX_FILE_ERRORS:
                        break
                    # The cell holding it starts shortly before (a cell is a few hundred bytes at most).
                    cell = (_CELL.findall(work, max(0, found.start() - 4096), found.start())
                            or _CELL.findall(previous[-4096:]))
                    column, row = cell[-1] if cell else (b"", b"0")
                    errors.append(RowError(sheet, int(row) or None, column.decode() or None, "formula",
                                               f"Ô {column.decode()}{row.decode()} chứa công thức; hãy dán giá trị "
                                               "(Paste Special → Values) thay cho công thức."))
            if b"mergeCell " in work:
                for c1, r1, c2, r2 in _MERGE.findall(work):
                    ref = f"{c1.decode()}{r1.decode()}" + (f":{c2.decode()}{r2.decode()}" if c2 else "")
                    header = int(r1) == 1
                    if len(errors) < MAX_FILE_ERRORS:
                        errors.append(RowError(
                            sheet, int(r1), c1.decode(), "merged_header" if header else "merged_cells",
                            (f"Dòng tiêu đề có ô gộp ({ref}); mỗi cột cần một tiêu đề riêng trong một ô."
                             if header else f"Có ô gộp ({ref}); hãy bỏ gộp ô và điền giá trị vào từng dòng.")))
            previous = work
            if not piece:
                break
    return errors


def _read_xlsx(data: bytes, archive: zipfile.ZipFile) -> dict[str, Table]:
    import python_calamine

    parts = _sheet_parts(archive)
    wanted = {name: kind for name in parts if (kind := _wanted(name))}
    if not wanted:
        _reject("Không tìm thấy trang «To chuc», «Dang vien» hay «Ho so dang giai quyet» trong bảng tính (các trang có: "
                + ", ".join(f"«{n}»" for n in parts) + ").", "missing_sheet")
    errors: list[RowError] = []
    for name in wanted:
        errors += _scan(archive, parts[name], name)
    if errors:
        raise FileRejected(errors)
    unzipped = sum(archive.getinfo(p).file_size for p in archive.namelist())
    if unzipped > MAX_UNZIPPED:
        _reject("Bảng tính giải nén ra quá lớn; hãy chia thành nhiều tệp.", "file_too_large")
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        tables = []
        for name, kind in wanted.items():
            sheet = book.get_sheet_by_name(name)
            tables.append(_table(kind, name, sheet.iter_rows, max(0, sheet.height - 1)))
    except python_calamine.CalamineError as exc:
        _reject(f"Không đọc được bảng tính: {exc}.", "not_a_spreadsheet")
    return _tables(tables)


# ---------------------------------------------------------------- .csv

def _read_csv_zip(archive: zipfile.ZipFile) -> dict[str, Table]:
    members = [i for i in archive.infolist() if i.filename.lower().endswith(".csv") and not i.is_dir()]
    if not members:
        _reject("Tệp nén không chứa tệp .csv nào (cần to_chuc.csv và/hoặc dang_vien.csv); tệp này cũng không "
                "phải bảng tính .xlsx.", "not_a_spreadsheet")
    tables = []
    for info in members:
        if info.file_size > MAX_BYTES:
            _reject(f"Tệp {info.filename} quá lớn khi giải nén (tối đa {MAX_BYTES // 1048576} MB).", "file_too_large")
        tables.append(_read_csv(archive.read(info), posixpath.basename(info.filename)))
    return _tables(tables)


def _read_csv(data: bytes, name: str) -> Table:
    if b"\x00" in data[:65536]:
        _reject("Tệp không phải bảng tính .xlsx hay .csv (có dữ liệu nhị phân).", "not_a_spreadsheet")
    if data.count(b"\n") > MAX_ROWS + 1:
        _reject(f"Tệp {name} có hơn {MAX_ROWS:,} dòng (tối đa {MAX_ROWS:,} dòng mỗi lần nhập); hãy chia thành "
                "nhiều tệp.".replace(",", "."), "too_many_rows", sheet=name)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        _reject(f"Tệp {name} không phải văn bản UTF-8 (dòng {line}); hãy lưu lại với «CSV UTF-8».", "encoding",
                sheet=name, row=line)
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    def source() -> Iterator[list]:
        return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)

    kind = _csv_kind(name, next(source(), []))
    return _table(kind, name, source, max(0, text.count("\n") - 1))


def _csv_kind(name: str, header: list[str]) -> str:
    folded = {fold(str(h)) for h in header}
    for kind, csv_name in CSV_NAMES.items():
        if fold(name) == fold(csv_name):
            return kind
    if fold("Mã hồ sơ") in folded:
        return CASES
    if fold("Họ và tên") in folded:
        return MEMBERS
    if fold("Tên tổ chức") in folded:
        return ORGANISATIONS
    _reject(f"Không nhận ra bảng {name!r}: dòng tiêu đề không có «Họ và tên» (đảng viên) hay «Tên tổ chức» "
            "(tổ chức).", "missing_header", sheet=name, row=1)


def _table(kind: str, name: str, source: Callable[[], Iterator[list]], total: int) -> Table:
    header = [("" if h is None else str(h)).strip() for h in next(iter(source()), [])]
    headers = {fold(h): f for h, f in HEADERS[kind].items()}
    columns: dict[str, int] = {}
    errors = []
    for index, cell in enumerate(header):
        f = headers.get(fold(cell))
        if f is None:
            continue  # extra columns are ignored
        if f in columns:
            errors.append(RowError(name, 1, _letter(index), "duplicate_header",
                                   f"Tiêu đề «{cell}» có hai lần (cột {_letter(columns[f])} và {_letter(index)})."))
        columns[f] = index
    for f in REQUIRED[kind]:
        if f not in columns:
            errors.append(RowError(name, 1, None, "missing_header",
                                   f"Thiếu cột «{COLUMN_OF[kind][f]}» trong dòng tiêu đề của «{name}»."))
    if errors:
        raise FileRejected(errors)
    return Table(kind, name, header, source, total, columns)


def _letter(index: int) -> str:
    """0 -> A, 26 -> AA (the column names a spreadsheet shows)."""
    name = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        name = chr(65 + rem) + name
    return name


column_letter = _letter
