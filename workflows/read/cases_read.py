"""Read-side use cases for cases: one case as a caller sees it, the filtered list, the event history.

A case is described with what the caller may fire now (`allowed_actions`) and
its deadlines; only cases in the caller's subtrees are ever read (invisible
reads as not found). Reads of a case are audited (quality.md Security 6).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session

from models import Case, Deadline, Event, Organisation, User, write_transaction
from workflows.domain.errors import NotFound
from workflows.engine.access import Actor, load_actor, require_visible
from workflows.engine.audit import audit, describe_filters, record_audit
from workflows.engine.runtime import Runtime
from workflows.procedures.registry import get_procedure
from workflows.read.queries import allowed_actions

MAX_PER_PAGE = 100


def describe_case(session: Session, rt: Runtime, actor: Actor, case: Case) -> dict[str, Any]:
    """The case as the API and the UI show it (api.md: a case)."""
    deadlines = session.scalars(
        select(Deadline).where(Deadline.case_id == case.id).order_by(Deadline.due_date, Deadline.id)
    ).all()
    definition = get_procedure(case.procedure, case.rule_set)
    state = definition.state(case.state)
    return {
        "id": case.id, "procedure": case.procedure, "rule_set": case.rule_set, "state": case.state,
        "state_label_vi": state.label_vi, "state_label_en": state.label_en, "final": state.final,
        "person_id": case.person_id, "organisation_id": case.organisation_id, "revision": case.revision,
        "parent_case_id": case.parent_case_id,
        "allowed_actions": allowed_actions(session, rt, actor, case),
        "deadlines": [{"id": d.id, "kind": d.kind, "due_date": d.due_date, "status": d.status, "role": d.role,
                       "organisation_id": d.organisation_id, "legal_basis": d.legal_basis} for d in deadlines],
        "data": case.data or {},
        "opened_at": case.opened_at, "closed_at": case.closed_at, "decided_on": case.decided_on,
    }


def _visible_case(session: Session, actor: Actor, case_id: int) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound("hồ sơ", case_id)
    require_visible(actor, case.organisation_path, "hồ sơ", case_id)
    return case


def read_case(rt: Runtime, *, actor_id: int, case_id: int, remote_addr: str | None = None,
              audited: bool = True) -> dict[str, Any]:
    """One case as the actor sees it. `audited=False` right after the actor's own transition (already logged)."""
    with (write_transaction(rt.session_factory) if audited else rt.session_factory()) as session:
        actor = load_actor(session, actor_id)
        case = _visible_case(session, actor, case_id)
        described = describe_case(session, rt, actor, case)
        if audited:
            record_audit(session, at=rt.clock.now(), user_id=actor.id, action="case.read", object_type="case",
                         object_id=case.id, remote_addr=remote_addr)
        return described


@dataclass(frozen=True)
class CaseFilter:
    procedure: str | None = None
    state: str | None = None
    organisation_id: int | None = None  # the organisation's whole subtree
    person_id: int | None = None
    overdue: bool | None = None  # True: an open deadline is past due today; False: none is


def _visibility(actor: Actor):
    if actor.is_admin:
        return None
    roots = actor.visible_paths()
    if not roots:
        return False
    return or_(*[Case.organisation_path.startswith(p, autoescape=True) for p in roots])


def list_cases(rt: Runtime, *, actor_id: int, filters: CaseFilter, page: int = 1,
               per_page: int = 20, remote_addr: str | None = None) -> dict[str, Any]:
    """The cases the actor may see that match the filters, newest first: {items, total, page, per_page}.

    The read is audited with its filters and the ids of the cases returned (issue 14 item 7).
    """
    result = _list_cases(rt, actor_id=actor_id, filters=filters, page=page, per_page=per_page)
    asked = {"procedure": filters.procedure, "state": filters.state, "organisation_id": filters.organisation_id,
             "person_id": filters.person_id, "overdue": filters.overdue, "page": result["page"],
             "per_page": result["per_page"]}
    audit(rt, user_id=actor_id, action="case.list", object_type="case", remote_addr=remote_addr,
          detail=f"{describe_filters(asked)} total={result['total']}",
          object_ids=[item["id"] for item in result["items"]])
    return result


def _list_cases(rt: Runtime, *, actor_id: int, filters: CaseFilter, page: int, per_page: int) -> dict[str, Any]:
    page = max(1, page)
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    with rt.session_factory() as session:
        actor = load_actor(session, actor_id)
        conditions = []
        visible = _visibility(actor)
        if visible is False:
            return {"items": [], "total": 0, "page": page, "per_page": per_page}
        if visible is not None:
            conditions.append(visible)
        if filters.procedure:
            conditions.append(Case.procedure == filters.procedure)
        if filters.state:
            conditions.append(Case.state == filters.state)
        if filters.person_id is not None:
            conditions.append(Case.person_id == filters.person_id)
        if filters.organisation_id is not None:
            org_path = session.scalar(select(Organisation.path).where(Organisation.id == filters.organisation_id))
            if org_path is None:
                return {"items": [], "total": 0, "page": page, "per_page": per_page}
            conditions.append(Case.organisation_path.startswith(org_path, autoescape=True))
        if filters.overdue is not None:
            late = exists().where(Deadline.case_id == Case.id, Deadline.status == "open",
                                  Deadline.due_date < rt.clock.today())
            conditions.append(late if filters.overdue else ~late)
        total = session.scalar(select(func.count(Case.id)).where(*conditions))
        cases = session.scalars(
            select(Case).where(*conditions).order_by(Case.id.desc()).offset((page - 1) * per_page).limit(per_page)
        ).all()
        items = [describe_case(session, rt, actor, c) for c in cases]
        return {"items": items, "total": total, "page": page, "per_page": per_page}


def case_events(rt: Runtime, *, actor_id: int, case_id: int, remote_addr: str | None = None) -> list[dict[str, Any]]:
    """The case's history, oldest first: [{seq, trigger, from_state, to_state, actor, at, data, comment}].

    The read is audited: which case, and how many events it returned (issue 14 item 7).
    """
    events = _case_events(rt, actor_id=actor_id, case_id=case_id)
    audit(rt, user_id=actor_id, action="case.events", object_type="case", object_id=case_id,
          remote_addr=remote_addr, detail=f"events={len(events)}", object_ids=[case_id])
    return events


def _case_events(rt: Runtime, *, actor_id: int, case_id: int) -> list[dict[str, Any]]:
    with rt.session_factory() as session:
        actor = load_actor(session, actor_id)
        _visible_case(session, actor, case_id)
        rows = session.execute(
            select(Event, User.username).outerjoin(User, User.id == Event.actor_id)
            .where(Event.case_id == case_id).order_by(Event.seq)
        ).all()
        return [{"seq": e.seq, "trigger": e.trigger, "from_state": e.from_state, "to_state": e.to_state,
                 "actor": username, "actor_id": e.actor_id, "at": e.at, "data": e.data or {},
                 "comment": e.comment} for e, username in rows]
