"""Cases: the list with filters, the case page, and one form per action the user may take."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from web.accounts.auth import current_actor, login_required, runtime
from web.cases.casepage import (
    appeal_window,
    current_step_text,
    effects,
    recorded,
    waiting_text,
)
from web.cases.diagram import forward_edges
from web.cases.documents import case_documents
from web.cases.stale import happened_since, stale_page
from web.cases.stepforms import StepFormView, parse_step_form
from web.common.forms import FormErrors
from web.common.i18n import label, lang
from web.common.labels import all_procedures, definition
from web.common.params import ascii_digits
from workflows.domain.errors import (
    ConflictingUpdate,
    InvalidInput,
    RuleViolation,
)
from workflows.domain.rulesets import RULE_SETS
from workflows.engine import fire
from workflows.engine.access import forbidden_step
from workflows.read.casefile import read_case
from workflows.read.listing import (
    SIDE_TRIGGERS,
    SORTS,
    CaseFilter,
    filter_options,
    list_cases,
)

bp = Blueprint("cases", __name__, url_prefix="/cases")


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "").strip()
    if not value:
        return None
    if not ascii_digits(value) or len(value) > 9:
        raise InvalidInput(f"Tham số «{name}» phải là số.", f"Parameter '{name}' must be a number.", {name: "invalid"})
    return int(value)


def _filter_from_args() -> CaseFilter:
    procedure = request.args.get("procedure") or None
    state = request.args.get("state") or None
    return CaseFilter(
        procedure=procedure, state=state if procedure else state, organisation_id=_int_arg("organisation_id"),
        overdue=request.args.get("overdue") in ("1", "on", "true"), search=(request.args.get("q") or "").strip()[:100] or None,
        status=request.args.get("status") or "open", sort=request.args.get("sort") or "deadline",
        page=_int_arg("page") or 1, per_page=_int_arg("per_page") or 25,
    )


@bp.get("/")
@login_required
def index():
    actor = current_actor()
    filt = _filter_from_args()
    page = list_cases(runtime(), actor_id=actor.id, filt=filt, remote_addr=request.remote_addr)
    states = []
    if filt.procedure:
        found = definition(filt.procedure)
        states = [(s.name, s) for s in found.states] if found else []
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "cases/list.html", page=page, filt=filt, args=args, procedures=all_procedures(), states=states,
        options=filter_options(runtime(), actor_id=actor.id), sorts=SORTS, today=runtime().clock.today(),
        calendar=runtime().calendar(),
    )


# ---------------------------------------------------------------- the case page


def _diagram(file):
    from web.cases.diagram import render_svg
    from web.common.i18n import label

    d = file.definition
    current = file.case.state
    return render_svg(
        d, labels={s.name: label(s) for s in d.states},
        step_labels={s.trigger: label(s) for s in d.steps}, current=current, visited=file.visited,
        taken={(e.from_state, e.to_state) for e in file.events if e.from_state},
        title=_("Diagram of the procedure: %(name)s", name=label(d)),
        description=_("The case is now at: %(state)s.", state=label(d.state(current)) if current else "—"),
        side_caption=_("From any open step:") + " " + ", ".join(
            label(s) for s in d.states if s.final and s.name not in {dst for _s, dst, _t in forward_edges(d)}),
    )


def _defaults(step, file) -> dict[str, str]:
    """Helpful starting values: the number of official members for a cell vote."""
    values = {}
    for f in step.fields:
        if f.kind == "vote" and step.vote == "cell" and file.official_members:
            values[f"d.{f.name}.eligible"] = str(file.official_members)
    return values


def render_case(file, *, open_trigger: str | None = None, posted=None, errors: FormErrors | None = None,
                status: int = 200, upload_errors: FormErrors | None = None, comment_errors: FormErrors | None = None):
    forms = []
    for step in file.actions:
        if step.trigger in file.not_before:
            continue  # not yet: the page says from which day (offer only what can succeed)
        mine = step.trigger == open_trigger
        forms.append(StepFormView(
            step, f"act-{step.trigger}", values=posted if mine else None, errors=errors if mine else None,
            ref_options=file.ref_options, defaults=_defaults(step, file), choices=file.choices.get(step.trigger)))
    return render_template(
        "cases/show.html", file=file, case=file.case, forms=forms, open_trigger=open_trigger,
        diagram=_diagram(file), current_step=current_step_text(file), waiting=waiting_text(file),
        recorded=recorded, effects=effects, side_triggers=SIDE_TRIGGERS, documents=case_documents(file.case.id),
        appeal=appeal_window(file, runtime().calendar()),
        not_yet=[(step, file.not_before[step.trigger]) for step in file.actions if step.trigger in file.not_before],
        upload_errors=upload_errors, comment_errors=comment_errors,
    ), status


@bp.get("/<int:case_id>")
@login_required
def show(case_id: int):
    file = read_case(runtime(), actor_id=current_actor().id, case_id=case_id, remote_addr=request.remote_addr)
    wanted = request.args.get("act")
    return render_case(file, open_trigger=wanted if any(s.trigger == wanted for s in file.actions) else None)


@bp.get("/<int:case_id>/actions/<trigger>")
@login_required
def act_again(case_id: int, trigger: str):
    """The address an action's form posts to, opened by GET (a reload after a refused form, the return after
    signing in again): the case page with that action's form open, never a 405."""
    return redirect(url_for("cases.show", case_id=case_id, act=trigger[:40], _anchor=f"action-{trigger[:40]}"))


