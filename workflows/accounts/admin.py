"""Administration: users and their roles, organisations, and each year's calendar overrides.

Every function here is for system administrators only (deny by default) and
writes an audit record with the change. Creating users, organisations and role
grants reuses directory_access (the same rules as the REST API).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import holidays
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from models import (
    CalendarOverride,
    Organisation,
    RoleAssignment,
    User,
    write_transaction,
)
from workflows.accounts.accounts import set_password
from workflows.accounts.sessions import end_user_sessions
from workflows.domain.errors import Forbidden, InvalidInput, NotFound
from workflows.engine.access import load_actor
from workflows.engine.audit import record_audit
from workflows.engine.runtime import Runtime

PER_PAGE = 50


def _admin(session: Session, actor_id: int) -> None:
    if not load_actor(session, actor_id).is_admin:
        raise Forbidden("Chỉ quản trị hệ thống mới được làm việc này.", "Only a system administrator may do this.")


# ---------------------------------------------------------------- users


@dataclass(frozen=True)
class GrantRow:
    id: int
    role: str
    organisation_id: int
    organisation_name: str


@dataclass(frozen=True)
class UserRow:
    user: User
    grants: list[GrantRow]


def list_users(rt: Runtime, *, actor_id: int, search: str = "", page: int = 1) -> tuple[list[UserRow], int]:
    """Users (matching a search in username or name) with their roles; and the total."""
    with rt.session_factory() as session:
        _admin(session, actor_id)
        query = select(User)
        if search:
            pattern = f"%{search.strip()[:80]}%"
            query = query.where(or_(User.username.ilike(pattern), User.display_name.ilike(pattern)))
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        users = list(session.scalars(query.order_by(User.username).limit(PER_PAGE).offset((max(page, 1) - 1) * PER_PAGE)))
        grants = _grants(session, [u.id for u in users])
        return [UserRow(u, grants.get(u.id, [])) for u in users], total


def _grants(session: Session, user_ids: list[int]) -> dict[int, list[GrantRow]]:
    result: dict[int, list[GrantRow]] = {}
    if not user_ids:
        return result
    rows = session.execute(select(RoleAssignment.id, RoleAssignment.user_id, RoleAssignment.role,
                                  Organisation.id, Organisation.name)
                           .join(Organisation, Organisation.id == RoleAssignment.organisation_id)
                           .where(RoleAssignment.user_id.in_(user_ids)).order_by(RoleAssignment.id)).all()
    for grant_id, user_id, role, org_id, org_name in rows:
        result.setdefault(user_id, []).append(GrantRow(grant_id, role, org_id, org_name))
    return result


def get_user(rt: Runtime, *, actor_id: int, user_id: int) -> UserRow:
    with rt.session_factory() as session:
        _admin(session, actor_id)
        user = session.get(User, user_id)
        if user is None:
            raise NotFound("người dùng", user_id)
        return UserRow(user, _grants(session, [user.id]).get(user.id, []))


def update_user(rt: Runtime, *, actor_id: int, user_id: int, display_name: str, email: str | None, active: bool,
                is_admin: bool, new_password: str | None = None) -> User:
    """Change an account: name, e-mail, enabled, administrator; optionally set a new password."""
    display_name = (display_name or "").strip()
    if not display_name or len(display_name) > 200:
        raise InvalidInput("Tên hiển thị phải có từ 1 đến 200 ký tự.", "The display name must be 1 to 200 characters.",
                           {"display_name": "invalid"})
    if email and ("@" not in email or len(email) > 254):
        raise InvalidInput("Địa chỉ email không hợp lệ.", "Invalid e-mail address.", {"email": "invalid"})
    with write_transaction(rt.session_factory) as session:
        _admin(session, actor_id)
        user = session.get(User, user_id)
        if user is None:
            raise NotFound("người dùng", user_id)
        if user.id == actor_id and (not active or not is_admin):
            raise InvalidInput("Bạn không thể tự khóa tài khoản hoặc tự bỏ quyền quản trị của mình.",
                               "You cannot disable your own account or remove your own administrator right.",
                               {"active": "self"})
        user.display_name, user.email, user.active, user.is_admin = display_name, email or None, active, is_admin
        if not active or new_password:
            # A disabled account, or a password reset by an administrator: its browsers are signed out now.
            end_user_sessions(session, user_id=user.id, now=rt.clock.now(),
                              reason="deactivated" if not active else "password")
        if new_password:
            try:
                set_password(session, user, new_password, rt.clock.now(), by_self=False)
            except InvalidInput as exc:
                raise InvalidInput(exc.message_vi, exc.message_en, {"new_password": "invalid"}) from None
        record_audit(session, at=rt.clock.now(), user_id=actor_id, action="user.update", object_type="user",
                     object_id=user.id, detail="password reset" if new_password else None)
        return user


def revoke_role(rt: Runtime, *, actor_id: int, grant_id: int) -> None:
    with write_transaction(rt.session_factory) as session:
        _admin(session, actor_id)
        grant = session.get(RoleAssignment, grant_id)
        if grant is None:
            raise NotFound("vai trò", grant_id)
        record_audit(session, at=rt.clock.now(), user_id=actor_id, action="role.revoke", object_type="user",
                     object_id=grant.user_id, detail=f"{grant.role}@{grant.organisation_id}")
        session.delete(grant)


# ---------------------------------------------------------------- organisations


def all_organisations(rt: Runtime, *, actor_id: int) -> list[Organisation]:
    with rt.session_factory() as session:
        _admin(session, actor_id)
        return list(session.scalars(select(Organisation).order_by(Organisation.path)))


def get_organisation(rt: Runtime, *, actor_id: int, organisation_id: int) -> Organisation:
    with rt.session_factory() as session:
        _admin(session, actor_id)
        org = session.get(Organisation, organisation_id)
        if org is None:
            raise NotFound("tổ chức", organisation_id)
        return org


UNCHANGED: Any = object()  # an optional argument left as it is


def update_organisation(rt: Runtime, *, actor_id: int, organisation_id: int, name: str, email: str | None,
                        admission_authority: bool, youth_union: bool | None = UNCHANGED) -> Organisation:
    """Rename an organisation, change its e-mail, its admission authority or whether it has a Youth Union
    (True / False / None: not recorded); its place in the tree stays."""
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise InvalidInput("Tên tổ chức phải có từ 1 đến 200 ký tự.", "The name must be 1 to 200 characters.",
                           {"name": "invalid"})
    if email and ("@" not in email or len(email) > 254):
        raise InvalidInput("Địa chỉ email không hợp lệ.", "Invalid e-mail address.", {"email": "invalid"})
    with write_transaction(rt.session_factory) as session:
        _admin(session, actor_id)
        org = session.get(Organisation, organisation_id)
        if org is None:
            raise NotFound("tổ chức", organisation_id)
        if admission_authority and org.kind != "grassroots_committee":
            raise InvalidInput("Chỉ đảng ủy cơ sở mới có thể được ủy quyền kết nạp.",
                               "Only a grassroots committee can be delegated admission authority.",
                               {"admission_authority": "kind"})
        org.name, org.email, org.admission_authority = name, email or None, admission_authority
        if youth_union is not UNCHANGED:
            org.youth_union = youth_union
        record_audit(session, at=rt.clock.now(), user_id=actor_id, action="organisation.update",
                     object_type="organisation", object_id=org.id)
        return org


# ---------------------------------------------------------------- calendar


@dataclass(frozen=True)
class CalendarDay:
    day: date
    name: str
    working: bool  # True: a working day (a swapped Saturday); False: a day off
    override: bool  # set by an administrator (can be removed)
    note: str = ""


def year_calendar(rt: Runtime, *, actor_id: int, year: int, language: str = "vi") -> list[CalendarDay]:
    """The statutory holidays of a year (the `holidays` package) and the administrators' overrides."""
    if not 1990 <= year <= 2100:
        raise InvalidInput("Năm không hợp lệ.", "Invalid year.", {"year": "invalid"})
    with rt.session_factory() as session:
        _admin(session, actor_id)
        overrides = list(session.scalars(select(CalendarOverride).where(
            CalendarOverride.day >= date(year, 1, 1), CalendarOverride.day <= date(year, 12, 31))))
    statutory = holidays.country_holidays("VN", years=year, language="vi" if language == "vi" else "en_US")
    days = {d: CalendarDay(d, name, False, False) for d, name in statutory.items()}
    for d in getattr(statutory, "weekend_workdays", ()):
        if d.year == year:
            days[d] = CalendarDay(d, "Ngày làm bù" if language == "vi" else "Make-up working day", True, False)
    for row in overrides:
        days[row.day] = CalendarDay(row.day, row.note or "", row.working, True, row.note or "")
    return sorted(days.values(), key=lambda d: d.day)


