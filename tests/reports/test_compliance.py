"""The compliance audit: every finding kind from a seeded case, none from clean ones; revoke from a finding."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from models import Case, Person
from tests.reports.imported import admission_steps, import_case
from tests.support.flows import act, add_person, walk_plan
from workflows.demo.plans import probation_plan
from workflows.demo.walk import admission_plan, at_day, walk
from workflows.engine import fire
from workflows.reports.compliance import KINDS, audit_subtree

YEAR = dict(date_from=date(2026, 1, 1), date_to=date(2026, 12, 31))
START = date(2026, 3, 2)


def audit(runtime, world, org="province", **kw):
    with runtime.session_factory() as s:
        return audit_subtree(s, runtime.calendar(), organisation_id=world.orgs[org], **{**YEAR, **kw})


def walk_admission(runtime, world, cell="cell1", until="admitted"):
    plan = admission_plan(world.people[f"{cell}_m1"], (world.people[f"{cell}_m2"], world.people[f"{cell}_m3"]), START)
    return walk(runtime, plan, person_id=world.people[f"{cell}_applicant"], organisation_id=world.orgs[cell],
                actor_for=world.actor_for(cell), procedure="admission", until=until)


def import_admission(runtime, world, cell="cell1", person=None, **kw):
    person_id = person or world.people[f"{cell}_applicant"]
    steps = admission_steps(world, cell, START, **kw)
    decided = date.fromisoformat(steps[-1][4]["decision_date"])
    return import_case(runtime, procedure="admission", person_id=person_id, organisation_id=world.orgs[cell],
                       steps=steps, decided_on=decided,
                       person_changes={"membership_status": ("none", "probationary"), "joined_on": (None, decided)})


def kinds_of(result, case_id):
    return sorted({(f.kind, f.rule_id) for f in result.findings if f.case_id == case_id})


def test_clean_cases_walked_through_the_engine_have_no_findings(runtime, world):
    """Admissions walked through the engine, in a delegated commune, an undelegated ward and a grassroots cell: no finding."""
    for cell in ("cell1", "cell3"):
        walk_admission(runtime, world, cell, until="completed")
    plan = admission_plan(world.people["gcell_m1"], (world.people["gcell_m2"], world.people["gcell_m3"]), START)
    walk(runtime, plan, person_id=world.people["gcell_applicant"], organisation_id=world.orgs["gcell"],
         actor_for=world.actor_for("gcell"), procedure="admission", skip=("committee_vote",))
    result = audit(runtime, world)
    assert result.cases_checked >= 5  # three admissions and the two probations their ceremonies opened
    assert result.findings == []


def test_a_clean_imported_record_has_no_findings(runtime, world):
    """An admission imported after the fact with regular dates, roles and votes: no finding, only the record's lateness noted nowhere."""
    case_id = import_admission(runtime, world)
    assert kinds_of(audit(runtime, world), case_id) == []


def test_late_step_through_the_engine_is_found(runtime, world):
    """A probation cell vote held 40 working days after the end of probation (due: 30) is a `late` finding."""
    add_person(runtime, world, "newbie", status="probationary", joined_on="2025-04-10")
    ceremony = date(2025, 4, 20)
    plan = probation_plan(ceremony)
    case = walk_plan(runtime, world, plan[:2], "newbie", "probation")
    end = date(2026, 4, 20)
    late_day = runtime.calendar().add_working_days(end, 40)
    case = act(runtime, world, case, "cell_vote", "cell_secretary", late_day,
               {"vote": {"date": late_day.isoformat(), "eligible": 5, "agree": 5, "disagree": 0,
                         "method": "show_of_cards"}, "proposal": "recognise"})
    result = audit(runtime, world)
    assert kinds_of(result, case.id) == [("late", "deadline:probation_vote")]
    finding = result.findings[0]
    assert finding.source == "QĐ 24-QĐ/TW §4.2a"
    assert finding.step_date == late_day and finding.entered_days_late == 0


def test_late_imported_decision_names_the_deadline_rule(runtime, world):
    """An imported admission decided 100 working days after the cell vote is a late step under `late_decision` (QĐ 24 §4.3.1)."""
    vote_day = START + timedelta(days=56)
    decided = runtime.calendar().add_working_days(vote_day, 100)
    case_id = import_admission(runtime, world, decided=decided)
    result = audit(runtime, world)
    assert kinds_of(result, case_id) == [("late", "late_decision")]
    finding = next(f for f in result.findings if f.case_id == case_id)
    assert "QĐ 24" in finding.source and "chuẩn y chậm" in finding.source and finding.entered_days_late == (date(2026, 11, 2) - decided).days


def test_out_of_order_dates_are_found(runtime, world):
    """Opinions dated before the background check: an `out_of_order` finding on the date_order rule."""
    case_id = import_admission(runtime, world, dates={"collect_opinions": START + timedelta(days=30)})
    result = audit(runtime, world)
    assert kinds_of(result, case_id) == [("out_of_order", "date_order")]
    assert next(f for f in result.findings if f.case_id == case_id).trigger == "collect_opinions"


