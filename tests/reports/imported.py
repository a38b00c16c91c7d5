"""Cases written straight into the tables, as a migration from paper records would: no engine, no rule checked.

Only the compliance tests use this, to simulate irregular imported records (the
engine refuses to record such steps itself). The rows have the shapes the
engine writes: case data keyed by trigger, one event per step, a Vote row per
recorded vote, the decision's effects on the person.
"""
from __future__ import annotations

from datetime import date, datetime, time, timezone
from typing import Any

from models import Case, Event, Organisation, Person, Vote, write_transaction
from workflows.engine import LOCAL_ZONE
from workflows.votes import passes

ENTERED = datetime(2026, 11, 2, 3, 0, tzinfo=timezone.utc)  # the day the records were typed in


def vote(day: date, eligible: int, agree: int) -> dict[str, Any]:
    return {"date": day.isoformat(), "eligible": eligible, "agree": agree, "disagree": eligible - agree,
            "method": "show_of_cards"}


def import_case(runtime, *, procedure: str, person_id: int, organisation_id: int,
                steps: list[tuple[str, str | None, str, int | None, dict[str, Any]]],
                decided_on: date | None = None, person_changes: dict[str, Any] | None = None,
                entered: datetime | None = ENTERED, rule_set: str = "cpv-2025") -> int:
    """Insert a case with its events. steps: (trigger, from_state, to_state, actor_id, data).

    `entered` None: each event is stamped 09:00 on the date it records (as if typed in on the day).
    `person_changes` {field: (before, after)} is applied to the person and recorded on the last step.
    """
    with write_transaction(runtime.session_factory) as s:
        org = s.get(Organisation, organisation_id)
        data: dict[str, Any] = {}
        case = Case(procedure=procedure, rule_set=rule_set, state=steps[-1][2], revision=len(steps),
                    organisation_id=org.id, organisation_path=org.path, person_id=person_id, data={},
                    opened_at=entered or _at(_day_of(steps[0][4])), decided_on=decided_on)
        s.add(case)
        s.flush()
        for seq, (trigger, from_state, to_state, actor_id, step_data) in enumerate(steps, start=1):
            event_data = dict(step_data)
            if seq == len(steps) and (person_changes or decided_on):
                effects: dict[str, Any] = {}
                if person_changes:
                    effects["person_id"] = person_id
                    effects["person"] = {k: [_json(b), _json(a)] for k, (b, a) in person_changes.items()}
                if decided_on:
                    effects["decided_on"] = [None, decided_on.isoformat()]
                event_data["effects"] = effects
            at = entered or _at(_day_of(step_data))
            s.add(Event(case_id=case.id, seq=seq, trigger=trigger, from_state=from_state, to_state=to_state,
                        actor_id=actor_id, at=at, data=event_data))
            if "vote" in step_data:
                v = step_data["vote"]
                s.add(Vote(case_id=case.id, event_seq=seq, body="cell", held_on=date.fromisoformat(v["date"]),
                           eligible=v["eligible"], agree=v["agree"], disagree=v["disagree"], method=v["method"],
                           threshold="two_thirds", passed=passes("two_thirds", v["agree"], v["eligible"])))
            data[trigger] = step_data
        case.data = data
        if person_changes:
            person = s.get(Person, person_id)
            for name, (_before, after) in person_changes.items():
                setattr(person, name, after)
            person.revision += 1
        return case.id


def _json(value):
    return value.isoformat() if isinstance(value, date) else value


def _day_of(data: dict[str, Any]) -> date:
    for key in ("decision_date", "ceremony_date", "date", "application_date", "resolution_date"):
        if key in data:
            return date.fromisoformat(data[key])
    return date.fromisoformat(data["vote"]["date"])


def _at(day: date) -> datetime:
    return datetime.combine(day, time(9, 0), tzinfo=LOCAL_ZONE)


def admission_steps(world, cell: str, start: date, *, actor: dict[str, str] | None = None,
                    dates: dict[str, date] | None = None, cell_vote: tuple[int, int] = (5, 5),
                    decided: date | None = None) -> list:
    """The steps of an admission up to the decision, with the world's users (overridable per trigger)."""
    from datetime import timedelta

    d = {"open": start, "submit_application": start + timedelta(days=20),
         "verify_background": start + timedelta(days=40), "collect_opinions": start + timedelta(days=50),
         "cell_vote": start + timedelta(days=56), "committee_vote": start + timedelta(days=63),
         "decide_admission": decided or start + timedelta(days=70)}
    d.update(dates or {})
    roles = {"open": "cell_secretary", "submit_application": "cell_secretary", "verify_background": "organisation_officer",
             "collect_opinions": "cell_secretary", "cell_vote": "cell_secretary", "committee_vote": "committee_member",
             "decide_admission": "standing_committee"}
    who = world.actor_for(cell)
    actor_of = lambda t: world.users[actor[t]] if actor and t in actor else who(roles[t])  # noqa: E731
    people = world.people
    eligible, agree = cell_vote
    cell_passed = passes("two_thirds", agree, eligible)
    return [
        ("open", None, "sympathiser", actor_of("open"),
         {"resolution_date": d["open"].isoformat(), "helper_id": people[f"{cell}_m1"]}),
        ("submit_application", "sympathiser", "application_submitted", actor_of("submit_application"), {
            "application_date": d["submit_application"].isoformat(), "education": "upper_secondary",
            "certificate": {"number": "CN-01", "issued_on": (start - timedelta(days=30)).isoformat()},
            "introducers": [{"person_id": people[f"{cell}_m2"], "known_since": "2020-01-01"},
                            {"person_id": people[f"{cell}_m3"], "known_since": "2020-01-01"}]}),
        ("verify_background", "application_submitted", "background_verified", actor_of("verify_background"),
         {"date": d["verify_background"].isoformat(), "conclusion": "Lý lịch rõ ràng."}),
        ("collect_opinions", "background_verified", "opinions_collected", actor_of("collect_opinions"),
         {"date": d["collect_opinions"].isoformat(), "summary": "Nhận xét tốt."}),
        ("cell_vote", "opinions_collected", "cell_approved", actor_of("cell_vote"),
         {"vote": vote(d["cell_vote"], eligible, agree), "outcome": "passed" if cell_passed else "failed"}),
        ("committee_vote", "cell_approved", "committee_approved", actor_of("committee_vote"),
         {"vote": vote(d["committee_vote"], 7, 7), "outcome": "passed"}),
        ("decide_admission", "committee_approved", "admitted", actor_of("decide_admission"),
         {"decision_number": "IMP-QĐ", "decision_date": d["decide_admission"].isoformat()}),
    ]
