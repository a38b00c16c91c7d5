"""Discipline (procedures.md §7) through the engine, and the daily job that closes it."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from models import Case, Event, Person, Vote
from tests.support.flows import act, add_person, open_as, walk_plan
from workflows.demo.plans import decision, discipline_plan, vote
from workflows.domain.errors import Forbidden, RuleViolation
from workflows.engine.automatic import close_expired

START = date(2026, 2, 2)
VIOLATION = date(2026, 1, 10)


def to_state(runtime, world, state, person="cell1_m4", start=START, violation=VIOLATION, **kw):
    return walk_plan(runtime, world, discipline_plan(start, violation_date=violation, **kw), person, "discipline",
                     until=state)


def decide(runtime, world, case, day, form="reprimand", role="cell_secretary", **extra):
    return act(runtime, world, case, "decide_discipline", role, day, decision("7-QĐ/KL", day, form=form, **extra))


def test_reprimand_from_opening_to_closing(runtime, world):
    """opened → reviewed → proposed → in_force (the cell decides a reprimand) → closed by the daily job after the window."""
    case = to_state(runtime, world, None)
    assert case.state == "in_force" and case.decided_on == date(2026, 3, 4)
    assert case.data["form"] == "reprimand"
    assert case.data["appeal_until"] == "2026-04-06"  # received 6 March + 1 calendar month
    assert close_expired(runtime, date(2026, 4, 6)) == 0
    assert close_expired(runtime, date(2026, 4, 7)) == 1
    assert close_expired(runtime, date(2026, 4, 8)) == 0  # idempotent
    with runtime.session_factory() as s:
        closed = s.get(Case, case.id)
        event = s.scalars(select(Event).where(Event.case_id == case.id, Event.trigger == "close")).one()
        person = s.get(Person, world.people["cell1_m4"])
    assert closed.state == "closed" and closed.closed_at is not None
    assert event.actor_id is None and event.from_state == "in_force"
    assert person.membership_status == "official"


def test_expulsion_ends_membership_and_needs_two_thirds_to_propose(runtime, world):
    """Expulsion: 5 of 7 proposes (≥ 2/3), the standing committee decides with > 1/2; the person leaves the rolls."""
    case = to_state(runtime, world, "reviewed", form="expulsion")
    day = date(2026, 2, 22)
    case = act(runtime, world, case, "cell_vote", "cell_secretary", day,
               {"vote": vote(day, 7, 5, method="secret_ballot"), "form": "expulsion"})
    assert case.state == "proposed"
    with pytest.raises(RuleViolation) as err:
        decide(runtime, world, case, date(2026, 3, 4), form="expulsion", role="standing_committee",
               vote=vote(date(2026, 3, 4), 9, 4, "secret_ballot"))
    assert err.value.rule_ids == ["expulsion_vote"]
    with pytest.raises(Forbidden):  # the cell cannot expel
        decide(runtime, world, case, date(2026, 3, 4), form="expulsion",
               vote=vote(date(2026, 3, 4), 9, 5, "secret_ballot"))
    case = decide(runtime, world, case, date(2026, 3, 4), form="expulsion", role="standing_committee",
                  vote=vote(date(2026, 3, 4), 9, 5, "secret_ballot"))
    assert case.state == "in_force"
    with runtime.session_factory() as s:
        person = s.get(Person, world.people["cell1_m4"])
    assert (person.membership_status, person.left_reason, person.left_on) == ("former", "expelled", date(2026, 3, 4))


@pytest.mark.parametrize(("form", "eligible", "agree", "state"), [
    ("expulsion", 7, 4, "dismissed"),   # > 1/2 but < 2/3: expulsion not proposed
    ("reprimand", 7, 4, "proposed"),    # > 1/2
    ("warning", 6, 3, "dismissed"),     # exactly half is not more than half
])
def test_cell_vote_thresholds_depend_on_the_form(runtime, world, form, eligible, agree, state):
    """Reprimand, warning, removal: > 1/2 of official members; expulsion: ≥ 2/3 (QĐ 69 art. 15)."""
    case = to_state(runtime, world, "reviewed", form=form)
    day = date(2026, 2, 22)
    case = act(runtime, world, case, "cell_vote", "cell_secretary", day,
               {"vote": vote(day, eligible, agree, method="secret_ballot"), "form": form})
    assert case.state == state
    with runtime.session_factory() as s:
        row = s.scalars(select(Vote).where(Vote.case_id == case.id)).one()
    assert row.threshold == ("two_thirds" if form == "expulsion" else "half")


def test_cell_vote_must_be_a_secret_ballot(runtime, world):
    """A show of cards is refused (secret_ballot)."""
    case = to_state(runtime, world, "reviewed")
    with pytest.raises(RuleViolation) as err:
        act(runtime, world, case, "cell_vote", "cell_secretary", date(2026, 2, 22),
            {"vote": vote(date(2026, 2, 22), 6), "form": "reprimand"})
    assert err.value.rule_ids == ["secret_ballot"]


@pytest.mark.parametrize("form", ["expulsion", "removal_from_post"])
def test_probationary_member_only_gets_reprimand_or_warning(runtime, world, form):
    """Proposing expulsion or removal for a probationary member → form_not_allowed, pointing to strike-off."""
    add_person(runtime, world, "young", "cell1", status="probationary", holds_post=True)
    with pytest.raises(RuleViolation) as err:
        open_as(runtime, world, "discipline", "young", START, {
            "violation": "x", "violation_date": VIOLATION.isoformat(), "proposed_form": form})
    assert err.value.rule_ids == ["form_not_allowed"]
    assert "strike_off" in err.value.message_en and "xóa tên" in err.value.message_vi
    case = open_as(runtime, world, "discipline", "young", START, {
        "violation": "x", "violation_date": VIOLATION.isoformat(), "proposed_form": "warning"})
    assert case.state == "opened"


def test_removal_from_post_only_for_a_post_holder(runtime, world):
    """no_post_held for a member without a post; a post holder removed loses the post."""
    with pytest.raises(RuleViolation) as err:
        open_as(runtime, world, "discipline", "cell1_m4", START, {
            "violation": "x", "violation_date": VIOLATION.isoformat(), "proposed_form": "removal_from_post"})
    assert err.value.rule_ids == ["no_post_held"]
    add_person(runtime, world, "chief", "cell1", holds_post=True)
    case = to_state(runtime, world, None, person="chief", form="removal_from_post")
    assert case.state == "in_force"
    with runtime.session_factory() as s:
        assert s.get(Person, world.people["chief"]).holds_post is False


@pytest.mark.parametrize(("form", "violation", "last_day"), [
    ("reprimand", date(2021, 11, 30), date(2026, 11, 30)),          # 60 months
    ("warning", date(2016, 11, 30), date(2026, 11, 30)),            # 120 months
    ("removal_from_post", date(2016, 12, 31), date(2026, 12, 31)),  # 120 months
])
def test_statute_of_limitations_last_day_and_the_day_after(runtime, world, form, violation, last_day):
    """Disciplinable on the last day of the period counted from the violation, refused the next day."""
    add_person(runtime, world, "old", "cell1", holds_post=True)
    case = to_state(runtime, world, "proposed", person="old", start=date(2026, 10, 1), violation=violation, form=form)
    role = "cell_secretary" if form != "removal_from_post" else "standing_committee"
    with pytest.raises(RuleViolation) as err:
        decide(runtime, world, case, last_day + timedelta(days=1), form=form, role=role)
    assert err.value.rule_ids == ["statute_of_limitations"]
    assert decide(runtime, world, case, last_day, form=form, role=role).state == "in_force"


@pytest.mark.parametrize("opened", [
    {"proposed_form": "expulsion"},                                           # expulsion level: no limit
    {"proposed_form": "reprimand", "violation_category": "national_security"},
    {"proposed_form": "reprimand", "new_violation_date": "2023-05-01"},      # a new violation restarts the period
])
def test_no_statute_or_a_restarted_one(runtime, world, opened):
    """A 2005 violation is still disciplinable when the level, the category or a new violation says so."""
    form = opened["proposed_form"]
    data = {"violation": "x", "violation_date": "2005-05-01", **opened}
    case = open_as(runtime, world, "discipline", "cell1_m4", date(2026, 10, 1), data)
    case = act(runtime, world, case, "record_refusal", "cell_secretary", date(2026, 10, 5),
               {"date": "2026-10-05", "requests": 2})
    case = act(runtime, world, case, "cell_vote", "cell_secretary", date(2026, 10, 12),
               {"vote": vote(date(2026, 10, 12), 6, 5, "secret_ballot"), "form": form})
    role = "cell_secretary" if form == "reprimand" else "standing_committee"
    extra = {"vote": vote(date(2026, 10, 20), 9, 5, "secret_ballot")} if form == "expulsion" else {}
    assert decide(runtime, world, case, date(2026, 10, 20), form=form, role=role, **extra).state == "in_force"


def test_nursing_mother_defers_and_the_deferral_extends_the_statute(runtime, world):
    """defer only for a mother of a child < 12 months; resume from the child's first birthday; the days are added."""
    data = {"violation": "x", "violation_date": "2021-06-01", "proposed_form": "reprimand"}
    with pytest.raises(RuleViolation) as err:  # cell1_m1 is a man
        act(runtime, world, open_as(runtime, world, "discipline", "cell1_m1", date(2026, 3, 1), data), "defer",
            "cell_secretary", date(2026, 3, 10), {"date": "2026-03-10", "child_birth_date": "2025-06-01"})
    assert err.value.rule_ids == ["deferral_ground"]
    case = open_as(runtime, world, "discipline", "cell1_m2", date(2026, 3, 1), data)
    with pytest.raises(RuleViolation):  # the child is exactly 12 months old
        act(runtime, world, case, "defer", "cell_secretary", date(2026, 3, 10),
            {"date": "2026-03-10", "child_birth_date": "2025-03-10"})
    case = act(runtime, world, case, "defer", "cell_secretary", date(2026, 3, 10),
               {"date": "2026-03-10", "child_birth_date": "2025-06-01"})
    assert case.state == "deferred"
    with pytest.raises(RuleViolation) as err:
        act(runtime, world, case, "resume", "cell_secretary", date(2026, 5, 31), {"date": "2026-05-31"})
    assert err.value.rule_ids == ["deferral_ended"]
    case = act(runtime, world, case, "resume", "cell_secretary", date(2026, 6, 1), {"date": "2026-06-01"})
    assert case.state == "opened" and case.data["deferred_days"] == 83
    case = act(runtime, world, case, "record_self_review", "cell_secretary", date(2026, 6, 5),
               {"date": "2026-06-05", "summary": "Nhận khuyết điểm"})
    case = act(runtime, world, case, "cell_vote", "cell_secretary", date(2026, 6, 10),
               {"vote": vote(date(2026, 6, 10), 6, 4, "secret_ballot"), "form": "reprimand"})
    # 60 months end 2026-06-01; + 83 deferred days = 2026-08-23.
    with pytest.raises(RuleViolation):
        decide(runtime, world, case, date(2026, 8, 24))
    assert decide(runtime, world, case, date(2026, 8, 23)).state == "in_force"


