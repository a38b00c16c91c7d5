"""The documents of a case as users ask for them: the list, a final document, a draft, a person's dossier.

A final document is the one its step issued: its facts were stored in the step's transaction
(workflows/engine/issuing.py) and its PDF and DOCX are drawn once from those facts — right after
the step by the page or API call that recorded it (`draw_pending`), or at the first download for
steps the system took — and kept; every later download gives the same bytes, whatever template
changes later. A draft is drawn from the case as it stands, with dotted blanks for what is not
known yet. Whoever may read the case may read its documents; downloads are audited.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from models import Case, IssuedForm, write_transaction
from workflows.domain.errors import NotAvailable, NotFound
from workflows.domain.forms import FormSpec, issuing_body, snapshot
from workflows.domain.rulesets import RULE_SETS
from workflows.engine.access import Actor, load_actor, require_visible
from workflows.engine.audit import record_audit
from workflows.engine.facts import load_chain, load_person_facts
from workflows.engine.runtime import Runtime
from workflows.forms.render import CONTENT_TYPES, check_format, filename, render
from workflows.procedures.registry import get_procedure


@dataclass(frozen=True)
class FormFile:
    content: bytes
    filename: str
    content_type: str


def _visible_case(session: Session, actor: Actor | None, case_id: int) -> Case:
    """The case if the actor may see it (None: the command line, run by the operator, sees every case)."""
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound("hồ sơ", case_id)
    if actor is not None:
        require_visible(actor, case.organisation_path, "hồ sơ", case_id)
    return case


def _latest_issued(session: Session, case_id: int) -> dict[str, IssuedForm]:
    """The latest issued document of each form of a case (a step recorded again after a revocation
    issues a new one)."""
    rows = session.scalars(select(IssuedForm).where(IssuedForm.case_id == case_id)
                           .order_by(IssuedForm.seq, IssuedForm.id)).all()
    return {row.form_id: row for row in rows}


def case_forms(rt: Runtime, *, actor_id: int, case_id: int) -> list[dict[str, Any]]:
    """Every form the case's procedure produces: `available` once its step was recorded (api.md «Additions»)."""
    with rt.session_factory() as session:
        actor = load_actor(session, actor_id)
        case = _visible_case(session, actor, case_id)
        definition = get_procedure(case.procedure, case.rule_set)
        issued = _latest_issued(session, case_id)
        return [{"id": f.id, "title": f.title, "step": f.step, "available": f.id in issued,
                 "number": issued[f.id].number if f.id in issued else None,
                 "issued_on": issued[f.id].issued_on if f.id in issued else None,
                 "sha256": issued[f.id].sha256 if f.id in issued else None}
                for f in definition.forms]


def draft_facts(session: Session, case: Case, form: FormSpec) -> dict[str, Any]:
    """The facts of a draft: the case as it stands, no number, no date, no step data yet."""
    chain = load_chain(session, case.organisation_path)
    person = load_person_facts(session, case.person_id)
    issuer = issuing_body(form, chain, RULE_SETS[case.rule_set], {})
    return snapshot(form, procedure=case.procedure, rule_set=case.rule_set, chain=chain, issuer=issuer,
                    person=person, case_id=case.id, case_data=case.data or {}, number=None, on=None,
                    outcome=None, names={}, draft=True)


def _drawn(rt: Runtime, row_id: int) -> IssuedForm:
    """The issued row with both formats drawn and stored (drawn now if a step left them to do)."""
    with rt.session_factory() as session:
        row = session.get(IssuedForm, row_id)
        if row.pdf is not None and row.docx is not None:
            return row
        facts = row.facts
    pdf, docx = render(facts, "pdf"), render(facts, "docx")
    with write_transaction(rt.session_factory) as session:
        # The first drawing wins: a concurrent one finds the bytes stored and keeps them.
        session.execute(update(IssuedForm).where(IssuedForm.id == row_id, IssuedForm.pdf.is_(None)).values(
            pdf=pdf, pdf_sha256=hashlib.sha256(pdf).hexdigest(), docx=docx,
            docx_sha256=hashlib.sha256(docx).hexdigest(), rendered_at=rt.clock.now()))
    with rt.session_factory() as session:
        row = session.get(IssuedForm, row_id)
        session.expunge(row)
        return row


def form_file(rt: Runtime, *, actor_id: int | None, case_id: int, form_id: str, fmt: str = "pdf", draft: bool = False,
              remote_addr: str | None = None) -> FormFile:
    """A form of a case as a file: the final document once its step is recorded, else (draft) the draft.

    404 unknown form; 409 `not_available` before the step is recorded unless `draft`. `actor_id` None: the
    command line (`flask render-form`), run by the operator.
    """
    check_format(fmt)
    with write_transaction(rt.session_factory) as session:
        actor = load_actor(session, actor_id) if actor_id is not None else None
        case = _visible_case(session, actor, case_id)
        definition = get_procedure(case.procedure, case.rule_set)
        form = definition.form(form_id)
        if form is None:
            raise NotFound("mẫu văn bản", form_id)
        issued = _latest_issued(session, case_id).get(form_id)
        if issued is None and not draft:
            step = definition.steps_for(form.step)
            label = step[0].label_vi if step else form.step
            raise NotAvailable(
                f"Văn bản «{form.title}» chưa có: bước «{label}» chưa được ghi nhận. Có thể tải bản dự thảo.",
                f"Form {form.id} is not available yet: its step '{form.step}' has not been recorded "
                f"(a draft can be downloaded with draft=true).",
                {"form_id": form_id, "step": form.step},
            )
        record_audit(session, at=rt.clock.now(), user_id=actor.id if actor else None, action="case.form", object_type="case",
                     object_id=case_id, remote_addr=remote_addr,
                     detail=f"{form_id} {fmt}{' draft' if draft else ''}")
        facts = draft_facts(session, case, form) if draft else None
        issued_id = issued.id if issued is not None and not draft else None
    if facts is not None:
        return FormFile(render(facts, fmt), filename(facts, fmt), CONTENT_TYPES[fmt])
    row = _drawn(rt, issued_id)
    content = row.pdf if fmt == "pdf" else row.docx
    return FormFile(content, filename(row.facts, fmt), CONTENT_TYPES[fmt])


def draw_pending(rt: Runtime, *, case_id: int | None = None) -> int:
    """Draw and store the documents issued but not drawn yet (of one case, or all); how many were drawn."""
    query = select(IssuedForm.id).where(IssuedForm.pdf.is_(None)).order_by(IssuedForm.id)
    if case_id is not None:
        query = query.where(IssuedForm.case_id == case_id)
    with rt.session_factory() as session:
        ids = list(session.scalars(query))
    for row_id in ids:
        _drawn(rt, row_id)
    return len(ids)
