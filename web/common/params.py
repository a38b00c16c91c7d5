"""Query-string parameters read by the field rules (workflows.domain.field_rules), so a filter refuses what a
form refuses: dates as people write them within 1900–2199, page numbers bounded — a 400, never a 500."""
from __future__ import annotations

from datetime import date

from flask import request

from workflows.domain import field_rules
from workflows.domain.errors import InvalidInput
from workflows.domain.field_rules import FieldError

PAGE_MAX = 100_000


def ascii_digits(text: str) -> bool:
    """Only 0–9: str.isdigit() also accepts «²» or «٣», which int() then refuses (a 500 instead of a 400)."""
    return text.isascii() and text.isdigit()


def date_arg(name: str, default: date | None = None) -> date | None:
    """The date in ?name= (dd/mm/yyyy, dd-mm-yyyy, dd.mm.yyyy or ISO), or `default` when absent."""
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return default
    try:
        return field_rules.parse_date(raw)
    except FieldError as exc:
        raise InvalidInput(f"Ngày «{raw[:20]}» không hợp lệ: {exc.vi}.", f"'{raw[:20]}' is not a valid date: {exc.en}.",
                           {name: exc.en}) from None


def page_arg(name: str = "page") -> int:
    """A page number 1..PAGE_MAX from ?page= (1 when absent)."""
    raw = (request.args.get(name) or "1").strip()
    try:
        return field_rules.clean_count(raw, minimum=1, maximum=PAGE_MAX)
    except FieldError as exc:
        raise InvalidInput(f"Số trang không hợp lệ: {exc.vi}.", f"Invalid page number: {exc.en}.", {name: exc.en}) from None

