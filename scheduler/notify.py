"""New tasks and escalations: who must act now learns it, in the app and by mail (issue «Notifications»).

The transition writes nothing for this (bench/transition.py is untouched): the event log already says what
happened. This job reads the events after its cursor, and for each event that left its case waiting on a
body, notifies that body's people — the nearest holders of the role the next steps need, as reminders do —
once each: the notification's `dedupe_key` (event, person) is unique, so a retried batch or a second scheduler
writes nothing twice, and the cursor row is locked while a batch is read, so two schedulers take turns.

Each person chooses per kind (NotificationPreference): mail at once (an outbox row, delivered inside the
quiet-hours window), in the daily digest, or the bell only. Escalations go to the standing committee of the
level above a body whose step is overdue by QUYTRINH_ESCALATE_AFTER_DAYS working days.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from models import (
    Case,
    Deadline,
    Event,
    FanOutCursor,
    Notification,
    NotificationPreference,
    Organisation,
    Person,
    RoleAssignment,
    User,
    write_transaction,
)
from scheduler.mail import MailSettings, format_date
from scheduler.recipients import nearest, path_ids
from scheduler.rows import insert_ignoring_duplicates
from workflows.domain.organisations import scope_organisation
from workflows.domain.rulesets import RULE_SETS
from workflows.engine import Runtime
from workflows.engine.facts import load_chain
from workflows.procedures.registry import get_procedure
from workflows.read.queries import waiting_on

CURSOR = "new_task"
SIDE_STEPS = ("withdraw", "return_for_rework", "transfer", "revoke")
ROLE_WORDS = {"cell_secretary": "bí thư chi bộ", "committee_member": "cấp ủy viên",
              "organisation_officer": "cán bộ tổ chức", "standing_committee": "ban thường vụ",
              "inspection_committee": "ủy ban kiểm tra", "inspector": "thanh tra"}


@dataclass
class FanOutResult:
    events: int = 0
    notifications: int = 0
    mails: int = 0
    escalations: int = 0

    def __str__(self) -> str:
        return (f"notify: {self.events} events read, {self.notifications} notifications, {self.mails} mails, "
                f"{self.escalations} escalations")


@dataclass(frozen=True)
class Holder:
    user_id: int
    email: str | None
    name: str
    new_task: str
    escalation: str


def _insert(session: Session, table):
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    return insert(table)


class Holders:
    """Active holders of a role, by organisation, with their choices; loaded per organisation, cached."""

    def __init__(self, session: Session):
        self.session = session
        self.cache: dict[tuple[int, str], list[Holder]] = {}

    def at(self, org_id: int, role: str) -> list[Holder]:
        key = (org_id, role)
        if key not in self.cache:
            rows = self.session.execute(
                select(User.id, User.email, User.display_name, User.username, NotificationPreference.new_task,
                       NotificationPreference.escalation)
                .join(RoleAssignment, RoleAssignment.user_id == User.id)
                .outerjoin(NotificationPreference, NotificationPreference.user_id == User.id)
                .where(RoleAssignment.organisation_id == org_id, RoleAssignment.role == role, User.active.is_(True))
                .order_by(User.id)).all()
            self.cache[key] = [Holder(r.id, r.email, r.display_name or r.username, r.new_task or "immediate",
                                      r.escalation or "digest") for r in rows]
        return self.cache[key]

    def nearest(self, chain: list[int], role: str, *, above: bool = False) -> list[Holder]:
        """Holders at the nearest organisation of `chain` (root → self) that has any; `above`: parents only
        (recipients.nearest, the rule reminders follow too)."""
        return nearest(chain, role, self.at, above=above)


def fan_out(rt: Runtime, mail: MailSettings, *, batch: int = 500, escalate_after: int = 5) -> FanOutResult:
    """Notify the people of every event since the cursor (in batches), then the day's escalations."""
    result = FanOutResult()
    while _fan_out_batch(rt, mail, batch, result):
        pass
    if escalate_after > 0:
        result.escalations = escalate(rt, mail, escalate_after)
    return result


