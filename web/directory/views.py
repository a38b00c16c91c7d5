"""Organisations and people: the tree, an organisation's members, a person's page, create and edit."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from models import EDUCATION_LEVELS, GENDERS
from web.accounts.auth import current_actor, login_required, runtime
from web.cases.stepforms import StepFormView, parse_step_form
from web.common.forms import DayFirstDateField, TOO_LONG, FormErrors, SimpleEmail, UIForm, choices
from web.common.i18n import label
from web.common.labels import CHOICES, MEMBERSHIP, all_procedures
from workflows.directory.directory_access import add_person
from workflows.directory.people import (
    edit_person,
    open_case_form,
    organisation_for_people,
    organisation_page,
    organisation_tree,
    person_for_edit,
    person_page,
)
from workflows.domain.errors import InvalidInput, RuleViolation
from workflows.engine import open_case
from workflows.procedures.registry import procedure_names

bp = Blueprint("directory", __name__)

REQUIRED = _l("This field is required.")
DATE_MESSAGE = _l("Enter a real date as dd/mm/yyyy.")


class PersonForm(UIForm):
    full_name = StringField(_l("Full name"), validators=[DataRequired(REQUIRED), Length(max=200, message=TOO_LONG)])
    birth_date = DayFirstDateField(_l("Date of birth"), validators=[DataRequired(DATE_MESSAGE)])
    gender = SelectField(_l("Gender"), choices=choices([("", _l("— choose —"))] + [(g, CHOICES[g]) for g in GENDERS]),
                         validators=[Optional()])
    ethnicity = StringField(_l("Ethnicity"), validators=[Optional(), Length(max=100, message=TOO_LONG)])
    religion = StringField(_l("Religion"), validators=[Optional(), Length(max=100, message=TOO_LONG)])
    home_address = TextAreaField(_l("Home address"), validators=[Optional(), Length(max=400, message=TOO_LONG)])
    education = SelectField(_l("Education"), choices=choices([("", _l("— choose —"))] + [(e, CHOICES[e]) for e in EDUCATION_LEVELS]),
                            validators=[Optional()])
    occupation = StringField(_l("Occupation"), validators=[Optional(), Length(max=200, message=TOO_LONG)])
    email = EmailField(_l("E-mail"), validators=[Optional(), SimpleEmail(_l("Enter an e-mail address.")), Length(max=254, message=TOO_LONG)])
    holds_post = BooleanField(_l("Holds a post (office) in the Party"))

    def values(self) -> dict:
        data = {name: getattr(self, name).data for name in (
            "full_name", "gender", "ethnicity", "religion", "home_address", "education", "occupation", "email")}
        data = {k: (v or None) if k != "full_name" else v for k, v in data.items()}
        data["birth_date"] = self.birth_date.data.isoformat() if self.birth_date.data else None
        data["holds_post"] = bool(self.holds_post.data)
        return data


class NewPersonForm(PersonForm):
    membership_status = SelectField(
        _l("Membership status on record"), choices=choices(MEMBERSHIP.items()), default="none",
        description=_l("Only for people already on the rolls; afterwards only decisions change it."))
    joined_on = DayFirstDateField(_l("Admitted on (decision date)"), validators=[Optional()])
    official_on = DayFirstDateField(_l("Official member from"), validators=[Optional()])


@bp.get("/organisations")
@login_required
def organisations():
    nodes = organisation_tree(runtime(), actor_id=current_actor().id)
    return render_template("directory/organisations.html", nodes=nodes)


@bp.get("/organisations/<int:org_id>")
@login_required
def organisation(org_id: int):
    page = organisation_page(runtime(), actor_id=current_actor().id, organisation_id=org_id)
    return render_template("directory/organisation.html", page=page, org=page.organisation)


@bp.route("/organisations/<int:org_id>/people/new", methods=["GET", "POST"])
@login_required
def new_person(org_id: int):
    org = organisation_for_people(runtime(), actor_id=current_actor().id, organisation_id=org_id)
    form = NewPersonForm()
    errors = FormErrors()
    if form.validate_on_submit():
        values = form.values()
        try:
            person = add_person(runtime(), actor_id=current_actor().id, organisation_id=org_id,
                                membership_status=form.membership_status.data,
                                joined_on=form.joined_on.data.isoformat() if form.joined_on.data else None,
                                official_on=form.official_on.data.isoformat() if form.official_on.data else None,
                                **values)
        except InvalidInput as exc:
            errors.add_error(exc)
        else:
            flash(_("%(name)s was added.", name=person["full_name"]), "success")
            return redirect(url_for("directory.person", person_id=person["id"]))
    elif request.method == "POST":
        errors.status = 400
    return render_template("directory/person_form.html", form=form, errors=errors, org=org, person=None), errors.status


@bp.get("/people/<int:person_id>")
@login_required
def person(person_id: int):
    page = person_page(runtime(), actor_id=current_actor().id, person_id=person_id, remote_addr=request.remote_addr)
    # Offer only what can succeed: no admission case for a member, none of a procedure already open.
    procedures = [(name, text) for name, text in all_procedures() if name in page.openable]
    return render_template("directory/person.html", page=page, person=page.person, procedures=procedures)


@bp.route("/people/<int:person_id>/edit", methods=["GET", "POST"])
@login_required
def edit(person_id: int):
    existing = person_for_edit(runtime(), actor_id=current_actor().id, person_id=person_id)
    form = PersonForm(obj=existing) if request.method == "GET" else PersonForm()
    errors = FormErrors()
    if form.validate_on_submit():
        try:
            edit_person(runtime(), actor_id=current_actor().id, person_id=person_id, values=form.values(),
                        remote_addr=request.remote_addr)
        except InvalidInput as exc:
            errors.add_error(exc)
        else:
            flash(_("The record was saved."), "success")
            return redirect(url_for("directory.person", person_id=person_id))
    elif request.method == "POST":
        errors.status = 400
    return render_template("directory/person_form.html", form=form, errors=errors, org=None, person=existing), \
        errors.status


def _procedure_arg(value: str | None) -> str:
    if value not in procedure_names():
        abort(404)
    return value


@bp.route("/people/<int:person_id>/open/<procedure>", methods=["GET", "POST"])
@login_required
def open_for(person_id: int, procedure: str):
    """Open a case of a procedure for a person: the procedure's `open` step as a form."""
    procedure = _procedure_arg(procedure)
    rt, actor = runtime(), current_actor()
    ctx = open_case_form(rt, actor_id=actor.id, person_id=person_id, procedure=procedure)
    step = ctx.definition.open_step
    errors = FormErrors()
    posted = None
    if request.method == "POST":
        posted = request.form
        data, errors = parse_step_form(step, request.form)
        comment = (request.form.get("comment") or "").strip()[:2000] or None
        if not errors:
            try:
                case = open_case(rt, procedure=procedure, person_id=person_id, organisation_id=ctx.organisation.id,
                                 actor_id=actor.id, data=data, comment=comment)
            except (InvalidInput, RuleViolation) as exc:
                errors.add_error(exc)
            else:
                flash(_("The case was opened: %(name)s.", name=label(ctx.definition)), "success")
                return redirect(url_for("cases.show", case_id=case.id))
    view = StepFormView(step, "open", values=posted, errors=errors, ref_options=ctx.ref_options, choices=ctx.choices)
    return render_template("directory/open_case.html", ctx=ctx, view=view, person=ctx.person), \
        errors.status if errors else 200


@bp.get("/people/<int:person_id>/open")
@login_required
def choose_procedure(person_id: int):
    """The procedure picked in the person page's form (works without script)."""
    procedure = request.args.get("procedure") or ""
    return redirect(url_for("directory.open_for", person_id=person_id, procedure=_procedure_arg(procedure)))
