"""Named domain errors. The edges (web, API) map each to one HTTP status in one place.

Every error carries its message in Vietnamese and English; `code` is the
stable identifier of the API's error table (api.md).
"""
from __future__ import annotations

from typing import Any


class QuytrinhError(Exception):
    """Base of every domain error; nothing was written when one is raised."""

    code = "error"

    def __init__(self, message_vi: str, message_en: str, details: dict[str, Any] | None = None):
        super().__init__(message_en)
        self.message_vi = message_vi
        self.message_en = message_en
        self.details = details or {}

    def message(self, lang: str = "vi") -> str:
        """The message in the given language (Vietnamese unless 'en')."""
        return self.message_en if lang == "en" else self.message_vi


class InvalidInput(QuytrinhError):
    """Malformed or missing data, an unknown procedure or trigger. `details.fields` names the fields."""

    code = "invalid_input"

    def __init__(self, message_vi: str, message_en: str, fields: dict[str, str] | None = None,
                 fields_vi: dict[str, str] | None = None):
        super().__init__(message_vi, message_en, {"fields": fields or {}})
        self.fields = fields or {}
        # The per-field details in Vietnamese, for pages (the API's `details.fields` stay as they are).
        self.fields_vi = fields_vi or {}

    def field_message(self, key: str, lang: str = "vi") -> str | None:
        """A field's detail in the language, when the error has one in it."""
        if lang == "en":
            return self.fields.get(key)
        return self.fields_vi.get(key)


_OBJECT_NAMES_EN = {"hồ sơ": "case", "tổ chức": "organisation", "người": "person", "người dùng": "user",
                    "tài liệu": "document", "token": "token"}


class NotFound(QuytrinhError):
    """No such object, or one the actor may not see (indistinguishable on purpose)."""

    code = "not_found"

    def __init__(self, what: str, ident: Any):
        what_en = _OBJECT_NAMES_EN.get(what, what)
        super().__init__(
            f"Không tìm thấy {what} «{ident}».", f"No {what_en} '{ident}'.", {"id": ident}
        )


class Forbidden(QuytrinhError):
    """The actor's roles do not allow this at this organisation."""

    code = "forbidden"


class TransitionNotAllowed(QuytrinhError):
    """The trigger does not apply in the case's current state."""

    code = "transition_not_allowed"

    def __init__(self, trigger: str, state: str):
        super().__init__(
            f"Không thể thực hiện bước «{trigger}» khi hồ sơ đang ở trạng thái «{state}».",
            f"Step '{trigger}' cannot be taken while the case is in state '{state}'.",
            {"trigger": trigger, "state": state},
        )


class ConflictingUpdate(QuytrinhError):
    """Another change to the same case won; reload and try again."""

    code = "conflict"

    def __init__(self, case_id: int, expected: int | None, actual: int | None):
        super().__init__(
            "Hồ sơ vừa được người khác cập nhật. Vui lòng tải lại trang và thực hiện lại.",
            "The case was just changed by someone else. Reload it and try again.",
            {"case_id": case_id, "expected_revision": expected, "current_revision": actual},
        )


class RuleViolation(QuytrinhError):
    """One or more rules of the procedure fail; `details.rules` lists them with their legal source."""

    code = "rule_violated"

    def __init__(self, failures: list[dict[str, Any]]):
        vi = "; ".join(f["message_vi"] for f in failures)
        en = "; ".join(f["message_en"] for f in failures)
        super().__init__(vi, en, {"rules": failures})
        self.failures = failures

    @property
    def rule_ids(self) -> list[str]:
        """The ids of the failing rules, in the order they were checked."""
        return [f["id"] for f in self.failures]


class NotAvailable(QuytrinhError):
    """The thing exists but not yet for this case (a form whose step has not been recorded)."""

    code = "not_available"

    def __init__(self, message_vi: str, message_en: str, details: dict[str, Any] | None = None):
        super().__init__(message_vi, message_en, details or {})
