"""What every page's frame needs: navigation entries and template globals."""
from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from web.common.nav import add_nav_item, nav_items


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(nav_items=nav_items)
    add_nav_item(app, "dashboard.index", _l("My work"), order=10)
    add_nav_item(app, "cases.index", _l("Cases"), order=20)
    add_nav_item(app, "directory.organisations", _l("Organisations"), order=30)
    add_nav_item(app, "admin.users", _l("Administration"), admin=True, order=90)
