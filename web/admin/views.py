"""Administration pages: users and their roles, organisations, holiday overrides per year."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectField,
    StringField,
)
from wtforms.validators import AnyOf, DataRequired, Length, Optional

from models import ORGANISATION_KINDS, ROLES
from web.accounts.auth import admin_required, current_actor, runtime
from web.common.forms import (
    TOO_LONG,
    DayFirstDateField,
    FormErrors,
    SimpleEmail,
    UIForm,
    choices,
)
from web.common.i18n import lang
from web.common.labels import ORGANISATION_KINDS as KIND_LABELS
from web.common.labels import ROLES as ROLE_LABELS
from web.common.params import ascii_digits
from workflows.accounts.admin import (
    UNCHANGED,
    all_organisations,
    get_organisation,
    get_user,
    list_users,
    remove_override,
    revoke_role,
    set_override,
    update_organisation,
    update_user,
    year_calendar,
)
from workflows.directory.directory_access import add_organisation, add_user, grant_role
from workflows.domain.errors import InvalidInput, NotFound

bp = Blueprint("admin", __name__, url_prefix="/admin")

REQUIRED = _l("This field is required.")


class NewUserForm(UIForm):
    username = StringField(_l("Username"), validators=[DataRequired(REQUIRED), Length(max=80, message=TOO_LONG)],
                           description=_l("Letters, digits, dots; no spaces."))
    display_name = StringField(_l("Full name and post"), validators=[DataRequired(REQUIRED), Length(max=200, message=TOO_LONG)])
    email = EmailField(_l("E-mail"), validators=[Optional(), SimpleEmail(_l("Enter an e-mail address.")), Length(max=254, message=TOO_LONG)])
    password = PasswordField(_l("Password"), validators=[DataRequired(REQUIRED), Length(max=128, message=TOO_LONG)],
                             description=_l("At least 8 characters; a long phrase of 15 or more is best. No other rules."))
    is_admin = BooleanField(_l("System administrator"))


class EditUserForm(UIForm):
    display_name = StringField(_l("Full name and post"), validators=[DataRequired(REQUIRED), Length(max=200, message=TOO_LONG)])
    email = EmailField(_l("E-mail"), validators=[Optional(), SimpleEmail(_l("Enter an e-mail address.")), Length(max=254, message=TOO_LONG)])
    active = BooleanField(_l("Account enabled"))
    is_admin = BooleanField(_l("System administrator"))
    new_password = PasswordField(_l("New password"), validators=[Optional(), Length(max=128, message=TOO_LONG)],
                                 description=_l("Leave empty to keep the current password."))


class GrantForm(UIForm):
    role = SelectField(_l("Role"), choices=choices([(r, ROLE_LABELS[r]) for r in ROLES]), validators=[DataRequired(REQUIRED)])
    organisation_id = SelectField(_l("Organisation"), coerce=int, validate_choice=False,
                                  validators=[DataRequired(REQUIRED)])


class OrganisationForm(UIForm):
    name = StringField(_l("Name"), validators=[DataRequired(REQUIRED), Length(max=200, message=TOO_LONG)])
    kind = SelectField(_l("Kind"), choices=choices([(k, KIND_LABELS[k]) for k in ORGANISATION_KINDS]))
    parent_id = SelectField(_l("Under"), coerce=lambda v: int(v) if v not in (None, "") else None,
                            validate_choice=False)
    email = EmailField(_l("E-mail"), validators=[Optional(), SimpleEmail(_l("Enter an e-mail address.")), Length(max=254, message=TOO_LONG)])
    admission_authority = BooleanField(_l("Delegated admission authority (grassroots committees only)"))


YOUTH_UNION_CHOICES = {"": None, "yes": True, "no": False}


class EditOrganisationForm(UIForm):
    name = StringField(_l("Name"), validators=[DataRequired(REQUIRED), Length(max=200, message=TOO_LONG)])
    email = EmailField(_l("E-mail"), validators=[Optional(), SimpleEmail(_l("Enter an e-mail address.")), Length(max=254, message=TOO_LONG)])
    admission_authority = BooleanField(_l("Delegated admission authority (grassroots committees only)"))
    # Whether the unit has a Youth Union: an applicant of Youth Union age is then introduced by its resolution.
    youth_union = SelectField(_l("Youth Union organisation in the unit"), choices=choices([
        ("", _l("not recorded")), ("yes", _l("there is a Youth Union organisation")),
        ("no", _l("there is no Youth Union organisation"))]), validate_choice=False,
        validators=[Optional(), AnyOf(list(YOUTH_UNION_CHOICES), message=_l("Choose one of the options."))])


class OverrideForm(UIForm):
    day = DayFirstDateField(_l("Day"), validators=[DataRequired(_l("Enter a real date as dd/mm/yyyy."))])
    working = SelectField(_l("The day becomes"), choices=choices([("1", _l("a working day (swapped Saturday)")),
                                                                  ("0", _l("a day off"))]))
    note = StringField(_l("Note"), validators=[Optional(), Length(max=200, message=TOO_LONG)])


def _org_choices() -> list[tuple[int, str]]:
    orgs = all_organisations(runtime(), actor_id=current_actor().id)
    return [(o.id, "· " * (o.path.count("/") - 2) + o.name) for o in orgs]


# ---------------------------------------------------------------- users


@bp.get("/users")
@admin_required
def users():
    search = (request.args.get("q") or "").strip()[:80]
    page_text = request.args.get("page", "1")
    page = int(page_text) if ascii_digits(page_text) and len(page_text) < 6 else 1
    rows, total = list_users(runtime(), actor_id=current_actor().id, search=search, page=page)
    return render_template("admin/users.html", rows=rows, total=total, search=search, page=page)


@bp.route("/users/new", methods=["GET", "POST"])
@admin_required
def new_user():
    form = NewUserForm()
    errors = FormErrors()
    if form.validate_on_submit():
        try:
            user = add_user(runtime(), actor_id=current_actor().id, username=form.username.data,
                            password=form.password.data, display_name=form.display_name.data,
                            email=form.email.data or None, is_admin=form.is_admin.data)
        except InvalidInput as exc:
            errors.add_error(exc)
        else:
            flash(_("The account %(name)s was created. Now give it its roles.", name=user["username"]), "success")
            return redirect(url_for("admin.user", user_id=user["id"]))
    elif request.method == "POST":
        errors.status = 400
    return render_template("admin/user_new.html", form=form, errors=errors), errors.status


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@admin_required
def user(user_id: int):
    row = get_user(runtime(), actor_id=current_actor().id, user_id=user_id)
    form = EditUserForm(obj=row.user) if request.method == "GET" else EditUserForm()
    grant_form = GrantForm(prefix="grant")
    grant_form.organisation_id.choices = choices(_org_choices())
    errors = FormErrors()
    if form.validate_on_submit():
        try:
            update_user(runtime(), actor_id=current_actor().id, user_id=user_id, display_name=form.display_name.data,
                        email=form.email.data or None, active=form.active.data, is_admin=form.is_admin.data,
                        new_password=form.new_password.data or None)
        except InvalidInput as exc:
            errors.add_error(exc)
        else:
            flash(_("The account was saved."), "success")
            return redirect(url_for("admin.user", user_id=user_id))
    elif request.method == "POST":
        errors.status = 400
    return render_template("admin/user.html", row=row, form=form, grant_form=grant_form, errors=errors,
                           grant_errors=None), errors.status


@bp.post("/users/<int:user_id>/roles")
@admin_required
def grant(user_id: int):
    row = get_user(runtime(), actor_id=current_actor().id, user_id=user_id)
    grant_form = GrantForm(prefix="grant")
    grant_form.organisation_id.choices = choices(_org_choices())
    errors = FormErrors()
    if grant_form.validate_on_submit():
        try:
            grant_role(runtime(), actor_id=current_actor().id, user_id=user_id,
                       organisation_id=grant_form.organisation_id.data, role=grant_form.role.data)
        except (InvalidInput, NotFound) as exc:
            errors.add_error(exc)
        else:
            flash(_("The role was given."), "success")
            return redirect(url_for("admin.user", user_id=user_id))
    else:
        errors.status = 400
    return render_template("admin/user.html", row=row, form=EditUserForm(obj=row.user), grant_form=grant_form,
                           errors=FormErrors(), grant_errors=errors), errors.status


@bp.get("/users/<int:user_id>/roles")
@admin_required
def grant_again(user_id: int):
    """The role form's address opened by GET (a reload after a refused form): the user's page, not a 405."""
    return redirect(url_for("admin.user", user_id=user_id))


@bp.post("/roles/<int:grant_id>/revoke")
@admin_required
def revoke(grant_id: int):
    user_id = request.form.get("user_id", "")
    revoke_role(runtime(), actor_id=current_actor().id, grant_id=grant_id)
    flash(_("The role was taken away."), "success")
    if ascii_digits(user_id):
        return redirect(url_for("admin.user", user_id=int(user_id)))
    return redirect(url_for("admin.users"))


# ---------------------------------------------------------------- organisations


@bp.route("/organisations", methods=["GET", "POST"])
@admin_required
def organisations():
    orgs = all_organisations(runtime(), actor_id=current_actor().id)
    form = OrganisationForm()
    form.parent_id.choices = choices([("", _("— none (top level) —"))] + [
        (str(o.id), "· " * (o.path.count("/") - 2) + o.name) for o in orgs if o.kind not in ("cell", "grassroots_cell")])
    errors = FormErrors()
    if form.validate_on_submit():
        try:
            org = add_organisation(runtime(), actor_id=current_actor().id, name=form.name.data, kind=form.kind.data,
                                   parent_id=form.parent_id.data, email=form.email.data or None,
                                   admission_authority=form.admission_authority.data)
        except (InvalidInput, NotFound) as exc:
            errors.add_error(exc)
        else:
            flash(_("%(name)s was created.", name=org["name"]), "success")
            return redirect(url_for("admin.organisations"))
    elif request.method == "POST":
        errors.status = 400
    return render_template("admin/organisations.html", orgs=orgs, form=form, errors=errors), errors.status


@bp.route("/organisations/<int:org_id>", methods=["GET", "POST"])
@admin_required
def organisation(org_id: int):
    org = get_organisation(runtime(), actor_id=current_actor().id, organisation_id=org_id)
    form = EditOrganisationForm(obj=org) if request.method == "GET" else EditOrganisationForm()
    if request.method == "GET":
        form.youth_union.data = {None: "", True: "yes", False: "no"}[org.youth_union]
    errors = FormErrors()
    if form.validate_on_submit():
        try:
            update_organisation(runtime(), actor_id=current_actor().id, organisation_id=org_id, name=form.name.data,
                                email=form.email.data or None, admission_authority=form.admission_authority.data,
                                # Not sent at all (an older form): left as it is.
                                youth_union=UNCHANGED if form.youth_union.raw_data in (None, [])
                                else YOUTH_UNION_CHOICES[form.youth_union.data or ""])
        except InvalidInput as exc:
            errors.add_error(exc)
        else:
            flash(_("The organisation was saved."), "success")
            return redirect(url_for("admin.organisations"))
    elif request.method == "POST":
        errors.status = 400
    return render_template("admin/organisation.html", org=org, form=form, errors=errors), errors.status


# ---------------------------------------------------------------- calendar


def _year() -> int:
    text = request.values.get("year", "")
    if ascii_digits(text) and len(text) == 4:
        return int(text)
    return runtime().clock.today().year


@bp.route("/calendar", methods=["GET", "POST"])
@admin_required
def calendar():
    year = _year()
    form = OverrideForm()
    errors = FormErrors()
    if form.validate_on_submit():
        try:
            set_override(runtime(), actor_id=current_actor().id, day=form.day.data, working=form.working.data == "1",
                         note=form.note.data or "")
        except InvalidInput as exc:
            errors.add_error(exc)
        else:
            flash(_("The calendar was changed; deadlines computed from now on use it."), "success")
            return redirect(url_for("admin.calendar", year=form.day.data.year))
    elif request.method == "POST":
        errors.status = 400
    days = year_calendar(runtime(), actor_id=current_actor().id, year=year, language=lang())
    return render_template("admin/calendar.html", days=days, year=year, form=form, errors=errors), errors.status


@bp.post("/calendar/<day>/delete")
@admin_required
def delete_override(day: str):
    try:
        when = date.fromisoformat(day)
    except ValueError:
        raise NotFound("ngày", day) from None
    remove_override(runtime(), actor_id=current_actor().id, day=when)
    flash(_("The override was removed."), "success")
    return redirect(url_for("admin.calendar", year=when.year))
