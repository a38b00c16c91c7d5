"""The use cases behind the report pages: check access, compute, record the read in the audit log.

One call per page (or export): the web views parse the request, call one of
these and render. Reading a report is audited like reading a dossier
(quality.md Security 6): who, which report, which organisation — never the figures.

Who may read what (deny by default; a role held at an organisation applies to its subtree):
- statistics, pipeline and member register: any role at the organisation or above;
- compliance audit: inspector, inspection_committee or standing_committee at or above it;
- an organisation the actor cannot see reads as not found.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from models import Case, Organisation
from workflows.domain.errors import Forbidden, NotFound
from workflows.engine.access import Actor, load_actor, require_visible
from workflows.engine.audit import audit
from workflows.engine.runtime import Runtime
from workflows.read.queries import allowed_actions
from workflows.reports import compliance
from workflows.reports import pipeline as pipeline_module
from workflows.reports import register as register_module
from workflows.reports import statistics as reports
from workflows.reports import tallied
from workflows.reports.exports import Table

AUDITORS = ("inspector", "inspection_committee", "standing_committee")
REVOKE_CHECK_LIMIT = 200  # cases whose revoke permission the compliance page works out, at most


@dataclass(frozen=True)
class OrgChoice:
    id: int
    name: str
    depth: int


@dataclass(frozen=True)
class ReportPage:
    """What every report page shows around its body: the organisation, the period and the choices."""

    organisation: reports.OrgRef
    choices: list[OrgChoice]
    date_from: date | None
    date_to: date | None
    body: object  # Statistics | Pipeline | Audit | MemberRegister
    tables: list[Table]
    revocable: frozenset[int] = frozenset()  # compliance: cases the actor may revoke now


def organisation_choices(session: Session, actor: Actor) -> list[OrgChoice]:
    """Every organisation the actor may report on, in tree order."""
    query = select(Organisation.id, Organisation.name, Organisation.path).order_by(Organisation.path)
    if not actor.is_admin:
        roots = actor.visible_paths()
        if not roots:
            return []
        query = query.where(or_(*(reports.subtree_filter(Organisation.path, p) for p in roots)))
    return [OrgChoice(i, n, p.count("/") - 2) for i, n, p in session.execute(query)]


def default_organisation(rt: Runtime, *, actor_id: int) -> int:
    """The top organisation the actor may report on (Forbidden when there is none)."""
    with rt.session_factory() as session:
        actor = load_actor(session, actor_id)
        choices = organisation_choices(session, actor)
    if not choices:
        raise Forbidden("Bạn không có vai trò ở tổ chức nào để xem báo cáo.",
                        "You hold no role at any organisation to report on.")
    return choices[0].id


def _open(session: Session, actor_id: int, organisation_id: int) -> tuple[Actor, Organisation]:
    actor = load_actor(session, actor_id)
    org = reports.organisation_or_404(session, organisation_id)
    require_visible(actor, org.path, "tổ chức", organisation_id)
    return actor, org


def _record(rt: Runtime, actor_id: int, action: str, organisation_id: int, remote_addr: str | None,
            detail: str | None, object_ids=None, ids_of: str = "case") -> None:
    """Audit a report read or export: its subtree, its filters, and the cases or persons it showed."""
    audit(rt, user_id=actor_id, action=action, object_type="organisation", object_id=organisation_id,
          remote_addr=remote_addr, detail=detail, object_ids=object_ids, ids_of=ids_of)


def _period(date_from: date, date_to: date) -> str:
    return f"{date_from.isoformat()}..{date_to.isoformat()}"


def statistics_page(rt: Runtime, *, actor_id: int, organisation_id: int, date_from: date, date_to: date,
                    remote_addr: str | None = None, action: str = "report.statistics.view") -> ReportPage:
    """The statistics of a subtree and period (decision dates), with its tables."""
    with rt.read_session_factory() as session:
        actor, org = _open(session, actor_id, organisation_id)
        stats = tallied.statistics(session, organisation_id=org.id, date_from=date_from, date_to=date_to)
        choices = organisation_choices(session, actor)
    _record(rt, actor_id, action, org.id, remote_addr, _period(date_from, date_to))
    return ReportPage(stats.organisation, choices, date_from, date_to, stats, reports.statistics_tables(stats))


def pipeline_page(rt: Runtime, *, actor_id: int, organisation_id: int, date_from: date, date_to: date,
                  remote_addr: str | None = None, action: str = "report.pipeline.view") -> ReportPage:
    """Open cases, overdue deadlines and step timings of a subtree."""
    with rt.read_session_factory() as session:
        actor, org = _open(session, actor_id, organisation_id)
        body = pipeline_module.pipeline(session, rt.calendar(), organisation_id=org.id, today=rt.clock.today(),
                                        date_from=date_from, date_to=date_to)
        choices = organisation_choices(session, actor)
    _record(rt, actor_id, action, org.id, remote_addr, _period(date_from, date_to))
    return ReportPage(body.organisation, choices, date_from, date_to, body, pipeline_module.pipeline_tables(body))


def may_audit(actor: Actor, org_path: str) -> bool:
    """May read the compliance audit of this subtree (the compliance tab is offered only then)."""
    return actor.superuser_over(org_path) or bool(actor.roles_over(org_path) & set(AUDITORS))


def compliance_page(rt: Runtime, *, actor_id: int, organisation_id: int, date_from: date, date_to: date,
                    kinds: tuple[str, ...] = compliance.KINDS, after_case_id: int = 0, whole: bool = False,
                    remote_addr: str | None = None, action: str = "report.compliance.view") -> ReportPage:
    """The compliance findings of a subtree, and which of their cases the actor may revoke now.

    A page audits compliance.MAX_CASES cases after `after_case_id`; `whole` audits them all (exports).
    """
    with rt.read_session_factory() as session:
        actor, org = _open(session, actor_id, organisation_id)
        if not may_audit(actor, org.path):
            raise Forbidden(
                "Chỉ kiểm tra viên, ủy ban kiểm tra hoặc ban thường vụ mới xem được kết quả kiểm tra tuân thủ.",
                "Only inspectors, inspection committees or standing committees may read the compliance audit.",
                {"roles": list(AUDITORS)},
            )
        result = compliance.audit_subtree(session, rt.calendar(), organisation_id=org.id, date_from=date_from,
                                          date_to=date_to, kinds=kinds, after_case_id=after_case_id)
        while whole and result.next_after is not None:
            more = compliance.audit_subtree(session, rt.calendar(), organisation_id=org.id, date_from=date_from,
                                            date_to=date_to, kinds=kinds, after_case_id=result.next_after)
            result = compliance.Audit(result.organisation, result.period, result.cases_checked + more.cases_checked,
                                      result.findings + more.findings, more.next_after)
        revocable = set()
        for case_id in [] if whole else list(dict.fromkeys(f.case_id for f in result.findings))[:REVOKE_CHECK_LIMIT]:
            case = session.get(Case, case_id)
            if "revoke" in allowed_actions(session, rt, actor, case):
                revocable.add(case_id)
        choices = organisation_choices(session, actor)
    _record(rt, actor_id, action, org.id, remote_addr,
            f"{_period(date_from, date_to)} kinds={','.join(kinds)} after={after_case_id} "
            f"checked={result.cases_checked}", object_ids=[f.case_id for f in result.findings])
    table = Table("findings", "Kết quả kiểm tra tuân thủ", compliance.FINDING_HEADERS,
                  tuple(compliance.finding_table_rows(result.findings)))
    return ReportPage(result.organisation, choices, date_from, date_to, result, [table], frozenset(revocable))


def register_page(rt: Runtime, *, actor_id: int, organisation_id: int, statuses: tuple[str, ...],
                  offset: int = 0, limit: int | None = register_module.PAGE_SIZE, remote_addr: str | None = None,
                  action: str = "report.register.view") -> ReportPage:
    """The member register of a cell or subtree, on today's date (a page of it, or all of it for an export)."""
    with rt.read_session_factory() as session:
        actor, org = _open(session, actor_id, organisation_id)
        body = register_module.member_register(session, organisation_id=org.id, on=rt.clock.today(),
                                               statuses=statuses, offset=offset, limit=limit)
        choices = organisation_choices(session, actor)
    _record(rt, actor_id, action, org.id, remote_addr,
            f"statuses={','.join(statuses)} offset={offset} limit={limit}",
            object_ids=[row.person_id for row in body.rows], ids_of="person")
    return ReportPage(body.organisation, choices, None, None, body, [register_module.register_table(body)])


def report_summary(rt: Runtime, *, actor_id: int, organisation_id: int, date_from: date,
                   date_to: date) -> dict[str, int]:
    """reports.summary for an organisation the actor may see (its subtree's figures)."""
    with rt.read_session_factory() as session:
        actor = load_actor(session, actor_id)
        org = session.get(Organisation, organisation_id)
        if org is None or not actor.can_see(org.path):
            raise NotFound("tổ chức", organisation_id)
        return tallied.summary(session, organisation_id=organisation_id, date_from=date_from, date_to=date_to)
