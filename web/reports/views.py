"""Report pages: statistics, pipeline, compliance audit and member register of an organisation subtree,
each with its Excel and CSV exports. Every page is one service call of workflows.reports.pages."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l

from web.accounts.auth import current_actor, login_required, runtime
from web.common.nav import add_nav_item
from web.common.params import ascii_digits, date_arg, page_arg
from web.reports.charts import line_chart, stacked_bars
from workflows.domain.errors import InvalidInput
from workflows.reports import pages as report_pages
from workflows.reports.compliance import KIND_LABELS_VI, KINDS
from workflows.reports.exports import filename, to_csv, to_xlsx
from workflows.reports.register import MEMBER_STATUSES, PAGE_SIZE, STATUS_LABELS_VI
from workflows.reports.statistics import CATEGORIES, CATEGORY_LABELS_VI, seed_sentence

bp = Blueprint("reports", __name__, url_prefix="/reports")
TABS = (("reports.statistics", _l("Statistics")), ("reports.pipeline", _l("Pipeline")),
        ("reports.compliance", _l("Compliance audit")), ("reports.register", _l("Member register")))


@bp.app_context_processor
def _report_tabs():
    """The report tabs the user may open for an organisation (no tab that answers 403)."""
    def tabs(org):
        allowed = report_pages.may_audit(current_actor(), org.path)
        return [(endpoint, text) for endpoint, text in TABS if endpoint != "reports.compliance" or allowed]
    return {"report_tabs": tabs}

LINE_FIGURES = ("admitted", "recognised", "struck_off", "struck_off_probationary", "expelled", "withdrawn")
# "of which probationary" is part of "struck off": a stacked bar leaves it out.
BAR_FIGURES = ("admitted", "recognised", "struck_off", "expelled", "withdrawn", "reprimand", "warning",
               "removal_from_post")
FORMATS = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
           "csv": "text/csv; charset=utf-8"}


def init_nav(app) -> None:
    # Anyone holding a role somewhere reports on their subtree; an account without roles has nothing to see.
    add_nav_item(app, "reports.index", _l("Reports"), order=40,
                 roles=("cell_secretary", "organisation_officer", "committee_member", "standing_committee",
                        "inspection_committee", "inspector"))


def _period() -> tuple[date, date]:
    today = runtime().clock.today()
    return date_arg("from", date(today.year, 1, 1)), date_arg("to", today)


def _export_format() -> str:
    fmt = request.args.get("format", "xlsx")
    if fmt not in FORMATS:
        raise InvalidInput("Định dạng xuất phải là xlsx hoặc csv.", "The export format must be xlsx or csv.",
                           {"format": "xlsx or csv"})
    return fmt


def _download(page: report_pages.ReportPage, stem: str, title: str) -> Response:
    """The page's tables as one Excel workbook, or one of them (?table=key) as CSV."""
    fmt = _export_format()
    period = ""
    if page.date_from and page.date_to:
        period = f"Từ {page.date_from:%d/%m/%Y} đến {page.date_to:%d/%m/%Y}"
    if fmt == "xlsx":
        body = to_xlsx(page.tables, title=f"{title} — {page.organisation.name}", subtitle=period)
        name = filename(f"{stem}-{page.organisation.id}", "xlsx")
    else:
        key = request.args.get("table") or page.tables[0].key
        table = next((t for t in page.tables if t.key == key), None)
        if table is None:
            raise InvalidInput("Không có bảng này để xuất.", "No such table to export.", {"table": "unknown"})
        body = to_csv(table)
        name = filename(f"{stem}-{table.key}-{page.organisation.id}", "csv")
    return Response(body, mimetype=FORMATS[fmt], headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})


def _kinds() -> tuple[str, ...]:
    chosen = tuple(k for k in request.args.getlist("kind") if k)
    unknown = set(chosen) - set(KINDS)
    if unknown:
        raise InvalidInput("Loại vi phạm không hợp lệ.", "Unknown finding kind.", {"kind": ", ".join(sorted(unknown))})
    return chosen or KINDS


def _statuses() -> tuple[str, ...]:
    chosen = tuple(s for s in request.args.getlist("status") if s)
    return chosen or MEMBER_STATUSES


def _after() -> int:
    raw = request.args.get("after", "0")
    if not ascii_digits(raw) or len(raw) > 12:
        raise InvalidInput("Tham số «after» không hợp lệ.", "Invalid 'after' parameter.", {"after": "not a case id"})
    return int(raw)


def _page_number() -> int:
    return page_arg()


REPORTS = ("statistics", "pipeline", "compliance", "register")


