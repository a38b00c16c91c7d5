"""The deadline scan: one indexed query finds the open deadlines due a reminder; reminder rows go to the outbox.

Each deadline carries `next_reminder_on`, the day its next stage is reached
(NULL: never planned). The scan's query asks for open deadlines whose day has
come, or unplanned ones whose due date is within the policy's horizon; each is
a range of a partial index (`ix_deadlines_open_reminder`,
`ix_deadlines_open_unplanned`), so the cost follows the deadlines due now, not
the deadlines open. For each one the scan
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
from typing import NamedTuple

from sqlalchemy import Select, exists, select, true, union_all
from sqlalchemy.orm import Session

from models import Case, Deadline, Organisation, Person, write_transaction
from models.db import read_session
from scheduler.compose import Composer
from scheduler.digest import compose_digests
from scheduler.mail import (
    COPY_PREFIX,
    MailSettings,
    reminder_key,
    reminder_message_id,
)
from scheduler.rows import (
    DIGEST_WAIT,
    bulk_insert_outbox,
    bulk_plan_deadlines,
    driver_timestamp,
)
from scheduler.stages import ReminderPolicy, StagePlanner, is_overdue_stage
from workflows.engine import LOCAL_ZONE, Runtime


@dataclass
class ScanResult:
    deadlines: int = 0  # deadlines looked at
    reminders: int = 0  # new outbox rows
    unaddressed: int = 0  # deadlines at a stage with nobody to mail (no holder with an e-mail address)
    digests: int = 0

    def __str__(self) -> str:
        return (f"scan: {self.deadlines} deadlines looked at, {self.reminders} reminders written, "
                f"{self.digests} digests, {self.unaddressed} without recipient")


class Candidate(NamedTuple):
    """A row of `candidates`, as a plain tuple: the scan reads a dozen of its fields per deadline, and a
    Row's attribute look-up (a failed ordinary look-up, then the row's own) costs twenty times a
    tuple field's."""

    id: int
    case_id: int
    kind: str
    due_date: date
    role: str
    procedure: str
    rule_set: str
    full_name: str
    path: str
    name: str
    state: str
    data: dict | None
    case_path: str


def candidates(today: date, horizon: date, limit: int, dialect: str) -> Select:
    """The one query: open deadlines whose reminder day has come, with what a mail needs.

    Two index ranges pick at most `limit` deadlines — planned ones whose
    day has come (next_reminder_on <= today), and unplanned ones due within the horizon
    (next_reminder_on IS NULL AND due_date <= horizon), each on a partial index of its own — then
    each is joined to its case, person and organisation by primary key. (An OR of the two ranges
    makes SQLite scan the whole table.) On PostgreSQL the picked rows are locked SKIP LOCKED: a
    concurrent scan takes the next ones instead of waiting or repeating them.
    """
    d = Deadline
    columns = (d.id, d.case_id, d.kind, d.due_date, d.role, d.organisation_id)
    arms = [
        select(*columns).where(d.status == "open", d.next_reminder_on <= today),
        select(*columns).where(d.status == "open", d.next_reminder_on.is_(None), d.due_date <= horizon),
    ]
    ctes = []
    for name, arm in zip(("planned", "unplanned"), arms):
        arm = arm.limit(limit)
        if dialect == "postgresql":
            arm = arm.with_for_update(skip_locked=True)
        ctes.append(arm.cte(name))
    # The deadline's own columns come from the arms; its case, person and organisation are then
    # looked up by primary key for each picked row.
    picked = union_all(*(select(cte) for cte in ctes)).limit(limit).cte("picked")
    if dialect == "postgresql":
        # LATERAL … LIMIT 1 keeps PostgreSQL to one index lookup per picked row: as plain joins it
        # prefers hashing all of `cases` and `persons`, a cost that grows with every case ever opened.
        case = (select(Case.procedure, Case.rule_set, Case.state, Case.data, Case.organisation_path,
                       Person.full_name).join(Person, Person.id == Case.person_id)
                .where(Case.id == picked.c.case_id).limit(1).lateral("c"))
        org = select(Organisation.path, Organisation.name).where(
            Organisation.id == picked.c.organisation_id).limit(1).lateral("o")
        return (select(picked.c.id, picked.c.case_id, picked.c.kind, picked.c.due_date, picked.c.role,
                       case.c.procedure, case.c.rule_set, case.c.full_name, org.c.path, org.c.name,
                       case.c.state, case.c.data, case.c.organisation_path.label("case_path"))
                .select_from(picked).join(case, true()).join(org, true()))
    return (
        select(picked.c.id, picked.c.case_id, picked.c.kind, picked.c.due_date, picked.c.role, Case.procedure,
               Case.rule_set, Person.full_name, Organisation.path, Organisation.name, Case.state, Case.data,
               Case.organisation_path.label("case_path"))
        .select_from(picked)
        .join(Case, Case.id == picked.c.case_id)
        .join(Person, Person.id == Case.person_id)
        .join(Organisation, Organisation.id == picked.c.organisation_id)
    )


