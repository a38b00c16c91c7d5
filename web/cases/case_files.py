"""Documents and comments of a case (routes of the cases blueprint)."""
from __future__ import annotations

from flask import flash, redirect, request, send_file, url_for
from flask_babel import gettext as _

from web.accounts.auth import current_actor, login_required, runtime
from web.cases.views import bp, render_case
from web.common.forms import FormErrors
from workflows.domain.errors import InvalidInput
from workflows.dossier.comments import add_comment
from workflows.dossier.documents import open_document, store_document
from workflows.read.casefile import read_case


@bp.post("/<int:case_id>/comments")
@login_required
def comment(case_id: int):
    try:
        add_comment(runtime(), actor_id=current_actor().id, case_id=case_id, body=request.form.get("body", ""),
                    remote_addr=request.remote_addr)
    except InvalidInput as exc:
        errors = FormErrors()
        errors.add_error(exc)
        file = read_case(runtime(), actor_id=current_actor().id, case_id=case_id, remote_addr=request.remote_addr,
                         audited=False)
        return render_case(file, comment_errors=errors, status=errors.status)
    flash(_("Your comment was posted."), "success")
    return redirect(url_for("cases.show", case_id=case_id, _anchor="comments"))


@bp.post("/<int:case_id>/documents")
@login_required
def upload(case_id: int):
    upload_file = request.files.get("file")
    try:
        store_document(runtime(), actor_id=current_actor().id, case_id=case_id,
                       filename=upload_file.filename if upload_file else None,
                       stream=upload_file.stream if upload_file and upload_file.filename else None,
                       kind=request.form.get("kind", ""), remote_addr=request.remote_addr)
    except InvalidInput as exc:
        errors = FormErrors()
        errors.add_error(exc)
        file = read_case(runtime(), actor_id=current_actor().id, case_id=case_id, remote_addr=request.remote_addr,
                         audited=False)
        return render_case(file, upload_errors=errors, status=errors.status)
    flash(_("The document was uploaded."), "success")
    return redirect(url_for("cases.show", case_id=case_id, _anchor="documents"))


@bp.get("/<int:case_id>/comments")
@bp.get("/<int:case_id>/documents")
@login_required
def files_again(case_id: int):
    """The comment and upload addresses opened by GET (a reload after a refused form): the case page at that part."""
    anchor = "comments" if request.path.endswith("/comments") else "documents"
    return redirect(url_for("cases.show", case_id=case_id, _anchor=anchor))


@bp.get("/documents/<int:document_id>")
@login_required
def document(document_id: int):
    stored = open_document(runtime(), actor_id=current_actor().id, document_id=document_id,
                           remote_addr=request.remote_addr)
    response = send_file(stored.path, mimetype=stored.document.content_type, as_attachment=True,
                         download_name=stored.document.filename, max_age=0)
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
