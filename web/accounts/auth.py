"""Who is signed in: Flask-Login wiring, the session policy and the access decorators.

Contract for every blueprint of the web UI:

    from web.accounts.auth import login_required, admin_required, roles_required, current_actor

    @bp.get("/things")
    @roles_required("organisation_officer", "standing_committee")
    def things():
        actor = current_actor()        # workflows.engine.access.Actor of the signed-in user
        ...

- `login_required`: anonymous visitors are sent to the sign-in page (API paths get 401).
- `admin_required`: system administrators only (User.is_admin); others get 403.
- `roles_required(*roles)`: the user holds at least one of the roles somewhere (admins pass);
  whether the role applies to a given organisation is the services' check (subtree rules).
- `current_actor()`: the Actor with its role grants, loaded once per request.

Sessions (quality.md Security 3, issue 14): the session lives in the database
(workflows/accounts/sessions.py); the cookie carries only its random id. It is new at every
sign-in, ends after 30 idle minutes or 12 hours, and ends at once — in every browser that holds
a copy of the cookie — at sign-out, a password change, deactivation or «sign out everywhere».
The cookie itself expires when the session would (web/accounts/cookie.py), not after 31 days.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any

from flask import Flask, abort, current_app, flash, g, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from flask_login import login_required as _flask_login_required

from web.accounts.cookie import ServerSessionCookie
from web.accounts.redirects import safe_next
from workflows.accounts import sessions
from workflows.engine import Runtime
from workflows.engine.access import Actor, load_actor
from workflows.domain.errors import Forbidden

IDLE_TIMEOUT = sessions.IDLE_TIMEOUT
ABSOLUTE_TIMEOUT = sessions.ABSOLUTE_TIMEOUT
# Set when a form arrived after its session ended: the next page (after signing in again) asks the browser to
# fill in what was typed (web/static/js/app.js keeps it, per tab, when a form is sent).
RESTORE_KEY = "restore_drafts"

login_manager = LoginManager()


def runtime() -> Runtime:
    """The engine runtime wired at the composition root."""
    return current_app.extensions["quytrinh"]


class WebUser(UserMixin):
    """The signed-in user as the web layer needs it (no database object kept across requests)."""

    def __init__(self, live: sessions.LiveSession):
        user = live.user
        self.id = user.id
        self.username = user.username
        self.display_name = user.display_name or user.username
        self.email = user.email
        self.locale = user.locale or "vi"
        self.digest = bool(user.digest)
        self.is_admin = bool(user.is_admin)
        self.must_change_password = live.must_change_password
        self.second_factor = live.second_factor

    def get_id(self) -> str:
        return str(self.id)


def _load_user(user_id: str) -> WebUser | None:
    """The user of this browser's server-side session, or None when the session is over."""
    live = sessions.resume(runtime(), session.get("sid"))
    if live is None or str(live.user.id) != str(user_id):
        return None
    session["exp"] = live.expires_at.timestamp()  # the cookie's Expires follows the session's end
    return WebUser(live)


def _unauthorized():
    if request.path.startswith("/api/"):
        abort(401)
    flash(_l("Please sign in to continue."), "info")
    return redirect(url_for("account.login", next=safe_next(request.full_path)))


def start_session(user, *, remote_addr: str | None) -> None:
    """Sign a user in with a brand-new session (rotation: nothing survives from before but the language and
    the note that a form sent after the old session ended waits to be filled in again)."""
    locale = session.get("locale")
    restore = session.get(RESTORE_KEY)
    sid = sessions.start(runtime(), user_id=user.id, remote_addr=remote_addr,
                         user_agent=request.headers.get("User-Agent"))
    session.clear()
    if restore:
        session[RESTORE_KEY] = True
    session.permanent = True
    session["sid"] = sid
    session["locale"] = user.locale or locale or "vi"
    live = sessions.resume(runtime(), sid)
    session["exp"] = live.expires_at.timestamp()
    login_user(WebUser(live), remember=False, fresh=True)


def current_session_id() -> str | None:
    return session.get("sid")


