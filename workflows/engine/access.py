"""Access follows the organisation tree: a role held at an organisation applies to its subtree.

Deny by default. Administrators are system superusers (every action they take
is an event and an audit record like anyone's).
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam, select

from models import Organisation, RoleAssignment, User
from models.prepared import Prepared
from workflows.domain.definition import Authority, OrgFacts
from workflows.domain.errors import Forbidden, NotFound
from workflows.domain.organisations import scope_organisation
from workflows.domain.rulesets import RuleSet


@dataclass(frozen=True)
class Grant:
    role: str
    organisation_id: int
    path: str  # the organisation's materialised path, '/1/4/'


@dataclass(frozen=True)
class Actor:
    """A user and the roles they hold, as access checks need them."""

    id: int
    username: str
    is_admin: bool
    grants: tuple[Grant, ...]

    def roles_over(self, path: str) -> set[str]:
        """The roles that apply at the organisation with this path (held there or above)."""
        return {g.role for g in self.grants if path.startswith(g.path)}

    def can_see(self, path: str) -> bool:
        """True when any role of the actor applies at that organisation."""
        return self.is_admin or bool(self.roles_over(path))

    def superuser_over(self, path: str) -> bool:
        return self.is_admin or "admin" in self.roles_over(path)

    def visible_paths(self) -> list[str]:
        """The roots of the subtrees this actor may see (for list filters)."""
        paths = sorted({g.path for g in self.grants})
        return [p for p in paths if not any(p != q and p.startswith(q) for q in paths)]

    def holds(self, authority: Authority, chain: Sequence[OrgFacts], rule_set: RuleSet) -> bool:
        """True when the actor holds the authority's role at its organisation or above."""
        target = scope_organisation(authority.scope, chain, rule_set)
        ancestor_ids = {o.id for o in chain[: chain.index(target) + 1]}
        return any(g.role == authority.role and g.organisation_id in ancestor_ids for g in self.grants)

    def may(self, authorities: Iterable[Authority], chain: Sequence[OrgFacts], rule_set: RuleSet) -> bool:
        path = "/" + "/".join(str(o.id) for o in chain) + "/"
        if self.superuser_over(path):
            return True
        return any(self.holds(a, chain, rule_set) for a in authorities)


_USERS, _GRANTS, _ORGS = User.__table__, RoleAssignment.__table__, Organisation.__table__
# The user and every role they hold, in one statement (a user with no role gives one row of NULLs).
_ACTOR = Prepared(
    select(_USERS.c.id, _USERS.c.username, _USERS.c.is_admin, _GRANTS.c.role, _GRANTS.c.organisation_id, _ORGS.c.path)
    .select_from(_USERS.outerjoin(_GRANTS, _GRANTS.c.user_id == _USERS.c.id)
                 .outerjoin(_ORGS, _ORGS.c.id == _GRANTS.c.organisation_id))
    .where(_USERS.c.id == bindparam("id"), _USERS.c.active.is_(True))
)


def load_actor(db, user_id: int) -> Actor:
    """The user with their role grants; an unknown or inactive user is refused.

    `db` is a session or a connection (the transition's Core connection).
    """
    rows = _ACTOR.rows(db, {"id": user_id})
    if not rows:
        raise Forbidden("Tài khoản không tồn tại hoặc đã bị khóa.", "Unknown or disabled account.")
    user_id, username, is_admin = rows[0][:3]
    grants = tuple(Grant(role, org, path) for _, _, _, role, org, path in rows if role is not None)
    return Actor(user_id, username, is_admin, grants)


def require_visible(actor: Actor, path: str, what: str, ident) -> None:
    """Not visible reads as not found: no one learns what exists outside their subtree."""
    if not actor.can_see(path):
        raise NotFound(what, ident)


def forbidden_step(trigger: str, authorities: Sequence[Authority]) -> Forbidden:
    roles = ", ".join(sorted({a.role for a in authorities})) or "—"
    return Forbidden(
        f"Bạn không có quyền thực hiện bước «{trigger}» ở tổ chức này (cần vai trò: {roles}).",
        f"You may not take step '{trigger}' at this organisation (needs role: {roles}).",
        {"trigger": trigger, "roles": sorted({a.role for a in authorities})},
    )
