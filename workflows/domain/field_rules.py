"""The rules a value obeys whichever door it came in by: web form, REST API or import.

One place, so the API cannot accept what the UI refuses: text is NFC and printable
(no control characters, no lone surrogates, no bidirectional overrides), e-mail
addresses have the shape of a deliverable address (checked without DNS), dates are
written as the user writes them (05/03/2001, 05-03-2001, 05.03.2001 or ISO) and fall in
a plausible range, and counts are bounded so no database integer overflows.

Each check raises `FieldError` with a Vietnamese and an English message; callers
attach it to the field's name (workflows.domain.fields, workflows.directory, the
import) and raise InvalidInput, so a bad value is a 400 and nothing is written.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Any

from .text import normalise_multiline, normalise_text

# Dates: nothing the procedures record happened before 1900 or will after 2199 (working-day arithmetic
# and the holiday tables are meaningless outside); a date of joining is not before the Party was founded.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2199, 12, 31)
PARTY_FOUNDED = date(1930, 2, 3)
# Counts: no party body has more voting members than this; far inside every database integer.
MAX_COUNT = 100_000

_DMY = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4})", re.ASCII)
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_EMAIL_LOCAL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*", re.ASCII)
_EMAIL_LABEL = re.compile(r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?", re.ASCII)
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_MULTILINE_ALLOWED = frozenset("\n\r\t")


class FieldError(ValueError):
    """One value broke one rule; `vi` and `en` say which."""

    def __init__(self, vi: str, en: str):
        super().__init__(en)
        self.vi, self.en = vi, en


REQUIRED = FieldError("bắt buộc phải nhập", "is required")


def unprintable(value: str, *, multiline: bool = False) -> str | None:
    """The first character a stored text may not hold (control, lone surrogate, unassigned, bidi override)."""
    for char in value:
        if multiline and char in _MULTILINE_ALLOWED:
            continue
        if unicodedata.category(char) in ("Cc", "Cs", "Cn") or char in _BIDI_CONTROLS:
            return char
    return None


def clean_text(value: Any, *, max_length: int, multiline: bool = False, required: bool = True) -> str | None:
    """Text as stored: NFC, trimmed, printable, at most `max_length` characters; None when empty and optional."""
    if not isinstance(value, str):
        raise FieldError("phải là chuỗi ký tự", "must be a string")
    bad = unprintable(value, multiline=multiline)
    if bad is not None:
        raise FieldError(f"chứa ký tự không in được (U+{ord(bad):04X})",
                         f"contains a character that cannot be printed (U+{ord(bad):04X})")
    text = normalise_multiline(value) if multiline else normalise_text(value)
    if not text:
        if required:
            raise REQUIRED
        return None
    if len(text) > max_length:
        raise FieldError(f"dài quá {max_length} ký tự", f"is longer than {max_length} characters")
    return text


def clean_email(value: Any, *, required: bool = False) -> str | None:
    """An e-mail address of the form name@domain.tld (letters, digits and the usual signs; no DNS look-up)."""
    if value is None and not required:
        return None
    text = clean_text(value, max_length=254, required=required)
    if text is None:
        return None
    local, at, domain = text.rpartition("@")
    labels = domain.split(".")
    if (not at or len(local) > 64 or not _EMAIL_LOCAL.fullmatch(local) or len(labels) < 2
            or not all(_EMAIL_LABEL.fullmatch(label) for label in labels) or not labels[-1].isalpha()
            or len(labels[-1]) < 2):
        raise FieldError("phải là địa chỉ thư điện tử dạng ten@mien.vn", "must be an e-mail address like name@example.vn")
    return text


def parse_date(value: Any, *, earliest: date = EARLIEST_DATE, latest: date = LATEST_DATE,
               iso_only: bool = False) -> date:
    """A date as written: 05/03/2001, 05-03-2001, 05.03.2001 (day first) or 2001-03-05, within [earliest, latest].

    `iso_only`: the machine interfaces (the API's JSON, step data) take YYYY-MM-DD only (api.md); the web forms
    turn what was typed into it first (`date_text`)."""
    if isinstance(value, date):
        day = value
    elif isinstance(value, str):
        text = value.strip()
        day = (_date_from_text(text) if _ISO.fullmatch(text) else None) if iso_only else _date_from_text(text)
    else:
        day = None
    if day is None:
        if iso_only:
            raise FieldError("phải là ngày dạng YYYY-MM-DD", "must be a date YYYY-MM-DD")
        raise FieldError("phải là ngày dạng dd/mm/yyyy", "must be a date dd/mm/yyyy (or YYYY-MM-DD)")
    if not earliest <= day <= latest:
        raise FieldError(f"phải từ ngày {earliest:%d/%m/%Y} đến ngày {latest:%d/%m/%Y}",
                         f"must be between {earliest.isoformat()} and {latest.isoformat()}")
    return day


def _date_from_text(text: str) -> date | None:
    try:
        found = _DMY.fullmatch(text)
        if found:
            return date(int(found.group(4)), int(found.group(3)), int(found.group(1)))
        if _ISO.fullmatch(text):
            return date.fromisoformat(text)
    except ValueError:
        return None
    return None


def date_text(value: Any) -> str | None:
    """A date as written → ISO 'YYYY-MM-DD' (None when it is no date); the range is not checked here."""
    day = _date_from_text(value.strip()) if isinstance(value, str) else None
    return day.isoformat() if day else None


def clean_count(value: Any, *, minimum: int = 0, maximum: int = MAX_COUNT) -> int:
    """A whole number in [minimum, maximum] (JSON numbers or digit strings; never a bool)."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise FieldError("phải là số nguyên", "must be an integer")
    if isinstance(value, str):
        if not value.strip().isdigit() or len(value.strip()) > 12:
            raise FieldError("phải là số nguyên", "must be an integer")
        value = int(value.strip())
    if not minimum <= value <= maximum:
        raise FieldError(f"phải từ {minimum} đến {maximum}", f"must be between {minimum} and {maximum}")
    return value
