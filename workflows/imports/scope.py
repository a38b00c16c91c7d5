"""Who may import where, and the journal of what an import changed (audit log and before/after rows).

An administrator imports anywhere. An organisation officer imports into the
subtree where they hold that role: organisations and persons there, new ones
under it; a new root organisation is for administrators only.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from models import ImportChange
from workflows.engine.access import Actor
from workflows.engine.audit import record_audit

IMPORTERS = frozenset({"organisation_officer", "admin"})
_DETAIL = 400


@dataclass
class Scope:
    actor: Actor
    now: datetime
    roots: tuple[str, ...] | None = None  # None: everywhere (a system administrator)

    @classmethod
    def of(cls, actor: Actor, now: datetime) -> "Scope | None":
        """The actor's import scope, or None when they may import nowhere."""
        if actor.is_admin:
            return cls(actor, now, None)
        roots = tuple(sorted({g.path for g in actor.grants if g.role in IMPORTERS}))
        return cls(actor, now, roots) if roots else None

    def may_write(self, path: str | None) -> bool:
        if self.roots is None:
            return True
        return path is not None and any(path.startswith(root) for root in self.roots)


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, (date, datetime)) else value


@dataclass
class Journal:
    """Writes, in the import's transaction, who changed what: one audit record per changed organisation or
    person (its before/after in the detail) and the full before/after in import_changes."""

    session: Session
    run_id: int
    user_id: int
    at: datetime
    remote_addr: str | None = None
    pending: list[dict] = field(default_factory=list)

    def changed(self, object_type: str, object_id: int, changes: dict[str, tuple[Any, Any]], action: str) -> None:
        diff = {k: [_json(b), _json(a)] for k, (b, a) in changes.items()}
        text = json.dumps(diff, ensure_ascii=False, separators=(",", ":"))
        detail = f"nhập #{self.run_id}: {text}"
        if len(detail) > _DETAIL:
            detail = detail[: _DETAIL - 40] + f"… (đầy đủ trong lần nhập #{self.run_id})"
        record_audit(self.session, at=self.at, user_id=self.user_id, action=action, object_type=object_type,
                     object_id=object_id, remote_addr=self.remote_addr, detail=detail)
        self.pending.append({"run_id": self.run_id, "object_type": object_type, "object_id": object_id,
                             "action": action, "changes": diff})

    def flush(self) -> None:
        if self.pending:
            self.session.execute(insert(ImportChange.__table__), self.pending)
            self.pending = []
        self.session.flush()
