"""Draw a Document as an A4 PDF in the Party's format (HD 36-HD/VPTW), Liberation Serif embedded.

fpdf2 lays the page out in pure Python and embeds a subset of the TrueType font. Parsing a
font's metrics costs about 20 ms a face, so each face is parsed once per process and every
document gets a copy with its own fontTools object (fpdf2 subsets that object in place). The
vendored faces (fonts/, see fonts/README.md) are Liberation Serif cut down to Latin and Vietnamese
without layout tables or hinting, which makes the per-document subsetting several times faster.
"""
from __future__ import annotations

import copy
import io
import threading
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path

from fontTools import ttLib
from fpdf import FPDF
from fpdf.fonts import SubsetMap, TTFFont

from workflows.forms.document import Document

FONT_DIR = Path(__file__).with_name("fonts")
FAMILY = "LiberationSerif"
FACES = {"": "Regular", "B": "Bold", "I": "Italic"}  # the faces the documents use (each costs time to embed)

# HD 36-HD/VPTW: A4, margins top 20, bottom 20, left 30, right 15 mm; sizes in points.
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = 20, 20, 30, 15
HEADER_LEFT_WIDTH = 80  # the issuing body's column
LINE = 7.0  # mm between lines of 14-point text (about 1.4 lines)

_lock = threading.Lock()


@lru_cache(maxsize=None)
def font_bytes(style: str) -> bytes:
    return (FONT_DIR / f"{FAMILY}-{FACES[style]}.ttf").read_bytes()


@lru_cache(maxsize=None)
def _prototype(style: str) -> TTFFont:
    holder = FPDF()
    holder.add_font(FAMILY, style, str(FONT_DIR / f"{FAMILY}-{FACES[style]}.ttf"))
    return holder.fonts[f"{FAMILY.lower()}{style}"]


def _fresh_font(pdf: FPDF, style: str) -> None:
    """Give the document its own copy of a parsed face (metrics shared, subset and fontTools object its own)."""
    with _lock:
        proto = _prototype(style)
    font = copy.copy(proto)
    font.i = len(pdf.fonts) + 1
    font.ttfont = ttLib.TTFont(io.BytesIO(font_bytes(style)), recalcTimestamp=False, lazy=True)
    font.missing_glyphs = []
    font.biggest_size_pt = 0
    font.subset = SubsetMap(font)
    pdf.fonts[f"{FAMILY.lower()}{style}"] = font


class PartyPdf(FPDF):
    """An A4 page with the margins of HD 36-HD/VPTW and page numbers from page 2 on."""

    def footer(self) -> None:
        if self.page_no() > 1:
            self.set_y(-15)
            self.set_font(FAMILY, "", 12)
            self.cell(0, 6, str(self.page_no()), align="C")


def new_pdf(issued: datetime | None = None) -> PartyPdf:
    pdf = PartyPdf(format="A4", unit="mm")
    pdf.set_margins(MARGIN_LEFT, MARGIN_TOP, MARGIN_RIGHT)
    pdf.set_auto_page_break(True, MARGIN_BOTTOM)
    for style in FACES:
        _fresh_font(pdf, style)
    # A fixed creation date makes the same document give the same bytes.
    pdf.set_creation_date(issued or datetime(2000, 1, 1, tzinfo=timezone.utc))
    pdf.set_producer("quytrinh")
    return pdf


def missing_glyphs(pdf: FPDF) -> list[str]:
    """Characters a document used that its fonts do not have (a test fails on any)."""
    return sorted({chr(c) for font in pdf.fonts.values() for c in getattr(font, "missing_glyphs", [])})


