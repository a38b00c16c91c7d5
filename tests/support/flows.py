"""Helpers for the tests of the procedures after admission: extra people, firing a step as a role on a day."""
from __future__ import annotations

from datetime import date
from typing import Any

from models import write_transaction
from workflows.demo.walk import at_day, walk
from workflows.directory.directory import create_person
from workflows.engine import fire, open_case


def add_person(runtime, world, key: str, cell: str = "cell1", status: str = "official",
               born: date = date(1985, 6, 15), **extra: Any) -> int:
    """Register a person in a cell (a member already on the rolls, or not) and remember them as world.people[key]."""
    if status in ("official", "probationary", "former"):
        extra.setdefault("joined_on", "2015-05-19")
    if status in ("official",):
        extra.setdefault("official_on", "2016-05-19")
    left = {k: extra.pop(k) for k in ("left_on", "left_reason", "flags") if k in extra}
    with write_transaction(runtime.session_factory) as s:
        person = create_person(s, organisation_id=world.orgs[cell], membership_status=status,
                               full_name=extra.pop("name", key), birth_date=born, **extra)
        for name, value in left.items():  # the starting record of a former member (not a biography field)
            setattr(person, name, value)
        world.people[key] = person.id
    return world.people[key]


def act(runtime, world, case, trigger: str, role: str, day: date, data: dict | None = None, cell: str = "cell1",
        actor: str | None = None):
    """Fire `trigger` on `case` as the user holding `role` for `cell` (or `actor`), on `day`."""
    actor_id = world.users[actor] if actor else world.actor_for(cell)(role)
    return fire(at_day(runtime, day), case_id=case.id, trigger=trigger, actor_id=actor_id, data=data or {})


def open_as(runtime, world, procedure: str, person: str, day: date, data: dict, cell: str = "cell1",
            role: str = "cell_secretary", actor: str | None = None):
    """Open a case of `procedure` for world.people[person] in `cell`, on `day`."""
    actor_id = world.users[actor] if actor else world.actor_for(cell)(role)
    return open_case(at_day(runtime, day), procedure=procedure, person_id=world.people[person],
                     organisation_id=world.orgs[cell], actor_id=actor_id, data=data)


def walk_plan(runtime, world, plan, person: str, procedure: str, cell: str = "cell1", until: str | None = None,
              **kw):
    """walk() a plan for world.people[person] in `cell` with the world's users."""
    return walk(runtime, plan, person_id=world.people[person], organisation_id=world.orgs[cell],
                actor_for=world.actor_for(cell), procedure=procedure, until=until, **kw)
