"""The read services behind the case list and My work agree with the engine, whichever plan they take."""
from __future__ import annotations

from datetime import date

import pytest

from models import Case
from tests.web.support import admission_case
from workflows.engine import load_actor
from workflows.read import dashboard as dashboard_module
from workflows.read import listing
from workflows.read.dashboard import my_work
from workflows.read.listing import CaseFilter, list_cases
from workflows.read.queries import allowed_actions

SIDE = listing.SIDE_TRIGGERS


def _seed(runtime, world):
    cases = [
        admission_case(runtime, world, "cell1"),
        admission_case(runtime, world, "cell2", until="cell_approved", start=date(2026, 6, 1)),
        admission_case(runtime, world, "cell3", until="committee_approved", start=date(2026, 7, 6)),
        admission_case(runtime, world, "gcell", until="cell_approved", start=date(2026, 8, 3)),
    ]
    return [c.id for c in cases]


@pytest.mark.parametrize("small", [True, False])
def test_deadline_order_is_the_same_for_both_plans(runtime, world, monkeypatch, small):
    """Sorting by deadline: cases with an open deadline first (nearest first), then the newest without;
    the same page whether the deadlines are read per case (small set) or walked in due order (large)."""
    ids = _seed(runtime, world)
    monkeypatch.setattr(listing, "SMALL_SET", 10_000 if small else 0)
    page = list_cases(runtime, actor_id=world.users["admin"], filt=CaseFilter(per_page=10))
    with_due = [row for row in page.items if row.next_due]
    assert [r.next_due for r in with_due] == sorted(r.next_due for r in with_due)
    assert page.items[: len(with_due)] == with_due
    rest = [row.id for row in page.items if not row.next_due]
    assert rest == sorted(rest, reverse=True)
    assert page.total == len(ids) and {r.id for r in page.items} == set(ids)
    second = list_cases(runtime, actor_id=world.users["admin"], filt=CaseFilter(per_page=3, page=2))
    first = list_cases(runtime, actor_id=world.users["admin"], filt=CaseFilter(per_page=3, page=1))
    assert [r.id for r in first.items + second.items] == [r.id for r in page.items]


@pytest.mark.parametrize("user", ["secretary1", "committee", "officer", "standing_commune", "standing_province",
                                  "inspection", "inspector", "admin", "secretary_g"])
def test_dashboard_agrees_with_the_engine_for_every_role(runtime, world, user):
    """"Waiting for you" holds exactly the cases where the engine allows the user a forward step now."""
    _seed(runtime, world)
    board = my_work(runtime, actor_id=world.users[user])
    with runtime.session_factory() as session:
        actor = load_actor(session, world.users[user])
        expected = set()
        for case in session.query(Case).filter(Case.closed_at.is_(None)):
            if actor.can_see(case.organisation_path) and set(allowed_actions(session, runtime, actor, case)) - SIDE:
                expected.add(case.id)
    assert {item.case_id for item in board.actionable} == expected
    assert board.actionable_total == len(expected)


def test_dashboard_lists_rare_cases_of_mine_beyond_the_scan(runtime, world, monkeypatch):
    """When the user's cases are not among the first rows read, they are looked up directly."""
    ids = _seed(runtime, world)
    monkeypatch.setattr(dashboard_module, "LIST_SCAN", 1)
    board = my_work(runtime, actor_id=world.users["standing_province"])
    assert board.actionable_total == len(board.actionable) >= 1
    assert {item.case_id for item in board.actionable} <= set(ids)


def test_name_search_ignores_the_case_of_vietnamese_capitals(runtime, world):
    """"đặng lan", "Đặng" and "thu" find "Đặng Thu Lan" on both databases; every word must match."""
    from models import Person, write_transaction
    from workflows.directory.directory import update_person

    case = admission_case(runtime, world, "cell1")
    with write_transaction(runtime.session_factory) as s:
        update_person(s, s.get(Person, world.people["cell1_applicant"]), {"full_name": "Đặng Thu Lan"})
    for query in ("đặng lan", "Đặng", "thu", "Lan"):
        page = list_cases(runtime, actor_id=world.users["secretary1"], filt=CaseFilter(search=query))
        assert [r.id for r in page.items] == [case.id], query
    assert list_cases(runtime, actor_id=world.users["secretary1"], filt=CaseFilter(search="đặng minh")).total == 0


def test_dashboard_agrees_with_the_engine_on_the_demo_province(runtime):
    """On the demo (every procedure, cases in every state), each demo user's "waiting for you" count and
    list are exactly the open cases where the engine allows them a forward step now."""
    from sqlalchemy import select

    from models import User
    from workflows.demo import load_demo

    load_demo(runtime)
    with runtime.session_factory() as session:
        users = session.scalars(select(User.id, ).order_by(User.id)).all()
        cases = session.query(Case).filter(Case.closed_at.is_(None)).all()
        expected = {}
        for user_id in users:
            actor = load_actor(session, user_id)
            expected[user_id] = {c.id for c in cases if actor.can_see(c.organisation_path)
                                 and set(allowed_actions(session, runtime, actor, c)) - SIDE}
    for user_id in users:
        board = my_work(runtime, actor_id=user_id, limit=1000)
        assert board.actionable_total == len(expected[user_id]), user_id
        assert {item.case_id for item in board.actionable} == expected[user_id], user_id