def set_override(rt: Runtime, *, actor_id: int, day: date, working: bool, note: str = "") -> None:
    """Make a day a working day (a swapped Saturday) or a day off; replaces an override of that day."""
    note = (note or "").strip()
    if len(note) > 200:
        raise InvalidInput("Ghi chú dài tối đa 200 ký tự.", "The note may have at most 200 characters.", {"note": "long"})
    if not 1990 <= day.year <= 2100:
        raise InvalidInput("Ngày không hợp lệ.", "Invalid day.", {"day": "invalid"})
    with write_transaction(rt.session_factory) as session:
        _admin(session, actor_id)
        row = session.get(CalendarOverride, day)
        if row is None:
            session.add(CalendarOverride(day=day, working=working, note=note, created_at=rt.clock.now()))
        else:
            row.working, row.note = working, note
        record_audit(session, at=rt.clock.now(), user_id=actor_id, action="calendar.override",
                     object_type="calendar", object_id=day.isoformat(), detail="working" if working else "day off")
    rt.calendar_source.invalidate()


def remove_override(rt: Runtime, *, actor_id: int, day: date) -> None:
    with write_transaction(rt.session_factory) as session:
        _admin(session, actor_id)
        row = session.get(CalendarOverride, day)
        if row is None:
            raise NotFound("ngày", day.isoformat())
        session.delete(row)
        record_audit(session, at=rt.clock.now(), user_id=actor_id, action="calendar.remove_override",
                     object_type="calendar", object_id=day.isoformat())
    rt.calendar_source.invalidate()
