"""The deadline scan: one indexed query finds the open deadlines due a reminder; reminder rows go to the outbox.

Each deadline carries `next_reminder_on`, the day its next stage is reached
(NULL: never planned). The scan's query asks for open deadlines whose day has
come, or unplanned ones whose due date is within the policy's horizon; both
are ranges of one partial index (`ix_deadlines_open_reminder`), so the cost
follows the deadlines due now, not the deadlines open. For each one the scan
works out the latest stage reached *as of now* (scheduler/stages.py), writes
one outbox row per recipient, and moves `next_reminder_on` past today — all in
one transaction per batch. Downtime therefore needs no catching up of its own:
the next scan sees every deadline whose day has passed.

Twice safe: each row's dedupe key (deadline, due date, stage, recipient) is
unique and written with INSERT … ON CONFLICT DO NOTHING; batches are claimed
with FOR UPDATE SKIP LOCKED on PostgreSQL and BEGIN IMMEDIATE on SQLite, so
concurrent scans share the work instead of repeating it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, and_, bindparam, or_, select, update
from sqlalchemy.orm import Session

from models import Case, Deadline, Organisation, Person, write_transaction
from workflows.engine import LOCAL_ZONE, Runtime
from .digest import compose_digests
from .labels import LabelBook
from .mail import MailSettings, render_reminder, reminder_message_id
from .recipients import Recipient, RecipientDirectory, path_ids
from .rows import DIGEST_WAIT, insert_ignoring_duplicates
from .stages import ReminderPolicy, StagePlanner, is_overdue_stage

DEADLINES = Deadline.__table__


@dataclass
class ScanResult:
    deadlines: int = 0  # deadlines looked at
    reminders: int = 0  # new outbox rows
    unaddressed: int = 0  # deadlines at a stage with nobody to mail (no holder with an e-mail address)
    digests: int = 0

    def __str__(self) -> str:
        return (f"scan: {self.deadlines} deadlines looked at, {self.reminders} reminders written, "
                f"{self.digests} digests, {self.unaddressed} without recipient")


def candidates(today: date, horizon: date, limit: int, dialect: str) -> Select:
    """The one query: open deadlines whose reminder day has come, with what a mail needs."""
    d = Deadline
    stmt = (
        select(d.id, d.case_id, d.kind, d.due_date, d.role, Case.procedure, Case.rule_set, Person.full_name,
               Organisation.path, Organisation.name)
        .join(Case, Case.id == d.case_id)
        .join(Person, Person.id == Case.person_id)
        .join(Organisation, Organisation.id == d.organisation_id)
        .where(d.status == "open",
               or_(d.next_reminder_on <= today, and_(d.next_reminder_on.is_(None), d.due_date <= horizon)))
        .limit(limit)
    )
    if dialect == "postgresql":
        # Another scan holding a batch is skipped, not waited for: it will write those rows.
        stmt = stmt.with_for_update(skip_locked=True, of=DEADLINES)
    return stmt


_PLAN = (update(DEADLINES).where(DEADLINES.c.id == bindparam("d_id"))
         .values(next_reminder_on=bindparam("d_next")))


def scan_deadlines(rt: Runtime, *, policy: ReminderPolicy | None = None, mail: MailSettings | None = None,
                   batch_size: int = 500) -> ScanResult:
    """Write the reminders due as of the runtime clock's now; then compose the day's digests."""
    policy, mail = policy or ReminderPolicy(), mail or MailSettings()
    now = rt.clock.now()
    today = now.astimezone(LOCAL_ZONE).date()
    planner = StagePlanner(policy, rt.calendar())
    horizon = planner.horizon(today)
    directory, labels = RecipientDirectory(), LabelBook()
    result = ScanResult()
    while True:
        with write_transaction(rt.session_factory) as session:
            dialect = session.get_bind().dialect.name
            rows = session.execute(candidates(today, horizon, batch_size, dialect)).all()
            if rows:
                _write_batch(session, rows, now, today, planner, directory, labels, mail, result)
        if len(rows) < batch_size:
            break
    result.digests = compose_digests(rt, mail=mail)
    return result


def _write_batch(session: Session, rows, now: datetime, today: date, planner: StagePlanner,
                 directory: RecipientDirectory, labels: LabelBook, mail: MailSettings, result: ScanResult) -> None:
    """Reminder rows for one batch of deadlines, and each deadline's next reminder day."""
    chains = {row.path: path_ids(row.path) for row in rows}
    directory.load(session, {org for chain in chains.values() for org in chain})
    copy_role = planner.policy.overdue_copy_role
    outbox: list[dict[str, Any]] = []
    plans: list[dict[str, Any]] = []
    for row in rows:
        result.deadlines += 1
        reached = planner.reached(row.due_date, today)
        plans.append({"d_id": row.id, "d_next": reached.next_on})
        if reached.stage is None:
            continue  # planned too early (e.g. its due date moved): only the plan changes
        chain = chains[row.path]
        primary = directory.nearest(chain, row.role)
        copies: list[Recipient] = []
        if copy_role and is_overdue_stage(reached.stage):
            seen = {r.user_id for r in primary}
            copies = [r for r in directory.nearest(chain, copy_role, above=True) if r.user_id not in seen]
        if not primary and not copies:
            result.unaddressed += 1
            continue
        item = _item(row, reached.stage, today, planner, labels, mail)
        for recipient, copy in [(r, False) for r in primary] + [(r, True) for r in copies]:
            outbox.append(_outbox_row(item, recipient, copy, row, reached.stage, now, mail))
    if outbox:
        result.reminders += len(session.execute(insert_ignoring_duplicates(session), outbox).all())
    session.execute(_PLAN, plans)


def _item(row, stage: str, today: date, planner: StagePlanner, labels: LabelBook,
          mail: MailSettings) -> dict[str, Any]:
    """What a mail about this deadline says, as plain values (the outbox payload)."""
    names = labels.get(row.procedure, row.rule_set, row.kind)
    due: date = row.due_date
    return {
        "case_id": row.case_id, "deadline_id": row.id, "kind": row.kind, "due_date": due.isoformat(),
        "stage": stage, "as_of": today.isoformat(),
        "days_left": max(planner.calendar.working_days_between(today, due), 0) if today < due else 0,
        "days_overdue": max((today - due).days, 0),
        "person": row.full_name, "organisation": row.name, "link": mail.case_link(row.case_id),
        "procedure_vi": names.procedure_vi, "procedure_en": names.procedure_en,
        "deadline_vi": names.deadline_vi, "deadline_en": names.deadline_en,
        "step_vi": names.step_vi, "step_en": names.step_en,
    }


def _outbox_row(item: dict[str, Any], recipient: Recipient, copy: bool, row, stage: str, now: datetime,
                mail: MailSettings) -> dict[str, Any]:
    payload = {**item, "copy": copy, "role": row.role}
    rendered = render_reminder(payload, recipient.name, recipient.locale)
    return {
        "dedupe_key": f"reminder:{row.id}:{row.due_date:%Y%m%d}:{stage}:{recipient.user_id}",
        "kind": "reminder", "user_id": recipient.user_id, "deadline_id": row.id, "stage": stage,
        "to_address": recipient.email, "subject": rendered.subject[:300], "body_text": rendered.text,
        "body_html": rendered.html,
        "message_id": reminder_message_id(mail, row.id, row.due_date, stage, recipient.user_id),
        "status": DIGEST_WAIT if recipient.digest else "queued", "attempts": 0, "next_attempt_at": now,
        "created_at": now, "payload": payload,
    }
