"""Who receives a reminder: the nearest holders of the deadline's role, up the organisation tree.

A role held at an organisation applies to its whole subtree (architecture.md
principle 9), so a deadline "for the standing committee at the commune" is
also within the province standing committee's reach. Mailing every holder up
to the root would flood the province with every cell's chores: the nearest
organisation (the deadline's own, else its closest ancestor) with an active
holder who has an e-mail address is the one reminded.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import RoleAssignment, User


@dataclass(frozen=True)
class Recipient:
    user_id: int
    email: str
    name: str
    locale: str
    digest: bool


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

    def load(self, session: Session, organisation_ids: Iterable[int]) -> None:
        """Fetch the holders at the organisations not seen yet (one query)."""
        missing = sorted(set(organisation_ids) - self._loaded)
        if not missing:
            return
        rows = session.execute(
            select(RoleAssignment.organisation_id, RoleAssignment.role, User.id, User.email, User.display_name,
                   User.username, User.locale, User.digest)
            .join(User, User.id == RoleAssignment.user_id)
            .where(RoleAssignment.organisation_id.in_(missing), User.active.is_(True))
            .order_by(User.id)
        ).all()
        self._loaded.update(missing)
        for org_id, role, user_id, email, display_name, username, locale, digest in rows:
            if not email:
                continue  # nowhere to send; the admin outbox page shows who was reminded
            self._holders.setdefault((org_id, role), []).append(
                Recipient(user_id, email, display_name or username, "en" if locale == "en" else "vi", bool(digest)))

    def nearest(self, chain: Sequence[int], role: str, *, above: bool = False) -> list[Recipient]:
        """Holders of `role` at the nearest organisation of `chain` (root → self) that has any.

        above=True starts at the parent: the superior organisations only.
        """
        stop = len(chain) - 1 if above else len(chain)
        for org_id in reversed(chain[:stop]):
            holders = self._holders.get((org_id, role))
            if holders:
                return holders
        return []