def _fan_out_batch(rt: Runtime, mail: MailSettings, batch: int, result: FanOutResult) -> bool:
    """One batch in one transaction; True when there may be more."""
    now = rt.clock.now()
    with write_transaction(rt.session_factory) as session:
        last = _lock_cursor(session)
        events = session.execute(select(Event.id, Event.case_id, Event.seq, Event.trigger, Event.actor_id)
                                 .where(Event.id > last).order_by(Event.id).limit(batch)).all()
        if not events:
            return False
        cases = {c.id: c for c in session.scalars(select(Case).where(Case.id.in_({e.case_id for e in events})))}
        holders = Holders(session)
        for event in events:
            case = cases.get(event.case_id)
            # A later event of the case speaks for it (the case has moved on since); a closed case waits on nobody.
            if case is None or case.revision != event.seq or case.closed_at is not None:
                continue
            for holder, text in _new_task(session, rt, holders, case, event):
                result.notifications += _notify(session, holder, case.id, "new_task", f"task:{event.id}:{holder.user_id}",
                                                text, holder.new_task, mail, now, result)
        session.execute(update(FanOutCursor).where(FanOutCursor.name == CURSOR)
                        .values(last_event_id=events[-1].id))
        result.events += len(events)
        return len(events) == batch


def _lock_cursor(session: Session) -> int:
    """The cursor, locked for this transaction; created at the log's end (the past is not news)."""
    query = select(FanOutCursor.last_event_id).where(FanOutCursor.name == CURSOR)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    last = session.scalar(query)
    if last is None:
        start = session.scalar(select(func.coalesce(func.max(Event.id), 0)))
        session.execute(_insert(session, FanOutCursor).values(name=CURSOR, last_event_id=start)
                        .on_conflict_do_nothing(index_elements=["name"]))
        last = session.scalar(query)
    return last


def _new_task(session: Session, rt: Runtime, holders: Holders, case: Case, event) -> list[tuple[Holder, str]]:
    """(holder, message) for everyone the case now waits on, but the person who just acted."""
    definition = get_procedure(case.procedure, case.rule_set)
    authorities = waiting_on(definition, case.state)
    if not authorities:
        return []
    chain = load_chain(session, case.organisation_path)
    rule_set = RULE_SETS[case.rule_set]
    step = next((s for s in (definition.open_step, *definition.steps) if s.trigger == event.trigger), None)
    actor = session.get(User, event.actor_id) if event.actor_id else None
    person = session.get(Person, case.person_id)
    next_steps = {s.trigger: s.label_vi for s in definition.steps_from(case.state)
                  if not s.system and s.trigger not in SIDE_STEPS}
    deadlines = {d.role: d.due_date for d in session.scalars(
        select(Deadline).where(Deadline.case_id == case.id, Deadline.status == "open"))}
    calendar, today = rt.calendar(session), rt.clock.today()
    found: dict[int, tuple[Holder, str]] = {}
    for authority in authorities:
        org = scope_organisation(authority.scope, chain, rule_set)
        org_chain = [o.id for o in chain[: [o.id for o in chain].index(org.id) + 1]]
        for holder in holders.nearest(org_chain, authority.role):
            if holder.user_id == event.actor_id or holder.user_id in found:
                continue
            due = deadlines.get(authority.role)
            when = ""
            if due is not None:
                left = calendar.working_days_between(today, due) if due >= today else 0
                when = (f" Hạn: {format_date(due, 'vi')} (còn {left} ngày làm việc)." if due >= today
                        else f" Hạn: {format_date(due, 'vi')} (đã quá hạn).")
            who = (actor.display_name or actor.username) if actor else "Hệ thống"
            text = (f"{who} đã ghi «{step.label_vi if step else event.trigger}» — hồ sơ {definition.label_vi.lower()} "
                    f"của {person.full_name} (#{case.id}). Việc của đồng chí ({ROLE_WORDS.get(authority.role, '')}, "
                    f"{org.name}): {', '.join(next_steps.values())}.{when}")
            found[holder.user_id] = (holder, text)
    return list(found.values())


