"""Suspension of party activity of a member prosecuted or in custody (QĐ 22-QĐ/TW art. 28–31)."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from models import Deadline
from tests.support.flows import act, open_as, walk_plan
from workflows.demo.plans import decision, discipline_plan, vote, withdrawal_plan
from workflows.domain.errors import Forbidden, RuleViolation
from workflows.engine.replay import check_cases


def proposed(runtime, world, person="cell1_m4", document_date="2026-03-01", day=date(2026, 3, 2)):
    return open_as(runtime, world, "suspension", person, day, {
        "ground": "detained", "legal_document": "Lệnh tạm giam số 12/LTG của Cơ quan CSĐT Công an tỉnh",
        "legal_document_date": document_date, "date": day.isoformat()})


def suspended(runtime, world, until="2026-05-30", actor="standing_commune", **kw):
    case = proposed(runtime, world, **kw)
    data = decision("3-QĐ/ĐU", date(2026, 3, 4))
    if until:
        data["until"] = until
    return act(runtime, world, case, "suspend", "standing_committee", date(2026, 3, 4), data, actor=actor)


def test_suspend_extend_and_lift(runtime, world):
    """proposed → suspended (term deadline) → extended with the custody → lifted when charges are dropped."""
    case = suspended(runtime, world)
    assert case.state == "suspended"
    case = act(runtime, world, case, "extend_suspension", "standing_committee", date(2026, 5, 25),
               {"until": "2026-07-30", "date": "2026-05-25"}, actor="standing_commune")
    with runtime.session_factory() as s:
        open_terms = s.scalars(select(Deadline.due_date).where(Deadline.case_id == case.id,
                                                               Deadline.status == "open")).all()
    assert open_terms == [date(2026, 7, 30)]
    case = act(runtime, world, case, "lift", "standing_committee", date(2026, 6, 15),
               {"ground": "charges_dropped", "date": "2026-06-15"}, actor="standing_commune")
    assert case.state == "lifted"
    with runtime.session_factory() as s:
        assert list(check_cases(s)) == []


def test_term_ended_only_once_it_has(runtime, world):
    """'measure_ended' is refused the day before the term's end, accepted on it."""
    case = suspended(runtime, world)
    with pytest.raises(RuleViolation) as err:
        act(runtime, world, case, "lift", "standing_committee", date(2026, 5, 29),
            {"ground": "measure_ended", "date": "2026-05-29"}, actor="standing_commune")
    assert err.value.rule_ids == ["suspension_term_ended"]
    case = act(runtime, world, case, "lift", "standing_committee", date(2026, 5, 30),
               {"ground": "measure_ended", "date": "2026-05-30"}, actor="standing_commune")
    assert case.state == "lifted"


def test_who_suspends(runtime, world):
    """The cell proposes but does not decide; the body that may expel or the inspection commission above does."""
    case = proposed(runtime, world)
    with pytest.raises(Forbidden):
        act(runtime, world, case, "suspend", "cell_secretary", date(2026, 3, 4), decision("1", date(2026, 3, 4)),
            actor="secretary1")
    case = act(runtime, world, case, "suspend", "inspection_committee", date(2026, 3, 4),
               decision("9-QĐ/UBKT", date(2026, 3, 4)), actor="inspection")
    assert case.state == "suspended"


@pytest.mark.parametrize(("document_date", "ok"), [("2026-03-02", True), ("2026-03-03", False)])  # proposal 2/3
def test_only_after_the_prosecution_or_custody_decision(runtime, world, document_date, ok):
    """legal_document_first: the legal body's decision dated on or before the proposal."""
    if ok:
        assert proposed(runtime, world, document_date=document_date, day=date(2026, 3, 2)).state == "proposed"
    else:
        with pytest.raises(RuleViolation) as err:
            proposed(runtime, world, document_date=document_date, day=date(2026, 3, 2))
        assert err.value.rule_ids == ["legal_document_first"]


def test_term_must_end_after_the_decision(runtime, world):
    """suspension_term: an `until` on or before the decision date is refused."""
    with pytest.raises(RuleViolation) as err:
        suspended(runtime, world, until="2026-03-04")
    assert err.value.rule_ids == ["suspension_term"]


def test_closed_when_discipline_takes_over(runtime, world):
    """close_after_discipline needs a discipline case opened after the suspension."""
    case = suspended(runtime, world)
    with pytest.raises(RuleViolation) as err:
        act(runtime, world, case, "close_after_discipline", "standing_committee", date(2026, 4, 1),
            {"date": "2026-04-01", "reason": "Đã có bản án."}, actor="standing_commune")
    assert err.value.rule_ids == ["discipline_under_way"]
    walk_plan(runtime, world, discipline_plan(date(2026, 4, 1), violation_date=date(2026, 2, 20)), "cell1_m4",
              "discipline", until="opened")
    case = act(runtime, world, case, "close_after_discipline", "standing_committee", date(2026, 4, 2),
               {"date": "2026-04-02", "reason": "Tòa án đã xét xử, chi bộ xem xét kỷ luật."},
               actor="standing_commune")
    assert case.state == "closed"


def test_a_suspended_member_leaves_the_cell_vote_count(runtime, world):
    """While suspended, cell1's 4 official members may be counted as 3; after the lifting, 4 again (audit)."""
    from tests.procedures.party_activity.test_exemption_flow import short_counts

    case = suspended(runtime, world)
    request = walk_plan(runtime, world, withdrawal_plan(date(2026, 3, 2)), "cell1_m1", "withdrawal",
                        until="requested")
    during = act(runtime, world, request, "cell_vote", "cell_secretary", date(2026, 3, 10),
                 {"vote": vote(date(2026, 3, 10), 3)})
    assert during.state == "cell_approved"
    act(runtime, world, case, "lift", "standing_committee", date(2026, 4, 1),
        {"ground": "acquitted", "date": "2026-04-01"}, actor="standing_commune")
    other = walk_plan(runtime, world, withdrawal_plan(date(2026, 3, 2)), "cell1_m2", "withdrawal", until="requested")
    after = act(runtime, world, other, "cell_vote", "cell_secretary", date(2026, 4, 2),
                {"vote": vote(date(2026, 4, 2), 3)})
    assert short_counts(runtime, world) == {after.id}