@bp.get("/")
@login_required
def index():
    """The filter form's target (?report=&org=&from=&to=): on to that report; bare, to the top organisation's statistics."""
    report = request.args.get("report", "statistics")
    if report not in REPORTS:
        raise InvalidInput("Không có báo cáo này.", "No such report.", {"report": "unknown"})
    raw_org = request.args.get("org", "")
    if ascii_digits(raw_org):
        org_id = int(raw_org)
    else:
        org_id = report_pages.default_organisation(runtime(), actor_id=current_actor().id)
    args = {k: v for k in ("from", "to") if (v := request.args.get(k))}
    return redirect(url_for(f"reports.{report}", org_id=org_id, **args))


@bp.get("/<int:org_id>/statistics")
@login_required
def statistics(org_id: int):
    date_from, date_to = _period()
    page = report_pages.statistics_page(runtime(), actor_id=current_actor().id, organisation_id=org_id,
                                        date_from=date_from, date_to=date_to, remote_addr=request.remote_addr)
    stats = page.body
    trend = line_chart(stats.months, LINE_FIGURES, CATEGORY_LABELS_VI)
    bars = stacked_bars([(ref.name, counts) for ref, counts in stats.children], BAR_FIGURES, CATEGORY_LABELS_VI)
    return render_template("reports/statistics.html", page=page, stats=stats, trend=trend, bars=bars,
                           sentence=seed_sentence(stats.totals), categories=CATEGORIES, labels=CATEGORY_LABELS_VI)


@bp.get("/<int:org_id>/statistics/export")
@login_required
def statistics_export(org_id: int):
    date_from, date_to = _period()
    page = report_pages.statistics_page(runtime(), actor_id=current_actor().id, organisation_id=org_id,
                                        date_from=date_from, date_to=date_to, remote_addr=request.remote_addr,
                                        action="report.statistics.export")
    return _download(page, "thong-ke", "Thống kê công tác đảng viên")


@bp.get("/<int:org_id>/pipeline")
@login_required
def pipeline(org_id: int):
    date_from, date_to = _period()
    page = report_pages.pipeline_page(runtime(), actor_id=current_actor().id, organisation_id=org_id,
                                      date_from=date_from, date_to=date_to, remote_addr=request.remote_addr)
    return render_template("reports/pipeline.html", page=page, body=page.body)


@bp.get("/<int:org_id>/pipeline/export")
@login_required
def pipeline_export(org_id: int):
    date_from, date_to = _period()
    page = report_pages.pipeline_page(runtime(), actor_id=current_actor().id, organisation_id=org_id,
                                      date_from=date_from, date_to=date_to, remote_addr=request.remote_addr,
                                      action="report.pipeline.export")
    return _download(page, "tien-do", "Tiến độ giải quyết hồ sơ")


@bp.get("/<int:org_id>/compliance")
@login_required
def compliance(org_id: int):
    date_from, date_to = _period()
    page = report_pages.compliance_page(runtime(), actor_id=current_actor().id, organisation_id=org_id,
                                        date_from=date_from, date_to=date_to, kinds=_kinds(),
                                        after_case_id=_after(), remote_addr=request.remote_addr)
    return render_template("reports/compliance.html", page=page, audit=page.body, kinds=KINDS,
                           kind_labels=KIND_LABELS_VI, chosen=set(request.args.getlist("kind")))


@bp.get("/<int:org_id>/compliance/export")
@login_required
def compliance_export(org_id: int):
    date_from, date_to = _period()
    page = report_pages.compliance_page(runtime(), actor_id=current_actor().id, organisation_id=org_id,
                                        date_from=date_from, date_to=date_to, kinds=_kinds(), whole=True,
                                        remote_addr=request.remote_addr, action="report.compliance.export")
    return _download(page, "kiem-tra-tuan-thu", "Kiểm tra việc thực hiện quy trình")


@bp.get("/<int:org_id>/register")
@login_required
def register(org_id: int):
    number = _page_number()
    page = report_pages.register_page(runtime(), actor_id=current_actor().id, organisation_id=org_id,
                                      statuses=_statuses(), offset=(number - 1) * PAGE_SIZE,
                                      remote_addr=request.remote_addr)
    body = page.body
    pages = max(1, -(-body.total // PAGE_SIZE))
    return render_template("reports/register.html", page=page, body=body, number=number, pages=pages,
                           status_labels=STATUS_LABELS_VI, chosen=set(body.statuses))


@bp.get("/<int:org_id>/register/export")
@login_required
def register_export(org_id: int):
    page = report_pages.register_page(runtime(), actor_id=current_actor().id, organisation_id=org_id,
                                      statuses=_statuses(), limit=None, remote_addr=request.remote_addr,
                                      action="report.register.export")
    return _download(page, "danh-sach-dang-vien", "Danh sách đảng viên")
