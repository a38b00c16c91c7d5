"""The import page (issue 16): upload a workbook, watch its progress, read the report row by row.

With JavaScript the file goes up by XMLHttpRequest (its upload progress shown),
the import runs in a background thread of this process, and the page polls its
progress until the report is ready. Without JavaScript the same form posts and
the report comes back when the import is done. Either way it is the same use
case (workflows.imports.run_import) as the command line and the API.
"""
from __future__ import annotations

import io
import secrets
import threading
import time
from dataclasses import dataclass, field

from flask import (
    Blueprint,
    Flask,
    abort,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from werkzeug.exceptions import RequestEntityTooLarge

from web.accounts.auth import current_actor, runtime
from web.common.nav import add_nav_item
from workflows.domain.errors import QuytrinhError
from workflows.imports import ImportRejected, ImportReport, require_importer, run_import
from workflows.imports.reading import FILE, MAX_BYTES
from workflows.imports.scope import IMPORTERS
from workflows.imports.workbook import write_template

bp = Blueprint("imports", __name__, url_prefix="/imports")
JOB_LIFETIME = 3600  # seconds a finished job's report stays readable
TOO_LARGE = (f"Tệp quá lớn; tối đa {MAX_BYTES // 1048576} MB. Hãy chia thành nhiều tệp, mỗi tệp một phần cây tổ "
             "chức.")


@dataclass
class Job:
    """One import running (or finished) in this process, readable by the user who started it."""

    id: str
    user_id: int
    filename: str
    dry_run: bool
    started: float = field(default_factory=time.monotonic)
    done: int = 0
    total: int = 0
    report: ImportReport | None = None
    failure: str | None = None  # a refusal that is not a row report (e.g. no right to import)

    @property
    def finished(self) -> bool:
        return self.report is not None or self.failure is not None

    def as_dict(self) -> dict:
        return {"id": self.id, "finished": self.finished, "done": self.done, "total": self.total,
                "report_url": url_for("imports.page", job=self.id)}


_JOBS: dict[str, Job] = {}
_LOCK = threading.Lock()


def _keep(job: Job) -> None:
    with _LOCK:
        now = time.monotonic()
        for key in [k for k, j in _JOBS.items() if j.finished and now - j.started > JOB_LIFETIME]:
            del _JOBS[key]
        _JOBS[job.id] = job


def _job(job_id: str) -> Job:
    job = _JOBS.get(job_id)
    if job is None or job.user_id != current_actor().id:
        abort(404)
    return job


def _run(rt, job: Job, data: bytes, remote_addr: str | None) -> None:
    def progress(done: int, total: int) -> None:
        job.done, job.total = done, total

    try:
        job.report = run_import(rt, actor_id=job.user_id, data=data, filename=job.filename, dry_run=job.dry_run,
                                progress=progress, remote_addr=remote_addr)
    except ImportRejected as exc:
        job.report = exc.report
    except QuytrinhError as exc:
        job.failure = exc.message("vi")
    except Exception:  # noqa: BLE001 — the page must stop waiting; the log has the traceback
        import logging

        logging.getLogger(__name__).exception("import %s failed", job.id)
        job.failure = "Lỗi hệ thống khi nhập; không có gì được ghi. Xin báo quản trị hệ thống."


def _may_import() -> None:
    require_importer(runtime(), current_actor().id)


def _upload() -> tuple[bytes, str, bool] | str:
    """(data, filename, dry_run) of the posted form, or the message saying why not."""
    try:
        upload = request.files.get("file")
        dry_run = request.form.get("dry_run") in ("1", "true", "on", "y")
    except RequestEntityTooLarge:
        return TOO_LARGE
    if upload is None or not upload.filename:
        return "Chưa chọn tệp cần nhập."
    return upload.read(MAX_BYTES + 1), upload.filename, dry_run


@bp.get("")
@login_required
def page():
    """The form, and the report of a finished import (`?job=`)."""
    _may_import()
    job = _job(request.args["job"]) if request.args.get("job") else None
    return render_template("imports/page.html", job=job, report=job.report if job else None,
                           failure=job.failure if job else None, max_mb=MAX_BYTES // 1048576, file_sheet=FILE)


@bp.post("")
@login_required
def submit():
    """Without JavaScript: import now and show the report."""
    _may_import()
    posted = _upload()
    if isinstance(posted, str):
        return render_template("imports/page.html", job=None, report=None, failure=posted,
                               max_mb=MAX_BYTES // 1048576, file_sheet=FILE), 400
    data, filename, dry_run = posted
    job = Job(secrets.token_urlsafe(12), current_actor().id, filename, dry_run)
    _run(runtime(), job, data, request.remote_addr)
    _keep(job)
    return redirect(url_for("imports.page", job=job.id), code=303)


@bp.post("/jobs")
@login_required
def start():
    """With JavaScript: start the import in the background; answer where to follow it."""
    _may_import()
    posted = _upload()
    if isinstance(posted, str):
        return jsonify({"error": posted}), 400
    data, filename, dry_run = posted
    job = Job(secrets.token_urlsafe(12), current_actor().id, filename, dry_run)
    _keep(job)
    threading.Thread(target=_run, args=(runtime(), job, data, request.remote_addr), daemon=True,
                     name=f"import-{job.id}").start()
    return jsonify({**job.as_dict(), "status_url": url_for("imports.status", job_id=job.id)}), 202


@bp.get("/jobs/<job_id>")
@login_required
def status(job_id: str):
    """How far the import is: rows done of all, and whether its report is ready."""
    return jsonify(_job(job_id).as_dict())


@bp.get("/mau-nhap-lieu.xlsx")
@login_required
def template():
    """The empty workbook with its example rows and drop-down lists."""
    _may_import()
    out = io.BytesIO()
    write_template(out)
    out.seek(0)
    return send_file(out, as_attachment=True, download_name="mau-nhap-lieu.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    add_nav_item(app, "imports.page", _l("Import"), roles=tuple(sorted(IMPORTERS)), order=85)
