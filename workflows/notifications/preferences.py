"""How a person wants to hear of new tasks and escalations, and whether mail may come outside working hours."""
from __future__ import annotations

from dataclasses import dataclass

from models import CHANNELS_OF_NOTIFICATIONS as CHANNELS
from models import NotificationPreference, write_transaction
from workflows.domain.errors import InvalidInput
from workflows.engine.runtime import Runtime


@dataclass(frozen=True)
class Preferences:
    new_task: str = "immediate"
    escalation: str = "digest"
    any_time: bool = False


def preferences(rt: Runtime, *, user_id: int) -> Preferences:
    with rt.session_factory() as session:
        row = session.get(NotificationPreference, user_id)
        return Preferences(row.new_task, row.escalation, row.any_time) if row else Preferences()


def set_preferences(rt: Runtime, *, user_id: int, new_task: str, escalation: str, any_time: bool) -> Preferences:
    """Save the choices; an unknown channel is refused and nothing is written."""
    for name, value in (("new_task", new_task), ("escalation", escalation)):
        if value not in CHANNELS:
            raise InvalidInput(f"Cách nhận thông báo «{value}» không hợp lệ.", f"Unknown channel '{value}'.",
                               {name: "one of " + ", ".join(CHANNELS)})
    with write_transaction(rt.session_factory) as session:
        row = session.get(NotificationPreference, user_id)
        if row is None:
            row = NotificationPreference(user_id=user_id)
            session.add(row)
        row.new_task, row.escalation, row.any_time = new_task, escalation, bool(any_time)
    return Preferences(new_task, escalation, bool(any_time))
