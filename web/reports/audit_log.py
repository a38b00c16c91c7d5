"""The audit log viewer (read-only): who did or viewed what, when, from where — for inspectors and admins."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import lazy_gettext as _l

from web.accounts.auth import current_actor, login_required, runtime
from web.common.nav import add_nav_item
from web.common.params import date_arg, page_arg
from web.reports import audit_words
from workflows.reports.audit_search import AuditFilter, search_audit_log

bp = Blueprint("audit_log", __name__)


def init_nav(app) -> None:
    add_nav_item(app, "audit_log.index", _l("Audit log"), roles=("inspector", "inspection_committee"), order=45)
    audit_words.init_app(app)  # the records' codes in words, for the page


def _filters() -> AuditFilter:
    args = request.args
    return AuditFilter(
        username=args.get("user", "").strip(), action=args.get("action", "").strip(),
        object_type=args.get("object_type", "").strip(), object_id=args.get("object_id", "").strip(),
        outcome=args.get("outcome", "").strip(), date_from=date_arg("from"), date_to=date_arg("to"), page=page_arg(),
    )


@bp.get("/audit-log")
@login_required
def index():
    result = search_audit_log(runtime(), actor_id=current_actor().id, filters=_filters(),
                              remote_addr=request.remote_addr)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("audit_log/index.html", result=result, args=args)
