"""Validation of the data a step records, from its `Field` declarations.

The same declarations drive the web forms and the API schemas, so a value is
checked the same way whichever door it came in by; the checks themselves are the
field rules of workflows.domain.field_rules (text, dates, counts).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from workflows.domain import field_rules
from workflows.domain.definition import Field
from workflows.domain.errors import InvalidInput
from workflows.domain.field_rules import FieldError as _FieldError
from workflows.domain.votes import Vote

VOTE_METHODS = ("secret_ballot", "show_of_cards")
MAX_ID = 2**31 - 1  # ids are the database's 32-bit integers


def parse_data(fields: Sequence[Field], raw: Any) -> dict[str, Any]:
    """Validate `raw` against `fields`; return clean values (dates as `date`) or raise InvalidInput.

    Unknown keys are kept out of the result: a step records exactly what it declares.
    """
    if raw is None:
        raw = {}
    if not isinstance(raw, Mapping):
        raise InvalidInput("Dữ liệu phải là một đối tượng JSON.", "data must be a JSON object.")
    clean: dict[str, Any] = {}
    errors_vi: dict[str, str] = {}
    errors_en: dict[str, str] = {}
    _parse_into(fields, raw, clean, errors_vi, errors_en, prefix="")
    if errors_en:
        detail_vi = "; ".join(f"{k}: {v}" for k, v in errors_vi.items())
        detail_en = "; ".join(f"{k}: {v}" for k, v in errors_en.items())
        raise InvalidInput(f"Dữ liệu chưa hợp lệ — {detail_vi}", f"Invalid data — {detail_en}", errors_en)
    return clean


VOTE_KEYS = ("date", "eligible", "agree", "disagree", "method")


def _parse_into(fields, raw, clean, errors_vi, errors_en, prefix) -> None:
    for f in fields:
        key = prefix + f.name
        value = raw.get(f.name)
        if f.kind == "vote" and value is None and "eligible" in raw and "agree" in raw:
            # api.md writes a vote step's data as the vote itself ("vote + proposal"):
            # {date, eligible, agree, disagree, method, proposal}; take the vote from the top level.
            value = {k: raw[k] for k in VOTE_KEYS if k in raw}
        if value is None or value == "":
            if f.required:
                errors_vi[key] = "bắt buộc phải nhập"
                errors_en[key] = "is required"
            continue
        try:
            clean[f.name] = _parse_value(f, value, key, errors_vi, errors_en)
        except _FieldError as exc:
            errors_vi[key] = exc.vi
            errors_en[key] = exc.en


def _parse_value(f: Field, value: Any, key: str, errors_vi, errors_en) -> Any:
    kind = f.kind
    if kind == "date":
        return parse_date(value)
    if kind == "ref":
        return field_rules.clean_count(value, minimum=1, maximum=MAX_ID)
    if kind == "int":
        return field_rules.clean_count(value, minimum=f.minimum, maximum=f.maximum)
    if kind in ("str", "text"):
        return field_rules.clean_text(value, max_length=f.max_length, multiline=kind == "text",
                                      required=f.required) or ""
    if kind == "bool":
        if isinstance(value, bool):
            return value
        if value in ("true", "1", "on", "yes"):
            return True
        if value in ("false", "0", "off", "no"):
            return False
        raise _FieldError("phải là đúng/sai", "must be true or false")
    if kind == "enum":
        if value not in f.choices:
            raise _FieldError(
                "phải là một trong: " + ", ".join(f.choices), "must be one of: " + ", ".join(f.choices)
            )
        return value
    if kind == "vote":
        if not isinstance(value, Mapping):
            raise _FieldError("phải là kết quả biểu quyết", "must be a vote object")
        value = _vote_counts(value, key, errors_vi, errors_en)
        try:
            vote = Vote.parse(value)
        except ValueError as exc:
            raise _FieldError(_vote_message_vi(str(exc)), str(exc)) from None
        return vote
    if kind == "object":
        if value is True and f.flag:
            return True
        if not isinstance(value, Mapping):
            raise _FieldError("phải là một đối tượng", "must be an object")
        inner: dict[str, Any] = {}
        _parse_into(f.items, value, inner, errors_vi, errors_en, prefix=key + ".")
        return inner
    if kind == "list":
        if not isinstance(value, list):
            raise _FieldError("phải là một danh sách", "must be a list")
        if len(value) > 50:
            raise _FieldError("danh sách quá dài", "has too many items")
        items = []
        for i, item in enumerate(value):
            if not isinstance(item, Mapping):
                errors_vi[f"{key}[{i}]"] = "phải là một đối tượng"
                errors_en[f"{key}[{i}]"] = "must be an object"
                continue
            inner = {}
            _parse_into(f.items, item, inner, errors_vi, errors_en, prefix=f"{key}[{i}].")
            items.append(inner)
        return items
    raise AssertionError(f"unknown field kind {kind}")


def _vote_counts(value: Mapping, key: str, errors_vi, errors_en) -> Mapping:
    """A vote's counts within the field rules' bounds (eligible 1..MAX_COUNT), its date as written."""
    checked = dict(value)
    for part, minimum in (("eligible", 1), ("agree", 0), ("disagree", 0)):
        if part in checked and checked[part] is not None:
            try:
                checked[part] = field_rules.clean_count(checked[part], minimum=minimum)
            except _FieldError as exc:
                raise _FieldError(f"{part}: {exc.vi}", f"{part}: {exc.en}") from None
    if isinstance(checked.get("date"), str):
        checked["date"] = parse_date(checked["date"])
    return checked


def parse_date(value: Any) -> date:
    """A calendar date `date` or 'YYYY-MM-DD' (the web forms convert what was typed first) in the plausible range."""
    return field_rules.parse_date(value, iso_only=True)


def _vote_message_vi(message_en: str) -> str:
    field, _, _ = message_en.partition(":")
    return f"{field}: kết quả biểu quyết không hợp lệ ({message_en})"


def to_json(value: Any) -> Any:
    """The JSON-storable form of clean data: dates as ISO strings, votes as dicts."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Vote):
        return value.as_dict()
    if isinstance(value, Mapping):
        return {k: to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    return value
