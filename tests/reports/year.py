"""A generated year of cases, walked through the engine, with the figures each one should add — kept apart
from the reports' code so the tests compare the reports with an independent count."""
from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from tests.support.flows import add_person, walk_plan
from workflows.demo.plans import (
    appeal_plan,
    decision,
    discipline_plan,
    probation_plan,
    strike_off_plan,
    withdrawal_plan,
)
from workflows.demo.walk import admission_plan, at_day
from workflows.domain.calendar import add_months
from workflows.engine import fire

CELLS = ("cell1", "cell2", "cell3", "gcell")
CHILD_OF_PROVINCE = {"cell1": "commune", "cell2": "commune", "cell3": "ward", "gcell": "gcell"}


@dataclass
class Year:
    """What was decided where and when: (cell, category, decision date) per counted figure."""

    figures: list[tuple[str, str, date]] = field(default_factory=list)
    uncounted: list[str] = field(default_factory=list)  # what was decided but must not count, and why

    def add(self, cell: str, day: date, *categories: str) -> None:
        self.figures.extend((cell, category, day) for category in categories)

    def totals(self, date_from: date, date_to: date) -> Counter:
        return Counter(c for _cell, c, d in self.figures if date_from <= d <= date_to)

    def by_child(self, date_from: date, date_to: date) -> dict[str, Counter]:
        result: dict[str, Counter] = {}
        for cell, category, day in self.figures:
            if date_from <= day <= date_to:
                result.setdefault(CHILD_OF_PROVINCE[cell], Counter())[category] += 1
        return result

    def by_month(self, date_from: date, date_to: date) -> dict[tuple[int, int], Counter]:
        result: dict[tuple[int, int], Counter] = {}
        for _cell, category, day in self.figures:
            if date_from <= day <= date_to:
                result.setdefault((day.year, day.month), Counter())[category] += 1
        return result


def _skip(cell: str) -> tuple[str, ...]:
    """A grassroots cell has no committee vote."""
    return ("committee_vote",) if cell == "gcell" else ()


def generate_year(runtime, world, seed: int = 2026) -> Year:
    """About forty cases over 2025–2026 in every cell and procedure, walked through the engine."""
    rng = random.Random(seed)
    year = Year()
    n = iter(range(1000))

    def person(cell: str, status: str, **extra) -> str:
        key = f"gen{next(n)}_{cell}"
        add_person(runtime, world, key, cell, status=status, **extra)
        return key

    def walk(plan, key, procedure, cell, **kw):
        return walk_plan(runtime, world, plan, key, procedure, cell=cell, skip=_skip(cell), **kw)

    # Admissions: decided 70 days after the cell resolution; one decided in December 2025.
    starts = [date(2025, 9, 25)] + [date(2026, m, rng.randint(1, 20)) for m in (1, 2, 4, 5, 7, 8, 9)]
    for start in starts:
        cell = rng.choice(CELLS)
        key = person(cell, "none", born=date(1996, 4, 2))
        plan = admission_plan(world.people[f"{cell}_m1"], (world.people[f"{cell}_m2"], world.people[f"{cell}_m3"]),
                              start)
        walk(plan, key, "admission", cell, until="admitted")
        year.add(cell, start + timedelta(days=70), "admitted")
    # Probation: decided 21 days after the end of twelve months; a few struck off instead.
    for ceremony, proposal in [(date(2025, 1, 13), "recognise"), (date(2025, 3, 3), "recognise"),
                               (date(2025, 4, 21), "strike_off"), (date(2025, 6, 9), "recognise"),
                               (date(2025, 8, 18), "recognise"), (date(2025, 9, 8), "strike_off"),
                               (date(2025, 10, 6), "recognise")]:
        cell = rng.choice(CELLS)
        key = person(cell, "probationary", joined_on=(ceremony - timedelta(days=20)).isoformat())
        walk(probation_plan(ceremony, proposal=proposal), key, "probation", cell)
        decided = add_months(ceremony, 12) + timedelta(days=21)
        if proposal == "recognise":
            year.add(cell, decided, "recognised")
        else:
            year.add(cell, decided, "struck_off", "struck_off_probationary")
    # Strike-offs of official and of probationary members: decided 40 days after opening.
    for start, status in [(date(2026, 1, 12), "official"), (date(2026, 3, 16), "probationary"),
                          (date(2026, 5, 4), "official"), (date(2026, 8, 10), "official"),
                          (date(2026, 9, 7), "probationary")]:
        cell = rng.choice(CELLS)
        key = person(cell, status)
        walk(strike_off_plan(start), key, "strike_off", cell)
        year.add(cell, start + timedelta(days=40), "struck_off",
                 *(("struck_off_probationary",) if status == "probationary" else ()))
    # Withdrawals: decided 25 days after the request.
    for start in (date(2026, 2, 2), date(2026, 6, 1), date(2026, 10, 5)):
        cell = rng.choice(CELLS)
        walk(withdrawal_plan(start), person(cell, "official"), "withdrawal", cell)
        year.add(cell, start + timedelta(days=25), "withdrawn")
    # Discipline: decided 30 days after opening, by form.
    forms = [("reprimand", "reprimand"), ("warning", "warning"), ("removal_from_post", "removal_from_post"),
             ("expulsion", "expelled"), ("reprimand", "reprimand"), ("expulsion", "expelled"),
             ("warning", "warning")]
    for (form, category), month in zip(forms, (1, 3, 4, 6, 7, 9, 10)):
        start = date(2026, month, 5)
        cell = rng.choice(CELLS)
        key = person(cell, "official", holds_post=form == "removal_from_post")
        walk(discipline_plan(start, violation_date=start - timedelta(days=40), form=form), key, "discipline", cell)
        year.add(cell, start + timedelta(days=30), category)
    _irregular_outcomes(runtime, world, year, person, walk)
    return year


