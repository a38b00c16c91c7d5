"""The deadline scan: who is reminded, at which stage, on which working day; written once only."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from models import Deadline, User, write_transaction
from scheduler.mail import render_row
from scheduler.stages import ReminderPolicy
from tests.scheduler.support import (
    BASE_URL,
    DUE_AFTER_TET,
    add_deadline,
    open_case,
    outbox,
    scan,
)
from workflows.demo.walk import admission_plan, at_day, walk
from workflows.engine import fire


def test_stages_after_tet_go_to_the_secretary_on_working_days(runtime, world):
    """Scanning every day: reminders 10 and 3 working days before (Tết skipped), on the due date, then weekly."""
    case = open_case(runtime, world)
    deadline = add_deadline(runtime, case.id, due=DUE_AFTER_TET, role="cell_secretary",
                            organisation_id=world.orgs["cell1"])
    day = date(2027, 1, 15)
    while day <= date(2027, 3, 5):
        scan(runtime, day)
        day += timedelta(days=1)
    rows = outbox(runtime, deadline_id=deadline)
    secretary = [(r.stage, r.created_at.date()) for r in rows if r.user_id == world.users["secretary1"]]
    assert secretary == [
        ("before_10", date(2027, 1, 25)),  # 10 working days left: 26–29 Jan, 1–3 Feb, 11, 12, 15 Feb
        ("before_3", date(2027, 2, 3)),  # the last working day before Tết: 11, 12 and 15 Feb are left
        ("due", date(2027, 2, 15)),
        ("overdue_1", date(2027, 2, 22)),
        ("overdue_2", date(2027, 3, 1)),
    ]
    copies = [(r.stage, r.user_id) for r in rows if r.user_id != world.users["secretary1"]]
    # Overdue ones are copied to the organisation officer of the superior committee (the commune).
    assert copies == [("overdue_1", world.users["officer"]), ("overdue_2", world.users["officer"])]
    assert {r.to_address for r in rows} == {"secretary1@example.test", "officer@example.test"}


def test_the_mail_names_person_step_due_date_days_left_and_links_the_case(runtime, world):
    """A Vietnamese reminder says whose case, which step, the due date, working days left and links the case."""
    case = open_case(runtime, world)
    add_deadline(runtime, case.id, due=DUE_AFTER_TET, role="cell_secretary", organisation_id=world.orgs["cell1"])
    scan(runtime, date(2027, 2, 3))
    (row,) = outbox(runtime)
    assert row.stage == "before_3"
    assert "cell1_applicant" in row.subject and "15/02/2027" in row.subject
    mail = render_row(row.kind, row.subject, row.body_text, row.body_html, row.payload)  # as delivery writes it
    assert "còn 3 ngày làm việc" in mail.text
    assert "Kính gửi đồng chí secretary1" in mail.text
    assert f"{BASE_URL}/cases/{case.id}" in mail.text
    assert f'href="{BASE_URL}/cases/{case.id}"' in mail.html
    assert row.message_id == (f"<quytrinh.reminder.{row.deadline_id}.20270215.before_3.{world.users['secretary1']}"
                              "@quytrinh.example.test>")
    assert row.status == "queued"


def test_english_speakers_get_english(runtime, world):
    """A user whose locale is English gets the reminder in English."""
    with write_transaction(runtime.session_factory) as s:
        s.get(User, world.users["secretary1"]).locale = "en"
    case = open_case(runtime, world)
    add_deadline(runtime, case.id, due=DUE_AFTER_TET, role="cell_secretary", organisation_id=world.orgs["cell1"])
    scan(runtime, date(2027, 2, 11))
    (row,) = outbox(runtime)
    mail = render_row(row.kind, row.subject, row.body_text, row.body_html, row.payload)
    assert "2 working days left" in mail.text and "due 15 February 2027" in row.subject
    assert mail.text.startswith("Dear secretary1,")
    assert row.subject.startswith("Reminder:")


def test_the_nearest_holders_of_the_role_are_reminded(runtime, world):
    """The body that acts is found at its organisation, not above: the commune's standing committee (not the
    province's) decides a delegated commune's admission; the ward's officer verifies a ward cell's background."""
    decided = open_case(runtime, world, until="committee_approved")  # waits for the commune's decision
    ids = {add_deadline(runtime, decided.id, due=date(2027, 3, 10), role="standing_committee",
                        organisation_id=world.orgs["commune"])}
    verified = open_case(runtime, world, cell="cell3", until="application_submitted")  # waits for the ward
    ids.add(add_deadline(runtime, verified.id, due=date(2027, 3, 10), role="organisation_officer",
                         organisation_id=world.orgs["cell3"], kind="ceremony"))
    scan(runtime, date(2027, 3, 10))
    rows = [r for r in outbox(runtime) if r.deadline_id in ids]  # the walked case's own deadline is long overdue
    assert sorted((r.kind, r.stage, r.user_id) for r in rows) == sorted([
        ("reminder", "due", world.users["standing_commune"]),
        ("reminder", "due", world.users["officer_ward"]),
    ])


def test_a_second_scan_at_the_same_instant_writes_nothing(runtime, world):
    """Scanning twice (or a later scan the same day) adds no reminder: the dedupe key holds."""
    case = open_case(runtime, world)
    add_deadline(runtime, case.id, due=DUE_AFTER_TET, role="cell_secretary", organisation_id=world.orgs["cell1"])
    first = scan(runtime, date(2027, 2, 22))
    assert first.reminders == 2  # overdue: the secretary and the officer's copy
    assert scan(runtime, date(2027, 2, 22)).reminders == 0
    with write_transaction(runtime.session_factory) as s:  # even with the plan forgotten, nothing is written twice
        for d in s.scalars(select(Deadline)):
            d.next_reminder_on = None
    assert scan(runtime, date(2027, 2, 22)).reminders == 0
    assert len(outbox(runtime)) == 2


def test_three_days_down_every_missed_reminder_goes_out_once(runtime, world):
    """Scheduler stopped three days: on restart each deadline whose stage passed meanwhile is reminded once."""
    case = open_case(runtime, world)
    # Stages falling on Tue, Wed and Thu of the downtime (Mon 1 Mar → Thu 4 Mar 2027).
    a = add_deadline(runtime, case.id, due=date(2027, 3, 2), role="cell_secretary", organisation_id=world.orgs["cell1"])
    b = add_deadline(runtime, case.id, due=date(2027, 3, 8), role="cell_secretary", organisation_id=world.orgs["cell1"])
    c = add_deadline(runtime, case.id, due=date(2027, 2, 25), role="cell_secretary", organisation_id=world.orgs["cell1"])
    scan(runtime, date(2027, 3, 1))
    before = {(r.deadline_id, r.stage) for r in outbox(runtime)}
    assert before == {(a, "before_3"), (b, "before_10"), (c, "due")}
    result = scan(runtime, date(2027, 3, 4))  # back after three days
    after = {(r.deadline_id, r.stage) for r in outbox(runtime) if r.user_id == world.users["secretary1"]}
    assert after - before == {(a, "due"), (b, "before_3"), (c, "overdue_1")}
    assert result.reminders == 4  # the overdue one also copied to the commune's officer
    assert scan(runtime, date(2027, 3, 4)).reminders == 0


def test_met_deadlines_are_not_reminded(runtime, world):
    """A deadline met by its step gets no more reminders."""
    case = open_case(runtime, world)
    deadline = add_deadline(runtime, case.id, due=DUE_AFTER_TET, role="cell_secretary",
                            organisation_id=world.orgs["cell1"])
    scan(runtime, date(2027, 1, 25))
    with write_transaction(runtime.session_factory) as s:
        s.get(Deadline, deadline).status = "met"
    assert scan(runtime, date(2027, 2, 3)).reminders == 0
    assert [r.stage for r in outbox(runtime)] == ["before_10"]


def test_deadlines_opened_by_the_engine_are_reminded(runtime, world):
    """The admission decision deadline the cell vote opens reminds the commune's standing committee of its
    decision once the committee has voted."""
    case = open_case(runtime, world, until="committee_approved")
    with runtime.session_factory() as s:
        deadline = s.scalars(select(Deadline).where(Deadline.case_id == case.id)).one()
    scan(runtime, deadline.due_date)
    (row,) = outbox(runtime)
    assert (row.user_id, row.stage) == (world.users["standing_commune"], "due")
    assert "Quyết định kết nạp" in row.subject  # the step that meets the deadline
    text = render_row(row.kind, row.subject, row.body_text, row.body_html, row.payload).text
    assert "Hạn ra quyết định kết nạp" in text  # the deadline itself
    assert "do ban thường vụ Đảng ủy xã Tân Phú thực hiện" in text  # the body that must act


def test_a_reminder_names_the_step_the_case_waits_for_and_goes_to_its_body(runtime, world):
    """At «cell approved» the decision deadline runs but the committee must vote first: the committee member
    is reminded of the committee vote, not the standing committee of a decision (issue 13.2)."""
    case = open_case(runtime, world, until="cell_approved")
    with runtime.session_factory() as s:
        deadline = s.scalars(select(Deadline).where(Deadline.case_id == case.id)).one()
    assert deadline.role == "standing_committee"
    scan(runtime, deadline.due_date)
    (row,) = outbox(runtime)
    assert row.user_id == world.users["committee"]
    assert "Đảng ủy cơ sở biểu quyết" in row.subject and "Quyết định kết nạp" not in row.subject
    text = render_row(row.kind, row.subject, row.body_text, row.body_html, row.payload).text
    assert "đang chờ bước: Đảng ủy cơ sở biểu quyết" in text and "do cấp ủy viên Đảng ủy xã Tân Phú" in text


def test_a_probation_strike_off_is_reminded_as_the_strike_off_decision(runtime, world):
    """A probation case whose committee confirmed a strike-off is reminded as «Quyết định xóa tên đảng viên dự
    bị», never as a recognition decision (the first step closing the deadline kind)."""
    from tests.support.flows import walk_plan
    from workflows.demo.plans import probation_plan

    plan = probation_plan(date(2025, 6, 2), proposal="strike_off", helper_id=world.people["cell1_m1"])
    with write_transaction(runtime.session_factory) as s:
        from models import Person

        s.get(Person, world.people["cell1_m4"]).membership_status = "probationary"
    case = walk_plan(runtime, world, plan, "cell1_m4", "probation", until="strike_off_confirmed")
    with runtime.session_factory() as s:
        deadline = s.scalars(select(Deadline).where(Deadline.case_id == case.id, Deadline.status == "open")).one()
    scan(runtime, deadline.due_date)
    (row,) = outbox(runtime)
    assert row.user_id == world.users["standing_commune"]
    assert "Quyết định xóa tên đảng viên dự bị" in row.subject and "công nhận" not in row.subject


def test_overdue_reminders_count_working_days_like_the_ui(runtime, world):
    """«đã quá hạn N ngày làm việc»: N is the UI's count of working days past the due date, not calendar days."""
    case = open_case(runtime, world)
    add_deadline(runtime, case.id, due=date(2027, 3, 5), role="cell_secretary", organisation_id=world.orgs["cell1"])
    scan(runtime, date(2027, 3, 15))  # a Monday ten calendar days after a Friday: six working days
    row = next(r for r in outbox(runtime) if r.user_id == world.users["secretary1"])
    calendar = runtime.calendar()
    assert calendar.working_days_between(date(2027, 3, 5), date(2027, 3, 15)) == 6
    assert "đã quá hạn 6 ngày làm việc" in row.subject
    assert "đã quá hạn 6 ngày làm việc" in render_row(row.kind, row.subject, row.body_text, row.body_html,
                                                     row.payload).text


