"""A person's dossier: every final document of their cases in one PDF, in order, with a table of contents.

The documents are drawn again from the facts stored when each was issued (the same template
version, so the same text as the issued PDF), one after the other in one file: the font is
embedded once, so a dossier of a hundred documents stays small. Only the cases the reader may
see are included.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from sqlalchemy import select

from models import Case, IssuedForm, Organisation, Person, write_transaction
from workflows.domain.errors import NotFound
from workflows.engine.access import load_actor, require_visible
from workflows.engine.audit import record_audit
from workflows.engine.runtime import Runtime
from workflows.forms.fill import fill
from workflows.forms.issued import FormFile
from workflows.forms.render import CONTENT_TYPES

# Entries of the table of contents on its first page (under the heading) and on each further page: the
# contents' page count must be known before the documents are drawn.
TOC_FIRST_PAGE, TOC_PER_PAGE = 25, 33


def _toc_entry(facts: Mapping[str, Any]) -> str:
    """«Quyết định kết nạp đảng viên — số 1-QĐ/ĐU, 26-10-2026»."""
    parts = [facts["title"]]
    if facts.get("number"):
        parts.append(f"số {facts['number']}")
    if facts.get("date"):
        on = date.fromisoformat(facts["date"])
        parts.append(f"{on.day:02d}-{on.month:02d}-{on.year}")
    return " — ".join(parts[:1]) + (" — " + ", ".join(parts[1:]) if len(parts) > 1 else "")


def draw_dossier(full_name: str, documents: Iterable[Mapping[str, Any]]) -> bytes:
    """One PDF: a table of contents, then each document (facts) from a new page."""
    from workflows.forms.pdf import FAMILY, MARGIN_LEFT, MARGIN_RIGHT, draw, new_pdf  # fpdf2: loaded when used

    documents = list(documents)
    pdf = new_pdf()

    def contents(pdf, outline) -> None:
        width = pdf.w - MARGIN_LEFT - MARGIN_RIGHT
        pdf.set_font(FAMILY, "B", 16)
        pdf.multi_cell(width, 9, "HỒ SƠ VĂN BẢN CỦA ĐẢNG VIÊN", align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FAMILY, "B", 14)
        pdf.multi_cell(width, 8, full_name, align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(4)
        pdf.set_font(FAMILY, "B", 14)
        pdf.cell(width, 8, "MỤC LỤC", align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FAMILY, "", 12)
        for index, section in enumerate(outline, start=1):
            if index > TOC_FIRST_PAGE and (index - TOC_FIRST_PAGE - 1) % TOC_PER_PAGE == 0:
                pdf.add_page()
            link = pdf.add_link(page=section.page_number)
            label = f"{index}. {section.name}"
            while pdf.get_string_width(label) > width - 18:  # one line per document
                label = label[:-2] + "…"
            pdf.cell(width - 15, 7, label, link=link)
            pdf.cell(15, 7, str(section.page_number), align="R", new_x="LMARGIN", new_y="NEXT")

    pdf.add_page()
    pages = 1 + (max(0, len(documents) - TOC_FIRST_PAGE) + TOC_PER_PAGE - 1) // TOC_PER_PAGE
    pdf.insert_toc_placeholder(contents, pages=pages, reset_page_indices=False)
    for facts in documents:
        pdf.start_section(_toc_entry(facts))
        draw(pdf, fill(facts))
    return bytes(pdf.output())


def person_dossier(rt: Runtime, *, actor_id: int, person_id: int, remote_addr: str | None = None) -> FormFile:
    """The dossier of a person the reader may see, with the documents of the cases the reader may see."""
    with write_transaction(rt.session_factory) as session:
        actor = load_actor(session, actor_id)
        person = session.get(Person, person_id)
        if person is None:
            raise NotFound("người", person_id)
        path = session.scalar(select(Organisation.path).where(Organisation.id == person.organisation_id))
        require_visible(actor, path, "người", person_id)
        rows = session.execute(
            select(IssuedForm.facts, Case.organisation_path).join(Case, Case.id == IssuedForm.case_id)
            .where(IssuedForm.person_id == person_id)
            .order_by(IssuedForm.issued_on, IssuedForm.case_id, IssuedForm.seq, IssuedForm.id)
        ).all()
        documents = [facts for facts, case_path in rows if actor.can_see(case_path)]
        full_name = person.full_name
        record_audit(session, at=rt.clock.now(), user_id=actor.id, action="person.dossier", object_type="person",
                     object_id=person_id, remote_addr=remote_addr, detail=f"{len(documents)} documents")
    content = draw_dossier(full_name, documents)
    return FormFile(content, f"ho-so-van-ban_{person_id}.pdf", CONTENT_TYPES["pdf"])
