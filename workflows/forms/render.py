"""One filled document in the format asked for, and the content types and file names it travels under."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import date, datetime, time, timezone
from typing import Any

from workflows.domain.errors import InvalidInput
from workflows.forms.fill import fill

FORMATS = ("pdf", "docx")
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise InvalidInput(f"Định dạng không hợp lệ: {fmt} (chọn pdf hoặc docx).",
                           f"Unknown format: {fmt} (pdf or docx).", {"format": "pdf|docx"})
    return fmt


def _issued_moment(facts: Mapping[str, Any]) -> datetime | None:
    """The document's own date as the file's creation date: the same facts give the same PDF."""
    on = facts.get("date")
    if not on:
        return None
    return datetime.combine(date.fromisoformat(on), time(0, 0), tzinfo=timezone.utc)


def render(facts: Mapping[str, Any], fmt: str) -> bytes:
    """The document the facts give, as PDF or DOCX bytes."""
    doc = fill(facts)
    # The writers load fpdf2, fontTools and lxml: imported on first use, not by every command and page.
    if check_format(fmt) == "pdf":
        from workflows.forms.pdf import render_pdf

        return render_pdf(doc, _issued_moment(facts))
    from workflows.forms.docx_render import render_docx

    return render_docx(doc, _issued_moment(facts))


def filename(facts: Mapping[str, Any], fmt: str) -> str:
    """ASCII file name: «9-KND_ho-so-12_Nguyen-Van-An.pdf» (a draft's starts with «DU-THAO_»)."""
    name = unicodedata.normalize("NFKD", facts["person"]["full_name"].replace("Đ", "D").replace("đ", "d"))
    name = re.sub(r"[^A-Za-z0-9]+", "-", name.encode("ascii", "ignore").decode()).strip("-")
    prefix = "DU-THAO_" if facts.get("draft") else ""
    return f"{prefix}{facts['form']}_ho-so-{facts.get('case_id')}_{name}.{fmt}"
