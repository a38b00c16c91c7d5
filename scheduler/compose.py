"""Whom a deadline's reminder is for and what it says, from parts many deadlines share.

The scan writes one outbox row per recipient of every deadline due. Asked
afresh for each deadline — its bodies, their people, a payload encoded by
json.dumps, a subject formatted from the definitions' labels — that cost more
than the scan's query (bench/deadline_scan.py). Most of it follows from what a
day's deadlines share:

- the targets (body, its people, the body's and case organisation's part of the
  payload) from the case's procedure, state and organisation and the deadline's
  kind and body: kept per those, when the bodies do not depend on the case's
  recorded data (scheduler/addressing.py says which);
- the due date's part (stage, working days left or overdue) per due date and stage;
- the subject before the person's name per step and stage, after it per due date and stage.

Only a deadline's own values (ids, the person's name) are encoded per deadline.
The text is the same as json.dumps(reminder_item(…)) and mail.reminder_subject(…)
write (tests/scheduler/test_compose.py pins it). What is kept is bounded by the
scan's batch size (Composer), not by the number of deadlines.
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from json.encoder import encode_basestring  # what json.dumps(…, ensure_ascii=False) writes for a str
from typing import Any

from sqlalchemy.orm import Session

from scheduler.addressing import Addresser, Body
from scheduler.mail import MailSettings, subject_head, subject_tail
from scheduler.recipients import Recipient, RecipientDirectory
from scheduler.stages import StagePlanner
from workflows.domain.calendar import WorkingCalendar


def reminder_item(row, body: Body, case_organisation: str, stage: str, today: date, planner: StagePlanner,
                  mail: MailSettings) -> dict[str, Any]:
    """What a mail about this deadline says, as plain values (the outbox payload).

    `steps` are the triggers the body may take now and `role`/`body` who that is: the mail names
    them (mail.py looks their labels up from the definitions). Time is counted in working days,
    as the UI counts it.
    """
    due: date = row.due_date
    return {
        "case_id": row.case_id, "deadline_id": row.id, "kind": row.kind, "role": body.role, "body": body.name,
        "steps": list(body.steps), "due_date": due.isoformat(), "stage": stage, "as_of": today.isoformat(),
        "days_left": planner.days_left(due, today),
        "days_overdue": planner.working_days_overdue(due, today),
        "person": row.full_name, "organisation": case_organisation, "link": mail.case_link(row.case_id),
        "procedure": row.procedure, "rule_set": row.rule_set,  # names are looked up from these (mail._label)
    }


_JSON = json.JSONEncoder(ensure_ascii=False)  # json.dumps(…, ensure_ascii=False), without a new encoder per call


def _members(values: dict[str, Any]) -> str:
    """'"a": 1, "b": 2': the members of a JSON object, as json.dumps writes them, to splice into a larger one."""
    return _JSON.encode(values)[1:-1]


@dataclass(frozen=True, eq=False, slots=True)
class Target:
    """One body to remind of a deadline: its people, and the parts of the payload that follow from it."""

    body: Body
    audience: Sequence[tuple[Recipient, bool]]  # (recipient, is a copy)
    organisation: str  # the case's own organisation, said in the mail
    head: str  # '"kind": …, "role": …, "body": …, "steps": […]'
    tail: str  # '"organisation": …, "link": "…/cases/' — the case id and a quote follow
    names: str  # '"procedure": …, "rule_set": …'
    labels: tuple  # what the step's name in the subject follows from


class Composer:
    """One scan's reminders: it keeps what many deadlines share, for all the scan's batches.

    What it keeps per key (targets, parts of payloads and subjects) is let go when it reaches `keep`
    entries (the scan's batch size): the scan's memory stays bounded by its batch, whatever the
    number of deadlines, and a scan whose keys fit (a province's, in batches of 5000) computes each
    once.
    """

    def __init__(self, planner: StagePlanner, mail: MailSettings, today: date, calendar: WorkingCalendar,
                 keep: int = 5000) -> None:
        self.planner, self.mail, self.today, self.keep = planner, mail, today, keep
        self.addresser = Addresser(calendar, today)
        self.directory = RecipientDirectory()
        self._copy_role = planner.policy.overdue_copy_role
        self._link = _JSON.encode(mail.case_link(0))[:-2]  # the link without the id's 0 and the closing quote
        self._targets: dict[tuple, tuple[Target, ...]] = {}
        self._dates: dict[tuple[date, str], str] = {}
        self._heads: dict[tuple, str] = {}
        self._tails: dict[tuple[date, str, str], str] = {}

    def load(self, session: Session, rows) -> None:
        """The organisations and role holders of a batch's deadlines not seen yet (a few queries per batch)."""
        self.directory.load_paths(session, {p for row in rows for p in (row.path, row.case_path)})
        self.addresser.load(session, {row.case_path for row in rows})

    def targets(self, session: Session, row, overdue: bool) -> tuple[Target, ...]:
        """The bodies to remind of this deadline that have someone to mail (overdue: with copies above)."""
        # The deadline's organisation (path) names it: its name need not be in the key.
        key = (row.procedure, row.rule_set, row.state, row.role, row.path, row.case_path, row.kind, overdue)
        found = self._targets.get(key)
        if found is None:
            bodies, static = self.addresser.address(session, row)
            organisation = self.addresser.case_organisation(session, row)
            found = tuple(self._target(row, body, organisation, overdue) for body in bodies)
            found = tuple(target for target in found if target.audience)
            if static:
                self._keep(self._targets, key, found)
        return found

    def _keep(self, kept: dict, key, value):
        """Keep a value; when `keep` entries are kept there already, let go of them first (the bound)."""
        if len(kept) >= self.keep:
            kept.clear()
        kept[key] = value
        return value

    def _target(self, row, body: Body, organisation: str, overdue: bool) -> Target:
        audience = self.directory.audience(body.path, body.role, self._copy_role if overdue else None)
        return Target(
            body, audience, organisation,
            head=_members({"kind": row.kind, "role": body.role, "body": body.name, "steps": list(body.steps)}),
            tail=f"{_members({'organisation': organisation})}, \"link\": {self._link}",
            names=_members({"procedure": row.procedure, "rule_set": row.rule_set}),
            labels=(row.procedure, row.rule_set, row.kind, body.steps),
        )

    def payload(self, row, target: Target, stage: str) -> str:
        """json.dumps(reminder_item(…)) without its closing brace: the recipient's fields follow."""
        due = row.due_date
        when = self._dates.get((due, stage))
        if when is None:
            today = self.today
            when = self._keep(self._dates, (due, stage), _members({
                "due_date": due.isoformat(), "stage": stage, "as_of": today.isoformat(),
                "days_left": self.planner.days_left(due, today),
                "days_overdue": self.planner.working_days_overdue(due, today)}))
        # Ids are integers: written as json.dumps writes them.
        return (f'{{"case_id": {row.case_id}, "deadline_id": {row.id}, {target.head}, {when}, '
                f'"person": {encode_basestring(row.full_name)}, {target.tail}{row.case_id}", {target.names}')

    def subject(self, row, target: Target, stage: str, locale: str) -> str:
        """mail.reminder_subject of this deadline's item, from the parts before and after the person's name."""
        head = self._heads.get((target.labels, stage, locale))
        tail = self._tails.get((row.due_date, stage, locale))
        if head is None or tail is None:
            item = reminder_item(row, target.body, target.organisation, stage, self.today, self.planner, self.mail)
            head = self._keep(self._heads, (target.labels, stage, locale), subject_head(item, locale))
            tail = self._keep(self._tails, (row.due_date, stage, locale), subject_tail(item, locale))
        return f"{head}{row.full_name}{tail}"
