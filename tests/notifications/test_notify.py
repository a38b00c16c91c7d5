"""New-task notifications, escalations and quiet hours (issue «Notifications»), with a real SMTP server."""
from __future__ import annotations

import dataclasses
import threading
from datetime import date, datetime

from sqlalchemy import select

from models import (
    Notification,
    NotificationPreference,
    OutboxMessage,
    write_transaction,
)
from scheduler.notify import fan_out
from tests.scheduler.support import (
    MAIL,
    SmtpServer,
    add_deadline,
    at,
    deliver,
    local,
    outbox,
)
from workflows.demo.walk import admission_plan, walk
from workflows.engine import LOCAL_ZONE, FixedClock

MONDAY = datetime(2026, 3, 9, 9, 0, tzinfo=LOCAL_ZONE)  # a working day, within the window


def _notifications(runtime, **filters) -> list[Notification]:
    with runtime.session_factory() as s:
        return list(s.scalars(select(Notification).filter_by(**filters).order_by(Notification.id)))


def _walk(runtime, world, until: str, start: date = date(2026, 3, 2), cell: str = "cell1"):
    plan = admission_plan(world.people[f"{cell}_m1"], (world.people[f"{cell}_m2"], world.people[f"{cell}_m3"]), start)
    return walk(runtime, plan, person_id=world.people[f"{cell}_applicant"], organisation_id=world.orgs[cell],
                actor_for=world.actor_for(cell), procedure="admission", until=until)


def _prefer(runtime, user_id: int, **choices) -> None:
    with write_transaction(runtime.session_factory) as s:
        s.merge(NotificationPreference(user_id=user_id, **{"new_task": "immediate", "escalation": "digest",
                                                           "any_time": False, **choices}))


def test_a_step_notifies_the_body_that_must_act_next_once(runtime, world):
    """After the application, the commune's committee member and officer are told (not the secretary who acted);
    a second run writes nothing."""
    fan_out(at(runtime, MONDAY), MAIL)  # the first run starts at the end of the log: the past is not news
    case = _walk(runtime, world, "application_submitted")
    result = fan_out(at(runtime, MONDAY), MAIL)
    told = {n.user_id: n for n in _notifications(runtime, case_id=case.id)}
    assert set(told) == {world.users["committee"], world.users["officer"]}
    message = told[world.users["committee"]].message
    assert "Nộp đơn, lý lịch và giới thiệu" in message and "Kết luận thẩm tra lý lịch" in message
    assert f"(#{case.id})" in message and "secretary1 đã ghi" in message
    assert result.notifications == 2 and result.mails == 2
    again = fan_out(at(runtime, MONDAY), MAIL)
    assert again.notifications == 0 and len(_notifications(runtime, case_id=case.id)) == 2


def test_each_person_gets_mail_as_they_chose(runtime, world):
    """Immediate → a queued mail, digest → waits for the digest, in-app only → the bell and no mail."""
    _prefer(runtime, world.users["officer"], new_task="digest")
    _prefer(runtime, world.users["committee"], new_task="in_app")
    fan_out(at(runtime, MONDAY), MAIL)
    case = _walk(runtime, world, "application_submitted")
    fan_out(at(runtime, MONDAY), MAIL)
    rows = {m.user_id: m.status for m in outbox(runtime, kind="new_task")}
    assert rows == {world.users["officer"]: "digest_wait"}
    assert len(_notifications(runtime, case_id=case.id)) == 2