def test_decision_by_a_body_without_competence_is_found(runtime, world):
    """The ward's standing committee (no admission authority) decided a cell 3 admission: `no_competence`."""
    case_id = import_admission(runtime, world, cell="cell3", actor={"decide_admission": "standing_ward"})
    result = audit(runtime, world)
    assert kinds_of(result, case_id) == [("no_competence", "competence")]


def test_role_granted_after_the_step_does_not_make_it_competent(runtime, world):
    """A secretary of cell 2 since 2020 who was made secretary of cell 1 only after recording a cell 1 step
    was not competent for it."""
    from datetime import datetime, timezone

    from models import RoleAssignment, write_transaction
    from workflows.accounts.accounts import assign_role

    with write_transaction(runtime.session_factory) as s:
        assign_role(s, user_id=world.users["outsider"], organisation_id=world.orgs["cell2"], role="cell_secretary")
        s.query(RoleAssignment).filter_by(user_id=world.users["outsider"]).update(
            {"created_at": datetime(2020, 1, 1, tzinfo=timezone.utc)})
    case_id = import_admission(runtime, world, actor={"collect_opinions": "outsider"})
    with write_transaction(runtime.session_factory) as s:
        assign_role(s, user_id=world.users["outsider"], organisation_id=world.orgs["cell1"], role="cell_secretary")
    assert kinds_of(audit(runtime, world), case_id) == [("no_competence", "competence")]


def test_vote_below_threshold_that_moved_the_case_on_is_found(runtime, world):
    """A cell vote of 3 of 5 (below 2/3) recorded as approved: `vote_below_threshold`."""
    case_id = import_admission(runtime, world, cell_vote=(5, 3))
    result = audit(runtime, world)
    assert kinds_of(result, case_id) == [("vote_below_threshold", "vote_threshold")]
    finding = next(f for f in result.findings if f.case_id == case_id)
    assert finding.details["agree"] == 3 and "Điều lệ" in finding.source


def test_failed_vote_that_referred_the_case_is_not_a_finding(runtime, world):
    """A cell vote below 2/3 that sent the case to the superior committee is the procedure working, not a finding."""
    case = walk_admission(runtime, world, until="opinions_collected")
    fire(at_day(runtime, date(2026, 4, 27)), case_id=case.id, trigger="cell_vote",
         actor_id=world.users["secretary1"],
         data={"vote": {"date": "2026-04-27", "eligible": 7, "agree": 4, "disagree": 3, "method": "secret_ballot"}})
    assert audit(runtime, world).findings == []


def test_audit_is_limited_to_the_subtree_and_kinds(runtime, world):
    """A ward audit does not list a commune case; asking for one kind lists only that kind."""
    commune_case = import_admission(runtime, world, cell_vote=(5, 3))
    ward_case = import_admission(runtime, world, cell="cell3", actor={"decide_admission": "standing_ward"})
    ward = audit(runtime, world, org="ward")
    assert {f.case_id for f in ward.findings} == {ward_case}
    only_votes = audit(runtime, world, kinds=("vote_below_threshold",))
    assert {f.case_id for f in only_votes.findings} == {commune_case}
    assert set(KINDS) == {"late", "out_of_order", "no_competence", "vote_below_threshold", "vote_denominator"}


def test_revoke_from_a_finding_reopens_the_case_and_restores_the_person(runtime, world):
    """The province standing committee revokes the incompetent decision: the case is back before the decision,
    the person is no longer a probationary member, and the decision no longer counts."""
    from workflows.reports.tallied import summary

    case_id = import_admission(runtime, world, cell="cell3", actor={"decide_admission": "standing_ward"})
    person_id = world.people["cell3_applicant"]
    with runtime.session_factory() as s:
        assert summary(s, organisation_id=world.orgs["province"], **YEAR)["admitted"] == 1
    fire(at_day(runtime, date(2026, 11, 20)), case_id=case_id, trigger="revoke",
         actor_id=world.users["standing_province"],
         data={"decision_number": "15-QĐ/TU", "decision_date": "2026-11-20",
               "reason": "Ban thường vụ phường không có thẩm quyền kết nạp."})
    with runtime.session_factory() as s:
        case = s.get(Case, case_id)
        person = s.get(Person, person_id)
        assert (case.state, case.decided_on) == ("committee_approved", None)
        assert (person.membership_status, person.joined_on) == ("none", None)
        assert summary(s, organisation_id=world.orgs["province"], **YEAR)["admitted"] == 0


