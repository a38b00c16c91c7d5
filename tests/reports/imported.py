"""Cases written straight into the tables, as a migration from paper records would: no engine, no rule checked.

Only the compliance tests use this, to simulate irregular imported records (the
engine refuses to record such steps itself). The rows have the shapes the
engine writes: case data keyed by trigger, one event per step, a Vote row per
recorded vote, the decision's effects on the person.
"""
from __future__ import annotations

from datetime import date, datetime, timezone

from workflows.demo.irregular import admission_steps as _admission_steps
from workflows.demo.irregular import import_case as _import_case

ENTERED = datetime(2026, 11, 2, 3, 0, tzinfo=timezone.utc)  # the day the records were typed in


def import_case(runtime, *, entered: datetime | None = ENTERED, **kw) -> int:
    """workflows.demo.irregular.import_case, typed in on ENTERED unless told otherwise."""
    return _import_case(runtime, entered=entered, **kw)


ROLES = {"open": "cell_secretary", "submit_application": "cell_secretary", "verify_background": "organisation_officer",
         "collect_opinions": "cell_secretary", "cell_vote": "cell_secretary", "committee_vote": "committee_member",
         "decide_admission": "standing_committee"}


def admission_steps(world, cell: str, start: date, *, actor: dict[str, str] | None = None,
                    dates: dict[str, date] | None = None, cell_vote: tuple[int, int] = (5, 5),
                    decided: date | None = None) -> list:
    """The steps of an admission up to the decision, by the world's users of the cell (`actor` overrides a trigger's)."""
    who = world.actor_for(cell)
    actors = {t: world.users[actor[t]] if actor and t in actor else who(role) for t, role in ROLES.items()}
    people = world.people
    return _admission_steps(start, actors=actors, helper=people[f"{cell}_m1"],
                            introducers=(people[f"{cell}_m2"], people[f"{cell}_m3"]), dates=dates,
                            cell_vote=cell_vote, decided=decided)