def end_session(reason: str = "sign_out") -> None:
    """Sign this browser out: the server-side session ends, and the cookie is emptied."""
    sessions.end(runtime(), session.get("sid"), reason)
    logout_user()
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale


def _expired_sessions():
    """A cookie whose session has ended (signed out elsewhere, idle, too old): sign-in page, with a word why."""
    if (request.endpoint or "").endswith("static") or "_user_id" not in session:
        return None
    if current_user.is_authenticated:
        return None
    logout_user()
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale
    if request.path.startswith("/api/"):
        abort(401)
    flash(_l("Your session has expired. Please sign in again."), "info")
    if request.method == "POST":
        keep_typed_values()
    return redirect(url_for("account.login", next=safe_next(request.full_path)))


def idle_timeout() -> timedelta:
    """30 idle minutes (quality.md Security 3); QUYTRINH_IDLE_SECONDS shortens it for the browser tests."""
    seconds = current_app.config.get("IDLE_SECONDS")
    return timedelta(seconds=int(seconds)) if seconds else IDLE_TIMEOUT


def keep_typed_values(signed_in: bool = False) -> None:
    """A form came after its session ended: nothing of it is done, and the page the user lands on (after
    signing in again) fills in what they typed — kept by the browser for this tab, never by the server."""
    session[RESTORE_KEY] = True
    if signed_in:
        flash(_l("What you typed has been filled in again: check it and send the form again."), "info")
    else:
        flash(_l("Nothing was saved, but what you typed is kept: after you sign in, the form is filled in again."),
              "info")


def session_page_info() -> dict[str, Any]:
    """For base.html: the idle timeout (the page warns a minute before) and whether to fill a form in again."""
    if not current_user.is_authenticated:
        return {"idle_seconds": None, "restore_drafts": False}
    restore = bool(session.pop(RESTORE_KEY, False)) if request.endpoint != "account.login" else False
    return {"idle_seconds": int(idle_timeout().total_seconds()), "restore_drafts": restore}


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.user_loader(_load_user)
    login_manager.unauthorized_handler(_unauthorized)
    login_manager.session_protection = None  # the session is server-side and rotated at sign-in
    app.session_interface = ServerSessionCookie()
    # Flask's default is 31 days; a signed-in cookie expires with its session (cookie.py), 12 h at most.
    app.config["PERMANENT_SESSION_LIFETIME"] = ABSOLUTE_TIMEOUT
    app.config["REMEMBER_COOKIE_DURATION"] = timedelta(0)
    # First of the page hooks: a form sent after the session ended is told so, not refused as a stale form (CSRF).
    app.before_request_funcs.setdefault(None, []).insert(0, _expired_sessions)
    app.context_processor(lambda: {"session_page": session_page_info()})


# ---------------------------------------------------------------- the decorators

login_required = _flask_login_required


def current_actor() -> Actor:
    """The Actor (user id, admin flag, role grants) of the signed-in user, loaded once per request."""
    actor = g.get("_quytrinh_actor")
    if actor is None:
        if not current_user.is_authenticated:
            raise Forbidden("Bạn cần đăng nhập.", "You need to sign in.")
        with runtime().session_factory() as db:
            actor = load_actor(db, current_user.id)
        g._quytrinh_actor = actor
    return actor


def admin_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """System administrators only; everyone else gets 403 (and an audit record)."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_actor().is_admin:
            raise Forbidden("Trang này chỉ dành cho quản trị hệ thống.", "This page is for system administrators.")
        return view(*args, **kwargs)

    return wrapped


def roles_required(*roles: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The user holds at least one of `roles` at some organisation (admins always pass)."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            actor = current_actor()
            if not actor.is_admin and not any(grant.role in roles for grant in actor.grants):
                raise Forbidden(
                    "Bạn không có vai trò cần thiết cho trang này.",
                    "You do not hold a role this page needs.",
                    {"roles": list(roles)},
                )
            return view(*args, **kwargs)

        return wrapped

    return decorator
