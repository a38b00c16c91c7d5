"""The structured document both formats are drawn from: the Party's frame (HD 36-HD/VPTW) and the body.

A form's template fills the body (title, subject, the «Căn cứ» lines, paragraphs, signature,
recipients); the frame — issuing body and «*» with the number at top left, «ĐẢNG CỘNG SẢN VIỆT NAM»
with the place and date at top right — is the same for every form and drawn by pdf.py and docx.py.
"""
from __future__ import annotations

from dataclasses import dataclass, field

DOTS = "……………"  # a dotted blank: what a draft does not know yet

# Kinds of body block, in the order a template may use them.
BLOCK_KINDS = ("basis", "preamble", "heading", "para", "item", "note")


@dataclass(frozen=True)
class Block:
    kind: str  # one of BLOCK_KINDS
    text: str


@dataclass
class Document:
    """One filled form, ready to be drawn as PDF or DOCX."""

    form_id: str
    draft: bool
    issuer_parent: str  # the body above the issuer (upright capitals), may be empty
    issuer: str  # the issuing body (bold capitals)
    number: str  # «Số 12-QĐ/ĐU»
    place_date: str  # «Tân Phú, ngày 05 tháng 12 năm 2026»
    title: str  # QUYẾT ĐỊNH, NGHỊ QUYẾT, ...
    subject: str = ""
    blocks: list[Block] = field(default_factory=list)
    sign_on_behalf: str = ""  # T/M BAN THƯỜNG VỤ
    sign_role: str = ""  # BÍ THƯ
    signer: str = ""
    recipients: list[str] = field(default_factory=list)

    def text_lines(self) -> list[str]:
        """Every line of text the document shows, in reading order (what the font must cover)."""
        lines = ["DỰ THẢO"] if self.draft else []
        lines += [self.issuer_parent, self.issuer, "*", self.number, "ĐẢNG CỘNG SẢN VIỆT NAM", self.place_date,
                  self.title, self.subject]
        lines += [b.text for b in self.blocks]
        lines += [self.sign_on_behalf, self.sign_role, self.signer, "Nơi nhận:"]
        lines += [f"- {r}" for r in self.recipients]
        return [line for line in lines if line]
