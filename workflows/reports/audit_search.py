"""Reading the audit log (read-only): who did or viewed what, when, from where — filtered and paged.

Administrators see every record. Inspectors and inspection committees see the
records of the users who hold a role in their subtree (a province inspector: the
whole province's users). Records without a user (failed sign-ins of unknown
names) are for administrators only. Reading the log is itself audited.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from models import AuditRecord, Organisation, RoleAssignment, User
from workflows.domain.errors import Forbidden, InvalidInput
from workflows.engine.access import Actor, load_actor
from workflows.engine.audit import audit, describe_filters
from workflows.engine.runtime import LOCAL_ZONE, Runtime
from workflows.reports.statistics import subtree_filter

READERS = ("inspector", "inspection_committee")
# Action prefixes the filter offers (the field also takes any other prefix typed in).
ACTION_CHOICES = (
    ("login", "Đăng nhập"), ("logout", "Đăng xuất"), ("authz.", "Bị từ chối quyền"), ("case.", "Hồ sơ (xem, các bước)"),
    ("person.", "Hồ sơ cá nhân"), ("document.", "Tài liệu"), ("comment.", "Ý kiến"), ("report.", "Báo cáo"),
    ("audit_log.", "Nhật ký"), ("api.", "API"), ("role.", "Phân quyền"), ("user.", "Tài khoản"),
    ("organisation.", "Tổ chức"), ("calendar.", "Lịch làm việc"), ("password.", "Mật khẩu"),
)
PAGE_SIZE = 100
# What a bulk read or export returned (AuditRecord.object_ids "case:1-3"), named in Vietnamese.
READ_KINDS = {"case": "hồ sơ", "person": "đảng viên", "audit": "bản ghi nhật ký"}


@dataclass(frozen=True)
class AuditFilter:
    username: str = ""
    action: str = ""  # a prefix: "case." lists every transition, "report." every report read
    object_type: str = ""
    object_id: str = ""
    outcome: str = ""
    date_from: date | None = None  # local calendar dates, inclusive
    date_to: date | None = None
    page: int = 1

    def __post_init__(self) -> None:
        if self.page < 1:
            raise InvalidInput("Số trang không hợp lệ.", "Invalid page number.", {"page": "must be ≥ 1"})
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise InvalidInput("Ngày bắt đầu phải trước hoặc bằng ngày kết thúc.", "'from' must not be after 'to'.",
                               {"from": "after to"})
        for name in ("username", "action", "object_type", "object_id", "outcome"):
            if len(getattr(self, name)) > 64:
                raise InvalidInput("Giá trị lọc quá dài (tối đa 64 ký tự).", "Filter value too long (64 at most).",
                                   {name: "too long"})


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime  # local time
    username: str | None
    action: str
    object_type: str | None
    object_id: str | None
    outcome: str
    remote_addr: str | None
    detail: str | None
    objects_read: str | None = None  # "hồ sơ 12-19,23" for a list or an export


def objects_read(object_ids: str | None) -> str | None:
    if not object_ids:
        return None
    kind, _, ranges = object_ids.partition(":")
    return f"{READ_KINDS.get(kind, kind)} {ranges}" if ranges else None


@dataclass(frozen=True)
class AuditPage:
    rows: list[AuditRow]
    total: int
    page: int
    pages: int
    filters: AuditFilter
    actions: tuple[tuple[str, str], ...]  # (prefix, Vietnamese label) choices for the action filter


def _readable_users(actor: Actor):
    """The ids of the users holding a role in the actor's subtrees (a subquery)."""
    roots = [g.path for g in actor.grants if g.role in READERS]
    return (select(RoleAssignment.user_id)
            .join(Organisation, Organisation.id == RoleAssignment.organisation_id)
            .where(or_(*(subtree_filter(Organisation.path, p) for p in roots))))


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=LOCAL_ZONE)


def search_audit_log(rt: Runtime, *, actor_id: int, filters: AuditFilter, remote_addr: str | None = None
                     ) -> AuditPage:
    """A page of the audit log the actor may read, newest first."""
    with rt.session_factory() as session:
        actor = load_actor(session, actor_id)
        if not actor.is_admin and not any(g.role in READERS for g in actor.grants):
            raise Forbidden("Chỉ kiểm tra viên và ủy ban kiểm tra mới xem được nhật ký.",
                            "Only inspectors and inspection committees may read the audit log.",
                            {"roles": list(READERS)})
        page = _search(session, actor, filters)
    asked = {"username": filters.username, "action": filters.action, "object_type": filters.object_type,
             "object_id": filters.object_id, "outcome": filters.outcome, "from": filters.date_from,
             "to": filters.date_to, "page": filters.page}
    audit(rt, user_id=actor_id, action="audit_log.view", object_type="audit_log", remote_addr=remote_addr,
          detail=describe_filters(asked), object_ids=[r.id for r in page.rows], ids_of="audit")
    return page


def _search(session: Session, actor: Actor, f: AuditFilter) -> AuditPage:
    conditions = []
    if not actor.is_admin:
        conditions.append(AuditRecord.user_id.in_(_readable_users(actor)))
    if f.username:
        conditions.append(User.username.ilike(f"%{_escape(f.username)}%", escape="\\"))
    if f.action:
        conditions.append(AuditRecord.action.like(f"{_escape(f.action)}%", escape="\\"))
    if f.object_type:
        conditions.append(AuditRecord.object_type == f.object_type)
    if f.object_id:
        conditions.append(AuditRecord.object_id == f.object_id)
    if f.outcome:
        conditions.append(AuditRecord.outcome == f.outcome)
    if f.date_from:
        conditions.append(AuditRecord.at >= _start_of(f.date_from))
    if f.date_to:
        conditions.append(AuditRecord.at < _start_of(f.date_to + timedelta(days=1)))
    base = select(AuditRecord, User.username).outerjoin(User, User.id == AuditRecord.user_id).where(*conditions)
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    rows = [
        AuditRow(r.id, r.at.astimezone(LOCAL_ZONE), username, r.action, r.object_type, r.object_id, r.outcome,
                 r.remote_addr, r.detail, objects_read(r.object_ids))
        for r, username in session.execute(
            base.order_by(AuditRecord.at.desc(), AuditRecord.id.desc())
            .offset((f.page - 1) * PAGE_SIZE).limit(PAGE_SIZE))
    ]
    return AuditPage(rows, int(total), f.page, pages, f, ACTION_CHOICES)


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
