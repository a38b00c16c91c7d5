"""The reminder mails: Vietnamese by default, English by the user's choice; plain text and HTML.

A reminder item is a dict of plain values (stored as the outbox row's payload)
so that a digest can be written later from the rows alone.
"""
from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from html import escape
from typing import Any

from scheduler.labels import LabelBook
from scheduler.stages import is_overdue_stage
from workflows.domain.organisations import role_name

SIGNATURE = {
    "vi": "— quytrinh (thư tự động, xin đừng trả lời)",
    "en": "— quytrinh (automatic mail, please do not reply)",
}
# A digest lists at most this many items; the rest are counted (the outbox keeps every row).
DIGEST_MAX_ITEMS = 200


@dataclass(frozen=True)
class MailSettings:
    base_url: str = "http://127.0.0.1:5000"
    mail_from: str = "quytrinh@localhost"

    @functools.cached_property
    def domain(self) -> str:
        """The right-hand side of our Message-IDs: the sender's domain."""
        return self.mail_from.rpartition("@")[2].strip(">").strip() or "localhost"

    def case_link(self, case_id: int) -> str:
        return f"{self.base_url.rstrip('/')}/cases/{case_id}"


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def render_row(kind: str, subject: str, text: str, html: str | None, payload: dict[str, Any]) -> Rendered:
    """The mail of an outbox row. A reminder's body is written at delivery from its payload (the scan
    stores only the subject and the payload: formatting belongs where the SMTP round trip hides it)."""
    if kind == "reminder" and not text:
        rendered = render_reminder(payload, payload.get("recipient") or "", payload.get("locale") or "vi")
        return Rendered(subject or rendered.subject, rendered.text, rendered.html)
    return Rendered(subject, text, html or "")


def reminder_key(deadline_id: int, due: date, stage: str) -> str:
    """What identifies a reminder, but for its recipient: deadline, due date (an extension starts afresh), stage."""
    return f"{deadline_id}.{due.year:04d}{due.month:02d}{due.day:02d}.{stage}"


def reminder_message_id(mail: MailSettings, key: str, user_id: int) -> str:
    """Stable per reminder: retries and a second scheduler use the same Message-ID."""
    return f"<quytrinh.reminder.{key}.{user_id}@{mail.domain}>"


def digest_message_id(mail: MailSettings, user_id: int, day: date) -> str:
    return f"<quytrinh.digest.{user_id}.{day:%Y%m%d}@{mail.domain}>"


_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")


def format_date(day: date, locale: str) -> str:
    """dd/mm/yyyy in Vietnamese, '4 February 2027' in English (no locale-dependent strftime)."""
    if locale == "en":
        return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


def _when(item: dict[str, Any], locale: str) -> str:
    """'3 working days left' / 'due now' / 'overdue by 9 days'."""
    n = item["days_overdue"]  # working days, as the UI counts them
    if n > 0:
        return f"đã quá hạn {n} ngày làm việc" if locale == "vi" else \
            f"overdue by {n} working day{'s' if n != 1 else ''}"
    if is_overdue_stage(item["stage"]):
        return "đã quá hạn" if locale == "vi" else "overdue"
    n = item["days_left"]
    if n == 0:
        return "đến hạn, không còn ngày làm việc nào" if locale == "vi" else "due now, no working day left"
    return f"còn {n} ngày làm việc" if locale == "vi" else f"{n} working day{'s' if n != 1 else ''} left"


# Names of procedures, deadlines and steps come from the definitions, by the payload's
# (procedure, rule set, deadline kind): the outbox rows stay small.
_LABELS = LabelBook()


def _label(item: dict[str, Any], name: str, locale: str) -> str:
    """The item's procedure, deadline or step name in that language.

    The step is the one the case waits for (the payload's `steps`); a mail written before
    reminders named it falls back to the step that meets the deadline.
    """
    if name == "step" and item.get("steps"):
        found = _LABELS.steps(item["procedure"], item["rule_set"], tuple(item["steps"]))
        if found is not None:
            return found[0] if locale == "vi" else found[1]
    return getattr(_LABELS.get(item["procedure"], item["rule_set"], item["kind"]), f"{name}_{locale}")


def _body(item: dict[str, Any], locale: str) -> str | None:
    """Who must act, in words: «ban thường vụ Đảng ủy xã Tân Phú» / "the standing committee of …"."""
    if not item.get("body"):
        return None
    role = role_name(item.get("role") or "", locale)
    return f"{role} {item['body']}" if locale == "vi" else f"the {role} of {item['body']}"


COPY_PREFIX = {"vi": "[Bản sao] ", "en": "[Copy] "}


def reminder_subject(item: dict[str, Any], locale: str, copy: bool = False) -> str:
    """The subject line: stage, step, person, due date and time left (the scan stores it for the admin pages).

    A copy's subject is the reminder's with COPY_PREFIX in front.
    """
    prefix = COPY_PREFIX[locale] if copy else ""
    return f"{prefix}{subject_head(item, locale)}{item['person']}{subject_tail(item, locale)}"


# The subject around the person's name, in two parts that many deadlines share: the scan keeps
# them (scheduler/compose.py) by what each is written from, said in its docstring.


