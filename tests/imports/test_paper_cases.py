"""Paper cases in flight: opened at the step reached as imported records, deadlines from the recorded dates."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from models import write_transaction, Case, Deadline, Event, Vote
from tests.imports.support import MEMBER_HEADER, ORG_HEADER, member, orgs, xlsx
from workflows.domain.rulesets import rule_set_in_force
from workflows.imports import ImportRejected, run_import
from workflows.imports.layout import CASE_HEADERS

CASE_HEADER = list(CASE_HEADERS)
APPLICANT = member(50, **{"Trạng thái": "Quần chúng", "Ngày vào Đảng": None, "Ngày chính thức": None,
                          "Số thẻ đảng viên": None, "Số CCCD": "001099000050", "Họ và tên": "Đỗ Thị Mai",
                          "Ngày sinh": "10/10/1999", "Giới tính": "Nữ"})


def step(label: str, day: str, number: str = "", eligible=None, agree=None, code: str = "HS-01") -> list:
    row = {"Mã hồ sơ": code, "Quy trình": "Kết nạp đảng viên", "Số thẻ đảng viên": None, "Số CCCD": "001099000050",
           "Mã tổ chức": "CB-1", "Bước": label, "Ngày": day, "Số văn bản": number or None,
           "Số có quyền biểu quyết": eligible, "Số tán thành": agree}
    return [row[h] for h in CASE_HEADER]


ADMISSION_TO_CELL_VOTE = [
    step("Mở hồ sơ quần chúng ưu tú", "02/06/2026"),
    step("Nộp đơn, lý lịch và giới thiệu", "20/06/2026"),
    step("Kết luận thẩm tra lý lịch", "15/07/2026"),
    step("Tổng hợp ý kiến nhận xét (5-KNĐ)", "25/07/2026"),
    step("Chi bộ biểu quyết (6-KNĐ)", "05/08/2026", eligible=9, agree=9),
]


def book(province_id: int, cases: list[list]) -> bytes:
    return xlsx({"To chuc": [ORG_HEADER, *orgs(province_id)], "Dang vien": [MEMBER_HEADER, member(1), APPLICANT],
                 "Ho so dang giai quyet": [CASE_HEADER, *cases]})


def test_a_paper_admission_opens_at_the_step_reached_with_its_deadline(runtime, world):
    """Five steps on paper: the case stands at «cell approved», one event and data entry per step, the vote row,
    and the decision deadline 60 working days after the cell's vote, open for the reminders."""
    report = run_import(runtime, actor_id=world.users["admin"], filename="f.xlsx",
                        data=book(world.orgs["province"], ADMISSION_TO_CELL_VOTE))
    assert report.cases == {"created": 1, "unchanged": 0, "deadlines": 1}
    with runtime.session_factory() as s:
        case = s.scalars(select(Case).where(Case.import_code == "HS-01")).one()
        assert (case.procedure, case.state, case.revision) == ("admission", "cell_approved", 5)
        assert case.data["cell_vote"]["vote"]["agree"] == 9 and case.data["open"] == {"resolution_date": "2026-06-02"}
        events = s.scalars(select(Event).where(Event.case_id == case.id).order_by(Event.seq)).all()
        assert [e.trigger for e in events] == ["open", "submit_application", "verify_background", "collect_opinions",
                                               "cell_vote"]
        assert all(e.actor_id is None and e.comment.startswith("Nhập từ hồ sơ giấy") for e in events)
        assert s.scalars(select(Vote).where(Vote.case_id == case.id)).one().passed
        deadline = s.scalars(select(Deadline).where(Deadline.case_id == case.id)).one()
        days = rule_set_in_force(date(2026, 6, 2)).settings["admission_decision_working_days"]
        assert (deadline.kind, deadline.status, deadline.next_reminder_on) == ("admission_decision", "open", None)
        assert deadline.due_date == runtime.calendar().add_working_days(date(2026, 8, 5), days)
        assert deadline.started_on == date(2026, 8, 5)


def test_the_same_paper_case_again_is_unchanged(runtime, world):
    """Re-importing the file leaves the case alone and counts it unchanged."""
    data = book(world.orgs["province"], ADMISSION_TO_CELL_VOTE)
    run_import(runtime, actor_id=world.users["admin"], filename="f.xlsx", data=data)
    again = run_import(runtime, actor_id=world.users["admin"], filename="f.xlsx", data=data)
    assert again.cases == {"created": 0, "unchanged": 1, "deadlines": 0} and again.created == 0


