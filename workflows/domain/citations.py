"""Legal citations in one Vietnamese form, whatever the procedure module wrote.

Sources are quoted as the documents number them: «Điều lệ Đảng, Điều 39»,
«QĐ 22-QĐ/TW, Điều 9.7», «QĐ 24-QĐ/TW §4.3». English «art.» and a lower-case
«điều» become «Điều»; a pointer into this project's own specification
(«procedures.md §9») is no legal basis and is dropped — a reader of a case page
or a rule message sees only the party's texts.
"""
from __future__ import annotations

import re

_ART = re.compile(r",?\s*\bart\.\s*(?=\d)")
_DIEU = re.compile(r",?\s*\bđiều\s+(?=\d)")
_SPEC = re.compile(r"\s*;?\s*procedures\.md\s*§\s*[\d.]+(\s*\([^)]*\))?")


def cite(text: str) -> str:
    """The citation in its Vietnamese form (idempotent)."""
    if not text:
        return text
    found = _ART.sub(", Điều ", text)
    found = _DIEU.sub(", Điều ", found)
    found = _SPEC.sub("", found).strip(" ;,")
    return re.sub(r"\s{2,}", " ", found)
