"""Two-step sign-in in the browser (issue 14, item 9): the code after the password, and the settings page.

The use cases are workflows/accounts/twofactor.py. The QR code is an inline SVG (segno) as a data:
image, which the Content-Security-Policy allows (img-src 'self' data:) — no script, no outside service.
"""
from __future__ import annotations

import segno
from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from models import User
from web.accounts.account import finish_sign_in, second_step_user
from web.accounts.auth import current_actor, login_required, runtime
from web.common.forms import TOO_LONG, FormErrors, UIForm
from workflows.accounts import twofactor
from workflows.domain.errors import InvalidInput

bp = Blueprint("two_factor", __name__)

REQUIRED = _l("This field is required.")
ROLES_NEEDING_2FA = ("standing_committee", "inspection_committee")


class CodeForm(UIForm):
    code = StringField(_l("Code"), validators=[DataRequired(REQUIRED), Length(max=32, message=TOO_LONG)],
                       description=_l("The 6 digits the authenticator app shows now, or one of your recovery codes."))


class DisableForm(UIForm):
    password = PasswordField(_l("Password"), validators=[DataRequired(REQUIRED), Length(max=1024, message=TOO_LONG)])
    code = StringField(_l("Code"), validators=[DataRequired(REQUIRED), Length(max=32, message=TOO_LONG)])


def second_factor_required() -> bool:
    """QUYTRINH_REQUIRE_2FA=true and the signed-in user is an administrator or sits on a standing or
    inspection committee."""
    if not current_app.config.get("REQUIRE_2FA"):
        return False
    actor = current_actor()
    return actor.is_admin or any(grant.role in ROLES_NEEDING_2FA for grant in actor.grants)


@bp.route("/login/code", methods=["GET", "POST"])
def code():
    """The second step of signing in: the code from the app (or a recovery code)."""
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    user_id = second_step_user()
    if user_id is None:
        flash(_("Please sign in to continue."), "info")
        return redirect(url_for("account.login"))
    form = CodeForm()
    errors = FormErrors()
    if form.validate_on_submit():
        try:
            used = twofactor.verify_sign_in(runtime(), user_id=user_id, code=form.code.data,
                                            remote_addr=request.remote_addr)
        except twofactor.TooManyCodes as exc:
            session.pop("2fa_user", None)
            errors.add_error(exc)
            errors.status = 429
        except InvalidInput as exc:
            errors.add_error(exc)
        else:
            with runtime().session_factory() as db:
                user = db.get(User, user_id)
            next_path = session.get("2fa_next") or None
            response = finish_sign_in(user, next_path)
            if used == "recovery":
                flash(_("You signed in with a recovery code; it cannot be used again."), "info")
            return response
    elif request.method == "POST":
        errors.status = 400
    form.code.data = ""
    return render_template("account/two_factor_code.html", form=form, errors=errors), errors.status


@bp.get("/account/two-factor")
@login_required
def settings():
    state = twofactor.status(runtime(), user_id=current_user.id)
    pending = None if state.enabled else twofactor.pending_enrolment(runtime(), user_id=current_user.id)
    return _settings_page(state, pending, CodeForm(), DisableForm(prefix="off"), FormErrors())


def _settings_page(state, pending, code_form, disable_form, errors, codes=None):
    qr = segno.make(pending.uri, error="m").svg_data_uri(scale=4) if pending else None
    return render_template("account/two_factor.html", state=state, pending=pending, qr=qr, code_form=code_form,
                           disable_form=disable_form, errors=errors, codes=codes,
                           required=second_factor_required()), errors.status


@bp.post("/account/two-factor/start")
@login_required
def start():
    try:
        twofactor.begin_enrolment(runtime(), user_id=current_user.id)
    except InvalidInput as exc:
        flash(exc.message("en" if current_user.locale == "en" else "vi"), "error")
    return redirect(url_for("two_factor.settings"))


@bp.post("/account/two-factor/confirm")
@login_required
def confirm():
    form = CodeForm()
    errors = FormErrors()
    codes = None
    if form.validate_on_submit():
        try:
            codes = twofactor.confirm_enrolment(runtime(), user_id=current_user.id, code=form.code.data,
                                                remote_addr=request.remote_addr)
        except InvalidInput as exc:
            errors.add_error(exc)
    else:
        errors.status = 400
    state = twofactor.status(runtime(), user_id=current_user.id)
    pending = None if state.enabled else twofactor.pending_enrolment(runtime(), user_id=current_user.id)
    if codes:
        current_user.second_factor = True
    form.code.data = ""
    return _settings_page(state, pending, form, DisableForm(prefix="off"), errors, codes)


@bp.post("/account/two-factor/recovery-codes")
@login_required
def recovery_codes():
    form = CodeForm()
    errors = FormErrors()
    codes = None
    if form.validate_on_submit():
        try:
            codes = twofactor.new_recovery_codes(runtime(), user_id=current_user.id, code=form.code.data,
                                                 remote_addr=request.remote_addr)
        except InvalidInput as exc:
            errors.add_error(exc)
    else:
        errors.status = 400
    form.code.data = ""
    return _settings_page(twofactor.status(runtime(), user_id=current_user.id), None, form, DisableForm(prefix="off"), errors, codes)


@bp.post("/account/two-factor/disable")
@login_required
def disable():
    form = DisableForm(prefix="off")
    errors = FormErrors()
    if form.validate_on_submit():
        try:
            twofactor.disable(runtime(), user_id=current_user.id, password=form.password.data, code=form.code.data,
                              required=second_factor_required(), remote_addr=request.remote_addr)
        except InvalidInput as exc:
            errors.add_error(exc)
        else:
            flash(_("Two-step sign-in is off."), "success")
            return redirect(url_for("two_factor.settings"))
    else:
        errors.status = 400
    form.password.data = form.code.data = ""
    return _settings_page(twofactor.status(runtime(), user_id=current_user.id), None, CodeForm(), form, errors)
