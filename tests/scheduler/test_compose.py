"""The scan's reminders, put together from shared parts, say exactly what the item and the subject say."""
from __future__ import annotations

import json
from datetime import date
from types import SimpleNamespace

import pytest

from scheduler.addressing import Body
from scheduler.compose import Composer, reminder_item
from scheduler.mail import MailSettings, reminder_subject
from scheduler.scan import Candidate, candidates
from scheduler.stages import ReminderPolicy, StagePlanner
from workflows.domain.calendar import WorkingCalendar

TODAY = date(2027, 2, 22)
ODD = 'Nguyễn "Văn" A\\B\n</script> ☭'  # quotes, a backslash, a new line, markup and non-ASCII


def _row(**changes):
    row = dict(id=7, case_id=12, kind="admission_decision", due_date=date(2027, 2, 15), role="standing_committee",
               procedure="admission", rule_set="cpv-2021", full_name="Trần Thị B", path="/1/2/", name="Xã 2",
               state="cell_approved", data={}, case_path="/1/2/3/")
    row.update(changes)
    return SimpleNamespace(**row)


@pytest.mark.parametrize("base_url", ["https://quytrinh.example.vn", 'https://x.example/a"b\\/'])
@pytest.mark.parametrize("row, body, organisation", [
    (_row(), Body("standing_committee", "/1/2/", "Đảng ủy xã 2", ("committee_vote",)), "Chi bộ 3"),
    (_row(full_name=ODD, kind=ODD, due_date=date(2027, 3, 4)), Body(ODD, "/1/", ODD, (ODD, "b")), ODD),
    (_row(procedure="unknown", rule_set="x"), Body("cell_secretary", "/1/2/3/", "Chi bộ 3", ()), "Chi bộ 3"),
])
@pytest.mark.parametrize("stage", ["before_3", "due", "overdue_1"])
def test_payload_and_subject_are_the_items(base_url, row, body, organisation, stage):
    """The spliced payload is json.dumps of the item (without its closing brace), the subject reminder_subject's."""
    mail = MailSettings(base_url=base_url)
    planner = StagePlanner(ReminderPolicy(), WorkingCalendar())
    composer = Composer(planner, mail, TODAY, WorkingCalendar())
    target = composer._target(row, body, organisation, overdue=stage.startswith("overdue"))
    item = reminder_item(row, body, organisation, stage, TODAY, planner, mail)
    for _ in range(2):  # the second time from what the composer kept
        assert composer.payload(row, target, stage) == json.dumps(item, ensure_ascii=False)[:-1]
        for locale in ("vi", "en"):
            assert composer.subject(row, target, stage, locale) == reminder_subject(item, locale)



@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_the_scan_reads_its_query_rows_as_candidates(dialect):
    """plan_batch reads each row of the query by position into a Candidate: its fields are the query's columns."""
    query = candidates(TODAY, TODAY, 10, dialect)
    assert tuple(column.name for column in query.selected_columns) == Candidate._fields
