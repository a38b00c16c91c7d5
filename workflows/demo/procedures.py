"""Demo cases of the procedures after admission: probation, strike-off, withdrawal, discipline, appeal.

Every case is walked through the engine at plausible past dates relative to
`today`, so each procedure has cases in every state (final ones included),
with real events, deadlines and votes; `check` replays them all.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from models import Person, write_transaction
from workflows.demo.plans import (
    appeal_plan,
    decision,
    discipline_plan,
    probation_plan,
    strike_off_plan,
    vote,
    withdrawal_plan,
)
from workflows.demo.tree import DemoTree, _name
from workflows.demo.walk import admission_plan, at_day, walk
from workflows.directory.directory import create_person
from workflows.domain.calendar import add_months
from workflows.engine import Runtime, fire
from workflows.engine.automatic import close_expired


# Probationary members: (state, cell, days since the ceremony)
PROBATIONERS = [
    ("under_review", "thon1", 380), ("cell_approved", "thon2", 400), ("strike_off_proposed", "truong", 395),
    ("committee_approved", "thon1", 390), ("strike_off_confirmed", "kp1a", 392), ("referred", "thon2", 420),
    ("official", "namviet", 500), ("official2", "kp3", 470), ("struck_off", "truong", 480),
    ("annulled", "thon2", 460), ("terminated", "kp3", 200), ("transferred", "thon1", 150),
]
CEREMONY_DAYS = {f"p_{state}": days for state, _cell, days in PROBATIONERS}

# (key, cell, membership status, female, holds a post)
PEOPLE = [
    *[(f"p_{state}", cell, "probationary", i % 2 == 1, False) for i, (state, cell, _d) in enumerate(PROBATIONERS)],
    *[(f"s_{state}", cell, "official", i % 2 == 0, False) for i, (state, cell) in enumerate([
        ("proposed", "thon1"), ("refused", "thon2"), ("cell_approved", "kp1a"), ("committee_approved", "truong"),
        ("struck_off", "kp3"), ("dismissed", "thon1"), ("annulled", "thon2"), ("revoked", "truong"),
    ])],
    *[(f"w_{state}", cell, "official", i % 2 == 1, False) for i, (state, cell) in enumerate([
        ("requested", "thon2"), ("cell_approved", "thon1"), ("committee_approved", "kp1a"), ("referred", "kp3"),
        ("removed", "truong"), ("rejected", "thon2"), ("withdrawn", "thon1"),
    ])],
    *[(f"d_{state}", cell, "official", state == "deferred" or i % 3 == 0, state == "removal")
      for i, (state, cell) in enumerate([
          ("opened", "thon1"), ("deferred", "thon2"), ("reviewed", "truong"), ("proposed", "kp1a"),
          ("in_force", "thon1"), ("closed", "kp3"), ("dismissed", "thon2"), ("annulled", "truong"),
          ("under_appeal", "thon1"), ("filed", "kp1a"), ("amended", "thon2"), ("upheld", "kp3"),
          ("withdrawn", "truong"), ("removal", "kp3"), ("expelled", "kp1a"),
      ])],
    ("r_former", "thon1", "former", False, False),
]

# The official members a demo vote counts: every member any demo cell ever had on its books (the tree's six
# and the ones added here), so no vote counts fewer than its cell's roll on any day (rule vote_denominator).
ELIGIBLE = 6 + max(sum(1 for _k, c, status, _f, _p in PEOPLE if c == cell and status in ("official", "former"))
                   for cell in {c for _k, c, _s, _f, _p in PEOPLE})


def _people(rt: Runtime, tree: DemoTree, today: date) -> dict[str, int]:
    """The demo's extra people, one per case, created in one transaction."""
    ids: dict[str, int] = {}
    with write_transaction(rt.session_factory) as s:
        for n, (key, cell, status, female, post) in enumerate(PEOPLE, start=600):
            person = create_person(
                s, organisation_id=tree.orgs[cell], membership_status=status,
                # A probationary member's admission decision came some weeks before the ceremony.
                joined_on=today - timedelta(days=CEREMONY_DAYS[key] + 20) if key in CEREMONY_DAYS
                else date(2005 + n % 15, 3, 26),
                official_on=date(2006 + n % 15, 3, 26) if status in ("official", "former") else None,
                full_name=_name(n, female), birth_date=date(1972 + n % 25, 1 + n % 12, 1 + n % 27),
                gender="female" if female else "male", education=("upper_secondary", "higher")[n % 2],
                occupation="Cán bộ, đảng viên", holds_post=post, email=f"dangvien{n}@example.vn",
            )
            if status == "former":
                person.left_on, person.left_reason = add_months(today, -50), "struck_off:no_improvement_after_education"
            ids[key] = person.id
    return ids


