"""Security headers and CSRF for every response and form (quality.md Security 5 and 7).

CSP allows scripts and styles only from this origin: no inline <script>, no
style="" attributes, no event-handler attributes. Templates keep to that; the
access test and the header test check it.
"""
from __future__ import annotations

from flask import Flask, Response, current_app, request
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


# Production is served over HTTPS (the session cookie is Secure there): browsers must never try plain HTTP.
HSTS = "max-age=31536000; includeSubDomains"


def _add_headers(response: Response) -> Response:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if current_app.config.get("ENV") == "production":
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    # Pages carry personal records: never keep them in shared caches or the back-forward cache.
    if not (request.endpoint or "").endswith("static") and "Cache-Control" not in response.headers:
        response.headers["Cache-Control"] = "no-store"
    return response


_CONTROL = {chr(c) for c in range(32)} - {"\t", "\n", "\r"} | {"\x7f"}


def _reject_control_characters() -> None:
    """No form field or filter of the UI takes control characters (PostgreSQL refuses NUL outright)."""
    if request.path.startswith("/api/"):
        return
    values = list(request.args.values())
    if request.method in ("POST", "PUT", "PATCH"):
        values += list(request.form.values()) + [f.filename or "" for f in request.files.values()]
    if any(_CONTROL.intersection(v) for v in values if isinstance(v, str)):
        from workflows.domain.errors import InvalidInput

        raise InvalidInput("Dữ liệu gửi lên chứa ký tự điều khiển không hợp lệ.",
                           "The form contains control characters, which are not allowed.")


def _csrf_guard() -> None:
    """Every state-changing form needs the CSRF token. The REST API (/api/) uses bearer
    tokens, never the session cookie, so it is outside this check (its own access tests cover it)."""
    if request.path.startswith("/api/"):
        return
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        csrf.protect()


def init_app(app: Flask) -> None:
    # The CSRF token lives as long as the session (which ends after 30 idle minutes anyway).
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False  # checked by _csrf_guard, which knows about /api/
    csrf.init_app(app)
    app.before_request(_csrf_guard)
    app.before_request(_reject_control_characters)
    app.after_request(_add_headers)
