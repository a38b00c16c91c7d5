"""Directory use cases with their access checks: organisations, people, users and role grants.

directory.py and accounts.py hold the plain operations; here each is wrapped in
one transaction with the rule of who may do it (deny by default, roles follow
the organisation tree, invisible reads as not found), so every edge — web form
or REST API — applies the same rule.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from models import Organisation, Person, RoleAssignment, User, write_transaction
from workflows.accounts.accounts import assign_role, create_user
from workflows.directory.directory import create_organisation, create_person
from workflows.domain.errors import Forbidden, NotFound
from workflows.engine.access import Actor, load_actor
from workflows.engine.audit import record_audit
from workflows.engine.runtime import Runtime

# Roles that keep membership records of their subtree (procedures.md §1).
PERSON_KEEPERS = frozenset({"cell_secretary", "organisation_officer", "committee_member", "standing_committee"})


def _forbidden(what_vi: str, what_en: str) -> Forbidden:
    return Forbidden(f"Bạn không có quyền {what_vi} ở tổ chức này.", f"You may not {what_en} at this organisation.")


def _require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise Forbidden("Chỉ quản trị hệ thống mới được làm việc này.", "Only a system administrator may do this.")


def _sees_organisation(actor: Actor, path: str) -> bool:
    """An organisation is visible in one's subtree, and so are its ancestors (the chain above one's roles)."""
    return actor.can_see(path) or any(g.path.startswith(path) for g in actor.grants)


def describe_organisation(org: Organisation) -> dict[str, Any]:
    return {"id": org.id, "name": org.name, "kind": org.kind, "parent_id": org.parent_id,
            "admission_authority": org.admission_authority, "email": org.email, "path": org.path,
            "youth_union": org.youth_union}


def describe_person(person: Person) -> dict[str, Any]:
    return {
        "id": person.id, "full_name": person.full_name, "birth_date": person.birth_date,
        "organisation_id": person.organisation_id, "membership_status": person.membership_status,
        "gender": person.gender, "ethnicity": person.ethnicity, "religion": person.religion,
        "home_address": person.home_address, "education": person.education, "occupation": person.occupation,
        "email": person.email, "joined_on": person.joined_on, "official_on": person.official_on,
        "left_on": person.left_on, "left_reason": person.left_reason, "holds_post": person.holds_post,
    }


def describe_user(user: User, grants: list[RoleAssignment]) -> dict[str, Any]:
    return {"id": user.id, "username": user.username, "display_name": user.display_name, "email": user.email,
            "is_admin": user.is_admin, "active": user.active, "locale": user.locale,
            "roles": [describe_grant(g) for g in grants]}


def describe_grant(grant: RoleAssignment) -> dict[str, Any]:
    return {"id": grant.id, "user_id": grant.user_id, "organisation_id": grant.organisation_id, "role": grant.role}


# ---------------------------------------------------------------- organisations


def add_organisation(rt: Runtime, *, actor_id: int, name: str, kind: str, parent_id: int | None = None,
                     admission_authority: bool = False, email: str | None = None) -> dict[str, Any]:
    """Create an organisation: a system administrator, or an `admin` role over the parent."""
    with write_transaction(rt.session_factory) as session:
        actor = load_actor(session, actor_id)
        if parent_id is None:
            _require_admin(actor)
        else:
            parent = session.get(Organisation, parent_id)
            if parent is None or not _sees_organisation(actor, parent.path):
                raise NotFound("tổ chức", parent_id)
            if not actor.superuser_over(parent.path):
                raise _forbidden("thêm tổ chức trực thuộc", "add an organisation")
        org = create_organisation(session, name=name, kind=kind, parent_id=parent_id,
                                  admission_authority=admission_authority, email=email)
        record_audit(session, at=rt.clock.now(), user_id=actor.id, action="organisation.create",
                     object_type="organisation", object_id=org.id)
        return describe_organisation(org)


def read_organisation(rt: Runtime, *, actor_id: int, organisation_id: int) -> dict[str, Any]:
    with rt.session_factory() as session:
        actor = load_actor(session, actor_id)
        org = session.get(Organisation, organisation_id)
        if org is None or not _sees_organisation(actor, org.path):
            raise NotFound("tổ chức", organisation_id)
        return describe_organisation(org)


# ---------------------------------------------------------------- people


def add_person(rt: Runtime, *, actor_id: int, organisation_id: int, **values: Any) -> dict[str, Any]:
    """Register a person: a role that keeps membership records over the organisation, or an admin."""
    with write_transaction(rt.session_factory) as session:
        actor = load_actor(session, actor_id)
        org = session.get(Organisation, organisation_id)
        if org is None or not actor.can_see(org.path):
            raise NotFound("tổ chức", organisation_id)
        if not (actor.superuser_over(org.path) or actor.roles_over(org.path) & PERSON_KEEPERS):
            raise _forbidden("thêm người", "register a person")
        person = create_person(session, organisation_id=organisation_id, **values)
        record_audit(session, at=rt.clock.now(), user_id=actor.id, action="person.create", object_type="person",
                     object_id=person.id)
        return describe_person(person)


def read_person(rt: Runtime, *, actor_id: int, person_id: int, remote_addr: str | None = None) -> dict[str, Any]:
    """A person's record; the read of a biography is audited (quality.md Security 6)."""
    with write_transaction(rt.session_factory) as session:
        actor = load_actor(session, actor_id)
        person = session.get(Person, person_id)
        org = session.get(Organisation, person.organisation_id) if person is not None else None
        if person is None or org is None or not actor.can_see(org.path):
            raise NotFound("người", person_id)
        record_audit(session, at=rt.clock.now(), user_id=actor.id, action="person.read", object_type="person",
                     object_id=person.id, remote_addr=remote_addr)
        return describe_person(person)


# ---------------------------------------------------------------- users and roles


def add_user(rt: Runtime, *, actor_id: int, username: str, password: str, display_name: str = "",
             email: str | None = None, is_admin: bool = False, locale: str = "vi") -> dict[str, Any]:
    """Create a user account (system administrators only)."""
    with write_transaction(rt.session_factory) as session:
        actor = load_actor(session, actor_id)
        _require_admin(actor)
        user = create_user(session, username=username, password=password, display_name=display_name,
                           email=email, is_admin=is_admin, locale=locale)
        record_audit(session, at=rt.clock.now(), user_id=actor.id, action="user.create", object_type="user",
                     object_id=user.id)
        return describe_user(user, [])


def read_user(rt: Runtime, *, actor_id: int, user_id: int) -> dict[str, Any]:
    """A user account: one's own, or any for an administrator."""
    with rt.session_factory() as session:
        actor = load_actor(session, actor_id)
        user = session.get(User, user_id)
        if user is None or (user.id != actor.id and not actor.is_admin):
            raise NotFound("người dùng", user_id)
        grants = session.scalars(select(RoleAssignment).where(RoleAssignment.user_id == user.id)
                                 .order_by(RoleAssignment.id)).all()
        return describe_user(user, list(grants))


def grant_role(rt: Runtime, *, actor_id: int, user_id: int, organisation_id: int, role: str) -> dict[str, Any]:
    """Give a user a role at an organisation (system administrators only)."""
    with write_transaction(rt.session_factory) as session:
        actor = load_actor(session, actor_id)
        _require_admin(actor)
        grant = assign_role(session, user_id=user_id, organisation_id=organisation_id, role=role)
        record_audit(session, at=rt.clock.now(), user_id=actor.id, action="role.grant", object_type="user",
                     object_id=user_id, detail=f"{role}@{organisation_id}")
        return describe_grant(grant)
