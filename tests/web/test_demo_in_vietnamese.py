"""Every page and every reminder mail of the demo, read in Vietnamese, holds no English word and no internal code.

The demo is loaded, its reminders are written for today and for two weeks ahead, and every demo user walks
the pages their links reach (each kind of page a few times; the province's standing committee opens every
case and every person's page, where the timelines and the reasons for leaving are). The open-case forms of
every procedure are opened too. Any 5xx fails, as does any English word or code (tests/support/vietnamese.py).
"""
from __future__ import annotations

import dataclasses
import re
from collections import Counter, deque
from datetime import datetime, time, timedelta

from sqlalchemy import select

from models import OutboxMessage
from scheduler.mail import MailSettings, render_row
from scheduler.scan import scan_deadlines
from tests.support.page_text import page_text
from tests.support.vietnamese import foreign_words
from tests.web.support import sign_in
from workflows.demo import DEMO_PASSWORD, load_demo
from workflows.demo.tree import USERS
from workflows.engine import LOCAL_ZONE, FixedClock
from workflows.procedures.registry import procedure_names

SKIP = ("/static/", "/logout", "/api/", "/language", "/documents/", "/export", "/login")
EVERYTHING = {"btv.tinh"}  # sees the whole province: opens every case and person page
PER_PATTERN = 2


def _pattern(url: str) -> str:
    path, _, query = url.partition("?")
    keys = sorted(part.split("=")[0] for part in query.split("&") if part)
    return re.sub(r"\d+", "N", path) + ("?" + "&".join(keys) if keys else "")


def _walk(client, start: list[str], everything: bool) -> dict[str, list[str]]:
    """Pages reached from `start` → their foreign words (5xx answers are reported as such)."""
    seen: set[str] = set()
    per_pattern: Counter = Counter()
    problems: dict[str, list[str]] = {}
    queue = deque(start)
    while queue:
        url = queue.popleft().split("#")[0]
        if not url or url in seen or url.startswith(SKIP):
            continue
        pattern = _pattern(url)
        unlimited = everything and re.match(r"^/(cases|people)/N$", pattern)
        if not unlimited and per_pattern[pattern] >= PER_PATTERN:
            continue
        seen.add(url)
        per_pattern[pattern] += 1
        response = client.get(url)
        if 300 <= response.status_code < 400:  # where a browser goes next
            queue.append(response.headers.get("Location", "").replace("http://localhost", ""))
            continue
        if response.status_code >= 500:
            problems[url] = [f"HTTP {response.status_code}"]
            continue
        if not response.content_type.startswith("text/html"):
            continue
        pieces, links = page_text(response.get_data(as_text=True))
        found = [w for piece in pieces for w in foreign_words(piece)]
        if found:
            problems[url] = sorted(set(found))
        queue.extend(link for link in links if link.split("#")[0] not in seen)
    return problems


def test_every_demo_page_and_mail_is_vietnamese(app, runtime, clock):
    """No page of any demo user and no reminder mail shows an English word or an internal id (issue 13.5)."""
    load_demo(runtime)
    today = clock.today()
    for days in (0, 14):  # today's reminders, and a fortnight on: overdue ones and their copies
        instant = datetime.combine(today + timedelta(days=days), time(8), tzinfo=LOCAL_ZONE)
        scan_deadlines(dataclasses.replace(runtime, clock=FixedClock(instant)), mail=MailSettings())
    problems: dict[str, list[str]] = {}
    with runtime.session_factory() as s:
        mails = list(s.scalars(select(OutboxMessage)))
    assert len(mails) > 5
    for row in mails:
        payload = dict(row.payload or {}, locale="vi")
        mail = render_row(row.kind, row.subject, row.body_text, row.body_html, payload)
        found = foreign_words(mail.subject) + foreign_words(mail.text)
        if found:
            problems[f"mail {row.id}: {mail.subject}"] = sorted(set(found))
    for username, *_ in USERS:
        client = app.test_client()
        assert sign_in(client, username, DEMO_PASSWORD).status_code == 302, username
        start = ["/"] + [f"/people/1/open/{name}" for name in procedure_names()]
        for url, found in _walk(client, start, username in EVERYTHING).items():
            problems[f"{username} {url}"] = found
    assert problems == {}, "\n".join(f"{where}: {words}" for where, words in sorted(problems.items()))
