"""Demo cases in the commune of the 2025 structure: an admission its standing committee decides, and the
transfers of party activity, exemptions and suspensions a secretary handles, in every state.

The people live in the commune's two village cells (thôn Đông, thôn Tây), so the other cells' vote counts
(demo/procedures.py ELIGIBLE) are untouched; votes here count their cell's real roll.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select

from models import Person, write_transaction
from workflows.demo.plans import decision, discipline_plan, vote
from workflows.demo.tree import DemoTree, _name
from workflows.demo.walk import admission_plan, at_day, walk
from workflows.directory.directory import create_person
from workflows.domain.calendar import add_months
from workflows.engine import Runtime, fire, open_case

# (key, cell): official members whose cases the demo walks
PEOPLE = [
    *[(f"t_{k}", "thondong") for k in ("requested", "letter_issued", "not_presented", "withdrawn", "temporary",
                                       "returned")],
    ("t_received", "thontay"),
    *[(f"e_{k}", "thontay") for k in ("requested", "exempt", "reduced", "ended", "rejected", "withdrawn")],
    *[(f"s_{k}", "thondong") for k in ("proposed", "suspended", "lifted", "closed", "rejected")],
]


class _Seeder:
    def __init__(self, rt: Runtime, tree: DemoTree, today: date):
        self.rt, self.tree, self.today = rt, tree, today
        self.counts: dict[str, int] = {}
        self.people: dict[str, int] = {}
        with write_transaction(rt.session_factory) as s:
            for n, (key, cell) in enumerate(PEOPLE, start=900):
                self.people[key] = create_person(
                    s, organisation_id=tree.orgs[cell], membership_status="official",
                    joined_on=date(1995 + n % 20, 2, 3), official_on=date(1996 + n % 20, 2, 3),
                    full_name=_name(n, n % 2 == 0), birth_date=date(1950 + n % 30, 1 + n % 12, 1 + n % 27),
                    gender="female" if n % 2 == 0 else "male", education="upper_secondary",
                    occupation="Nông dân", email=f"dangvien{n}@example.vn").id

    def ago(self, days: int) -> date:
        return self.today - timedelta(days=days)

    def user(self, cell: str, role: str) -> int:
        return self.tree.user_for(cell)(role)

    def open(self, procedure: str, key: str, cell: str, day: date, data: dict[str, Any], role="cell_secretary"):
        self.counts[procedure] = self.counts.get(procedure, 0) + 1
        return open_case(at_day(self.rt, day), procedure=procedure, person_id=self.people[key],
                         organisation_id=self.tree.orgs[cell], actor_id=self.user(cell, role), data=data)

    def fire(self, case, trigger: str, day: date, data: dict[str, Any], cell: str, role: str):
        return fire(at_day(self.rt, day), case_id=case.id, trigger=trigger, actor_id=self.user(cell, role),
                    data=data)

    def roll_size(self, cell: str) -> int:
        with self.rt.session_factory() as s:
            return s.scalar(select(func.count(Person.id)).where(Person.organisation_id == self.tree.orgs[cell],
                                                                Person.membership_status == "official"))

    # ---------------------------------------------------------------- the commune decides an admission

    def admission(self) -> None:
        members = self.tree.members["thondong"]
        applicant = self.tree.sympathisers["thondong"][0]
        with self.rt.session_factory() as s:  # the application states the education the person's record holds
            education = s.get(Person, applicant).education or "upper_secondary"
        plan = admission_plan(members[1], (members[2], members[3]), self.ago(90), eligible=self.roll_size("thondong"),
                              education=education)
        self.counts["admission"] = self.counts.get("admission", 0) + 1
        walk(self.rt, plan, person_id=self.tree.sympathisers["thondong"][0], organisation_id=self.tree.orgs["thondong"],
             actor_for=self.tree.user_for("thondong"), procedure="admission", until="admitted",
             skip=("committee_vote",))

    # ---------------------------------------------------------------- transfers of party activity

    def transfer(self, key: str, home: str, to: str, requested: int, kind="official", until: date | None = None):
        data = {"kind": kind, "ground": "study" if kind == "temporary" else "job_change",
                "destination_id": self.tree.orgs[to], "basis_date": self.ago(requested + 5).isoformat(),
                "date": self.ago(requested).isoformat()}
        if until:
            data["until"] = until.isoformat()
        return self.open("activity_transfer", key, home, self.ago(requested), data)

    def letter(self, case, home: str, days: int):
        return self.fire(case, "issue_letter", self.ago(days), {
            "letter_number": f"{days}-GGT/ĐU", "letter_date": self.ago(days).isoformat()}, home, "organisation_officer")

    def transfers(self) -> None:
        self.transfer("t_requested", "thondong", "thontay", 3)
        self.letter(self.transfer("t_letter_issued", "thondong", "thontay", 15), "thondong", 10)
        case = self.letter(self.transfer("t_received", "thontay", "thondong", 70), "thontay", 65)
        self.fire(case, "record_arrival", self.ago(55), {"date": self.ago(55).isoformat()}, "thondong",
                  "cell_secretary")
        case = self.letter(self.transfer("t_not_presented", "thondong", "thontay", 120), "thondong", 115)
        self.fire(case, "record_not_presented", self.ago(20), {
            "date": self.ago(20).isoformat(), "reason": "Quá 30 ngày làm việc, đảng viên chưa xuất trình giấy giới "
                                                        "thiệu; chi bộ đề nghị xem xét xóa tên."}, "thondong",
                  "organisation_officer")
        case = self.transfer("t_withdrawn", "thondong", "thontay", 40)
        self.fire(case, "withdraw", self.ago(35), {"reason": "Quyết định điều động công tác được hoãn."}, "thondong",
                  "cell_secretary")
        case = self.letter(self.transfer("t_temporary", "thondong", "thon1", 50, kind="temporary",
                                         until=add_months(self.ago(55), 10)), "thondong", 48)
        self.fire(case, "record_arrival", self.ago(40), {"date": self.ago(40).isoformat()}, "thondong",
                  "cell_secretary")
        case = self.letter(self.transfer("t_returned", "thondong", "kp3", 300, kind="temporary",
                                         until=add_months(self.ago(305), 6)), "thondong", 298)
        self.fire(case, "record_arrival", self.ago(290), {"date": self.ago(290).isoformat()}, "thondong",
                  "cell_secretary")
        self.fire(case, "record_return", self.ago(120), {"date": self.ago(120).isoformat()}, "thondong",
                  "cell_secretary")

    # ---------------------------------------------------------------- exemptions

    def exemption(self, key: str, days: int, extent="exempt", agree: int | None = None):
        case = self.open("exemption", key, "thontay", self.ago(days), {
            "ground": ("old_age", "poor_health", "old_age_and_poor_health")[days % 3], "extent": extent,
            "evidence": "Đảng viên cao tuổi, điều trị bệnh dài ngày.", "date": self.ago(days).isoformat()})
        if agree is None:
            return case
        n = self.roll_size("thontay")
        return self.fire(case, "cell_decide", self.ago(days - 7), {"vote": vote(self.ago(days - 7), n, agree(n))},
                         "thontay", "cell_secretary")

    def exemptions(self) -> None:
        everyone = lambda n: n  # noqa: E731
        self.exemption("e_requested", 4)
        case = self.exemption("e_exempt", 90, agree=everyone)
        self.fire(case, "report_to_superior", self.ago(80), {"date": self.ago(80).isoformat()}, "thontay",
                  "cell_secretary")
        self.exemption("e_reduced", 60, extent="reduced", agree=everyone)
        case = self.exemption("e_ended", 400, agree=everyone)
        self.fire(case, "end_exemption", self.ago(100), {
            "date": self.ago(100).isoformat(), "reason": "Sức khỏe hồi phục, đồng chí xin sinh hoạt trở lại."},
            "thontay", "cell_secretary")
        self.exemption("e_rejected", 30, agree=lambda n: n // 2)
        case = self.exemption("e_withdrawn", 25)
        self.fire(case, "withdraw", self.ago(20), {"reason": "Đồng chí xin tiếp tục sinh hoạt."}, "thontay",
                  "cell_secretary")

    # ---------------------------------------------------------------- suspensions

    def suspension(self, key: str, days: int, decide: bool = True, until: date | None = None):
        case = self.open("suspension", key, "thondong", self.ago(days), {
            "ground": "detained", "legal_document": f"Lệnh tạm giam số {days}/LTG — Cơ quan CSĐT Công an tỉnh",
            "legal_document_date": self.ago(days + 2).isoformat(), "date": self.ago(days).isoformat()})
        if not decide:
            return case
        data = decision(f"{days}-QĐ/ĐU", self.ago(days - 3))
        if until:
            data["until"] = until.isoformat()
        return self.fire(case, "suspend", self.ago(days - 3), data, "thondong", "standing_committee")

    def suspensions(self) -> None:
        self.suspension("s_proposed", 2, decide=False)
        self.suspension("s_suspended", 30, until=self.ago(30) + timedelta(days=120))
        case = self.suspension("s_lifted", 200, until=self.ago(200) + timedelta(days=60))
        self.fire(case, "lift", self.ago(140), {"ground": "measure_ended", "date": self.ago(140).isoformat()},
                  "thondong", "standing_committee")
        case = self.suspension("s_closed", 150)
        self.counts["discipline"] = self.counts.get("discipline", 0) + 1
        walk(self.rt, discipline_plan(self.ago(100), violation_date=self.ago(160)), person_id=self.people["s_closed"],
             organisation_id=self.tree.orgs["thondong"], actor_for=self.tree.user_for("thondong"),
             procedure="discipline", until="opened")
        self.fire(case, "close_after_discipline", self.ago(99), {
            "date": self.ago(99).isoformat(), "reason": "Tòa án đã xét xử; chi bộ xem xét kỷ luật đảng viên."},
            "thondong", "standing_committee")
        case = self.suspension("s_rejected", 12, decide=False)
        self.fire(case, "reject_suspension", self.ago(10), {
            "decision_date": self.ago(10).isoformat(), "reason": "Cơ quan điều tra đã hủy lệnh tạm giam."},
            "thondong", "standing_committee")


def seed(rt: Runtime, tree: DemoTree, today: date) -> dict[str, int]:
    """The commune's cases; returns counts per procedure."""
    seeder = _Seeder(rt, tree, today)
    seeder.admission()
    seeder.transfers()
    seeder.exemptions()
    seeder.suspensions()
    return seeder.counts
