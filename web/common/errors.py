"""Domain errors and HTTP errors to pages (or to the API's JSON shape under /api/), in one place.

Forbidden answers are audited (quality.md Security 6); a NotFound never says
whether the object exists outside the user's subtree.
"""
from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from web.accounts.auth import runtime
from web.common.i18n import lang
from workflows.domain.errors import (
    ConflictingUpdate,
    Forbidden,
    InvalidInput,
    NotAvailable,
    NotFound,
    QuytrinhError,
    RuleViolation,
    TransitionNotAllowed,
)
from workflows.engine.audit import audit

DOMAIN_STATUS = {
    InvalidInput: 400,
    Forbidden: 403,
    NotFound: 404,
    TransitionNotAllowed: 409,
    ConflictingUpdate: 409,
    NotAvailable: 409,
    RuleViolation: 422,
}


def status_of(exc: QuytrinhError) -> int:
    for cls in type(exc).__mro__:
        if cls in DOMAIN_STATUS:
            return DOMAIN_STATUS[cls]
    return 400


def remote_addr() -> str | None:
    return request.remote_addr


def audit_denied(detail: str, object_type: str | None = None, object_id=None) -> None:
    """An authorisation failure, written in a transaction of its own."""
    user_id = current_user.id if current_user and current_user.is_authenticated else None
    audit(runtime(), user_id=user_id, action="authz.denied", object_type=object_type, object_id=object_id,
          outcome="denied", remote_addr=remote_addr(), detail=f"{request.method} {request.path} {detail}"[:400])


def _api_body(code: str, text: str, details: dict | None = None):
    return jsonify({"error": {"code": code, "message": text, "details": details or {}}})


def _domain_error(exc: QuytrinhError):
    status = status_of(exc)
    if isinstance(exc, Forbidden):
        audit_denied(exc.message_vi)  # the audit log is read in Vietnamese
    if request.path.startswith("/api/"):
        return _api_body(exc.code, exc.message(lang()), exc.details), status
    return render_template("error.html", status=status, message=exc.message(lang()), error=exc), status


HTTP_MESSAGES = {
    400: _l("The request could not be understood."),
    401: _l("Please sign in to continue."),
    403: _l("You may not open this page."),
    404: _l("This page does not exist, or you may not see it."),
    405: _l("This address does not accept that kind of request."),
    413: _l("The file is too large."),
    429: _l("Too many requests. Please wait a moment and try again."),
    500: _l("Something went wrong on our side. Nothing was saved; please try again."),
}


def _http_error(exc: HTTPException):
    status = exc.code or 500
    if status == 403:
        audit_denied("403")  # (Werkzeug's description is English boilerplate)
    if request.path.startswith("/api/"):
        code = {401: "unauthenticated", 403: "forbidden", 404: "not_found"}.get(status, "invalid_input" if status < 500 else "error")
        return _api_body(code, exc.description or str(status)), status
    text = str(HTTP_MESSAGES.get(status) or gettext("The request could not be completed."))
    return render_template("error.html", status=status, message=text, error=None), status


def _csrf_error(exc: CSRFError):
    """A form whose session ended or changed (signed out, signed in again in another tab): nothing is done;
    the user is sent to sign in (or back to the form) and the browser fills in what they typed again."""
    from flask import flash, redirect, url_for

    from web.accounts.auth import keep_typed_values, safe_next

    # No token at all is no stale form (a forged or broken request): refused as before.
    if (request.method != "POST" or not request.form.get("csrf_token")
            or request.endpoint in (None, "account.login", "account.logout", "account.language")):
        text = gettext("This form has expired or was not sent from this site. Reload the page and try again.")
        return render_template("error.html", status=400, message=text, error=None), 400
    if current_user.is_authenticated:
        flash(gettext("This form was opened in an earlier session, so it was not saved."), "info")
        keep_typed_values(signed_in=True)
        return redirect(safe_next(request.path) or url_for("dashboard.index"))
    flash(gettext("Your session has expired. Please sign in again."), "info")
    keep_typed_values()
    return redirect(url_for("account.login", next=safe_next(request.path)))


def _server_error(exc: Exception):
    if request.path.startswith("/api/"):
        return _api_body("error", str(HTTP_MESSAGES[500])), 500
    return render_template("error.html", status=500, message=str(HTTP_MESSAGES[500]), error=None), 500


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(QuytrinhError, _domain_error)
    app.register_error_handler(HTTPException, _http_error)
    if not app.testing and not app.debug:
        app.register_error_handler(500, _server_error)
