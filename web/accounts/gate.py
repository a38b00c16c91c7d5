"""Before a signed-in user may do anything else (issue 14, items 1 and 9):

- in production, an account whose password someone else set (an administrator, the command line, an
  import or a loader) first chooses its own — the account page's password form;
- with QUYTRINH_REQUIRE_2FA=true, an administrator or a member of a standing or inspection committee
  first turns on two-step sign-in.

Until then every page leads to that form; signing out, the language switch and static files still work.
The REST API authenticates with tokens and is outside this gate.
"""
from __future__ import annotations

from flask import Flask, current_app, flash, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from web.accounts.two_factor import second_factor_required

ALWAYS_OPEN = {"account.logout", "account.language", "static", "ui.static"}
PASSWORD_PAGES = {"account.password"}
TWO_FACTOR_PAGES = {"two_factor.settings", "two_factor.start", "two_factor.confirm"}


def _gate():
    endpoint = request.endpoint or ""
    if request.path.startswith("/api/") or endpoint in ALWAYS_OPEN or endpoint.endswith(".static"):
        return None
    if not current_user.is_authenticated:
        return None
    if current_user.must_change_password and current_app.config.get("ENV") == "production":
        if endpoint in PASSWORD_PAGES:
            return None
        flash(_l("Your password was set by someone else. Choose your own password to continue."), "info")
        return redirect(url_for("account.password"))
    if not current_user.second_factor and second_factor_required():
        if endpoint in TWO_FACTOR_PAGES or endpoint in PASSWORD_PAGES:
            return None
        flash(_l("Your role requires two-step sign-in. Turn it on to continue."), "info")
        return redirect(url_for("two_factor.settings"))
    return None


def init_app(app: Flask) -> None:
    app.before_request(_gate)
