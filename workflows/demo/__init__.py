"""The demo organisation: a province in Vietnamese with cases in every state of every procedure.

Every case is walked through the engine, step by step at the dates it records,
so its events, deadlines and votes are real and `check` replays them.
"""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from models import Organisation, Person
from workflows.demo.tree import DEMO_PASSWORD, DemoTree, build_tree
from workflows.demo.walk import admission_plan, at_day, walk
from workflows.engine import Runtime, fire

__all__ = ["DEMO_PASSWORD", "DemoTree", "database_is_empty", "load_demo"]


def database_is_empty(rt: Runtime) -> bool:
    """True when no organisation exists yet (a fresh install)."""
    with rt.session_factory() as session:
        return session.scalar(select(func.count(Organisation.id))) == 0


def load_demo(rt: Runtime) -> str:
    """Build the demo province and its cases; return a one-paragraph summary."""
    tree = build_tree(rt)
    today = rt.clock.today()
    counts = seed_admissions(rt, tree, today)
    from workflows.demo import irregular, procedures

    counts.update(procedures.seed(rt, tree, today))
    from workflows.demo import movements

    for name, n in movements.seed(rt, tree, today).items():  # the commune of the 2025 structure
        counts[name] = counts.get(name, 0) + n
    # Paper records typed in after the fact, each with one irregularity for the compliance audit.
    counts.update(irregular.seed(rt, tree, today))
    lines = [f"demo loaded: {len(tree.orgs)} organisations, {len(tree.users)} users "
             f"(password «{DEMO_PASSWORD}»), cases:"]
    lines += [f"  {name}: {n}" for name, n in sorted(counts.items())]
    return "\n".join(lines)


class _Picker:
    """Hands out each cell's sympathisers one at a time."""

    def __init__(self, tree: DemoTree):
        self.tree = tree
        self.used: dict[str, int] = {}

    def next(self, cell: str) -> int:
        index = self.used.get(cell, 0)
        self.used[cell] = index + 1
        return self.tree.sympathisers[cell][index]


# (cell, state to stop in, days before today the cell resolution was passed)
ADMISSION_CASES = [
    ("thon1", "sympathiser", 10),
    ("thon1", "application_submitted", 35),
    ("thon2", "background_verified", 48),
    ("truong", "opinions_collected", 60),
    ("thon1", "cell_approved", 150),     # decision due in about two weeks
    ("kp1a", "committee_approved", 160),  # decision due within days
    ("thon2", "admitted", 110),          # ceremony due in a few weeks
    ("namviet", "completed", 420),       # probation ends soon
    ("thon1", "completed", 500),         # probation over: review due
]


def seed_admissions(rt: Runtime, tree: DemoTree, today: date) -> dict[str, int]:
    """Admission cases in every state of the procedure."""
    picker = _Picker(tree)
    counts = {"admission": 0}

    def plan(cell: str, start: date, person_id: int):
        # The application states the education the person's record holds (the demo never contradicts itself).
        with rt.session_factory() as session:
            education = session.get(Person, person_id).education or "upper_secondary"
        members = tree.members[cell]
        return admission_plan(members[1], (members[2], members[3]), start, eligible=len(members), education=education)

    def run(cell: str, until: str, days_ago: int, adjust=None):
        start = today - timedelta(days=days_ago)
        skip = ("committee_vote",) if cell == "namviet" else ()
        counts["admission"] += 1
        person_id = picker.next(cell)
        steps = plan(cell, start, person_id)
        if adjust is not None:
            adjust(steps)
        return walk(rt, steps, person_id=person_id, organisation_id=tree.orgs[cell],
                    actor_for=tree.user_for(cell), procedure="admission", until=until, skip=skip)

    for cell, until, days_ago in ADMISSION_CASES:
        run(cell, until, days_ago)

    # Referred to the superior committee: the cell vote fell short of 2/3; now overdue.
    def short_vote(steps):
        day = steps[4][2]
        steps[4] = ("cell_vote", "cell_secretary", day, {"vote": {
            "date": day.isoformat(), "eligible": 6, "agree": 3, "disagree": 3, "method": "secret_ballot"}})

    run("kp3", "referred_to_superior", 170, short_vote)

    # Rejected by the competent committee after the committee vote.
    case = run("truong", "committee_approved", 120)
    decided = today - timedelta(days=40)
    fire(at_day(rt, decided), case_id=case.id, trigger="refuse_admission", actor_id=tree.users["btv.tanphu"],
         data={"decision_date": decided.isoformat(),
               "reason": "Kết quả thẩm tra cho thấy người vào Đảng chưa trung thực khi khai lý lịch."})

    # Withdrawn by the applicant while the background check was under way.
    case = run("kp3", "application_submitted", 80)
    left = today - timedelta(days=30)
    fire(at_day(rt, left), case_id=case.id, trigger="withdraw", actor_id=tree.users["bithu.kp3"],
         data={"reason": "Người xin vào Đảng chuyển công tác vào thành phố Hồ Chí Minh."})
    return counts
