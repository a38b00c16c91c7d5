"""The audit log viewer (read-only): who did or viewed what, when, from where — for inspectors and admins."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, render_template, request
from flask_babel import lazy_gettext as _l

from web.accounts.auth import current_actor, login_required, runtime
from web.common.nav import add_nav_item
from web.reports import audit_words
from workflows.domain.errors import InvalidInput
from workflows.reports.audit_search import AuditFilter, search_audit_log

bp = Blueprint("audit_log", __name__)


def init_nav(app) -> None:
    add_nav_item(app, "audit_log.index", _l("Audit log"), roles=("inspector", "inspection_committee"), order=45)
    audit_words.init_app(app)  # the records' codes in words, for the page


def _date(name: str) -> date | None:
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(f"Ngày «{raw[:20]}» không hợp lệ (định dạng YYYY-MM-DD).",
                           f"'{raw[:20]}' is not a date (YYYY-MM-DD).", {name: "not a date"}) from None


def _filters() -> AuditFilter:
    args = request.args
    try:
        page = int(args.get("page", "1"))
    except ValueError:
        page = 0
    return AuditFilter(
        username=args.get("user", "").strip(), action=args.get("action", "").strip(),
        object_type=args.get("object_type", "").strip(), object_id=args.get("object_id", "").strip(),
        outcome=args.get("outcome", "").strip(), date_from=_date("from"), date_to=_date("to"), page=page,
    )


@bp.get("/audit-log")
@login_required
def index():
    result = search_audit_log(runtime(), actor_id=current_actor().id, filters=_filters(),
                              remote_addr=request.remote_addr)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("audit_log/index.html", result=result, args=args)