def scan_deadlines(rt: Runtime, *, policy: ReminderPolicy | None = None, mail: MailSettings | None = None,
                   batch_size: int = 5000) -> ScanResult:
    """Write the reminders due as of the runtime clock's now; then compose the day's digests.

    `batch_size` deadlines per transaction: memory and the time SQLite's write lock is held are
    bounded by it (a batch of 5000 holds the lock for a few tenths of a second), and fewer,
    larger commits cost less on a day with many reminders.
    """
    policy, mail = policy or ReminderPolicy(), mail or MailSettings()
    now = rt.clock.now()
    today = now.astimezone(LOCAL_ZONE).date()
    planner = StagePlanner(policy, rt.calendar())
    horizon = planner.horizon(today)
    composer = Composer(planner, mail, today, rt.calendar(), keep=batch_size)
    result = ScanResult()
    while _anything_due(rt, today, horizon):
        with write_transaction(rt.session_factory) as session:
            dialect = session.get_bind().dialect.name
            rows = session.execute(candidates(today, horizon, batch_size, dialect)).all()
            if rows:
                _write_batch(session, rows, now, composer, result)
        if len(rows) < batch_size:
            break
    result.digests = compose_digests(rt, mail=mail)
    return result


def _anything_due(rt: Runtime, today: date, horizon: date) -> bool:
    """A lock-free look first: most scans find nothing, and need not take SQLite's write lock to learn it."""
    d = Deadline
    with read_session(rt.session_factory) as session:
        return bool(session.scalar(select(
            exists().where(d.status == "open", d.next_reminder_on <= today)
            | exists().where(d.status == "open", d.next_reminder_on.is_(None), d.due_date <= horizon))))


def _write_batch(session: Session, rows, now: datetime, composer: Composer, result: ScanResult) -> None:
    """Reminder rows for one batch of deadlines, and each deadline's next reminder day."""
    outbox, plans = plan_batch(session, rows, now, composer, result)
    result.reminders += bulk_insert_outbox(session, outbox)
    bulk_plan_deadlines(session, plans)


def plan_batch(session: Session, rows, now: datetime, composer: Composer,
               result: ScanResult) -> tuple[list[tuple], list[tuple[int, date]]]:
    """The outbox rows and next reminder days of one batch, unwritten (a dry run stops here).

    Each deadline is reminded to the body that must take the step its case waits for
    (scheduler/addressing.py), one mail per holder. The composer is the scan's: what it keeps
    serves all its batches (scheduler/compose.py).
    """
    rows = [Candidate._make(row) for row in rows]
    composer.load(session, rows)
    planner, mail, today = composer.planner, composer.mail, composer.today
    stamp = driver_timestamp(session, now)
    outbox: list[tuple] = []
    plans: list[tuple[int, date]] = []
    result.deadlines += len(rows)
    for row in rows:
        reached = planner.reached(row.due_date, today)
        plans.append((row.id, reached.next_on))
        stage = reached.stage
        if stage is None:
            continue  # planned too early (e.g. its due date moved): only the plan changes
        targets = composer.targets(session, row, is_overdue_stage(stage))
        if not targets:
            result.unaddressed += 1
            continue
        key = reminder_key(row.id, row.due_date, stage)
        for target in targets:
            # The payload is the item plus who it is for (JSON spliced: one encoding per body, not per mail);
            # the body is written from it at delivery (mail.render_row).
            item_json = composer.payload(row, target, stage)
            subjects: dict[str, str] = {}  # recipients of one body share a subject per language
            for recipient, copy in target.audience:
                subject = subjects.get(recipient.locale)
                if subject is None:
                    subject = subjects[recipient.locale] = composer.subject(row, target, stage, recipient.locale)
                if copy:
                    subject = COPY_PREFIX[recipient.locale] + subject
                outbox.append((
                    f"reminder:{key}:{recipient.user_id}", "reminder", recipient.user_id, row.id, stage,
                    recipient.email, subject[:300], "", None, reminder_message_id(mail, key, recipient.user_id),
                    DIGEST_WAIT if recipient.digest else "queued", 0, stamp, stamp,
                    f'{item_json}, "copy": {"true" if copy else "false"}, {recipient.json_fields}}}',
                ))
    return outbox, plans
