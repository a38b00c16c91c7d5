"""The event log is the truth (architecture.md principle 4): replay finds any case that disagrees with its events."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from models import Case, Event, write_transaction
from workflows.demo.walk import admission_plan, at_day, walk
from workflows.directory.directory import create_person
from workflows.engine import check_cases, fire

START = date(2026, 3, 2)


def walk_case(runtime, world, until, cell="cell1", person_id=None, eligible=5):
    plan = admission_plan(world.people[f"{cell}_m1"], (world.people[f"{cell}_m2"], world.people[f"{cell}_m3"]),
                          START, eligible=eligible)
    if person_id is None:
        with write_transaction(runtime.session_factory) as s:
            person_id = create_person(s, organisation_id=world.orgs[cell], full_name=f"Người thứ {until}",
                                      birth_date=date(1998, 7, 1), education="higher").id
    case = walk(runtime, plan, person_id=person_id, organisation_id=world.orgs[cell],
                actor_for=world.actor_for(cell), procedure="admission", until=until)
    assert case.state == until
    return case


@pytest.fixture
def walked(runtime, world):
    """Cases in many states, through every kind of step: forward, branch, stay, back, and a final one."""
    cases = {state: walk_case(runtime, world, state) for state in (
        "sympathiser", "application_submitted", "background_verified", "cell_approved", "committee_approved",
        "admitted")}
    referred = walk_case(runtime, world, "opinions_collected", cell="cell2")
    day = START + timedelta(days=56)
    cases["referred_to_superior"] = fire(
        at_day(runtime, day), case_id=referred.id, trigger="cell_vote", actor_id=world.users["secretary2"],
        data={"vote": {"date": day.isoformat(), "eligible": 7, "agree": 4, "disagree": 3, "method": "secret_ballot"}})
    extended = walk_case(runtime, world, "committee_approved", cell="cell3")
    cases["extended"] = fire(at_day(runtime, day), case_id=extended.id, trigger="extend_deadline",
                             actor_id=world.users["standing_province"], data={"days": 10, "reason": "Chờ bổ sung."})
    reworked = walk_case(runtime, world, "background_verified")
    cases["reworked"] = fire(at_day(runtime, day), case_id=reworked.id, trigger="return_for_rework",
                             actor_id=world.users["secretary1"], data={"reason": "Bổ sung lý lịch."})
    withdrawn = walk_case(runtime, world, "application_submitted")
    cases["withdrawn"] = fire(at_day(runtime, day), case_id=withdrawn.id, trigger="withdraw",
                              actor_id=world.users["secretary1"], data={"reason": "Chuyển công tác."})
    assert cases["referred_to_superior"].state == "referred_to_superior"
    assert cases["reworked"].state == "application_submitted"
    assert cases["withdrawn"].state == "withdrawn"
    return cases


def mismatches(runtime, **kw):
    with runtime.session_factory() as s:
        return list(check_cases(s, **kw))


def execute(runtime, sql: str, **params) -> None:
    """Run SQL behind the engine's back, in a transaction of its own."""
    with runtime.session_factory.begin() as s:
        s.execute(text(sql), params)


def test_replay_of_walked_cases_finds_nothing(runtime, walked):
    """Every case walked through the engine equals the replay of its events."""
    assert mismatches(runtime) == []
    assert mismatches(runtime, batch=2) == []


def test_state_changed_behind_the_engine_is_found(runtime, walked):
    """An UPDATE of cases.state outside the engine is reported with the stored and replayed states."""
    tampered = walked["cell_approved"]
    execute(runtime, "UPDATE cases SET state = 'admitted' WHERE id = :id", id=tampered.id)
    found = mismatches(runtime)
    assert [(m.case_id, m.stored_state, m.replayed_state) for m in found] == [
        (tampered.id, "admitted", "cell_approved")]
    assert "admitted" in found[0].problem


def test_a_mismatch_in_a_later_batch_is_found(runtime, walked):
    """Batches do not hide a case: the last case tampered is found with a batch of 2."""
    last = max(c.id for c in walked.values())
    execute(runtime, "UPDATE cases SET state = 'sympathiser' WHERE id = :id", id=last)
    assert [m.case_id for m in mismatches(runtime, batch=2)] == [last]