def _irregular_outcomes(runtime, world, year: Year, person, walk) -> None:
    """Decisions that must not count (revoked, annulled, refused) and one whose form an appeal amended."""
    cell = "cell1"
    start = date(2026, 2, 9)
    key = person(cell, "none", born=date(1994, 1, 1))
    plan = admission_plan(world.people[f"{cell}_m1"], (world.people[f"{cell}_m2"], world.people[f"{cell}_m3"]), start)
    case = walk(plan, key, "admission", cell, until="admitted")
    fire(at_day(runtime, date(2026, 6, 1)), case_id=case.id, trigger="revoke", actor_id=world.users["standing_province"],
         data={"decision_date": "2026-06-01",  # numbered by the register
               "reason": "Sai quy trình."})
    year.uncounted.append("admission revoked")
    key = person(cell, "none", born=date(1993, 1, 1))
    case = walk(plan, key, "admission", cell, until="committee_approved")
    fire(at_day(runtime, start + timedelta(days=70)), case_id=case.id, trigger="refuse_admission",
         actor_id=world.users["standing_commune"],
         data={"decision_date": (start + timedelta(days=70)).isoformat(), "reason": "Chưa đủ tiêu chuẩn."})
    year.uncounted.append("admission refused")
    start = date(2026, 4, 6)
    key = person("cell2", "official")
    expelled = walk(discipline_plan(start, violation_date=date(2026, 3, 1), form="expulsion"), key, "discipline", "cell2")
    received = start + timedelta(days=32)
    walk(appeal_plan(expelled.id, received, received + timedelta(days=10), outcome="annul"), key, "appeal", "cell2")
    year.uncounted.append("expulsion annulled on appeal")
    start = date(2026, 5, 11)
    key = person("cell3", "official")
    reprimand = walk(discipline_plan(start, violation_date=date(2026, 4, 1), form="reprimand"), key, "discipline", "cell3")
    received = start + timedelta(days=32)
    walk(appeal_plan(reprimand.id, received, received + timedelta(days=10), outcome="amend", form="warning"),
         key, "appeal", "cell3")
    year.add("cell3", start + timedelta(days=30), "warning")  # counted by the amended form, on the decision date


__all__ = ["CELLS", "CHILD_OF_PROVINCE", "Year", "decision", "generate_year"]