def test_revoked_expulsion_reopens_a_closed_case_and_restores_membership(runtime, world):
    """Revoking a closed expulsion reopens the case at proposed and puts the member back on the rolls."""
    case = to_state(runtime, world, None, form="expulsion")
    assert close_expired(runtime, date(2026, 5, 1)) == 1
    case = act(runtime, world, case, "revoke", "standing_committee", date(2026, 5, 10),
               {"decision_number": "30-QĐ/TU", "decision_date": "2026-05-10", "reason": "Không bỏ phiếu kín ở cấp quyết định"},
               actor="standing_province")
    assert case.state == "proposed" and case.closed_at is None and case.data["form"] is None
    with runtime.session_factory() as s:
        person = s.get(Person, world.people["cell1_m4"])
    assert (person.membership_status, person.left_on, person.left_reason) == ("official", None, None)


def test_close_by_hand_waits_for_the_appeal_window(runtime, world):
    """The deciding body may close by hand, but not before the appeal window has passed."""
    case = to_state(runtime, world, None)
    with pytest.raises(RuleViolation) as err:
        act(runtime, world, case, "close", "cell_secretary", date.fromisoformat(case.data["appeal_until"]))
    assert err.value.rule_ids == ["appeal_window_open"]
    day_after = date.fromisoformat(case.data["appeal_until"]) + timedelta(days=1)
    case = act(runtime, world, case, "close", "cell_secretary", day_after)
    assert case.state == "closed"
