"""A personal iCalendar feed of the deadlines a person may act on, at a secret address.

The address carries a random token; only its SHA-256 is stored, so the database cannot give it away.
Creating a feed again rotates the token (the old address then answers 404); deleting it ends it. Each
event is all-day on the due date, with a UID stable across fetches (the deadline's id), the step and the
person in its title, and the case's web address. Built with the `icalendar` package.
"""
from __future__ import annotations

import hashlib
import secrets
from functools import lru_cache
from datetime import timedelta

from icalendar import Calendar, Event
from sqlalchemy import delete, select

from models import (
    CalendarFeed,
    Case,
    Deadline,
    Organisation,
    Person,
    RoleAssignment,
    User,
    write_transaction,
)
from workflows.domain.errors import NotFound
from workflows.engine.runtime import Runtime
from workflows.procedures.registry import get_procedure

MAX_EVENTS = 2000


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_feed(rt: Runtime, *, user_id: int) -> str:
    """A new secret token for the person's feed (the previous one stops working)."""
    token = secrets.token_urlsafe(32)
    with write_transaction(rt.session_factory) as session:
        session.execute(delete(CalendarFeed).where(CalendarFeed.user_id == user_id))
        session.add(CalendarFeed(user_id=user_id, token_digest=_digest(token), created_at=rt.clock.now()))
    return token


def delete_feed(rt: Runtime, *, user_id: int) -> bool:
    with write_transaction(rt.session_factory) as session:
        return bool(session.execute(delete(CalendarFeed).where(CalendarFeed.user_id == user_id)).rowcount)


def has_feed(rt: Runtime, *, user_id: int) -> bool:
    with rt.session_factory() as session:
        return session.get(CalendarFeed, user_id) is not None


@lru_cache(maxsize=None)  # definitions are immutable: one dict per procedure version, not one per event
def _step_labels(procedure: str, rule_set: str) -> dict[str, str]:
    definition = get_procedure(procedure, rule_set)
    return {spec.kind: spec.label_vi or spec.kind for step in (definition.open_step, *definition.steps)
            for spec in step.opens}


def feed(rt: Runtime, *, token: str, base_url: str) -> bytes:
    """The iCalendar text of the feed at this token; NotFound for an unknown, rotated or deleted one."""
    with rt.session_factory() as session:
        owner = session.scalar(select(CalendarFeed.user_id).where(CalendarFeed.token_digest == _digest(token)))
        user = session.get(User, owner) if owner is not None else None
        if user is None or not user.active:
            raise NotFound("lịch", "")
        grants = session.execute(select(RoleAssignment.role, Organisation.path).join(
            Organisation, Organisation.id == RoleAssignment.organisation_id)
            .where(RoleAssignment.user_id == user.id)).all()
        rows = []
        for role, path in grants:  # a role applies to the subtree of the organisation holding it
            rows += session.execute(
                select(Deadline.id, Deadline.kind, Deadline.due_date, Deadline.legal_basis, Case.id.label("case_id"),
                       Case.procedure, Case.rule_set, Person.full_name, Organisation.name)
                .join(Case, Case.id == Deadline.case_id).join(Person, Person.id == Case.person_id)
                .join(Organisation, Organisation.id == Deadline.organisation_id)
                .where(Deadline.status == "open", Deadline.role == role, Organisation.path.startswith(path))
                .order_by(Deadline.due_date, Deadline.id).limit(MAX_EVENTS)).all()
    domain = base_url.split("//", 1)[-1].split("/", 1)[0] or "quytrinh"
    cal = Calendar()
    cal.add("prodid", "-//quytrinh//hạn xử lý hồ sơ//VI")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"Hạn xử lý hồ sơ — {user.display_name or user.username}")
    now, seen = rt.clock.now(), set()
    for row in sorted(rows, key=lambda r: (r.due_date, r.id)):
        if row.id in seen:
            continue
        seen.add(row.id)
        step = _step_labels(row.procedure, row.rule_set).get(row.kind, row.kind)
        event = Event()
        event.add("uid", f"deadline-{row.id}@{domain}")
        event.add("dtstamp", now)
        event.add("dtstart", row.due_date)
        event.add("dtend", row.due_date + timedelta(days=1))
        event.add("summary", f"{step} — {row.full_name} (#{row.case_id})")
        event.add("description", f"{row.name}. Căn cứ: {row.legal_basis}")
        event.add("url", f"{base_url.rstrip('/')}/cases/{row.case_id}")
        cal.add_component(event)
    return cal.to_ical()
