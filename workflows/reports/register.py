"""The member register (danh sách đảng viên) of a cell or subtree: status, admission and official dates, party age.

Party age counts from the date in the admission decision (Điều lệ Đảng art. 5.3;
`Person.joined_on`), in whole calendar months on the reference date.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import Organisation, Person
from workflows.domain.calendar import months_between
from workflows.domain.errors import InvalidInput
from workflows.reports.exports import Table
from workflows.reports.statistics import OrgRef, organisation_or_404, subtree_filter

MEMBER_STATUSES = ("probationary", "official")
STATUS_LABELS_VI = {"probationary": "Dự bị", "official": "Chính thức", "former": "Đã ra khỏi Đảng",
                    "none": "Chưa là đảng viên"}
GENDER_LABELS_VI = {"male": "Nam", "female": "Nữ", "other": "Khác"}
PAGE_SIZE = 200


@dataclass(frozen=True)
class MemberRow:
    person_id: int
    full_name: str
    birth_date: date
    gender: str | None
    organisation: str
    status: str
    joined_on: date | None
    official_on: date | None
    party_age_months: int | None

    @property
    def party_age_vi(self) -> str:
        if self.party_age_months is None:
            return ""
        years, months = divmod(self.party_age_months, 12)
        return f"{years} năm {months} tháng"


@dataclass(frozen=True)
class MemberRegister:
    organisation: OrgRef
    on: date
    statuses: tuple[str, ...]
    total: int
    counts: dict[str, int]  # members by status in the whole subtree
    rows: list[MemberRow]  # the page asked for (all of them when no limit)
    offset: int


def party_age_months(joined_on: date | None, on: date) -> int | None:
    """Whole months of party age on a date (None before admission or without one)."""
    if joined_on is None or joined_on > on:
        return None
    return months_between(joined_on, on)


def member_register(session: Session, *, organisation_id: int, on: date,
                    statuses: tuple[str, ...] = MEMBER_STATUSES, offset: int = 0,
                    limit: int | None = PAGE_SIZE) -> MemberRegister:
    """The people of the subtree with these statuses, by organisation then name."""
    unknown = set(statuses) - set(STATUS_LABELS_VI)
    if unknown or not statuses:
        raise InvalidInput("Trạng thái đảng viên không hợp lệ.", "Unknown membership status.",
                           {"status": ", ".join(sorted(unknown)) or "empty"})
    if offset < 0 or (limit is not None and limit < 1):
        raise InvalidInput("Trang không hợp lệ.", "Invalid page.", {"page": "out of range"})
    org = organisation_or_404(session, organisation_id)
    scope = (subtree_filter(Organisation.path, org.path), Person.membership_status.in_(statuses))
    counts = {status: int(n) for status, n in session.execute(
        select(Person.membership_status, func.count()).join(Organisation, Organisation.id == Person.organisation_id)
        .where(*scope).group_by(Person.membership_status))}
    query = (
        select(Person, Organisation.name)
        .join(Organisation, Organisation.id == Person.organisation_id)
        .where(*scope).order_by(Organisation.path, Person.full_name, Person.id).offset(offset)
    )
    if limit is not None:
        query = query.limit(limit)
    rows = [
        MemberRow(p.id, p.full_name, p.birth_date, p.gender, org_name, p.membership_status, p.joined_on,
                  p.official_on, party_age_months(p.joined_on, on) if p.membership_status in MEMBER_STATUSES else None)
        for p, org_name in session.execute(query)
    ]
    return MemberRegister(OrgRef(org.id, org.name, org.path), on, tuple(statuses), sum(counts.values()), counts,
                          rows, offset)


REGISTER_HEADERS = ("STT", "Họ và tên", "Ngày sinh", "Giới tính", "Chi bộ", "Trạng thái", "Ngày vào Đảng",
                    "Ngày chính thức", "Tuổi đảng")


def register_table(register: MemberRegister) -> Table:
    """The register as a table with Vietnamese headers (the export writes every row)."""
    rows = tuple(
        (register.offset + i, r.full_name, r.birth_date, GENDER_LABELS_VI.get(r.gender or "", ""), r.organisation,
         STATUS_LABELS_VI[r.status], r.joined_on, r.official_on, r.party_age_vi)
        for i, r in enumerate(register.rows, start=1)
    )
    return Table("register", "Danh sách đảng viên", REGISTER_HEADERS, rows,
                 notes=(f"{register.organisation.name}; tuổi đảng tính đến ngày {register.on:%d/%m/%Y}.",))