def draw(pdf: FPDF, doc: Document) -> None:
    """Draw one document starting on a new page."""
    pdf.add_page()
    width = pdf.w - MARGIN_LEFT - MARGIN_RIGHT
    right_x = MARGIN_LEFT + HEADER_LEFT_WIDTH
    right_w = width - HEADER_LEFT_WIDTH
    top = pdf.get_y()
    if doc.draft:
        pdf.set_font(FAMILY, "B", 14)
        pdf.set_xy(MARGIN_LEFT, top - 8)
        pdf.cell(30, 6, "DỰ THẢO", border=1, align="C")
        pdf.set_xy(MARGIN_LEFT, top)
    # Top left: the body above (upright), the issuing body (bold), «*», the number.
    pdf.set_x(MARGIN_LEFT)
    if doc.issuer_parent:
        pdf.set_font(FAMILY, "", 14)
        pdf.multi_cell(HEADER_LEFT_WIDTH, 6.5, doc.issuer_parent.upper(), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "B", 14)
    pdf.multi_cell(HEADER_LEFT_WIDTH, 6.5, doc.issuer.upper(), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "", 14)
    pdf.cell(HEADER_LEFT_WIDTH, 6.5, "*", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(HEADER_LEFT_WIDTH, 6.5, doc.number, align="C", new_x="LMARGIN", new_y="NEXT")
    left_bottom = pdf.get_y()
    # Top right: the Party's name, a rule as long as it, the place and date in italics.
    pdf.set_xy(right_x, top)
    pdf.set_font(FAMILY, "B", 15)
    pdf.cell(right_w, 6.5, "ĐẢNG CỘNG SẢN VIỆT NAM", align="C", new_x="LEFT", new_y="NEXT")
    rule = pdf.get_string_width("ĐẢNG CỘNG SẢN VIỆT NAM")
    y = pdf.get_y() + 0.5
    pdf.line(right_x + (right_w - rule) / 2, y, right_x + (right_w + rule) / 2, y)
    pdf.set_xy(right_x, y + 4.5)
    pdf.set_font(FAMILY, "I", 14)
    pdf.multi_cell(right_w, 6.5, doc.place_date, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(max(left_bottom, pdf.get_y()) + 6)
    # The kind of document and its subject, centred.
    pdf.set_font(FAMILY, "B", 16)
    pdf.multi_cell(width, 8, doc.title.upper(), align="C", new_x="LMARGIN", new_y="NEXT")
    if doc.subject:
        pdf.set_font(FAMILY, "B", 14)
        pdf.multi_cell(width, LINE, doc.subject, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "", 14)
    pdf.cell(width, 5, "-----", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    for block in doc.blocks:
        _block(pdf, block.kind, block.text, width)
    _signature(pdf, doc, width)


def _block(pdf: FPDF, kind: str, text: str, width: float) -> None:
    if kind in ("preamble", "heading"):
        pdf.ln(2)
        pdf.set_font(FAMILY, "B", 14)
        pdf.multi_cell(width, LINE, text, align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
        return
    style = "I" if kind == "note" else ""
    pdf.set_font(FAMILY, style, 14)
    indent = 10 if kind in ("basis", "para", "note") else 5
    # Justified, with a first-line indent that justification does not stretch.
    with pdf.text_columns(text_align="J", line_height=LINE / (14 * 0.3528)) as columns:
        with columns.paragraph(first_line_indent=indent) as paragraph:
            paragraph.write(text)


def _signature(pdf: FPDF, doc: Document, width: float) -> None:
    pdf.ln(4)
    if pdf.get_y() > pdf.h - MARGIN_BOTTOM - 45:
        pdf.add_page()
    top = pdf.get_y()
    left_w = width * 0.5
    # Recipients at the left: «Nơi nhận:» underlined (14), the list in 12.
    pdf.set_font(FAMILY, "", 14)
    pdf.cell(left_w, 6, "Nơi nhận:", new_x="LMARGIN", new_y="NEXT")
    underline = pdf.get_string_width("Nơi nhận:")
    pdf.line(MARGIN_LEFT, pdf.get_y() - 0.8, MARGIN_LEFT + underline, pdf.get_y() - 0.8)
    pdf.set_font(FAMILY, "", 12)
    for recipient in doc.recipients:
        pdf.multi_cell(left_w, 5.5, f"- {recipient}", new_x="LMARGIN", new_y="NEXT")
    bottom = pdf.get_y()
    # Signature at the right: on behalf of, the role, room to sign, the name.
    x = MARGIN_LEFT + left_w
    pdf.set_xy(x, top)
    pdf.set_font(FAMILY, "B", 14)
    for line in (doc.sign_on_behalf, doc.sign_role):
        if line:
            pdf.set_x(x)
            pdf.multi_cell(width - left_w, 6.5, line, align="C", new_x="LEFT", new_y="NEXT")
    pdf.ln(22)
    if doc.signer:
        pdf.set_x(x)
        pdf.multi_cell(width - left_w, 6.5, doc.signer, align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_y(max(bottom, pdf.get_y()))


def render_pdf(doc: Document, issued: datetime | None = None) -> bytes:
    """One document as PDF bytes."""
    pdf = new_pdf(issued)
    draw(pdf, doc)
    return bytes(pdf.output())
