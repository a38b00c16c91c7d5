"""Draw a Document as a Word file (what offices exchange), in the Party's format (HD 36-HD/VPTW).

python-docx writes the same frame as pdf.py: a borderless two-column table for the header
(issuing body, «*», number | ĐẢNG CỘNG SẢN VIỆT NAM, place and date), the body paragraphs, and a
two-column table for «Nơi nhận» and the signature. The face is named "Times New Roman", the face
offices have; LibreOffice shows it with Liberation Serif, metric-compatible.
"""
from __future__ import annotations

import io
from datetime import datetime

from docx import Document as WordDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from workflows.forms.document import Document

FACE = "Times New Roman"
CENTER, JUSTIFY, LEFT = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.JUSTIFY, WD_ALIGN_PARAGRAPH.LEFT


def _setup(word) -> None:
    section = word.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    normal = word.styles["Normal"]
    normal.font.name = FACE
    normal.font.size = Pt(14)
    fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FACE)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.space_before = Pt(0)


def _para(container, text: str, *, size: float = 14, bold: bool = False, italic: bool = False,
          underline: bool = False, align=LEFT, indent_mm: float = 0, after: float = 0):
    paragraph = container.add_paragraph()
    paragraph.alignment = align
    fmt = paragraph.paragraph_format
    fmt.space_after = Pt(after)
    if indent_mm:
        fmt.first_line_indent = Mm(indent_mm)
    run = paragraph.add_run(text)
    run.font.size, run.bold, run.italic, run.underline = Pt(size), bold, italic, underline
    return paragraph


def _cell(table, row: int, col: int):
    cell = table.cell(row, col)
    cell.paragraphs[0]._element.getparent().remove(cell.paragraphs[0]._element)  # start empty
    return cell


def _table(word, widths_mm: tuple[float, float]):
    table = word.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for col, width in enumerate(widths_mm):
        table.columns[col].width = Mm(width)
        table.cell(0, col).width = Mm(width)
    return table


def draw(word, doc: Document) -> None:
    if doc.draft:
        _para(word, "DỰ THẢO", bold=True)
    header = _table(word, (80, 85))
    left, right = _cell(header, 0, 0), _cell(header, 0, 1)
    if doc.issuer_parent:
        _para(left, doc.issuer_parent.upper(), align=CENTER)
    _para(left, doc.issuer.upper(), bold=True, align=CENTER)
    _para(left, "*", align=CENTER)
    _para(left, doc.number, align=CENTER)
    _para(right, "ĐẢNG CỘNG SẢN VIỆT NAM", size=15, bold=True, underline=True, align=CENTER, after=6)
    _para(right, doc.place_date, italic=True, align=CENTER)
    _para(word, "", after=6)
    _para(word, doc.title.upper(), size=16, bold=True, align=CENTER)
    if doc.subject:
        _para(word, doc.subject, bold=True, align=CENTER)
    _para(word, "-----", align=CENTER, after=6)
    for block in doc.blocks:
        if block.kind in ("preamble", "heading"):
            _para(word, block.text, bold=True, align=CENTER, after=3)
        else:
            _para(word, block.text, italic=block.kind == "note", align=JUSTIFY,
                  indent_mm=10 if block.kind != "item" else 5, after=3)
    _para(word, "")
    footer = _table(word, (82, 83))
    recipients, signature = _cell(footer, 0, 0), _cell(footer, 0, 1)
    _para(recipients, "Nơi nhận:", underline=True)
    for recipient in doc.recipients:
        _para(recipients, f"- {recipient}", size=12)
    for line in (doc.sign_on_behalf, doc.sign_role):
        if line:
            _para(signature, line, bold=True, align=CENTER)
    for _ in range(3):
        _para(signature, "", align=CENTER)
    if doc.signer:
        _para(signature, doc.signer, bold=True, align=CENTER)


def render_docx(doc: Document, issued: datetime | None = None) -> bytes:
    """One document as the bytes of a .docx file."""
    word = WordDocument()
    _setup(word)
    draw(word, doc)
    props = word.core_properties
    props.title, props.author, props.comments = doc.title, "quytrinh", doc.form_id
    if issued is not None:  # the same document gives the same bytes
        props.created = props.modified = issued.replace(tzinfo=None)
    props.last_modified_by = "quytrinh"
    props.revision = 1
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()
