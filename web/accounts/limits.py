"""Rate limit of requests without credentials, per address (issue 14, item 6; api.md QUYTRINH_RATE_LIMIT_ANONYMOUS).

Pages asked for without a signed-in session (the sign-in form, its POSTs, the second step) count
against the address's window in the shared `rate_counters` table; over the limit they get 429 with
`Retry-After`. The REST API counts its own requests (per token, and per address for bad tokens) in
workflows/accounts/tokens.py; static files and health checks are not counted.
"""
from __future__ import annotations

from flask import Flask, current_app, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from models import write_transaction
from workflows.accounts import ratelimit

UNCOUNTED_PREFIXES = ("/api/", "/static/", "/healthz", "/readyz", "/metrics")


def _limit_anonymous():
    limit = current_app.config["RATE_LIMITS"].anonymous
    if limit is None or request.path.startswith(UNCOUNTED_PREFIXES) or (request.endpoint or "").endswith("static"):
        return None
    if current_user.is_authenticated:
        return None
    rt = current_app.extensions["quytrinh"]
    with write_transaction(rt.session_factory) as session:
        counted = ratelimit.count(session, f"anon:{request.remote_addr or '-'}", limit.seconds, rt.clock.now())
    if counted.number <= limit.count:
        return None
    retry_after = max(1, counted.retry_after)
    message = _("Too many requests. Please wait %(seconds)d seconds and try again.", seconds=retry_after)
    response = current_app.make_response((render_template("error.html", status=429, message=message), 429))
    response.headers["Retry-After"] = str(retry_after)
    return response


def init_app(app: Flask) -> None:
    app.before_request(_limit_anonymous)