def subject_head(item: dict[str, Any], locale: str) -> str:
    """What comes before the name: from the stage (overdue or not) and the step (procedure, rule set,
    deadline kind, steps)."""
    step = _label(item, "step", locale)
    if locale == "en":
        return f"{'Overdue' if is_overdue_stage(item['stage']) else 'Reminder'}: {step} — "
    return f"{'Quá hạn' if is_overdue_stage(item['stage']) else 'Nhắc hạn'}: {step} — "


def subject_tail(item: dict[str, Any], locale: str) -> str:
    """What comes after the name: from the due date, the stage and the day (working days left or overdue)."""
    due = format_date(date.fromisoformat(item["due_date"]), locale)
    when = _when(item, locale)
    return f" (due {due}, {when})" if locale == "en" else f" (hạn {due}, {when})"


def render_reminder(item: dict[str, Any], recipient_name: str, locale: str) -> Rendered:
    """One reminder for one person: the person concerned, the step, the due date, working days left, the link."""
    due = format_date(date.fromisoformat(item["due_date"]), locale)
    step, person, when = _label(item, "step", locale), item["person"], _when(item, locale)
    body = _body(item, locale)
    copy = item.get("copy", False)
    subject = reminder_subject(item, locale, copy)
    if locale == "en":
        lines = [
            f"Dear {recipient_name},", "",
            f"The {_label(item, 'procedure', locale).lower()} case of {person} at {item['organisation']} "
            f"is waiting for the step: {step}" + (f", to be taken by {body}." if body else "."),
            f"Deadline: {_label(item, 'deadline', locale)} — {due} ({when}).",
        ]
        if copy:
            lines.append("You receive this copy as an organisation officer of the superior committee, to follow up.")
        lines += ["", ("Open the case: ", item["link"]), "", SIGNATURE["en"]]
    else:
        lines = [
            f"Kính gửi đồng chí {recipient_name},", "",
            f"Hồ sơ {_label(item, 'procedure', locale).lower()} của {person} tại {item['organisation']} "
            f"đang chờ bước: {step}" + (f", do {body} thực hiện." if body else "."),
            f"Thời hạn: {_label(item, 'deadline', locale)} — {due} ({when}).",
        ]
        if copy:
            lines.append("Đồng chí nhận bản sao này với tư cách cán bộ tổ chức của cấp ủy cấp trên, để theo dõi, đôn đốc.")
        lines += ["", ("Xem hồ sơ: ", item["link"]), "", SIGNATURE["vi"]]
    return Rendered(subject, _text(lines), _html(locale, subject, lines))


def render_digest(items: Sequence[dict[str, Any]], recipient_name: str, locale: str, day: date) -> Rendered:
    """One mail grouping a user's reminders of the day."""
    shown, rest = list(items[:DIGEST_MAX_ITEMS]), max(len(items) - DIGEST_MAX_ITEMS, 0)
    when_day = format_date(day, locale)
    if locale == "en":
        subject = f"Deadline reminders for {when_day}: {len(items)} item{'s' if len(items) != 1 else ''}"
        lines = [f"Dear {recipient_name},", "", "These cases are waiting for you:", ""]
        more = f"… and {rest} more (see the cases list)."
    else:
        subject = f"Tổng hợp nhắc hạn ngày {when_day}: {len(items)} việc"
        lines = [f"Kính gửi đồng chí {recipient_name},", "", "Các hồ sơ sau đang chờ đồng chí xử lý:", ""]
        more = f"… và {rest} việc khác (xem danh sách hồ sơ)."
    for item in shown:
        if item.get("type") in ("new_task", "escalation"):  # a notification (scheduler/notify.py): its own words
            lines.append((f"- {item['message']} ", item["link"]))
            continue
        due = format_date(date.fromisoformat(item["due_date"]), locale)
        copy = COPY_PREFIX[locale] if item.get("copy") else ""
        lines.append((f"- {copy}{_label(item, 'step', locale)} — {item['person']} ({item['organisation']}): "
                      f"{'due' if locale == 'en' else 'hạn'} {due}, {_when(item, locale)}. ", item["link"]))
    if rest:
        lines.append(more)
    lines += ["", SIGNATURE[locale]]
    return Rendered(subject, _text(lines), _html(locale, subject, lines))


# A line of a mail: plain text, or (text, link) for a text ending with a link to a case.
Line = str | tuple[str, str]


def _text(lines: Sequence[Line]) -> str:
    return "\n".join(line if isinstance(line, str) else line[0] + line[1] for line in lines) + "\n"


def _html(locale: str, title: str, lines: Sequence[Line]) -> str:
    """The same text as HTML: paragraphs, "- " lines as a list, links as anchors."""
    out: list[str] = []
    in_list = False
    for line in lines:
        if not line:
            continue
        words, link = (line, None) if isinstance(line, str) else line
        item = words.startswith("- ")
        if item != in_list:
            out.append("<ul>" if item else "</ul>")
            in_list = item
        html_line = escape(words[2:] if item else words)
        if link:
            html_line += f'<a href="{escape(link)}">{escape(link)}</a>'
        out.append(f"<li>{html_line}</li>" if item else f"<p>{html_line}</p>")
    if in_list:
        out.append("</ul>")
    return (f'<!doctype html><html lang="{locale}"><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f"</head><body>{''.join(out)}</body></html>")
