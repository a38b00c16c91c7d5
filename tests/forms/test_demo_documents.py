"""Every document of the demo, read back: the final one of every recorded step and the draft of every form.

The texts are extracted from the PDF (pypdf) and the Word file (python-docx) and must show the
person's name, the date in the Vietnamese long form, the number, the issuing body and, for a vote,
its figures in words.
"""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from models import Case, IssuedForm, User
from tests.forms.reading import docx_text, pdf_fonts, pdf_text
from workflows.demo import load_demo
from workflows.domain.definition import OrgFacts
from workflows.forms import bodies, words
from workflows.forms.document import DOTS
from workflows.forms.issued import draw_pending, form_file
from workflows.procedures.registry import get_procedure


# The procedures whose documents this suite knows (a procedure added later declares and tests its own).
PROCEDURES = ("admission", "probation", "strike_off", "withdrawal", "discipline", "appeal")


@pytest.fixture
def demo(runtime):
    load_demo(runtime)
    return runtime


def _issuer(facts) -> str:
    org = next(o for o in facts["chain"] if o["id"] == facts["issuer_id"])
    return bodies.issuer_name(OrgFacts(org["id"], org["name"], org["kind"], False, None)).upper()


def _expected(facts) -> list[str]:
    step = (facts["data"] or {}).get(facts["step"]) or {}
    expected = [facts["person"]["full_name"], words.long_date(date.fromisoformat(facts["date"])),
                f"Số {facts['number']}", _issuer(facts)]
    vote = step.get("vote")
    if vote and facts["kind"] == "resolution":
        expected += [f"{words.figure(vote['agree'])} đồng chí", f"{words.figure(vote['eligible'])} đồng chí"]
    return expected


def test_every_final_document_of_the_demo_reads_back_in_pdf_and_docx(demo):
    """Each issued document: PDF and DOCX text hold the name, long date, number, issuer and vote figures;
    the PDF embeds Liberation Serif and nothing else."""
    assert draw_pending(demo) > 0
    with demo.session_factory() as s:
        rows = s.scalars(select(IssuedForm).order_by(IssuedForm.id)).all()
        issued = [(r.form_id, r.facts, r.pdf, r.docx) for r in rows]
    seen = set()
    for form_id, facts, pdf, docx in issued:
        seen.add((facts["procedure"], form_id))
        for fmt, text in (("pdf", pdf_text(pdf)), ("docx", docx_text(docx))):
            missing = [piece for piece in _expected(facts) if piece not in text]
            assert missing == [], f"{form_id} ({fmt}) of case {facts['case_id']} lacks {missing}: {text[:400]}"
            assert "DỰ THẢO" not in text and DOTS not in text, f"{form_id} ({fmt}) is final but has blanks"
        assert pdf_fonts(pdf) <= {"LiberationSerif", "LiberationSerifBold", "LiberationSerifItalic"}
    # Every procedure of the demo issued documents, and the resolutions and decisions are all there.
    assert {p for p, _ in seen} >= set(PROCEDURES)
    for required in ("6-KND", "8-KND", "9-KND", "13-KND", "15-KND", "16-KND", "QD-XT", "QD-RKD", "QD-KL",
                     "QD-GQKN-HUY"):
        assert required in {f for _, f in seen}


def test_every_form_of_every_procedure_has_a_draft_marked_and_dotted(demo):
    """For a case of each procedure of the demo, every form downloads as a draft (PDF and DOCX) marked «DỰ THẢO»,
    naming the person, with dotted blanks for the number and the date."""
    with demo.session_factory() as s:
        cases = {}
        for case in s.scalars(select(Case).order_by(Case.id)):
            cases.setdefault(case.procedure, case)
        admin = s.scalar(select(User.id).where(User.is_admin))
    assert set(cases) >= set(PROCEDURES)
    for name, case in cases.items():
        for form in get_procedure(name, case.rule_set).forms:
            for fmt, read in (("pdf", pdf_text), ("docx", docx_text)):
                file = form_file(demo, actor_id=admin, case_id=case.id, form_id=form.id, fmt=fmt, draft=True)
                text = read(file.content)
                assert "DỰ THẢO" in text, f"{name} {form.id} {fmt}"
                assert "ngày …… tháng …… năm ……" in text and "Số ……-" in text, f"{name} {form.id} {fmt}"
                assert file.filename.startswith("DU-THAO_") and file.filename.isascii()