def _refuse(file, trigger: str, revision: int | None):
    """The action is not on the page: unknown step (404), a step the case has moved past — a stale or repeated
    submit, told in words with a link to the case (409) — or not the user's (403)."""
    definition = file.definition
    if trigger == "open" or trigger not in definition.triggers:
        abort(404)
    step = definition.step_from(trigger, file.case.state or "")
    if step is None:
        return stale_page(file, trigger, revision)
    raise forbidden_step(step, step.who if not callable(step.who) else (), file.chain,
                         RULE_SETS[file.definition.rule_set])


@bp.post("/<int:case_id>/actions/<trigger>")
@login_required
def act(case_id: int, trigger: str):
    rt, actor = runtime(), current_actor()
    file = read_case(rt, actor_id=actor.id, case_id=case_id, remote_addr=request.remote_addr, audited=False)
    revision_text = request.form.get("revision") or ""
    revision = int(revision_text) if ascii_digits(revision_text) and len(revision_text) < 10 else None
    step = next((s for s in file.actions if s.trigger == trigger), None)
    if step is None:
        return _refuse(file, trigger, revision)
    data, errors = parse_step_form(step, request.form)
    comment = (request.form.get("comment") or "").strip()
    if len(comment) > 2000:
        errors.add("comment", _("At most %(n)d characters.", n=2000), status=400)
    if StepFormView(step, "x").needs_comment and not comment:
        errors.add("comment", _("A comment is required for this step."), status=400)
    if not errors:
        try:
            fire(rt, case_id=case_id, trigger=trigger, actor_id=actor.id, data=data, comment=comment or None,
                 revision=revision)
        except (InvalidInput, RuleViolation) as exc:
            errors.add_error(exc)
        except ConflictingUpdate as exc:
            fresh = read_case(rt, actor_id=actor.id, case_id=case_id, remote_addr=request.remote_addr)
            if not any(s.trigger == trigger for s in fresh.actions):
                return stale_page(fresh, trigger, revision)
            # The step can still be taken: say what changed meanwhile and keep what was typed.
            flash(exc.message(lang()), "error")
            for sentence in happened_since(fresh, trigger, revision):
                flash(sentence, "error")
            flash(_("Check the case as it is now, then send the form again."), "error")
            return render_case(fresh, open_trigger=trigger, posted=request.form, status=409)
        else:
            flash(_("Recorded: %(step)s.", step=label(step)), "success")
            return redirect(url_for("cases.show", case_id=case_id, _anchor="current"))
    return render_case(file, open_trigger=trigger, posted=request.form, errors=errors, status=errors.status)
