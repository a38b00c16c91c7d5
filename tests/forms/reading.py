"""Reading generated documents back as text, the way a recipient's software would."""
from __future__ import annotations

import io
import re

from docx import Document as WordDocument
from pypdf import PdfReader


def squeeze(text: str) -> str:
    """Whitespace runs (line breaks of the layout included) as one space."""
    return re.sub(r"\s+", " ", text).strip()


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return squeeze(" ".join(page.extract_text() or "" for page in reader.pages))


def docx_text(content: bytes) -> str:
    word = WordDocument(io.BytesIO(content))
    parts = [p.text for p in word.paragraphs]
    for table in word.tables:
        for row in table.rows:
            for cell in row.cells:
                parts += [p.text for p in cell.paragraphs]
    return squeeze(" ".join(parts))


def pdf_fonts(content: bytes) -> set[str]:
    """The base names of the fonts a PDF embeds (subset prefix removed)."""
    reader = PdfReader(io.BytesIO(content))
    names = set()
    for page in reader.pages:
        fonts = (page.get("/Resources") or {}).get("/Font") or {}
        for ref in fonts.values():
            font = ref.get_object()
            names.add(str(font.get("/BaseFont")).split("+")[-1])
    return names
