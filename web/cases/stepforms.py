"""Forms generated from a step's `Field` declarations, for every procedure.

Input names follow the field paths: `d.vote.agree`, `d.certificate.number`,
`d.introducers.0.person_id`. The parser turns the posted strings into the JSON
shape `workflows.domain.fields.parse_data` validates (the engine checks it again) and
reports malformed input beside the exact input, with keys in the engine's own
format (`introducers[0].person_id`), so engine errors land in the same places.
"""
from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from web.common.forms import FormErrors
from web.common.params import ascii_digits
from workflows.domain.definition import Field, Step
from workflows.domain.field_rules import date_text
from workflows.domain.fields import VOTE_METHODS

PREFIX = "d"
LIST_ROWS_MAX = 50
VOTE_PARTS = ("date", "eligible", "agree", "disagree", "method")


def input_name(path: list[str | int]) -> str:
    return ".".join([PREFIX, *map(str, path)])


def error_key(path: list[str | int]) -> str:
    """The engine's key for a field path: certificate.number, introducers[0].person_id."""
    key = ""
    for part in path:
        if isinstance(part, int):
            key += f"[{part}]"
        else:
            key += ("." if key else "") + part
    return key


def list_rows(form: MultiDict | None, path: list[str | int], minimum: int = 2) -> int:
    """How many rows a list field shows: what was posted (plus one empty), at least `minimum`."""
    if not form:
        return minimum
    prefix = input_name(path) + "."
    indexes = set()
    for key in form.keys():
        if key.startswith(prefix):
            head = key[len(prefix):].split(".", 1)[0]
            if ascii_digits(head):
                indexes.add(int(head))
    return min(max(minimum, max(indexes, default=-1) + 2), LIST_ROWS_MAX)


def parse_date_text(text: str) -> str | None:
    """'07/05/2026', '07-05-2026', '07.05.2026' or '2026-05-07' → '2026-05-07'; None when none of them
    (the field rules' reading, workflows.domain.field_rules; the engine checks the range)."""
    return date_text(text)


class StepFormParser:
    """Posted strings → (data for the engine, errors beside their inputs)."""

    def __init__(self, form: MultiDict):
        self.form = form
        self.errors = FormErrors()

    def parse(self, fields: tuple[Field, ...]) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for f in fields:
            value = self._value(f, [f.name])
            if value is not None:
                data[f.name] = value
        return data

    # ------------------------------------------------------------ one field

    def _text(self, path: list[str | int]) -> str:
        return (self.form.get(input_name(path)) or "").strip()

    def _present(self, f: Field, path: list[str | int]) -> bool:
        """Anything typed for this field (or in it, for composite fields)?"""
        if f.kind in ("object", "vote", "list"):
            prefix = input_name(path) + "."
            return any(k.startswith(prefix) and (v or "").strip() for k, v in self.form.items(multi=True)
                       if not k.endswith(".method") or f.kind != "vote")
        if f.kind == "bool":
            return input_name(path) in self.form
        return bool(self._text(path))

    def _required(self, path: list[str | int]) -> None:
        self.errors.add(error_key(path), _("This field is required."), status=400)

    def _value(self, f: Field, path: list[str | int]) -> Any:
        if f.kind == "bool":
            checked = self.form.get(input_name(path)) in ("1", "on", "true", "yes")
            return True if checked else (False if f.required else None)
        if not self._present(f, path):
            if f.required:
                self._required(path)
            return None
        if f.kind == "object":
            inner = {}
            for item in f.items:
                value = self._value(item, [*path, item.name])
                if value is not None:
                    inner[item.name] = value
            return inner
        if f.kind == "list":
            return self._list(f, path)
        if f.kind == "vote":
            return self._vote(path)
        return self._scalar(f, path, self._text(path))

    def _scalar(self, f: Field, path: list[str | int], text: str) -> Any:
        key = error_key(path)
        if f.kind == "date":
            value = parse_date_text(text)
            if value is None:
                self.errors.add(key, _("Enter a real date as dd/mm/yyyy."), status=400)
            return value or text
        if f.kind in ("int", "ref"):
            if not ascii_digits(text) or len(text) > 9:
                self.errors.add(key, _("Enter a whole number."), status=400)
                return text
            return int(text)
        if f.kind == "enum":
            if text not in f.choices:
                self.errors.add(key, _("Choose one of the options."), status=400)
            return text
        if len(text) > f.max_length:
            self.errors.add(key, _("At most %(n)d characters.", n=f.max_length), status=400)
        return text

    def _vote(self, path: list[str | int]) -> dict[str, Any]:
        vote: dict[str, Any] = {}
        for part in VOTE_PARTS:
            text = self._text([*path, part])
            sub_key = error_key([*path, part])
            if not text:
                self.errors.add(sub_key, _("This field is required."), status=400)
                continue
            if part == "date":
                vote[part] = parse_date_text(text) or text
                if parse_date_text(text) is None:
                    self.errors.add(sub_key, _("Enter a real date as dd/mm/yyyy."), status=400)
            elif part == "method":
                if text not in VOTE_METHODS:
                    self.errors.add(sub_key, _("Choose one of the options."), status=400)
                vote[part] = text
            elif ascii_digits(text) and len(text) <= 6:
                vote[part] = int(text)
            else:
                self.errors.add(sub_key, _("Enter a whole number."), status=400)
                vote[part] = text
        if all(isinstance(vote.get(k), int) for k in ("eligible", "agree", "disagree")):
            if vote["eligible"] < 1:
                self.errors.add(error_key(path), _("The number of members entitled to vote must be at least 1."), status=400)
            elif vote["agree"] + vote["disagree"] > vote["eligible"]:
                self.errors.add(error_key(path), _("Agree and disagree together cannot exceed the members entitled to vote."), status=400)
        return vote

    def _list(self, f: Field, path: list[str | int]) -> list[dict[str, Any]]:
        items = []
        for index in range(list_rows(self.form, path, 0)):
            row_path = [*path, index]
            if not any(self._present(item, [*row_path, item.name]) for item in f.items if item.kind != "bool"):
                continue  # an empty row the form offered
            row = {}
            for item in f.items:
                value = self._value(item, [*row_path, item.name])
                if value is not None:
                    row[item.name] = value
            items.append(row)
        if not items and f.required:
            self._required(path)
        return items


