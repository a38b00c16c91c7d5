"""Who receives a reminder: the nearest holders of the deadline's role, up the organisation tree.

A role held at an organisation applies to its whole subtree (architecture.md
principle 9), so a deadline "for the standing committee at the commune" is
also within the province standing committee's reach. Mailing every holder up
to the root would flood the province with every cell's chores: the nearest
organisation (the deadline's own, else its closest ancestor) with an active
holder who has an e-mail address is the one reminded.
"""
from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import RoleAssignment, User


@dataclass(frozen=True, eq=False)
class Recipient:
    user_id: int
    email: str
    name: str
    locale: str
    digest: bool

    @functools.cached_property
    def json_fields(self) -> str:
        """'"recipient": …, "locale": …' — this recipient's part of a reminder payload, as JSON."""
        return f'"recipient": {json.dumps(self.name, ensure_ascii=False)}, "locale": "{self.locale}"'


def path_ids(path: str) -> tuple[int, ...]:
    """Organisation ids from the root down to the organisation itself, from its materialised path."""
    return tuple(int(part) for part in path.strip("/").split("/") if part)


class RecipientDirectory:
    """Active, mailable role holders by organisation, loaded once per organisation during a scan.

    The number of organisations bounds this cache, not the number of deadlines.
    """

    def __init__(self) -> None:
        self._holders: dict[tuple[int, str], list[Recipient]] = {}
        self._loaded: set[int] = set()
        self._audiences: dict[tuple[str, str, str | None], list[tuple[Recipient, bool]]] = {}

    def load(self, session: Session, organisation_ids: Iterable[int]) -> None:
        """Fetch the holders at the organisations not seen yet (two indexed queries, whatever their number).

        Role assignments by organisation, then their users by id: joined in one statement with a
        long IN list, SQLite scans the users and probes every organisation for each.
        """
        missing = sorted(set(organisation_ids) - self._loaded)
        if not missing:
            return
        grants = session.execute(
            select(RoleAssignment.organisation_id, RoleAssignment.role, RoleAssignment.user_id)
            .where(RoleAssignment.organisation_id.in_(missing))
        ).all()
        self._loaded.update(missing)
        user_ids = sorted({user_id for _, _, user_id in grants})
        users = {row.id: row for row in session.execute(
            select(User.id, User.email, User.display_name, User.username, User.locale, User.digest)
            .where(User.id.in_(user_ids), User.active.is_(True))
        )} if user_ids else {}
        for org_id, role, user_id in sorted(grants, key=lambda g: g[2]):
            user = users.get(user_id)
            if user is None or not user.email:
                continue  # inactive, or nowhere to send
            self._holders.setdefault((org_id, role), []).append(Recipient(
                user.id, user.email, user.display_name or user.username, "en" if user.locale == "en" else "vi",
                bool(user.digest)))

    def load_paths(self, session: Session, paths: Iterable[str]) -> None:
        """Fetch the holders of every organisation on these materialised paths not seen yet."""
        self.load(session, {org for path in set(paths) for org in path_ids(path)})

    def audience(self, path: str, role: str, copy_role: str | None) -> list[tuple[Recipient, bool]]:
        """(recipient, is a copy) for a deadline of `role` at the organisation with `path`; copy_role's
        holders above it get copies (once each, and not when already reminded). Cached: deadlines repeat."""
        key = (path, role, copy_role)
        found = self._audiences.get(key)
        if found is None:
            chain = path_ids(path)
            primary = self.nearest(chain, role)
            found = [(r, False) for r in primary]
            if copy_role:
                seen = {r.user_id for r in primary}
                found += [(r, True) for r in self.nearest(chain, copy_role, above=True) if r.user_id not in seen]
            self._audiences[key] = found
        return found

    def nearest(self, chain: Sequence[int], role: str, *, above: bool = False) -> list[Recipient]:
        """Mailable holders of `role` at the nearest organisation of `chain` that has any (the module's `nearest`)."""
        return nearest(chain, role, lambda org_id, role: self._holders.get((org_id, role)), above=above)


H = TypeVar("H")


def nearest(chain: Sequence[int], role: str, holders_at: Callable[[int, str], list[H] | None], *,
            above: bool = False) -> list[H]:
    """Holders of `role` at the nearest organisation of `chain` (root → self) that has any: the one rule
    of whom a body's mail or notification reaches (the module docstring), for reminders and
    notifications (scheduler/notify.py) alike. `holders_at(organisation id, role)` says who holds it
    there, as each counts them (reminders: those with an e-mail address).

    above=True starts at the parent: the superior organisations only.
    """
    for org_id in reversed(chain[:-1] if above else chain):
        holders = holders_at(org_id, role)
        if holders:
            return holders
    return []
