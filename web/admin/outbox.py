"""Administration of reminder mail: the outbox by status, incidents and their retry button."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField
from wtforms.validators import DataRequired, NumberRange

from web.accounts.auth import admin_required, current_actor, runtime
from web.common.forms import FormErrors
from web.common.i18n import lang
from web.common.params import ascii_digits
from workflows.accounts.outbox import (
    STATUSES,
    incidents_page,
    outbox_page,
    retry_incident,
)
from workflows.domain.errors import InvalidInput

bp = Blueprint("outbox", __name__, url_prefix="/admin")

STATUS_LABELS = {
    "queued": _l("queued"), "sending": _l("sending"), "sent": _l("sent"), "failed": _l("failed"),
    "held": _l("held (no mail server configured)"), "digest_wait": _l("waiting for the daily digest"),
    "digested": _l("sent in a digest"),
}


class RetryForm(FlaskForm):
    incident_id = IntegerField(validators=[DataRequired(_l("Choose an incident.")), NumberRange(min=1)])


def _page_number() -> int:
    text = request.args.get("page", "1")
    return int(text) if ascii_digits(text) and len(text) < 7 and int(text) > 0 else 1


@bp.get("/outbox")
@admin_required
def outbox():
    status = request.args.get("status") or None
    if status not in STATUSES:
        status = None  # an unknown filter shows everything rather than an error page
    page = outbox_page(runtime(), actor_id=current_actor().id, status=status, page=_page_number())
    return render_template("outbox/outbox.html", page=page, statuses=STATUSES, status_labels=STATUS_LABELS)


def _incidents(errors: FormErrors | None = None, status: int = 200):
    show_all = request.args.get("show") == "all"
    page = incidents_page(runtime(), actor_id=current_actor().id, open_only=not show_all, page=_page_number())
    return render_template("outbox/incidents.html", page=page, show_all=show_all, errors=errors,
                           status_labels=STATUS_LABELS), status


@bp.get("/incidents")
@admin_required
def incidents():
    return _incidents()


@bp.post("/incidents/retry")
@admin_required
def retry():
    form = RetryForm()
    errors = FormErrors()
    if not form.validate_on_submit():
        errors.add(None, _("Choose an incident to retry."), status=400)
        return _incidents(errors, 400)
    try:
        mail_id = retry_incident(runtime(), actor_id=current_actor().id, incident_id=form.incident_id.data)
    except InvalidInput as exc:  # already dealt with (by another admin, or a second click)
        errors.add(None, exc.message(lang()), status=400)
        return _incidents(errors, 400)
    if mail_id is not None:
        flash(_("Mail #%(id)d is queued again; the scheduler sends it at its next run.", id=mail_id), "success")
    else:
        flash(_("The incident is marked as dealt with."), "success")
    return redirect(url_for("outbox.incidents"))