def test_a_step_out_of_the_procedures_order_is_reported(runtime, world):
    """A cell vote straight after the opening is not a step of that state: the row says which steps could follow."""
    rows = [ADMISSION_TO_CELL_VOTE[0], step("Chi bộ biểu quyết (6-KNĐ)", "05/08/2026", eligible=9, agree=9)]
    with pytest.raises(ImportRejected) as caught:
        run_import(runtime, actor_id=world.users["admin"], filename="f.xlsx", data=book(world.orgs["province"], rows))
    errors = caught.value.report.errors
    assert [(e.sheet, e.row, e.column, e.code) for e in errors] == [("Ho so dang giai quyet", 3, "F", "unknown_step")]
    assert "«Nộp đơn, lý lịch và giới thiệu»" in errors[0].message


def test_a_vote_step_needs_its_counts_and_a_finished_case_is_refused(runtime, world):
    """A vote without counts, and a case whose last step closes it, are both row errors; nothing is written."""
    rows = ADMISSION_TO_CELL_VOTE[:4] + [step("Chi bộ biểu quyết (6-KNĐ)", "05/08/2026")]
    other = [step("Mở hồ sơ quần chúng ưu tú", "02/06/2026", code="HS-02"),
             step("Rút hồ sơ (người xin vào Đảng rút)", "03/06/2026", code="HS-02")]
    with pytest.raises(ImportRejected) as caught:
        run_import(runtime, actor_id=world.users["admin"], filename="f.xlsx",
                   data=book(world.orgs["province"], rows + other))
    assert [(e.row, e.code) for e in caught.value.report.errors] == [(6, "missing_vote"), (8, "case_closed")]
    with runtime.session_factory() as s:
        assert s.scalars(select(Case).where(Case.import_code.is_not(None))).all() == []


def test_an_imported_paper_case_is_audited_and_shown_like_any_other(app, runtime, world):
    """The compliance audit reads the imported case (no finding for a clean one) and its case page opens."""
    from tests.web.support import sign_in
    from workflows.reports.compliance import audit_subtree

    run_import(runtime, actor_id=world.users["admin"], filename="f.xlsx",
               data=book(world.orgs["province"], ADMISSION_TO_CELL_VOTE))
    with runtime.session_factory() as s:
        case_id = s.scalars(select(Case.id).where(Case.import_code == "HS-01")).one()
        audit = audit_subtree(s, runtime.calendar(s), organisation_id=world.orgs["province"],
                              date_from=date(2026, 1, 1), date_to=date(2026, 12, 31), case_id=case_id)
    assert audit.cases_checked == 1 and audit.findings == []
    client = app.test_client()
    sign_in(client, "admin")
    page = client.get(f"/cases/{case_id}")
    assert page.status_code == 200 and "Đỗ Thị Mai" in page.get_data(as_text=True)


def test_the_scheduler_reminds_of_an_imported_deadline_the_next_morning(runtime, world):
    """An admission whose cell voted on paper on 10/09/2026 (decision due 04/12/2026, three working days after the
    import): the next morning's scan writes its reminder (the imported deadline is an ordinary open row)."""
    from datetime import datetime, time as dtime

    from scheduler.scan import scan_deadlines
    from workflows.engine import LOCAL_ZONE

    rows = ADMISSION_TO_CELL_VOTE[:4] + [step("Chi bộ biểu quyết (6-KNĐ)", "10/09/2026", eligible=9, agree=9)]
    run_import(runtime, actor_id=world.users["admin"], filename="f.xlsx", data=book(world.orgs["province"], rows))
    # The imported committee's people: the body that must act next is reminded (13a: mail follows the step due).
    from models import Organisation
    from workflows.accounts.accounts import assign_role

    with write_transaction(runtime.session_factory) as s:
        case = s.scalars(select(Case).where(Case.import_code == "HS-01")).one()
        for org_id in (int(part) for part in case.organisation_path.strip("/").split("/")[1:]):
            if s.get(Organisation, org_id).kind != "cell":
                for role, user in (("committee_member", "committee"), ("standing_committee", "standing_commune")):
                    assign_role(s, user_id=world.users[user], organisation_id=org_id, role=role)
    runtime.clock.instant = datetime.combine(date(2026, 12, 1), dtime(7, 0), tzinfo=LOCAL_ZONE)
    result = scan_deadlines(runtime)
    assert result.deadlines == 1 and result.reminders >= 1
