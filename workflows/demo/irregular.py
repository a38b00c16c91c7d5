"""Paper dossiers typed in after the fact, with the irregularities an inspection looks for.

The engine refuses to record an irregular step, so records like these only
arrive by import: rows written straight into the tables, in the shapes the
engine writes (case data keyed by trigger, one event per step, a Vote row per
vote, the decision's effects on the person), stamped with the day they were
typed in. The compliance audit (workflows/reports/compliance.py) finds them; the
standing committee above the decider can revoke them from the compliance page.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from models import Case, Event, Organisation, Person, Vote, write_transaction
from workflows.demo.tree import DemoTree
from workflows.directory.directory import create_person
from workflows.domain.votes import passes
from workflows.engine import LOCAL_ZONE, Runtime, tallies

Step = tuple[str, str | None, str, int | None, dict[str, Any]]  # trigger, from, to, actor id, data


def vote(day: date, eligible: int, agree: int) -> dict[str, Any]:
    return {"date": day.isoformat(), "eligible": eligible, "agree": agree, "disagree": eligible - agree,
            "method": "show_of_cards"}


def import_case(rt: Runtime, *, procedure: str, person_id: int, organisation_id: int, steps: list[Step],
                decided_on: date | None = None, person_changes: dict[str, tuple[Any, Any]] | None = None,
                entered: datetime | None = None, rule_set: str = "cpv-2025") -> int:
    """Write a case and its events as an import would; return the case id.

    `entered`: when the record was typed in (every event carries it); None stamps each
    event 09:00 on the date it records. `person_changes` {field: (before, after)} is
    applied to the person and recorded as the last step's effects.
    """
    with write_transaction(rt.session_factory) as s:
        org = s.get(Organisation, organisation_id)
        case = Case(procedure=procedure, rule_set=rule_set, state=steps[-1][2], revision=len(steps),
                    organisation_id=org.id, organisation_path=org.path, person_id=person_id, data={},
                    opened_at=entered or _at(recorded_day(steps[0][4])), decided_on=decided_on)
        s.add(case)
        s.flush()
        data: dict[str, Any] = {}
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
            s.add(Event(case_id=case.id, seq=seq, trigger=trigger, from_state=from_state, to_state=to_state,
                        actor_id=actor_id, at=entered or _at(recorded_day(step_data)), data=event_data))
            if "vote" in step_data:
                v = step_data["vote"]
                s.add(Vote(case_id=case.id, event_seq=seq, body="cell", held_on=date.fromisoformat(v["date"]),
                           eligible=v["eligible"], agree=v["agree"], disagree=v["disagree"], method=v["method"],
                           threshold="two_thirds", passed=passes("two_thirds", v["agree"], v["eligible"])))
            data[trigger] = {k: v for k, v in step_data.items() if k != "outcome"}
        case.data = data
        s.flush()
        # Counted in the yearly figures like any decided case (the tallies the transition keeps).
        values = {"state": case.state, "decided_on": decided_on, "organisation_path": case.organisation_path,
                  "data": data}
        tallies.record_change(s.connection(), None, tallies.tally_key(s.connection(), case.id, procedure, values,
                                                                      event_data))
        if person_changes:
            person = s.get(Person, person_id)
            for name, (_before, after) in person_changes.items():
                setattr(person, name, after)
            person.revision += 1
        return case.id


def recorded_day(data: dict[str, Any]) -> date:
    for key in ("decision_date", "ceremony_date", "date", "application_date", "resolution_date"):
        if key in data:
            return date.fromisoformat(data[key])
    return date.fromisoformat(data["vote"]["date"])


def _json(value):
    return value.isoformat() if isinstance(value, date) else value


def _at(day: date) -> datetime:
    return datetime.combine(day, time(9, 0), tzinfo=LOCAL_ZONE)


def admission_steps(start: date, *, actors: dict[str, int], helper: int, introducers: tuple[int, int],
                    dates: dict[str, date] | None = None, cell_vote: tuple[int, int] = (5, 5),
                    decided: date | None = None, number: str = "NK-QĐ") -> list[Step]:
    """An admission up to the decision. `actors`: trigger -> user id (the role holders of the cell)."""
    d = {"open": start, "submit_application": start + timedelta(days=20),
         "verify_background": start + timedelta(days=40), "collect_opinions": start + timedelta(days=50),
         "cell_vote": start + timedelta(days=56), "committee_vote": start + timedelta(days=63),
         "decide_admission": decided or start + timedelta(days=70)}
    d.update(dates or {})
    eligible, agree = cell_vote
    passed = "passed" if passes("two_thirds", agree, eligible) else "failed"
    return [
        ("open", None, "sympathiser", actors["open"], {"resolution_date": d["open"].isoformat(), "helper_id": helper}),
        ("submit_application", "sympathiser", "application_submitted", actors["submit_application"], {
            "application_date": d["submit_application"].isoformat(), "education": "upper_secondary",
            "certificate": {"number": "CN-NTVĐ", "issued_on": (start - timedelta(days=30)).isoformat()},
            "introducers": [{"person_id": introducers[0], "known_since": (start - timedelta(days=800)).isoformat()},
                            {"person_id": introducers[1], "known_since": (start - timedelta(days=900)).isoformat()}]}),
        ("verify_background", "application_submitted", "background_verified", actors["verify_background"],
         {"date": d["verify_background"].isoformat(), "conclusion": "Lý lịch rõ ràng."}),
        ("collect_opinions", "background_verified", "opinions_collected", actors["collect_opinions"],
         {"date": d["collect_opinions"].isoformat(), "summary": "Các đoàn thể và nơi cư trú nhận xét tốt."}),
        ("cell_vote", "opinions_collected", "cell_approved", actors["cell_vote"],
         {"vote": vote(d["cell_vote"], eligible, agree), "outcome": passed}),
        ("committee_vote", "cell_approved", "committee_approved", actors["committee_vote"],
         {"vote": vote(d["committee_vote"], 7, 7), "outcome": "passed"}),
        ("decide_admission", "committee_approved", "admitted", actors["decide_admission"],
         {"decision_number": number, "decision_date": d["decide_admission"].isoformat()}),
    ]


# One imported admission per finding kind of the compliance audit.
IRREGULAR = ("late", "no_competence", "vote_below_threshold", "out_of_order")  # the audit's finding kinds


def seed(rt: Runtime, tree: DemoTree, today: date) -> dict[str, int]:
    """Four admissions typed in from paper this week, each with one irregularity; returns their count."""
    entered = datetime.combine(today - timedelta(days=2), time(15, 0), tzinfo=LOCAL_ZONE)
    u = tree.users
    cases = {
        # Ward cell: the province decides; it decided 95 working days after the cell vote (limit 60).
        "late": ("kp3", {"decide_admission": u["btv.tinh"]}, {}, (5, 5), 95),
        # Ward cell decided by the ward's committee member, who holds no decision authority.
        "no_competence": ("kp1a", {"decide_admission": u["capuy.dongha"]}, {}, (5, 5), None),
        # Commune cell: 4 of 7 (below 2/3) recorded as approved.
        "vote_below_threshold": ("thon2", {}, {}, (7, 4), None),
        # School cell: opinions dated before the background check was concluded.
        "out_of_order": ("truong", {}, {"collect_opinions": 30}, (5, 5), None),
    }
    calendar = rt.calendar()
    for index, (kind, (cell, overrides, shifted, cell_vote, late_days)) in enumerate(cases.items()):
        start = today - timedelta(days=200 - 10 * index)
        who = tree.user_for(cell)
        roles = {"open": "cell_secretary", "submit_application": "cell_secretary",
                 "verify_background": "organisation_officer", "collect_opinions": "cell_secretary",
                 "cell_vote": "cell_secretary", "committee_vote": "committee_member",
                 "decide_admission": "standing_committee"}
        actors = {t: overrides.get(t) or who(r) for t, r in roles.items()}
        decided = calendar.add_working_days(start + timedelta(days=56), late_days) if late_days else None
        members = tree.members[cell]
        with write_transaction(rt.session_factory) as s:
            person_id = create_person(s, organisation_id=tree.orgs[cell], membership_status="none",
                                      full_name=f"{_NAMES[index]}", birth_date=date(1995, 3, 1 + index),
                                      gender="female" if index % 2 else "male", education="upper_secondary").id
        steps = admission_steps(start, actors=actors, helper=members[0], introducers=(members[1], members[2]),
                                dates={k: start + timedelta(days=v) for k, v in shifted.items()},
                                cell_vote=cell_vote, decided=decided, number=f"{20 + index}-QĐ/NK")
        decision_date = date.fromisoformat(steps[-1][4]["decision_date"])
        import_case(rt, procedure="admission", person_id=person_id, organisation_id=tree.orgs[cell], steps=steps,
                    decided_on=decision_date, entered=entered,
                    person_changes={"membership_status": ("none", "probationary"), "joined_on": (None, decision_date)})
    return {"admission (imported, irregular)": len(cases)}


_NAMES = ("Trịnh Văn Phúc", "Lương Thị Hảo", "Kiều Minh Đạt", "Tạ Thị Bích")