def test_the_ward_cannot_revoke(runtime, world):
    """Only the standing committee above the decider may revoke: the ward's standing committee is refused."""
    from workflows.domain.errors import Forbidden

    case_id = import_admission(runtime, world, cell="cell3", actor={"decide_admission": "standing_ward"})
    with pytest.raises(Forbidden):
        fire(at_day(runtime, date(2026, 11, 20)), case_id=case_id, trigger="revoke",
             actor_id=world.users["standing_ward"],
             data={"decision_number": "1", "decision_date": "2026-11-20", "reason": "x"})


def test_demo_irregular_records_give_one_finding_of_each_kind(runtime):
    """The demo's imported paper dossiers: the audit lists each of them, one finding kind each."""
    from workflows.demo import irregular
    from workflows.demo.tree import build_tree

    tree = build_tree(runtime, members_per_cell=4, sympathisers_per_cell=0)
    today = runtime.clock.today()
    assert irregular.seed(runtime, tree, today) == {"admission (imported, irregular)": 4}
    with runtime.session_factory() as s:
        result = audit_subtree(s, runtime.calendar(), organisation_id=tree.orgs["province"],
                               date_from=today - timedelta(days=365), date_to=today)
    assert sorted(f.kind for f in result.findings) == sorted(irregular.IRREGULAR)
    assert all(f.entered_days_late > 0 for f in result.findings)


def test_late_steps_the_procedure_allows_are_not_findings(runtime, world):
    """A ceremony after 30 working days with the superior's consent, and a decision inside an extended deadline,
    are regular: no finding."""
    case = walk_admission(runtime, world, until="admitted")  # decided 2026-05-11, received 2026-05-13
    late = runtime.calendar().add_working_days(date(2026, 5, 13), 45)
    fire(at_day(runtime, late), case_id=case.id, trigger="hold_ceremony", actor_id=world.users["secretary1"],
         data={"ceremony_date": late.isoformat(), "superior_consent": {"number": "5-CV/ĐU", "date": "2026-06-01"}})
    plan = admission_plan(world.people["cell3_m1"], (world.people["cell3_m2"], world.people["cell3_m3"]), START)
    other = walk(runtime, plan, person_id=world.people["cell3_applicant"], organisation_id=world.orgs["cell3"],
                 actor_for=world.actor_for("cell3"), procedure="admission", until="committee_approved")
    vote_day = START + timedelta(days=56)
    fire(at_day(runtime, vote_day + timedelta(days=60)), case_id=other.id, trigger="extend_deadline",
         actor_id=world.users["standing_province"], data={"days": 20, "reason": "Chờ kết quả thẩm tra bổ sung."})
    decided = runtime.calendar().add_working_days(vote_day, 75)
    fire(at_day(runtime, decided), case_id=other.id, trigger="decide_admission",
         actor_id=world.users["standing_province"],
         data={"decision_number": "9-QĐ/TU", "decision_date": decided.isoformat()})
    result = audit(runtime, world)
    assert result.findings == []
    assert result.cases_checked >= 2


def test_audit_goes_on_from_where_a_page_stopped(runtime, world):
    """An audit of one case at a time says where to go on; the pages together find every irregular case once."""
    first = import_admission(runtime, world, cell_vote=(5, 3))
    second = import_admission(runtime, world, cell="cell3", actor={"decide_admission": "standing_ward"})
    found, after, pages = [], 0, 0
    while True:
        with runtime.session_factory() as s:
            page = audit_subtree(s, runtime.calendar(), organisation_id=world.orgs["province"], **YEAR,
                                 after_case_id=after, max_cases=1)
        pages += 1
        found += [f.case_id for f in page.findings]
        if page.next_after is None:
            break
        after = page.next_after
    assert sorted(found) == sorted([first, second]) and pages >= 2


def test_a_late_decision_through_the_engine_is_a_late_step(runtime, world):
    """late_decision: an admission decided one working day after its 60 goes through and is counted as a late step."""
    case = walk_admission(runtime, world, until="committee_approved")
    due = runtime.calendar().add_working_days(START + timedelta(days=56), 60)
    next_day = runtime.calendar().add_working_days(due, 1)
    case = fire(at_day(runtime, next_day), case_id=case.id, trigger="decide_admission",
                actor_id=world.actor_for("cell1")("standing_committee"),
                data={"decision_number": "9-QĐ", "decision_date": next_day.isoformat()})
    assert case.state == "admitted"
    result = audit(runtime, world)
    assert kinds_of(result, case.id) == [("late", "late_decision")]
    assert result.by_kind()["late"] == 1


def test_a_decision_on_its_due_date_is_not_a_late_step(runtime, world):
    """late_decision boundary: decided on the 60th working day, no finding."""
    case = walk_admission(runtime, world, until="committee_approved")
    due = runtime.calendar().add_working_days(START + timedelta(days=56), 60)
    case = fire(at_day(runtime, due), case_id=case.id, trigger="decide_admission",
                actor_id=world.actor_for("cell1")("standing_committee"),
                data={"decision_number": "9-QĐ", "decision_date": due.isoformat()})
    assert kinds_of(audit(runtime, world), case.id) == []