def test_stages_are_a_setting(runtime, world):
    """With stages '5' and no overdue reminders, only the 5-working-day reminder is written."""
    case = open_case(runtime, world)
    add_deadline(runtime, case.id, due=date(2027, 3, 10), role="cell_secretary", organisation_id=world.orgs["cell1"])
    policy = ReminderPolicy.parse("5", 0)
    day = date(2027, 2, 20)
    while day < date(2027, 4, 1):
        scan(runtime, day, policy)
        day += timedelta(days=1)
    assert [(r.stage, r.created_at.date()) for r in outbox(runtime)] == [("before_5", date(2027, 3, 3))]


def test_an_extended_deadline_is_reminded_afresh_for_its_new_date(runtime, world):
    """After the committee extends the decision deadline, the old due date is not reminded; the new one is."""
    plan = admission_plan(world.people["cell1_m1"], (world.people["cell1_m2"], world.people["cell1_m3"]),
                          date(2026, 3, 2))
    case = walk(runtime, plan, person_id=world.people["cell1_applicant"], organisation_id=world.orgs["cell1"],
                actor_for=world.actor_for("cell1"), procedure="admission", until="cell_approved")
    with runtime.session_factory() as s:
        old_due = s.scalars(select(Deadline.due_date).where(Deadline.case_id == case.id)).one()
    calendar = runtime.calendar()
    three_left = calendar.add_working_days(old_due, 0) - timedelta(days=1)
    while calendar.working_days_between(three_left, old_due) < 3:
        three_left -= timedelta(days=1)
    scan(runtime, three_left)
    fire(at_day(runtime, three_left), case_id=case.id, trigger="extend_deadline",
         actor_id=world.users["standing_commune"], data={"days": 20, "reason": "Chờ thẩm tra bổ sung lý lịch."})
    with runtime.session_factory() as s:
        deadline = s.scalars(select(Deadline).where(Deadline.case_id == case.id)).one()
    assert deadline.due_date == calendar.add_working_days(old_due, 20) and deadline.next_reminder_on is None
    day = three_left
    while day <= deadline.due_date:
        scan(runtime, day)
        day += timedelta(days=1)
    assert [(r.payload["due_date"], r.stage) for r in outbox(runtime)] == [
        (old_due.isoformat(), "before_3"),
        (deadline.due_date.isoformat(), "before_10"),
        (deadline.due_date.isoformat(), "before_3"),
        (deadline.due_date.isoformat(), "due"),
    ]
