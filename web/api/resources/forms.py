"""The documents of a case (api.md «Additions»): the list, and each form as PDF or Word, final or draft."""
from __future__ import annotations

from flask import Response
from marshmallow import RAISE, Schema, fields, validate

from web.api.blueprint import api_blueprint
from web.api.common import caller_id, documents, remote_addr, runtime
from web.api.schemas import StrictSchema
from workflows.forms.dossier import person_dossier
from workflows.forms.issued import FormFile, case_forms, form_file

blp = api_blueprint("api_forms", __name__, "/cases", "Documents a case produces (resolutions, decisions)")
dossiers = api_blueprint("api_dossiers", __name__, "/persons", "A person's documents in one PDF")
CASE_ID = "<int(max=2147483647):case_id>"


class FormItemSchema(Schema):
    id = fields.String(metadata={"description": "ASCII form id, e.g. 9-KND"})
    title = fields.String()
    step = fields.String(metadata={"description": "The trigger that records it"})
    available = fields.Boolean(metadata={"description": "True once its step is recorded (the final document)"})
    number = fields.String(allow_none=True)
    issued_on = fields.Date(allow_none=True)
    sha256 = fields.String(allow_none=True, metadata={"description": "Of the facts it was filled from, as the "
                                                                     "step's event records"})


class FormListSchema(Schema):
    items = fields.List(fields.Nested(FormItemSchema))


class FormQuerySchema(StrictSchema):
    format = fields.String(load_default="pdf", validate=validate.OneOf(("pdf", "docx")))
    draft = fields.Boolean(load_default=False)


def send(file: FormFile) -> Response:
    response = Response(file.content, mimetype=file.content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{file.filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@blp.route("/" + CASE_ID + "/forms", methods=["GET"])
@blp.response(200, FormListSchema)
@documents(blp, 401, 404)
def index(case_id: int):
    """Every official form or decision the case's procedure produces; `available` once its step is recorded."""
    return {"items": case_forms(runtime(), actor_id=caller_id(), case_id=case_id)}


@blp.route("/" + CASE_ID + "/forms/<form_id>", methods=["GET"])
@blp.arguments(FormQuerySchema, location="query", error_status_code=400, unknown=RAISE)
@blp.response(200, content_type="application/pdf")
@documents(blp, 400, 401, 404, 409)
def show(query, case_id: int, form_id: str):
    """The document filled from the case (PDF or Word). Before its step is recorded: 409 `not_available`, or
    with `draft=true` the draft marked «DỰ THẢO» with dotted blanks."""
    return send(form_file(runtime(), actor_id=caller_id(), case_id=case_id, form_id=form_id,
                          fmt=query["format"], draft=query["draft"], remote_addr=remote_addr()))


@dossiers.route("/<int(max=2147483647):person_id>/dossier", methods=["GET"])
@dossiers.response(200, content_type="application/pdf")
@documents(dossiers, 401, 404)
def dossier(person_id: int):
    """One PDF of every final document of the person's cases, in order, with a table of contents."""
    return send(person_dossier(runtime(), actor_id=caller_id(), person_id=person_id, remote_addr=remote_addr()))