class _Seeder:
    def __init__(self, rt: Runtime, tree: DemoTree, today: date):
        self.rt, self.tree, self.today = rt, tree, today
        self.people = _people(rt, tree, today)
        self.counts: dict[str, int] = {}

    def ago(self, days: int) -> date:
        return self.today - timedelta(days=days)

    def walk(self, procedure: str, person: str, cell: str, plan, until: str | None = None, skip=()):
        self.counts[procedure] = self.counts.get(procedure, 0) + 1
        return walk(self.rt, plan, person_id=self.people[person], organisation_id=self.tree.orgs[cell],
                    actor_for=self.tree.user_for(cell), procedure=procedure, until=until, skip=skip)

    def fire(self, case, trigger: str, day: date, data: dict[str, Any], role: str | None = None,
             user: str | None = None, cell: str | None = None):
        actor = self.tree.users[user] if user else self.tree.user_for(cell)(role)
        return fire(at_day(self.rt, day), case_id=case.id, trigger=trigger, actor_id=actor, data=data)

    # ---------------------------------------------------------------- probation

    def probation(self) -> None:
        def run(state, cell, days_ago, until, proposal="recognise", skip=()):
            assert CEREMONY_DAYS[f"p_{state}"] == days_ago
            plan = probation_plan(self.ago(days_ago), eligible=ELIGIBLE, proposal=proposal,
                                  helper_id=self.tree.members[cell][1])
            return self.walk("probation", f"p_{state}", cell, plan, until=until, skip=skip)

        run("under_review", "thon1", 380, "under_review")
        run("cell_approved", "thon2", 400, "cell_approved")
        run("strike_off_proposed", "truong", 395, "strike_off_proposed", proposal="strike_off")
        run("committee_approved", "thon1", 390, "committee_approved")
        run("strike_off_confirmed", "kp1a", 392, "strike_off_confirmed", proposal="strike_off")
        run("official", "namviet", 500, None, skip=("committee_vote",))
        run("official2", "kp3", 470, None)
        run("struck_off", "truong", 480, None, proposal="strike_off")
        # Three inconclusive votes: referred to the superior committee.
        case = run("referred", "thon2", 420, "under_review")
        end = add_months(self.ago(420), 12)
        for offset, agree in ((5, 4), (12, 5), (19, 4)):
            day = end + timedelta(days=offset)
            case = self.fire(case, "cell_vote", day, {"vote": vote(day, ELIGIBLE, agree), "proposal": "recognise"},
                             role="cell_secretary", cell="thon2")
        # Struck off, appealed, annulled: the member is probationary again.
        case = run("annulled", "thon2", 460, None, proposal="strike_off")
        end = add_months(self.ago(460), 12)
        self.walk("appeal", "p_annulled", "thon2",
                  appeal_plan(case.id, end + timedelta(days=23), end + timedelta(days=30), outcome="annul",
                              role="province_standing_committee"))
        # Mid-probation the member moves to another cell: the case goes along.
        case = run("transferred", "thon1", 150, "on_probation")
        self.fire(case, "transfer", self.ago(60), {"organisation_id": self.tree.orgs["thon2"],
                                                   "date": self.ago(60).isoformat()}, user="tochuc.tanphu")
        # Struck off during probation (missed activities): the probation case is terminated.
        run("terminated", "kp3", 200, "on_probation")
        self.walk("strike_off", "p_terminated", "kp3", strike_off_plan(self.ago(120), eligible=ELIGIBLE))

    # ---------------------------------------------------------------- strike-off

    def strike_off(self) -> None:
        def run(state, cell, days_ago, until, **kw):
            return self.walk("strike_off", f"s_{state}", cell, strike_off_plan(self.ago(days_ago), eligible=ELIGIBLE, **kw),
                             until=until)

        run("proposed", "thon1", 10, "proposed", ground="returned_or_destroyed_card")
        run("refused", "thon2", 40, "self_criticism_done", refusal=True)
        run("cell_approved", "kp1a", 45, "cell_approved", ground="no_improvement_after_education")
        run("committee_approved", "truong", 50, "committee_approved", ground="standards_violated_two_years")
        run("struck_off", "kp3", 200, None)
        case = run("dismissed", "thon1", 150, "self_criticism_done")
        day = self.ago(125)
        self.fire(case, "cell_vote", day, {"vote": vote(day, ELIGIBLE, 3)}, role="cell_secretary", cell="thon1")
        case = run("annulled", "thon2", 120, None, ground="political_standard_not_met")
        self.walk("appeal", "s_annulled", "thon2", appeal_plan(case.id, self.ago(78), self.ago(70), outcome="annul",
                                                                      role="province_standing_committee"))
        case = run("revoked", "truong", 180, None)
        self.fire(case, "revoke", self.ago(100), decision(
            None, self.ago(100), reason="Đảng viên chưa được tổ chức kiểm điểm theo quy định."), user="btv.tinh")

    # ---------------------------------------------------------------- withdrawal

    def withdrawal(self) -> None:
        def run(state, cell, days_ago, until, **kw):
            return self.walk("withdrawal", f"w_{state}", cell, withdrawal_plan(self.ago(days_ago), eligible=ELIGIBLE, **kw),
                             until=until)

        run("requested", "thon2", 8, "requested")
        run("cell_approved", "thon1", 15, "cell_approved")
        run("committee_approved", "kp1a", 25, "committee_approved")
        run("removed", "truong", 90, None, hardship=True)
        case = run("referred", "kp3", 30, "requested")
        self.fire(case, "cell_vote", self.ago(20), {"vote": vote(self.ago(20), ELIGIBLE, 4)}, role="cell_secretary",
                  cell="kp3")
        case = run("rejected", "thon2", 100, "committee_approved")
        self.fire(case, "reject_withdrawal", self.ago(70), {
            "decision_date": self.ago(70).isoformat(),
            "reason": "Đảng viên đang giữ chức vụ, cần bàn giao công việc và kiểm điểm trước."}, role="standing_committee",
            cell="thon2")
        case = run("withdrawn", "thon1", 60, "requested")
        self.fire(case, "withdraw", self.ago(50), {"reason": "Đảng viên rút đơn sau khi được chi bộ gặp gỡ, động viên."},
                  role="cell_secretary", cell="thon1")

    # ---------------------------------------------------------------- discipline and appeals

    def discipline(self) -> None:
        def run(state, cell, days_ago, until=None, form="reprimand"):
            plan = discipline_plan(self.ago(days_ago), violation_date=self.ago(days_ago + 30), form=form,
                                   eligible=ELIGIBLE)
            return self.walk("discipline", f"d_{state}", cell, plan, until=until)

        def appeal(case, state, cell, received_ago, filed_ago, until=None, outcome="uphold", form=None):
            plan = appeal_plan(case.id, self.ago(received_ago), self.ago(filed_ago), outcome=outcome, form=form)
            return self.walk("appeal", f"d_{state}", cell, plan, until=until)

        run("opened", "thon1", 5, "opened")
        run("reviewed", "truong", 15, "reviewed", form="warning")
        run("proposed", "kp1a", 25, "proposed")
        run("in_force", "thon1", 40, form="warning")
        run("removal", "kp3", 50, form="removal_from_post")
        run("closed", "kp3", 150)
        run("expelled", "kp1a", 120, form="expulsion")  # stands: the year's statistics show an expulsion
        case = run("deferred", "thon2", 40, "opened")
        self.fire(case, "defer", self.ago(35), {"date": self.ago(35).isoformat(),
                                                "child_birth_date": self.ago(200).isoformat()},
                  role="cell_secretary", cell="thon2")
        case = run("dismissed", "thon2", 60, "reviewed")
        self.fire(case, "cell_vote", self.ago(40), {"vote": vote(self.ago(40), ELIGIBLE, 3, "secret_ballot"),
                                                    "form": "reprimand"}, role="cell_secretary", cell="thon2")
        appeal(run("annulled", "truong", 130, form="expulsion"), "annulled", "truong", 98, 90, outcome="annul")
        appeal(run("under_appeal", "thon1", 60, form="warning"), "under_appeal", "thon1", 28, 20,
               until="under_consideration")
        appeal(run("filed", "kp1a", 45), "filed", "kp1a", 13, 5, until="filed")
        appeal(run("amended", "thon2", 140, form="expulsion"), "amended", "thon2", 108, 100, outcome="amend",
               form="warning")
        appeal(run("upheld", "kp3", 160), "upheld", "kp3", 128, 120)
        case = appeal(run("withdrawn", "truong", 70), "withdrawn", "truong", 38, 30, until="filed")
        self.fire(case, "withdraw", self.ago(25), {"reason": "Người khiếu nại rút đơn."}, role="inspection_committee",
                  cell="truong")
        # The daily job, as it ran 80 days ago: the decisions whose appeal window had passed close.
        close_expired(self.rt, self.ago(80))

    # ---------------------------------------------------------------- re-admission

    def readmission(self) -> None:
        members = self.tree.members["thon1"]
        with self.rt.session_factory() as session:
            education = session.get(Person, self.people["r_former"]).education
        plan = admission_plan(members[1], (members[2], members[3]), self.ago(70), eligible=ELIGIBLE,
                              education=education)
        trigger, role, day, data = plan[0]
        plan[0] = (trigger, role, day, {**data, "readmission": True})
        self.walk("admission", "r_former", "thon1", plan, until="cell_approved")


def seed(rt: Runtime, tree: DemoTree, today: date) -> dict[str, int]:
    """Cases in every state of every other procedure; returns counts per procedure."""
    seeder = _Seeder(rt, tree, today)
    seeder.probation()
    seeder.strike_off()
    seeder.withdrawal()
    seeder.discipline()
    seeder.readmission()
    counts = dict(seeder.counts)
    counts["admission (re-admission)"] = counts.pop("admission", 0)
    return counts
