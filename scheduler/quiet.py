"""Quiet hours: mail goes out on working days between 07:00 and 20:00 Vietnam time, judged at the scheduler's
now; a person may choose any time (NotificationPreference.any_time)."""
from __future__ import annotations

from datetime import datetime

from workflows.engine import LOCAL_ZONE, Runtime

DEFAULT = (7, 20)  # mail from 07:00 until 20:00 (QUYTRINH_QUIET_HOURS="7-20"; "none": at any hour)


def parse_window(text: str | None) -> tuple[int, int] | None:
    """"7-20" → (7, 20); "none" → None (no quiet hours). A ValueError names what is wrong."""
    if text is None or str(text).strip() == "":
        return DEFAULT
    if str(text).strip().lower() == "none":
        return None
    try:
        opens, closes = (int(part) for part in str(text).split("-"))
    except ValueError:
        raise ValueError(f"QUIET_HOURS: expected hours like 7-20 or none, got {text!r}") from None
    if not 0 <= opens < closes <= 24:
        raise ValueError(f"QUIET_HOURS: {text!r} is not a window within one day")
    return opens, closes


def in_quiet_hours(rt: Runtime, now: datetime, window: tuple[int, int] | None = DEFAULT) -> bool:
    """Outside the window on a working day (weekends, public holidays and the admins' days off are quiet)."""
    if window is None:
        return False
    local = now.astimezone(LOCAL_ZONE)
    return not (rt.calendar().is_working_day(local.date()) and window[0] <= local.hour < window[1])
