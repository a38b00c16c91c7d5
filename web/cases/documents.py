"""The generated documents on the case page: each form as Word or PDF (final, or a draft while its step is
pending), a print view of the timeline, and a person's dossier."""
from __future__ import annotations

from flask import Blueprint, Response, render_template, request

from web.accounts.auth import current_actor, login_required, runtime
from web.cases.casepage import effects, recorded
from workflows.forms.dossier import person_dossier
from workflows.forms.issued import FormFile, case_forms, form_file
from workflows.read.casefile import read_case

bp = Blueprint("case_documents", __name__)


def _send(file: FormFile) -> Response:
    response = Response(file.content, mimetype=file.content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{file.filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/cases/<int:case_id>/forms/<form_id>.<any(pdf, docx):fmt>")
@login_required
def form(case_id: int, form_id: str, fmt: str):
    """A form of the case: the final document, or with ?draft=1 the draft (409 before its step otherwise)."""
    draft = request.args.get("draft") in ("1", "true")
    return _send(form_file(runtime(), actor_id=current_actor().id, case_id=case_id, form_id=form_id, fmt=fmt,
                           draft=draft, remote_addr=request.remote_addr))


@bp.get("/cases/<int:case_id>/print")
@login_required
def print_view(case_id: int):
    """The case's timeline on paper: each step with what it recorded, oldest first, and the documents issued."""
    file = read_case(runtime(), actor_id=current_actor().id, case_id=case_id, remote_addr=request.remote_addr)
    forms = case_forms(runtime(), actor_id=current_actor().id, case_id=case_id)
    return render_template("cases/print.html", file=file, case=file.case, recorded=recorded, effects=effects,
                           forms=[f for f in forms if f["available"]], titles={f["id"]: f["title"] for f in forms})


@bp.get("/people/<int:person_id>/dossier.pdf")
@login_required
def dossier(person_id: int):
    """Every final document of the person's cases in one PDF, with a table of contents."""
    return _send(person_dossier(runtime(), actor_id=current_actor().id, person_id=person_id,
                                remote_addr=request.remote_addr))


def case_documents(case_id: int) -> list[dict]:
    """The forms of a case for the case page (used by web/cases/views.render_case)."""
    return case_forms(runtime(), actor_id=current_actor().id, case_id=case_id)
