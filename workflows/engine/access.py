"""Access follows the organisation tree: a role held at an organisation applies to its subtree.

Deny by default. System administration and party authority are separate: an
administrator (User.is_admin, or the `admin` role over a subtree) sees the
organisations, people and cases there and keeps users, roles, organisations,
persons, imports, the calendar and the outbox — but records no party step. Only
a party role named by the step (held at its organisation or above) does.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam, select

from models import Organisation, RoleAssignment, User
from models.prepared import Prepared
from workflows.domain.definition import Authority, OrgFacts, Step
from workflows.domain.errors import Forbidden, InvalidInput, NotFound
from workflows.domain.organisations import role_name, scope_organisation
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
        """True when the actor holds one of the step's party roles there (administration is no party role)."""
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


def forbidden_step(step: Step | str, authorities: Sequence[Authority], chain: Sequence[OrgFacts] | None = None,
                   rule_set: RuleSet | None = None) -> Forbidden:
    """Refusal of a step, naming the step and who may take it (role and organisation) in words."""
    label_vi = step.label_vi if isinstance(step, Step) else step
    label_en = step.label_en if isinstance(step, Step) else step
    trigger = step.trigger if isinstance(step, Step) else step
    who_vi, who_en = [], []
    for a in authorities:
        org = None
        if chain and rule_set is not None:
            try:
                org = scope_organisation(a.scope, chain, rule_set).name
            except InvalidInput:
                org = None
        vi, en = role_name(a.role, "vi"), role_name(a.role, "en")
        who_vi.append(f"{vi} {org}" if org else vi)
        who_en.append(f"{en} of {org}" if org else en)
    who_vi, who_en = list(dict.fromkeys(who_vi)), list(dict.fromkeys(who_en))
    if who_vi:
        vi = f"Bạn không có quyền thực hiện bước «{label_vi}» ở tổ chức này; bước này do {' hoặc '.join(who_vi)} thực hiện."
        en = f"You may not take the step '{label_en}' here; it is taken by the {' or the '.join(who_en)}."
    else:
        vi = f"Bạn không có quyền thực hiện bước «{label_vi}» ở tổ chức này."
        en = f"You may not take the step '{label_en}' here."
    return Forbidden(vi, en, {"trigger": trigger, "roles": sorted({a.role for a in authorities})})
