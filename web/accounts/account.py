"""Signing in and out, one's own password and preferences, the language switch."""
from __future__ import annotations

import time

from flask import Blueprint, current_app, flash, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import BooleanField, HiddenField, PasswordField, RadioField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from web.accounts.auth import (
    current_session_id,
    end_session,
    login_required,
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
from workflows.accounts.sessions import end_all_sessions, open_sessions
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
        description=_l("At least 12 characters; a phrase of a few unrelated words is best. "
                       "Common and easily guessed passwords are refused."),
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
                         remote_addr=request.remote_addr, sleep=current_app.config.get("SIGNIN_SLEEP", time.sleep))
        if result.outcome == "ok" and result.second_factor:
            # The password was right; the code from the authenticator app comes next (two_factor.py).
            begin_second_step(result.user, safe_next(form.next.data))
            return redirect(url_for("two_factor.code"))
        if result.outcome == "ok":
            return finish_sign_in(result.user, safe_next(form.next.data))
        if result.outcome == "throttled":
            errors.add(None, _("Too many failed attempts. Wait %(minutes)d minutes and try again.",
                               minutes=result.retry_after_minutes), status=429)
        else:
            # One message for an unknown user, a wrong password and a disabled account.
            errors.add(None, _("Wrong username or password."), status=401)
    elif request.method == "POST":
        errors.status = 400
    form.password.data = ""
    response = make_response(render_template("account/login.html", form=form, errors=errors), errors.status)
    if errors.status == 429:
        response.headers["Retry-After"] = str(result.retry_after_seconds)
    return response


SECOND_STEP_SECONDS = 300  # the code must follow the password within five minutes


def begin_second_step(user, next_path: str | None) -> None:
    """Remember (in this browser only) whose password was right; nobody is signed in yet."""
    locale, picked = session.get("locale"), session.get("locale_picked")
    session.clear()
    session.update({"2fa_user": user.id, "2fa_at": runtime().clock.now().timestamp(), "2fa_next": next_path or ""})
    if locale:
        session["locale"] = locale
    if picked:
        session["locale_picked"] = True


def second_step_user() -> int | None:
    """The user whose password this browser gave in the last five minutes, awaiting the code."""
    started = session.get("2fa_at")
    if not session.get("2fa_user") or started is None:
        return None
    if runtime().clock.now().timestamp() - started > SECOND_STEP_SECONDS:
        return None
    return int(session["2fa_user"])


def finish_sign_in(user, next_path: str | None):
    """The user proved who they are: a new server-side session, then where they were going."""
    # A language picked on the sign-in page is the user's choice: keep it on the account too.
    picked = session.get("locale") if session.get("locale_picked") else None
    start_session(user, remote_addr=request.remote_addr)
    if picked in LOCALES and picked != user.locale:
        update_preferences(runtime(), user_id=user.id, locale=picked)
        session["locale"] = current_user.locale = picked
    return redirect(next_path or url_for("dashboard.index"))


@bp.post("/logout")
@login_required
def logout():
    record_sign_out(runtime(), user_id=current_user.id, remote_addr=request.remote_addr)
    end_session()
    flash(_("You have signed out."), "success")
    return redirect(url_for("account.login"))


@bp.get("/account/sessions")
@login_required
def sessions_page():
    """The browsers where this account is signed in, and «sign out everywhere»."""
    rows = open_sessions(runtime(), user_id=current_user.id, current=current_session_id())
    return render_template("account/sessions.html", rows=rows, form=UIForm())


@bp.post("/account/sessions/end-all")
@login_required
def sign_out_everywhere():
    """End every session of this account, this browser's too (e.g. after a lost or shared computer)."""
    ended = end_all_sessions(runtime(), user_id=current_user.id, remote_addr=request.remote_addr)
    end_session("everywhere")
    flash(_("You were signed out in every browser (%(count)d sessions).", count=ended), "success")
    return redirect(url_for("account.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password():
    form = PasswordForm()
    errors = FormErrors()
    if form.validate_on_submit():
        try:
            change_password(runtime(), user_id=current_user.id, current=form.current_password.data,
                            new=form.new_password.data, remote_addr=request.remote_addr,
                            keep_session=current_session_id())
        except InvalidInput as exc:
            errors.add_error(exc)
        else:
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
