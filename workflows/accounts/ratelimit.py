"""Request rate limits shared by every process: fixed windows counted in the database (issue 14, item 6).

A limit reads like the configuration (`1200/minute`, `20/second`, `0` = none). Each request adds one
to its key's counter for the current window with a single INSERT … ON CONFLICT DO UPDATE … RETURNING,
so two web processes (or two servers on one PostgreSQL) share the count, and the answer says how many
seconds are left in the window (the `Retry-After` of a 429).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from models import RateCounter
from workflows.domain.errors import QuytrinhError

UNITS = {"second": 1, "minute": 60, "hour": 3600}
_LIMIT = re.compile(r"^\s*(\d+)\s*/\s*(second|minute|hour)s?\s*$")
KEEP_SECONDS = 24 * 3600  # counters older than a day are swept away


@dataclass(frozen=True)
class Limit:
    count: int
    seconds: int

    @classmethod
    def parse(cls, text: str | None) -> Limit | None:
        """`N/second`, `N/minute` or `N/hour`; `0` (or empty) means no limit. Anything else is refused."""
        text = (text or "").strip()
        if text in ("", "0"):
            return None
        found = _LIMIT.match(text)
        if not found or int(found.group(1)) < 1:
            raise ValueError(f"a rate limit reads like '1200/minute' or '0' (none), not {text!r}")
        return cls(int(found.group(1)), UNITS[found.group(2)])


@dataclass(frozen=True)
class RateLimits:
    """The two limits of api.md: per token, and per address for requests without valid credentials."""

    token: Limit | None = None
    anonymous: Limit | None = None


class RateLimited(QuytrinhError):
    """Too many requests in the current window; `retry_after` seconds until it ends."""

    code = "too_many_requests"

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"Quá nhiều yêu cầu; vui lòng thử lại sau {retry_after} giây.",
                         f"Too many requests; try again in {retry_after} seconds.", {"retry_after": retry_after})
        self.retry_after = retry_after


@dataclass(frozen=True)
class Count:
    """This request's number in its key's window, and the seconds left in that window."""

    number: int
    retry_after: int


def count(session: Session, key: str, seconds: int, now: datetime) -> Count:
    """Add one to `key`'s counter of the current `seconds`-long window (inside the caller's transaction)."""
    instant = int(now.timestamp())
    window = instant - instant % seconds
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = (dialect.insert(RateCounter).values(key=key[:200], window_start=window, count=1)
                 .on_conflict_do_update(index_elements=["key", "window_start"],
                                        set_={"count": RateCounter.count + 1})
                 .returning(RateCounter.count))
    number = session.execute(statement).scalar_one()
    if number == 1:
        # A key's first request of a window: a good moment to forget windows long past (all keys).
        session.execute(delete(RateCounter).where(RateCounter.window_start < instant - KEEP_SECONDS))
    return Count(number, window + seconds - instant)

