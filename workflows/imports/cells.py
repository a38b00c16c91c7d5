"""Reading one cell: text NFC-normalised, dates in the three accepted forms, identity and card numbers.

Each reader returns the clean value or raises CellError with the Vietnamese
reason; the caller adds the sheet, row and column.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime

from workflows.imports.layout import fold

MAX_TEXT = {"name": 200, "full_name": 200, "home_address": 400, "email": 254, "code": 64}
EARLIEST = date(1900, 1, 1)
PARTY_FOUNDED = date(1930, 2, 3)  # no one joined the Party before it was founded

_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_EMAIL = re.compile(r"^[^@\s<>\"']+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$")
_CARD = re.compile(r"^[0-9A-Za-z][0-9A-Za-z./-]{2,30}$")
_PHONE = re.compile(r"^\+?[0-9 .()-]{8,20}$")


class CellError(ValueError):
    """A cell that cannot be read: `code` for machines, `message` in Vietnamese."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


def normalise_text(value: str) -> str:
    """Text as stored: NFC (what Unikey's «Unicode tổ hợp» and macOS type is decomposed), spaces collapsed.

    The project's shared normaliser (workflows/domain/text.py, issue 13) does the same; this one is the
    import's until the two meet.
    """
    return " ".join(unicodedata.normalize("NFC", value).split())


def text(value, *, limit: int = 200) -> str:
    """A cell as text ('' when empty); numbers typed into a text column read as they show."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (datetime, date)):
        value = value.strftime("%d/%m/%Y")
    result = normalise_text(str(value))
    if _CONTROL.search(result):
        raise CellError("control_character", "Có ký tự điều khiển không in được.")
    if len(result) > limit:
        raise CellError("too_long", f"Dài quá {limit} ký tự ({len(result)}).")
    return result


def a_date(value, *, earliest: date = EARLIEST, latest: date | None = None) -> date | None:
    """dd/mm/yyyy, yyyy-mm-dd or a real spreadsheet date; None when the cell is empty."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        day = value.date()
    elif isinstance(value, date):
        day = value
    elif isinstance(value, str):
        raw = value.strip()
        found = _DMY.match(raw)
        iso = _ISO.match(raw)
        try:
            if found:
                d, m, y = (int(x) for x in found.groups())
            elif iso:
                y, m, d = (int(x) for x in iso.groups())
            else:
                raise CellError("invalid_date", f"«{raw}» không phải ngày dạng dd/mm/yyyy.")
            day = date(y, m, d)
        except ValueError:
            raise CellError("invalid_date", f"Ngày «{raw}» không có thật.") from None
    else:
        raise CellError("invalid_date", f"«{value}» không phải ngày dạng dd/mm/yyyy (ô đang là số, hãy định "
                                        "dạng ô là ngày hoặc văn bản).")
    if day < earliest or (latest is not None and day > latest):
        bound = f"từ {earliest:%d/%m/%Y}" + (f" đến {latest:%d/%m/%Y}" if latest else "")
        raise CellError("date_out_of_range", f"Ngày {day:%d/%m/%Y} nằm ngoài khoảng hợp lệ ({bound}).")
    return day


def identity_number(value) -> str | None:
    """The 12 digits of a citizen identity card (CCCD)."""
    raw = _digits_cell(value)
    if not raw:
        return None
    if not raw.isdigit() or len(raw) != 12:
        hint = (" Ô đang là số nên Excel đã bỏ số 0 ở đầu: hãy định dạng cột là văn bản."
                if raw.isdigit() and len(raw) == 11 and not isinstance(value, str) else "")
        raise CellError("invalid_identity_number",
                        f"Số CCCD «{raw}» phải gồm đúng 12 chữ số (đang có {len(raw)} ký tự).{hint}")
    return raw


def card_number(value) -> str | None:
    raw = _digits_cell(value)
    if not raw:
        return None
    if not _CARD.match(raw):
        raise CellError("invalid_card_number", f"Số thẻ đảng viên «{raw}» không hợp lệ (chữ số, chữ cái, dấu chấm, "
                                               "gạch ngang; 3 đến 31 ký tự).")
    return raw


def email(value) -> str | None:
    raw = text(value, limit=254)
    if not raw:
        return None
    if not _EMAIL.match(raw):
        raise CellError("invalid_email", f"«{raw}» không phải địa chỉ email.")
    return raw


def phone(value) -> str | None:
    raw = _digits_cell(value)
    if not raw:
        return None
    if not _PHONE.match(raw) or sum(c.isdigit() for c in raw) < 8:
        raise CellError("invalid_phone", f"Số điện thoại «{raw}» không hợp lệ.")
    return raw


def choice(value, table: dict[str, str], words: list[str], what: str) -> str | None:
    raw = text(value)
    if not raw:
        return None
    code = table.get(fold(raw))
    if code is None:
        raise CellError(f"unknown_{what}", f"«{raw}» không phải giá trị hợp lệ; chọn một trong: "
                                            + ", ".join(words) + ".")
    return code


def _digits_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return normalise_text(str(value))