def parse_step_form(step: Step, form: MultiDict) -> tuple[dict[str, Any], FormErrors]:
    """The data a step records, from a posted form."""
    parser = StepFormParser(form)
    return parser.parse(step.fields), parser.errors


def step_values(form: MultiDict | None) -> dict[str, str]:
    """The posted values by input name, to fill the form again after an error."""
    return {k: v for k, v in (form or MultiDict()).items() if k.startswith(PREFIX + ".")}


def today_iso(now: datetime | date) -> str:
    return now.isoformat()[:10]


class StepFormView:
    """What the form template needs for one action: names, ids, values, errors, choices."""

    def __init__(self, step: Step, form_id: str, *, values: MultiDict | None = None,
                 errors: FormErrors | None = None, ref_options: dict[str, list[tuple[int, str]]] | None = None,
                 defaults: dict[str, str] | None = None, choices: dict[str, tuple[str, ...]] | None = None):
        self.step = step
        self.limits = choices or {}
        self.form_id = form_id
        self.posted = values
        self.errors = errors or FormErrors()
        self.ref_options = ref_options or {}
        self.defaults = defaults or {}

    def name(self, path: list[str | int]) -> str:
        return input_name(path)

    def id(self, path: list[str | int]) -> str:
        return f"{self.form_id}-" + "-".join(map(str, path))

    def key(self, path: list[str | int]) -> str:
        return error_key(path)

    def value(self, path: list[str | int]) -> str:
        name = input_name(path)
        if self.posted is not None:
            return self.posted.get(name, "")
        return self.defaults.get(name, "")

    def date_value(self, path: list[str | int]) -> str:
        """A date as typed, or a stored ISO date shown as dd/mm/yyyy."""
        value = self.value(path)
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value or ""):
            year, month, day = value.split("-")
            return f"{day}/{month}/{year}"
        return value

    def checked(self, path: list[str | int]) -> bool:
        return self.value(path) in ("1", "on", "true", "yes")

    def rows(self, path: list[str | int], minimum: int = 2) -> list[int]:
        return list(range(list_rows(self.posted, path, minimum)))

    def messages(self, path: list[str | int]):
        return self.errors.for_field(error_key(path))

    def error_id(self, path: list[str | int]) -> str:
        return self.id(path) + "-error" if self.messages(path) else ""

    def options(self, f: Field) -> list[tuple[int, str]] | None:
        return self.ref_options.get(f.name)

    def choices(self, f: Field, path: list[str | int]) -> tuple[str, ...]:
        """The options of an enum the step's rules allow (only what can succeed is offered)."""
        return self.limits.get(f.name, f.choices) if len(path) == 1 else f.choices

    def methods(self, f: Field) -> tuple[str, ...]:
        """The vote methods the step's rules allow (a secret-ballot step offers no show of cards)."""
        return self.limits.get(f.name, VOTE_METHODS)

    def general(self):
        """Messages not placed beside any input of this form (unknown keys, rules without a field)."""
        known = {error_key(p) for p in self._paths(self.step.fields, [])}
        extra = list(self.errors.general)
        for key, entries in self.errors.by_field.items():
            if key not in known:
                extra.extend(entries)
        return extra

    def _paths(self, fields, prefix):
        for f in fields:
            path = [*prefix, f.name]
            yield path
            if f.kind == "vote":
                for part in VOTE_PARTS:
                    yield [*path, part]
            elif f.kind == "object":
                yield from self._paths(f.items, path)
            elif f.kind == "list":
                for index in range(LIST_ROWS_MAX):
                    yield [*path, index]
                    yield from self._paths(f.items, [*path, index])

    @property
    def needs_comment(self) -> bool:
        """A required comment that no field of the step (e.g. `reason`) already records."""
        return self.step.comment_required and not any(f.name == "reason" for f in self.step.fields)