def test_revision_changed_behind_the_engine_is_found(runtime, walked):
    """A revision that no longer counts the case's events is reported."""
    tampered = walked["admitted"]
    execute(runtime, "UPDATE cases SET revision = revision + 1 WHERE id = :id", id=tampered.id)
    found = mismatches(runtime)
    assert [m.case_id for m in found] == [tampered.id]
    assert "revision" in found[0].problem


def test_an_event_inserted_out_of_procedure_is_found(runtime, walked, world):
    """An appended event the procedure does not allow (sympathiser → admitted) breaks the replay."""
    tampered = walked["sympathiser"]
    with runtime.session_factory.begin() as s:
        s.add(Event(case_id=tampered.id, seq=2, trigger="decide_admission", from_state="sympathiser",
                    to_state="admitted", actor_id=world.users["admin"], at=datetime.now(timezone.utc), data={}))
        case = s.get(Case, tampered.id)
        case.state, case.revision = "admitted", 2
    found = mismatches(runtime)
    assert [m.case_id for m in found] == [tampered.id]
    assert "not in the procedure" in found[0].problem


def test_an_event_with_a_gap_in_its_sequence_is_found(runtime, walked, world):
    """An event whose seq skips a number is reported, even when state and revision were patched to match."""
    tampered = walked["application_submitted"]
    with runtime.session_factory.begin() as s:
        s.add(Event(case_id=tampered.id, seq=4, trigger="verify_background", from_state="application_submitted",
                    to_state="background_verified", actor_id=world.users["admin"], at=datetime.now(timezone.utc),
                    data={}))
        case = s.get(Case, tampered.id)
        case.state, case.revision = "background_verified", 3
    found = mismatches(runtime)
    assert [m.case_id for m in found] == [tampered.id]
    assert "seq" in found[0].problem


@pytest.mark.parametrize("table", ["events", "audit_log"])
@pytest.mark.parametrize("statement", [
    "UPDATE {table} SET at = at WHERE id = (SELECT min(id) FROM {table})",
    "DELETE FROM {table} WHERE id = (SELECT min(id) FROM {table})",
    "DELETE FROM {table}",
])
def test_append_only_tables_refuse_update_and_delete(runtime, walked, table, statement):
    """The database itself refuses UPDATE and DELETE on the event and audit logs (migration 0001 triggers)."""
    with runtime.session_factory() as s:
        before = s.execute(text(f"SELECT count(*) FROM {table}")).scalar()
    assert before > 0
    with pytest.raises(DBAPIError, match="append-only"):
        execute(runtime, statement.format(table=table))
    with runtime.session_factory() as s:
        assert s.execute(text(f"SELECT count(*) FROM {table}")).scalar() == before
    assert mismatches(runtime) == []


def test_the_engine_cannot_update_an_event_through_the_orm(runtime, walked):
    """Even through the ORM, changing a stored event fails and leaves it as it was."""
    case = walked["admitted"]
    with pytest.raises(DBAPIError, match="append-only"):
        with write_transaction(runtime.session_factory) as s:
            event = s.scalars(select(Event).where(Event.case_id == case.id, Event.seq == 1)).one()
            event.to_state = "admitted"
    with runtime.session_factory() as s:
        assert s.scalars(select(Event.to_state).where(Event.case_id == case.id, Event.seq == 1)).one() == "sympathiser"


def test_check_command_reports_zero_then_the_tampered_case(app, runtime, walked):
    """`flask check` exits 0 with zero mismatches, then 1 naming the case changed behind the engine."""
    runner = app.test_cli_runner()
    result = runner.invoke(args=["check"])
    assert result.exit_code == 0, result.output
    assert f"{len(walked)} cases replayed, 0 mismatches" in result.output
    tampered = walked["committee_approved"]
    execute(runtime, "UPDATE cases SET state = 'rejected' WHERE id = :id", id=tampered.id)
    result = runner.invoke(args=["check"])
    assert result.exit_code == 1
    assert f"case {tampered.id}:" in result.output
    assert f"{len(walked)} cases replayed, 1 mismatches" in result.output