def test_two_schedulers_and_a_restart_mail_each_new_task_exactly_once(runtime, world):
    """Two schedulers fanning out and delivering at once, then a restarted one: one mail per person and step."""
    smtp = SmtpServer()
    smtp.start()
    try:
        fan_out(at(runtime, MONDAY), MAIL)
        _walk(runtime, world, "application_submitted")  # two cases, each now waiting on two people
        _walk(runtime, world, "application_submitted", cell="cell2")
        schedulers = [dataclasses.replace(runtime), dataclasses.replace(runtime)]
        barrier = threading.Barrier(2)
        errors = []

        def run(rt):
            try:
                barrier.wait()
                fan_out(at(rt, MONDAY), MAIL)
                deliver(rt, MONDAY, smtp.settings())
            except Exception as exc:  # noqa: BLE001 — reported by the assertion below
                errors.append(exc)

        threads = [threading.Thread(target=run, args=(rt,)) for rt in schedulers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert errors == []
        restarted = dataclasses.replace(runtime, clock=FixedClock(MONDAY))
        fan_out(restarted, MAIL)
        deliver(restarted, MONDAY, smtp.settings())
        expected = {(n.user_id, n.dedupe_key) for n in _notifications(runtime, kind="new_task")}
        received = smtp.recorder.message_ids()
        assert len(received) == len(expected) == 4 and len(set(received)) == len(received)
        assert {m["Subject"].split(":")[0] for m in smtp.messages} == {"Việc mới"}
    finally:
        smtp.stop()


def test_mail_waits_for_working_hours_unless_the_person_chose_any_time(runtime, world):
    """Saturday 10:00 and Monday 06:00 send nothing; Monday 07:00 sends; a person who chose any time gets it
    on Saturday."""
    smtp = SmtpServer()
    smtp.start()
    try:
        fan_out(at(runtime, MONDAY), MAIL)
        _walk(runtime, world, "application_submitted")
        fan_out(at(runtime, MONDAY), MAIL)
        _prefer(runtime, world.users["officer"], any_time=True)
        deliver(runtime, datetime(2026, 3, 14, 10, 0, tzinfo=LOCAL_ZONE), smtp.settings())  # Saturday
        assert [m["To"] for m in smtp.messages] == ["officer@example.test"]
        deliver(runtime, datetime(2026, 3, 16, 6, 0, tzinfo=LOCAL_ZONE), smtp.settings())  # Monday, too early
        assert len(smtp.messages) == 1
        deliver(runtime, datetime(2026, 3, 16, 7, 0, tzinfo=LOCAL_ZONE), smtp.settings())
        assert sorted(m["To"] for m in smtp.messages) == ["committee@example.test", "officer@example.test"]
    finally:
        smtp.stop()


def test_an_overdue_step_escalates_to_the_level_above_once(runtime, world):
    """A commune deadline 5 working days overdue is told to the province standing committee, in its digest."""
    case = _walk(runtime, world, "application_submitted")
    add_deadline(runtime, case.id, due=date(2026, 3, 2), role="committee_member", organisation_id=world.orgs["commune"])
    early = fan_out(at(runtime, datetime(2026, 3, 6, 9, 0, tzinfo=LOCAL_ZONE)), MAIL)  # 4 working days late
    assert early.escalations == 0
    result = fan_out(at(runtime, datetime(2026, 3, 9, 9, 0, tzinfo=LOCAL_ZONE)), MAIL)  # 5 working days late
    assert result.escalations == 1
    [told] = _notifications(runtime, kind="escalation")
    assert told.user_id == world.users["standing_province"] and "quá hạn 5 ngày làm việc" in told.message
    assert [m.status for m in outbox(runtime, kind="escalation")] == ["digest_wait"]
    assert fan_out(at(runtime, datetime(2026, 3, 10, 9, 0, tzinfo=LOCAL_ZONE)), MAIL).escalations == 0


def test_the_digest_lists_a_notification_in_its_own_words(runtime, world):
    """A digest-chosen new task is mailed in the day's digest, with its message and the case's link."""
    from scheduler.digest import compose_digests

    _prefer(runtime, world.users["officer"], new_task="digest")
    fan_out(at(runtime, MONDAY), MAIL)
    case = _walk(runtime, world, "application_submitted")
    fan_out(at(runtime, MONDAY), MAIL)
    assert compose_digests(at(runtime, MONDAY), mail=MAIL) == 1
    with runtime.session_factory() as s:
        digest = s.scalars(select(OutboxMessage).where(OutboxMessage.kind == "digest")).one()
    assert "Kết luận thẩm tra lý lịch" in digest.body_text and f"/cases/{case.id}" in digest.body_text
    assert local(date(2026, 3, 9)).date() == MONDAY.date()
