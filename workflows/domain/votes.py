"""Vote thresholds and the vote record every voting step stores.

Thresholds are integer arithmetic (procedures.md §2): "≥ 2/3 of N" is
``3 * agree >= 2 * N`` and "> 1/2 of N" is ``2 * agree > N``, where N is the
body's whole membership of official members, not those present.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "METHODS",
    "THRESHOLDS",
    "Vote",
    "at_least_two_thirds",
    "more_than_half",
    "passes",
]

METHODS: tuple[str, ...] = ("secret_ballot", "show_of_cards")

# Only the extended ISO form: date.fromisoformat also takes "20260213" and
# week dates on 3.11+, which a form field should not silently accept.
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


def _is_int(value: object) -> bool:
    """True for real ints; bool is an int subclass but never a count."""
    return isinstance(value, int) and not isinstance(value, bool)


def _check_counts(agree: int, eligible: int) -> None:
    """Reject counts no threshold can be computed from."""
    for name, value in (("agree", agree), ("eligible", eligible)):
        if not _is_int(value):
            raise TypeError(f"{name}: must be an integer")
        if value < 0:
            raise ValueError(f"{name}: must be an integer ≥ 0")
    if eligible == 0:
        # With no members, 0 ≥ 0 would "pass" two thirds: refuse instead.
        raise ValueError("eligible: must be at least 1")
    if agree > eligible:
        raise ValueError(f"agree: {agree} exceeds eligible ({eligible})")


def at_least_two_thirds(agree: int, eligible: int) -> bool:
    """True if agree is at least two thirds of eligible (3·agree ≥ 2·eligible)."""
    _check_counts(agree, eligible)
    return 3 * agree >= 2 * eligible


def more_than_half(agree: int, eligible: int) -> bool:
    """True if agree is strictly more than half of eligible (2·agree > eligible)."""
    _check_counts(agree, eligible)
    return 2 * agree > eligible


THRESHOLDS: dict[str, Callable[[int, int], bool]] = {
    "two_thirds": at_least_two_thirds,
    "half": more_than_half,
}


def passes(threshold: str, agree: int, eligible: int) -> bool:
    """Apply the threshold named in a procedure definition to a vote count."""
    try:
        rule = THRESHOLDS[threshold]
    except (KeyError, TypeError):
        known = ", ".join(sorted(THRESHOLDS))
        raise ValueError(f"threshold: unknown {threshold!r}; expected one of {known}") from None
    return rule(agree, eligible)


@dataclass(frozen=True)
class Vote:
    """A recorded vote: when, how many could vote, for, against, and how."""

    date: dt.date
    eligible: int
    agree: int
    disagree: int
    method: str

    def __post_init__(self) -> None:
        """Validate invariants so no invalid Vote exists, however it was built."""
        if isinstance(self.date, dt.datetime) or not isinstance(self.date, dt.date):
            raise ValueError("date: must be a calendar date (YYYY-MM-DD)")
        for name in ("eligible", "agree", "disagree"):
            value = getattr(self, name)
            if not _is_int(value) or value < 0:
                raise ValueError(f"{name}: must be an integer ≥ 0")
        if self.eligible < 1:
            raise ValueError("eligible: must be at least 1")
        if self.agree + self.disagree > self.eligible:
            raise ValueError(
                f"agree: agree + disagree ({self.agree + self.disagree}) "
                f"exceeds eligible ({self.eligible})"
            )
        if self.method not in METHODS:
            raise ValueError(f"method: must be one of {', '.join(METHODS)}")

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> Vote:
        """Build a Vote from a payload, raising ValueError that names the bad field."""
        if not isinstance(raw, Mapping):
            raise ValueError("vote: must be a mapping of fields")
        # Unknown keys are ignored: a transition payload carries other fields
        # (comment, documents) next to the vote.
        for name in ("date", "eligible", "agree", "disagree", "method"):
            if name not in raw or raw[name] is None:
                raise ValueError(f"{name}: is required")
        return cls(
            date=_parse_date(raw["date"]),
            eligible=raw["eligible"],
            agree=raw["agree"],
            disagree=raw["disagree"],
            method=raw["method"],
        )

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form; Vote.parse(v.as_dict()) == v."""
        return {
            "date": self.date.isoformat(),
            "eligible": self.eligible,
            "agree": self.agree,
            "disagree": self.disagree,
            "method": self.method,
        }

    def passes(self, threshold: str) -> bool:
        """Apply a named threshold to this vote's agree count and eligible total."""
        return passes(threshold, self.agree, self.eligible)


def _parse_date(value: object) -> dt.date:
    """Accept a date or a YYYY-MM-DD string; anything else names the field."""
    if isinstance(value, str):
        if not _ISO_DATE.fullmatch(value):
            raise ValueError("date: must be a calendar date (YYYY-MM-DD)")
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"date: {value!r} is not a valid date") from None
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise ValueError("date: must be a calendar date (YYYY-MM-DD)")
    return value
