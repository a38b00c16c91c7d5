"""POST /imports: organisations and members from a workbook (api.md «Additions», docs/import.md)."""
from __future__ import annotations

from flask import request
from marshmallow import Schema, fields

from web.api.blueprint import api_blueprint
from web.api.common import caller_id, documents, remote_addr, runtime
from web.api.errors import error_response, language
from workflows.domain.errors import InvalidInput
from workflows.imports import ImportRejected, require_importer, run_import
from workflows.imports.reading import MAX_BYTES

blp = api_blueprint("api_imports", __name__, "/imports",
                    "Imports of organisations and members (administrators and organisation officers)")
_TRUE, _FALSE = ("true", "1", "yes", "on"), ("false", "0", "no", "off", "")


class ImportErrorSchema(Schema):
    sheet = fields.String(metadata={"description": "sheet name, or the CSV file's name; «Tệp» for the whole file"})
    row = fields.Integer(allow_none=True, metadata={"description": "spreadsheet row (the header is row 1)"})
    column = fields.String(allow_none=True, metadata={"description": "column letter, or the header when absent"})
    code = fields.String(metadata={"description": "e.g. unknown_parent, invalid_date, duplicate_person, formula"})
    message = fields.String(metadata={"description": "what is wrong, in Vietnamese"})


class ImportCountsSchema(Schema):
    created = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()
    moved = fields.Integer()


class CaseCountsSchema(Schema):
    created = fields.Integer()
    unchanged = fields.Integer()
    deadlines = fields.Integer(metadata={"description": "open deadlines computed from the recorded dates"})


class ImportReportSchema(Schema):
    created = fields.Integer(metadata={"description": "organisations and persons created (or that would be)"})
    updated = fields.Integer()
    unchanged = fields.Integer()
    errors = fields.List(fields.Nested(ImportErrorSchema))
    errors_total = fields.Integer(metadata={"description": "all errors, when more than the listed ones"})
    dry_run = fields.Boolean()
    organisations = fields.Nested(ImportCountsSchema)
    members = fields.Nested(ImportCountsSchema)
    cases = fields.Nested(CaseCountsSchema, metadata={"description": "paper cases in flight (third sheet)"})
    import_id = fields.Integer(allow_none=True)


_REQUEST_BODY = {"content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"],
    "properties": {"file": {"type": "string", "format": "binary",
                            "description": ".xlsx (sheets «To chuc», «Dang vien», «Ho so dang giai quyet»), "
                                           ".csv (UTF-8), or .zip of to_chuc.csv, dang_vien.csv, ho_so.csv; "
                                           "at most 20 MB"},
                   "dry_run": {"type": "string", "enum": ["true", "false"]}}}}}}


def _flag(value: str | None, name: str) -> bool:
    text = (value or "").strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise InvalidInput(f"«{name}» phải là true hoặc false.", f"'{name}' must be true or false.", {name: "boolean"})


@blp.route("", methods=["POST"])
@blp.doc(requestBody=_REQUEST_BODY, parameters=[{"in": "query", "name": "dry_run", "required": False,
                                                  "schema": {"type": "string", "enum": ["true", "false"]}}])
@blp.response(200, ImportReportSchema)
@documents(blp, 400, 401, 403, 413, 422)
def create_import():
    """Import organisations and members; `dry_run` only checks and counts. Any error and not a dry run: 422
    `invalid_input` with the same `errors` in `details`, nothing written."""
    unknown = sorted(set(request.args) - {"dry_run"})
    if unknown:  # as the other resources do: a parameter the document does not name is refused, not ignored
        raise InvalidInput(f"Tham số không được hỗ trợ: {', '.join(unknown) or '(trống)'}.",
                           f"Unknown query parameters: {', '.join(unknown) or '(empty)'}.", {"query": "unknown"})
    require_importer(runtime(), caller_id())
    request.max_content_length = MAX_BYTES + 64 * 1024  # the file and the form around it
    upload = request.files.get("file")
    if upload is None:
        raise InvalidInput("Thiếu tệp cần nhập (trường «file» của multipart/form-data).",
                           "The multipart field 'file' is missing.", {"file": "required"})
    dry_run = _flag(request.form.get("dry_run"), "dry_run") or _flag(request.args.get("dry_run"), "dry_run")
    try:
        report = run_import(runtime(), actor_id=caller_id(), data=upload.read(MAX_BYTES + 1),
                            filename=upload.filename or "", dry_run=dry_run, remote_addr=remote_addr())
    except ImportRejected as exc:
        return error_response(422, exc.code, exc.message(language()), exc.details)
    return report.as_dict()
