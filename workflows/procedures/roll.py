"""A cell's roll on a date, derived from its persons and the cases that change who counts in a vote.

No person flag says "exempt", "suspended" or "away": the cases do (procedures `exemption`, `suspension`,
`activity_transfer`), each with the dates its steps recorded, so a vote recorded today for a meeting held
last month is measured against the roll of that day.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from workflows.domain.definition import Roll

# The procedures whose cases the roll reads (their module NAMEs).
EXEMPTION, SUSPENSION, TRANSFER = "exemption", "suspension", "activity_transfer"
ROLL_PROCEDURES = (EXEMPTION, SUSPENSION, TRANSFER)


@dataclass(frozen=True)
class Member:
    """A person on the organisation's books (current or former)."""

    id: int
    membership_status: str
    official_on: date | None
    left_on: date | None


@dataclass(frozen=True)
class CaseRecord:
    """One case of ROLL_PROCEDURES: its state and what its steps recorded."""

    procedure: str
    state: str
    person_id: int
    data: Mapping[str, Any]


def _day(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _recorded(data: Mapping[str, Any], trigger: str, *path: str) -> date | None:
    value: Any = data.get(trigger) or {}
    for part in path:
        value = value.get(part) if isinstance(value, Mapping) else None
    return _day(value)


def _official_on(member: Member, on: date) -> bool:
    """An official member that day: official since then (or since an unknown date), not yet gone."""
    if member.membership_status == "official":
        return member.official_on is None or member.official_on <= on
    if member.membership_status == "former":  # left after the vote: still on the roll that day
        return member.official_on is not None and member.official_on <= on \
            and member.left_on is not None and member.left_on > on
    return False


def _in_effect(start: date | None, end: date | None, on: date) -> bool:
    return start is not None and start <= on and (end is None or on < end)


def interval(case: CaseRecord) -> tuple[str, date | None, date | None] | None:
    """Which set of the roll a case puts its person in, from when, until when (None: in none)."""
    data = case.data
    if case.procedure == EXEMPTION:
        if (data.get("open") or {}).get("extent") != "exempt" or case.state not in ("exempt", "ended"):
            return None
        return "exempt", _recorded(data, "cell_decide", "vote", "date"), _recorded(data, "end_exemption", "date")
    if case.procedure == SUSPENSION:
        if case.state not in ("suspended", "lifted", "closed"):
            return None
        end = _recorded(data, "lift", "date") or _recorded(data, "close_after_discipline", "date")
        return "suspended", _recorded(data, "suspend", "decision_date"), end
    if case.procedure == TRANSFER:
        if (data.get("open") or {}).get("kind") != "temporary" or case.state not in ("temporarily_active", "returned"):
            return None
        return "away", _recorded(data, "record_arrival", "date"), _recorded(data, "record_return", "date")
    return None


def _arrived_after(case: CaseRecord, on: date) -> bool:
    """An official transfer into this organisation recorded after that day: not yet on its roll then."""
    if case.procedure != TRANSFER or case.state != "received":
        return False
    arrived = _recorded(case.data, "record_arrival", "date")
    return arrived is not None and arrived > on


def build_roll(on: date, members: Iterable[Member], cases: Iterable[CaseRecord]) -> Roll:
    """The roll on `on` of the organisation `members` belong to, given those members' ROLL_PROCEDURES cases."""
    cases = list(cases)
    late_arrivals = {c.person_id for c in cases if _arrived_after(c, on)}
    official = frozenset(m.id for m in members if _official_on(m, on) and m.id not in late_arrivals)
    sets: dict[str, set[int]] = {"exempt": set(), "suspended": set(), "away": set()}
    for case in cases:
        found = interval(case)
        if found is not None and case.person_id in official and _in_effect(found[1], found[2], on):
            sets[found[0]].add(case.person_id)
    return Roll(official, **{name: frozenset(ids) for name, ids in sets.items()})
