"""Signing in and out, one's own password and preferences, the language switch."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import BooleanField, HiddenField, PasswordField, RadioField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from web.accounts.auth import (
    end_session,
    login_required,
    refresh_stamp,
    runtime,
    safe_next,
    start_session,
)
from web.common.forms import TOO_LONG, FormErrors, UIForm, choices
from web.common.i18n import LOCALES
from workflows.accounts.signin import (
    change_password,
    record_sign_out,
    sign_in,
    update_preferences,
)
from workflows.domain.errors import InvalidInput

bp = Blueprint("account", __name__)

REQUIRED = _l("This field is required.")


class LoginForm(UIForm):
    username = StringField(_l("Username"), validators=[DataRequired(REQUIRED), Length(max=80, message=TOO_LONG)])
    password = PasswordField(_l("Password"), validators=[DataRequired(REQUIRED), Length(max=1024, message=TOO_LONG)])
    next = HiddenField()


class PasswordForm(UIForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(REQUIRED)])
    new_password = PasswordField(
        _l("New password"), validators=[DataRequired(REQUIRED), Length(max=128, message=TOO_LONG)],
        description=_l("At least 8 characters; a long phrase of 15 or more is best. No other rules."),
    )
    confirm = PasswordField(_l("Repeat the new password"), validators=[
        DataRequired(REQUIRED), EqualTo("new_password", _l("The two new passwords differ."))])


class PreferencesForm(UIForm):
    locale = RadioField(_l("Language"), choices=choices([("vi", "Tiếng Việt"), ("en", "English")]))
    digest = BooleanField(
        _l("One daily digest mail instead of a separate mail for each reminder"),
        description=_l("Reminders of approaching and overdue deadlines are gathered into one mail each morning."),
    )


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")) or url_for("dashboard.index"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next")) or ""
    errors = FormErrors()
    if form.validate_on_submit():
        result = sign_in(runtime(), username=form.username.data, password=form.password.data,
                         remote_addr=request.remote_addr)
        if result.outcome == "ok":
            # A language picked on the sign-in page is the user's choice: keep it on the account too.
            picked = session.get("locale") if session.get("locale_picked") else None
            start_session(result.user, runtime().clock.now())
            if picked in LOCALES and picked != result.user.locale:
                update_preferences(runtime(), user_id=result.user.id, locale=picked)
                session["locale"] = current_user.locale = picked
            return redirect(safe_next(form.next.data) or url_for("dashboard.index"))
        if result.outcome == "throttled":
            errors.add(None, _("Too many failed attempts. Wait %(minutes)d minutes and try again.",
                               minutes=result.retry_after_minutes), status=429)
        else:
            # One message for an unknown user, a wrong password and a disabled account.
            errors.add(None, _("Wrong username or password."), status=401)
    elif request.method == "POST":
        errors.status = 400
    form.password.data = ""
    return render_template("account/login.html", form=form, errors=errors), errors.status


@bp.post("/logout")
@login_required
def logout():
    record_sign_out(runtime(), user_id=current_user.id, remote_addr=request.remote_addr)
    end_session()
    flash(_("You have signed out."), "success")
    return redirect(url_for("account.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password():
    form = PasswordForm()
    errors = FormErrors()
    if form.validate_on_submit():
        try:
            new_hash = change_password(runtime(), user_id=current_user.id, current=form.current_password.data,
                                       new=form.new_password.data, remote_addr=request.remote_addr)
        except InvalidInput as exc:
            errors.add_error(exc)
        else:
            refresh_stamp(new_hash)
            flash(_("Your password was changed. Other signed-in browsers have been signed out."), "success")
            return redirect(url_for("account.preferences"))
    elif request.method == "POST":
        errors.status = 400
    return render_template("account/password.html", form=form, errors=errors), errors.status


@bp.route("/account/preferences", methods=["GET", "POST"])
@login_required
def preferences():
    form = PreferencesForm()
    if request.method == "GET":
        form.locale.data = current_user.locale
        form.digest.data = current_user.digest
    errors = FormErrors()
    if form.validate_on_submit():
        update_preferences(runtime(), user_id=current_user.id, locale=form.locale.data, digest=form.digest.data)
        session["locale"] = form.locale.data
        current_user.locale = form.locale.data
        flash(_("Your preferences were saved."), "success")
        return redirect(url_for("account.preferences"))
    elif request.method == "POST":
        errors.status = 400
    return render_template("account/preferences.html", form=form, errors=errors), errors.status


@bp.get("/session/keepalive")
@login_required
def keepalive():
    """«Keep working» under the idle warning: the request itself counts as activity (web.accounts.auth)."""
    session["seen_at"] = runtime().clock.now().timestamp()
    return {"ok": True}


@bp.post("/language")
def language():
    """Switch the language of this browser (and of the signed-in user's account)."""
    chosen = request.form.get("locale")
    if chosen in LOCALES:
        session["locale"] = chosen
        if current_user.is_authenticated:
            update_preferences(runtime(), user_id=current_user.id, locale=chosen)
        else:
            session["locale_picked"] = True
    return redirect(safe_next(request.form.get("next")) or url_for("dashboard.index"))
