"""The decision tallies the transition keeps equal the live count of the cases (issue 18), and `check` says when not."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import update

from models import DecisionTally, write_transaction
from tests.reports.year import generate_year
from tests.support.flows import act, add_person, walk_plan
from workflows.demo.plans import decision, strike_off_plan
from workflows.engine.tallies import differences, rebuild, stored_tallies
from workflows.reports import statistics as live
from workflows.reports import tallied

PERIODS = [(date(2025, 1, 1), date(2026, 12, 31)), (date(2026, 1, 1), date(2026, 6, 30)),
           (date(2026, 3, 1), date(2026, 4, 30)), (date(2026, 4, 11), date(2026, 4, 11))]


@pytest.fixture
def year(runtime, world):
    return generate_year(runtime, world)


def test_the_tallied_figures_equal_the_live_count_for_every_organisation_and_period(runtime, world, year):
    """Totals, children and months of every organisation and period: the tallies say what the cases say."""
    assert year.uncounted  # revoked, refused, annulled and amended decisions are among them
    with runtime.session_factory() as s:
        for org_id in world.orgs.values():
            for date_from, date_to in PERIODS:
                period = dict(organisation_id=org_id, date_from=date_from, date_to=date_to)
                kept, counted = tallied.statistics(s, **period), live.live_statistics(s, **period)
                assert kept.totals == counted.totals, (org_id, date_from)
                assert [(r.id, c) for r, c in kept.children] == [(r.id, c) for r, c in counted.children], org_id
                assert kept.months == counted.months, (org_id, date_from)
                assert tallied.summary(s, **period) == live.live_summary(s, **period)
        assert differences(s.connection()) == []


def test_a_recount_from_the_cases_gives_the_rows_the_transitions_kept(runtime, world, year):
    """`rebuild` (used after a bulk load) writes exactly the tallies the transitions had kept one by one."""
    with runtime.session_factory() as s:
        kept = stored_tallies(s.connection())
    assert sum(kept.values()) > 0
    with write_transaction(runtime.session_factory) as s:
        rebuild(s.connection())
    with runtime.session_factory() as s:
        assert stored_tallies(s.connection()) == kept


def test_a_probationary_strike_off_revoked_and_decided_again_counts_once(runtime, world):
    """Decided (+1 probationary), revoked (0), decided again (+1): the tallies follow each step."""
    add_person(runtime, world, "prob", "cell1", status="probationary")
    case = walk_plan(runtime, world, strike_off_plan(date(2026, 3, 2)), "prob", "strike_off", cell="cell1")
    figures = dict(organisation_id=world.orgs["province"], date_from=date(2026, 1, 1), date_to=date(2026, 12, 31))

    def counted():
        with runtime.session_factory() as s:
            assert differences(s.connection()) == []
            found = tallied.summary(s, **figures)
        return found["struck_off"], found["struck_off_probationary"]

    assert counted() == (1, 1)
    case = act(runtime, world, case, "revoke", "standing_committee", date(2026, 5, 4),
               {"decision_number": "15-QĐ/TU", "decision_date": "2026-05-04", "reason": "Sai quy trình."},
               actor="standing_province")
    assert counted() == (0, 0)
    act(runtime, world, case, "decide_strike_off", "standing_committee", date(2026, 5, 20),
        decision(None, date(2026, 5, 20), date(2026, 5, 22)))
    assert counted() == (1, 1)


def test_check_fails_when_a_tally_disagrees_with_the_cases_and_a_recount_mends_it(app, runtime, world, year):
    """A tally changed behind the engine's back: `flask check` exits 1 naming it; `tallies-rebuild` mends it."""
    with write_transaction(runtime.session_factory) as s:
        s.execute(update(DecisionTally).where(DecisionTally.organisation_id == world.orgs["province"],
                                              DecisionTally.category == "admitted").values(n=DecisionTally.n + 1))
    cli = app.test_cli_runner()
    broken = cli.invoke(args=["check"])
    assert broken.exit_code == 1
    assert f"decision tallies: organisation {world.orgs['province']}" in broken.output
    assert "tallies-rebuild" in broken.output
    assert "decision tallies recounted" in cli.invoke(args=["tallies-rebuild"]).output
    mended = cli.invoke(args=["check"])
    assert mended.exit_code == 0, mended.output
    assert "decision tallies agree with the cases" in mended.output
