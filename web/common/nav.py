"""The main navigation: each feature adds its own entries at registration time.

    from web.common.nav import add_nav_item
    add_nav_item(app, "reports.index", _l("Reports"), roles=("standing_committee", "inspector"), order=40)

An entry shows to admins always, to others when they hold one of `roles`
(None: every signed-in user); `admin=True` limits it to system administrators.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app, request
from flask_login import current_user

NAV_KEY = "quytrinh.nav"


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: object  # a lazy string
    roles: tuple[str, ...] | None = None
    admin: bool = False
    order: int = 50


def add_nav_item(app: Flask, endpoint: str, label, *, roles: tuple[str, ...] | None = None,
                 admin: bool = False, order: int = 50) -> None:
    """Show a link to `endpoint` in the main navigation."""
    items: list[NavItem] = app.extensions.setdefault(NAV_KEY, [])
    items.append(NavItem(endpoint, label, tuple(roles) if roles else None, admin, order))
    items.sort(key=lambda item: item.order)


def nav_items() -> list[dict]:
    """The entries the signed-in user may see, with `active` for the current page."""
    if not current_user.is_authenticated:
        return []
    from web.accounts.auth import current_actor

    actor = current_actor()
    held = {g.role for g in actor.grants}
    result = []
    for item in current_app.extensions.get(NAV_KEY, []):
        if item.endpoint not in current_app.view_functions:
            continue
        if item.admin and not actor.is_admin:
            continue
        if item.roles and not actor.is_admin and not (held & set(item.roles)):
            continue
        blueprint = item.endpoint.split(".")[0]
        active = request.endpoint == item.endpoint or (request.blueprint == blueprint and blueprint != "account")
        result.append({"endpoint": item.endpoint, "label": str(item.label), "active": active})
    return result
