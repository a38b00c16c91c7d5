"""The embedded face covers every character the documents use (a missing glyph would print as a box)."""
from __future__ import annotations

import dataclasses

import pytest
from fontTools.ttLib import TTFont
from sqlalchemy import select

from models import Case, IssuedForm
from workflows.demo import load_demo
from workflows.forms.fill import fill
from workflows.forms.issued import draft_facts
from workflows.forms.pdf import FACES, FAMILY, FONT_DIR, draw, missing_glyphs, new_pdf
from workflows.procedures.registry import get_procedure

VIETNAMESE = ("ÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬĐÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴ"
              "àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ«»…–—")


def _cmaps() -> dict[str, set[int]]:
    return {face: set(TTFont(FONT_DIR / f"{FAMILY}-{name}.ttf").getBestCmap()) for face, name in FACES.items()}


def test_each_face_covers_the_whole_vietnamese_alphabet():
    """Regular, bold and italic have every Vietnamese letter (both cases), the guillemets and the ellipsis."""
    for face, cmap in _cmaps().items():
        assert [c for c in VIETNAMESE if ord(c) not in cmap] == [], face


@pytest.fixture
def documents(runtime):
    """Every final document of the demo and a draft of every form of a case of each procedure."""
    load_demo(runtime)
    with runtime.session_factory() as s:
        docs = [fill(facts) for facts in s.scalars(select(IssuedForm.facts))]
        seen = set()
        for case in s.scalars(select(Case).order_by(Case.id)):
            if case.procedure in seen:
                continue
            seen.add(case.procedure)
            docs += [fill(draft_facts(s, case, form)) for form in get_procedure(case.procedure, case.rule_set).forms]
    return docs


def test_no_character_of_any_generated_document_is_missing_from_the_font(documents):
    """Every character of every demo document (finals and drafts) is in the embedded face."""
    cmap = set.intersection(*_cmaps().values())
    missing = {c for doc in documents for line in doc.text_lines() for c in line if ord(c) not in cmap}
    assert missing == set()
    pdf = new_pdf()
    for doc in documents[:20]:
        draw(pdf, doc)
    pdf.output()
    assert missing_glyphs(pdf) == []


def test_a_character_outside_the_font_is_caught(documents):
    """The check works: a name with a character the face lacks is reported by the PDF writer."""
    doc = dataclasses.replace(documents[0], issuer="Chi bộ 漢")
    pdf = new_pdf()
    draw(pdf, doc)
    pdf.output()
    assert missing_glyphs(pdf) == ["漢"]
