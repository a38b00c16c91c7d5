"""Whom a body's mail reaches: the nearest organisation up the chain with holders of the role."""
from __future__ import annotations

from scheduler.recipients import nearest


def test_nearest_holders_walk_up_from_the_organisation_or_its_parent():
    """One rule for reminders and notifications: the nearest organisation with holders of the role."""
    held = {(2, "standing_committee"): ["commune"], (1, "standing_committee"): ["province"]}

    def at(org, role):
        return held.get((org, role), [])

    assert nearest([1, 2, 3], "standing_committee", at) == ["commune"]
    assert nearest([1, 2], "standing_committee", at) == ["commune"]
    assert nearest([1, 2], "standing_committee", at, above=True) == ["province"]
    assert nearest([1], "standing_committee", at, above=True) == []
    assert nearest([], "standing_committee", at, above=True) == []
    assert nearest([1, 2, 3], "cell_secretary", at) == []
