"""Outbox delivery over a real SMTP server: sent once, retried with backoff, held without SMTP, incidents."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from models import Deadline, Incident, User, write_transaction
from scheduler.smtp import SmtpSettings
from tests.scheduler.support import (
    DUE_AFTER_TET,
    FAST_RETRY,
    SmtpServer,
    add_deadline,
    deliver,
    local,
    open_case,
    outbox,
    scan,
)

DAY = date(2027, 2, 22)  # the first overdue stage of DUE_AFTER_TET: secretary + officer's copy
NO_SMTP = SmtpSettings()


def _two_reminders(runtime, world):
    case = open_case(runtime, world)
    add_deadline(runtime, case.id, due=DUE_AFTER_TET, role="cell_secretary", organisation_id=world.orgs["cell1"])
    scan(runtime, DAY)
    return case


def test_reminders_are_sent_once_with_text_html_and_a_stable_message_id(runtime, world, smtp):
    """Delivery sends each queued reminder once, as text + HTML, with its stored Message-ID; a rerun sends nothing."""
    _two_reminders(runtime, world)
    result = deliver(runtime, local(DAY, 9), smtp.settings())
    assert (result.sent, result.retried, result.failed) == (2, 0, 0)
    rows = outbox(runtime)
    assert {r.status for r in rows} == {"sent"}
    assert sorted(smtp.recorder.message_ids()) == sorted(r.message_id for r in rows)
    msg = smtp.recorder.to("secretary1@example.test")[0]
    assert msg["From"] == "nhac-han@quytrinh.example.test"
    assert msg["Subject"].startswith("Quá hạn:")
    assert msg.get_body(("plain",)).get_content().startswith("Kính gửi đồng chí secretary1")
    assert "<a href=" in msg.get_body(("html",)).get_content()
    assert deliver(runtime, local(DAY, 10), smtp.settings()).sent == 0
    assert len(smtp.messages) == 2


def test_without_smtp_mail_is_held_then_sent_when_configured(runtime, world, smtp):
    """No SMTP configured: reminders are kept as 'held' (not lost); once SMTP is set they are sent."""
    _two_reminders(runtime, world)
    result = deliver(runtime, local(DAY, 9), NO_SMTP)
    assert result.held == 2
    assert {(r.status, r.attempts) for r in outbox(runtime)} == {("held", 0)}
    assert deliver(runtime, local(DAY, 10), NO_SMTP).held == 0  # stays held, nothing else happens
    result = deliver(runtime, local(DAY, 11), smtp.settings())
    assert (result.released, result.sent) == (2, 2)
    assert {r.status for r in outbox(runtime)} == {"sent"}


def test_smtp_down_is_retried_with_backoff_and_delivered_when_back(runtime, world):
    """SMTP down: attempts are counted and retried later (1 min, then 2 min); back up → delivered once."""
    server = SmtpServer()  # not started: connection refused
    _two_reminders(runtime, world)
    t0 = local(DAY, 9)
    assert deliver(runtime, t0, server.settings()).retried == 2
    rows = outbox(runtime)
    assert {(r.status, r.attempts, r.next_attempt_at) for r in rows} == {("queued", 1, t0 + timedelta(minutes=1))}
    assert all("Connection" in r.last_error or "refused" in r.last_error for r in rows)
    assert deliver(runtime, t0 + timedelta(seconds=30), server.settings()).retried == 0  # not due yet
    t1 = t0 + timedelta(minutes=1)
    assert deliver(runtime, t1, server.settings()).retried == 2
    assert {(r.attempts, r.next_attempt_at) for r in outbox(runtime)} == {(2, t1 + timedelta(minutes=2))}
    server.start()
    try:
        result = deliver(runtime, t1 + timedelta(minutes=2), server.settings())
        assert result.sent == 2
        assert {(r.status, r.attempts) for r in outbox(runtime)} == {("sent", 3)}
        assert len(server.messages) == 2
    finally:
        server.stop()


def test_after_the_last_try_the_mail_fails_with_an_incident(runtime, world):
    """SMTP down through every try: the row is failed and one incident per mail is recorded for admins."""
    server = SmtpServer()
    _two_reminders(runtime, world)
    when = local(DAY, 9)
    for _ in range(FAST_RETRY.max_attempts):
        deliver(runtime, when, server.settings())
        when += timedelta(hours=1)
    rows = outbox(runtime)
    assert {(r.status, r.attempts) for r in rows} == {("failed", FAST_RETRY.max_attempts)}
    with runtime.session_factory() as s:
        incidents = s.scalars(select(Incident).order_by(Incident.id)).all()
    assert sorted(i.outbox_id for i in incidents) == sorted(r.id for r in rows)
    assert all(i.kind == "mail_failed" and i.resolved_at is None for i in incidents)
    assert deliver(runtime, when + timedelta(days=1), server.settings()).failed == 0  # nothing is tried again


def test_a_refused_recipient_fails_at_once(runtime, world, smtp):
    """A permanent refusal (550) is not retried: failed with an incident; the other mail is sent."""
    smtp.recorder.refuse["officer@example.test"] = "550 5.1.1 no such user"
    _two_reminders(runtime, world)
    result = deliver(runtime, local(DAY, 9), smtp.settings())
    assert (result.sent, result.failed) == (1, 1)
    failed = outbox(runtime, status="failed")
    assert [r.to_address for r in failed] == ["officer@example.test"] and "550" in failed[0].last_error
    with runtime.session_factory() as s:
        assert s.scalars(select(Incident.outbox_id)).all() == [failed[0].id]


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_smtp_login_is_used(runtime, world):
    """With SMTP_USER/SMTP_PASSWORD the client logs in before sending."""
    seen = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        from aiosmtpd.smtp import AuthResult

        seen.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == b"s3cret")

    server = SmtpServer(auth_require_tls=False, authenticator=authenticator, auth_required=True)
    server.start()
    try:
        _two_reminders(runtime, world)
        assert deliver(runtime, local(DAY, 9), server.settings(user="mailer", password="s3cret")).sent == 2
        assert seen[0] == (b"mailer", b"s3cret")
    finally:
        server.stop()


def test_digest_groups_a_users_items_into_one_daily_mail(runtime, world, smtp):
    """A user who chose the digest gets one mail listing every item of the day, not a mail each."""
    with write_transaction(runtime.session_factory) as s:
        s.get(User, world.users["secretary1"]).digest = True
    case = open_case(runtime, world)
    for due in (date(2027, 3, 1), date(2027, 3, 4), date(2027, 3, 10)):
        add_deadline(runtime, case.id, due=due, role="cell_secretary", organisation_id=world.orgs["cell1"])
    # Another cell's case waiting for the commune's decision: its standing committee gets its own mail.
    decided = open_case(runtime, world, cell="cell2", until="committee_approved")
    with write_transaction(runtime.session_factory) as s:
        for row in s.scalars(select(Deadline).where(Deadline.case_id == decided.id)):
            row.status = "met"  # its own deadline, long past, would add an overdue mail
    add_deadline(runtime, decided.id, due=date(2027, 3, 1), role="standing_committee",
                 organisation_id=world.orgs["commune"])
    result = scan(runtime, date(2027, 3, 1))
    assert result.digests == 1
    digest = outbox(runtime, kind="digest")
    assert len(digest) == 1 and digest[0].user_id == world.users["secretary1"]
    items = [r for r in outbox(runtime, user_id=world.users["secretary1"]) if r.kind == "reminder"]
    assert {r.status for r in items} == {"digested"} and sorted(digest[0].payload["items"]) == [r.id for r in items]
    deliver(runtime, local(date(2027, 3, 1), 9), smtp.settings())
    mails = smtp.recorder.to("secretary1@example.test")
    assert len(mails) == 1
    text = mails[0].get_body(("plain",)).get_content()
    assert mails[0]["Subject"] == "Tổng hợp nhắc hạn ngày 01/03/2027: 3 việc"
    assert text.count("cell1_applicant") == 3 and "còn 3 ngày làm việc" in text and "còn 7 ngày làm việc" in text
    assert len(smtp.recorder.to("standing_commune@example.test")) == 1  # others still get their own mail
    # A deadline opened later that day: its item waits for the next day's digest (one digest a day).
    late = add_deadline(runtime, case.id, due=date(2027, 3, 3), role="cell_secretary",
                        organisation_id=world.orgs["cell1"])
    assert scan(runtime, local(date(2027, 3, 1), 15)).digests == 0
    assert [r.status for r in outbox(runtime, deadline_id=late)] == ["digest_wait"]
    assert scan(runtime, date(2027, 3, 2)).digests == 1
    assert [r.status for r in outbox(runtime, deadline_id=late)] == ["digested"]
    assert scan(runtime, date(2027, 3, 3)).digests == 1  # 3 March: the late one is due