def _notify(session: Session, holder: Holder, case_id: int | None, kind: str, key: str, text: str, channel: str,
            mail: MailSettings, now: datetime, result: FanOutResult) -> int:
    """The notification, and its mail unless the person chose the bell only; 0 when it existed already."""
    created = session.execute(_insert(session, Notification).values(
        dedupe_key=key, user_id=holder.user_id, case_id=case_id, kind=kind, message=text, at=now)
        .on_conflict_do_nothing(index_elements=["dedupe_key"]).returning(Notification.id)).first()
    if created is None:
        return 0
    if channel != "in_app" and holder.email:
        link = mail.case_link(case_id) if case_id else mail.base_url
        subject = ("Việc mới: " if kind == "new_task" else "Quá hạn ở cấp dưới: ") + text.split(" — ")[-1][:200]
        body = (f"Kính gửi đồng chí {holder.name},\n\n{text}\n\nXem hồ sơ: {link}\n\n"
                "— quytrinh (thư tự động, xin đừng trả lời)\n")
        session.execute(insert_ignoring_duplicates(session).values(
            dedupe_key=key, kind=kind, user_id=holder.user_id, to_address=holder.email, subject=subject[:300],
            body_text=body, message_id=f"<quytrinh.{key.replace(':', '.')}@{mail.domain}>",
            status="digest_wait" if channel == "digest" else "queued", attempts=0, next_attempt_at=now,
            created_at=now, payload={"type": kind, "message": text, "link": link}))
        result.mails += 1
    return 1


def escalate(rt: Runtime, mail: MailSettings, after_days: int) -> int:
    """Steps overdue by `after_days` working days: the standing committee of the level above is told, once."""
    now, today = rt.clock.now(), rt.clock.today()
    calendar = rt.calendar()
    threshold = today
    for _ in range(after_days):  # `after_days` working days before today
        threshold -= timedelta(days=1)
        while not calendar.is_working_day(threshold):
            threshold -= timedelta(days=1)
    window = threshold - timedelta(days=14)  # a scheduler down for two weeks still escalates what it missed
    written = 0
    result = FanOutResult()
    with write_transaction(rt.session_factory) as session:
        rows = session.execute(
            select(Deadline.id, Deadline.case_id, Deadline.due_date, Deadline.role, Deadline.organisation_id,
                   Organisation.path, Organisation.name, Case.procedure, Case.rule_set, Person.full_name)
            .join(Organisation, Organisation.id == Deadline.organisation_id)
            .join(Case, Case.id == Deadline.case_id).join(Person, Person.id == Case.person_id)
            .where(Deadline.status == "open", Deadline.due_date <= threshold, Deadline.due_date > window)
            .order_by(Deadline.due_date, Deadline.id)).all()
        holders = Holders(session)
        for row in rows:
            overdue = calendar.working_days_between(row.due_date, today)
            definition = get_procedure(row.procedure, row.rule_set)
            text = (f"Hồ sơ {definition.label_vi.lower()} của {row.full_name} (#{row.case_id}) ở {row.name} đã quá "
                    f"hạn {overdue} ngày làm việc (hạn {format_date(row.due_date, 'vi')}); việc của "
                    f"{ROLE_WORDS.get(row.role, row.role)} chưa được ghi.")
            for holder in holders.nearest(list(path_ids(row.path)), "standing_committee", above=True):
                written += _notify(session, holder, row.case_id, "escalation",
                                   f"escalation:{row.id}:{row.due_date:%Y%m%d}:{holder.user_id}", text,
                                   holder.escalation, mail, now, result)
    return written
