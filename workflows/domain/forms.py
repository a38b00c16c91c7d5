"""The official documents a procedure produces, declared next to its steps (issue 15).

A form names the step that records it (its trigger), the template it is filled from, the body
that issues it and its kind. Declaring one is one line in the procedure module:

    FormSpec("9-KND", "Quyết định kết nạp đảng viên", "decide_admission", issuer="competent")

Ids are ASCII (api.md «Additions»): the numbered forms of HD 12-HD/BTCTW keep their number
("9-KNĐ" is "9-KND"); the others are named by their kind and subject ("QD-XT": quyết định xóa tên).
"""
from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from workflows.domain import organisations as orgs
from workflows.domain.definition import SCOPES, OrgFacts, PersonFacts
from workflows.domain.rulesets import RuleSet

# resolution: nghị quyết (NQ); decision: quyết định (QĐ); notice: thông báo (TB); letter: giấy giới thiệu (GT)
KINDS = ("resolution", "decision", "notice", "letter")
# The scopes of definition.SCOPES, and the committee above the competent one (revocations, appeals).
ISSUERS = (*SCOPES, "above_competent")


@dataclass(frozen=True)
class FormSpec:
    id: str
    title: str
    step: str  # the trigger that records it
    issuer: str | Callable[[Mapping[str, Any]], str] = "competent"  # a scope, or one chosen from the step's data
    kind: str = "decision"
    template: str = ""  # "<id>.v<version>": a new version is a new file, old documents keep theirs

    def __post_init__(self) -> None:
        if not self.id.isascii() or not self.id:
            raise ValueError(f"form id must be ASCII: {self.id!r}")
        if self.kind not in KINDS:
            raise ValueError(f"{self.id}: unknown kind {self.kind}")
        if isinstance(self.issuer, str) and self.issuer not in ISSUERS:
            raise ValueError(f"{self.id}: unknown issuer scope {self.issuer}")
        if not self.template:
            object.__setattr__(self, "template", f"{self.id}.v1")

    def issuer_scope(self, data: Mapping[str, Any]) -> str:
        return self.issuer(data) if callable(self.issuer) else self.issuer


def issuing_body(form: FormSpec, chain: Sequence[OrgFacts], rule_set: RuleSet,
                 data: Mapping[str, Any] | None = None) -> OrgFacts:
    """The organisation that issues a form, from the case's organisation chain (root first)."""
    scope = form.issuer_scope(data or {})
    if scope == "above_competent":
        # As decisions.above_competent_scope: above a delegated grassroots committee stands its superior.
        scope = "superior" if orgs.is_delegated(chain, rule_set) else "province"
    return orgs.scope_organisation(scope, chain, rule_set)


# ---------------------------------------------------------------- numbers (HD 36-HD/VPTW §II.1.3)

# The symbol of each kind of document and of each kind of issuing body: «12-QĐ/ĐU», «3-NQ/CB».
KIND_SYMBOLS = {"resolution": "NQ", "decision": "QĐ", "notice": "TB", "letter": "GT"}
BODY_SYMBOLS = {
    "province_committee": "TU", "district_committee": "HU", "grassroots_committee": "ĐU",
    "partial_committee": "ĐUBP", "grassroots_cell": "CB", "cell": "CB",
}
_LEADING_NUMBER = re.compile(r"^\s*(\d{1,9})(?!\d)")


def number_label(number: int, kind: str, issuer: OrgFacts) -> str:
    """«12-QĐ/ĐU»: the number, the kind's symbol and the issuing body's."""
    return f"{number}-{KIND_SYMBOLS[kind]}/{BODY_SYMBOLS.get(issuer.kind, 'ĐU')}"


def leading_number(label: str) -> int | None:
    """The register's number in a number written by hand («12-QĐ/ĐU» → 12); None when it starts with none."""
    match = _LEADING_NUMBER.match(label or "")
    return int(match.group(1)) if match else None


# ---------------------------------------------------------------- the facts a document is filled from


def snapshot(form: FormSpec, *, procedure: str, rule_set: str, chain: Sequence[OrgFacts], issuer: OrgFacts,
             person: PersonFacts, case_id: int | None, case_data: Mapping[str, Any], number: str | None,
             on: date | None, outcome: str | None, names: Mapping[str, str], draft: bool) -> dict[str, Any]:
    """The JSON facts a form is filled from. A final document's are stored, their sha256 in the event."""
    return {
        "form": form.id, "title": form.title, "kind": form.kind, "template": form.template, "step": form.step,
        "procedure": procedure, "rule_set": rule_set, "case_id": case_id, "draft": draft, "outcome": outcome,
        "chain": [{"id": o.id, "name": o.name, "kind": o.kind, "admission_authority": o.admission_authority,
                   "parent_id": o.parent_id} for o in chain],
        "issuer_id": issuer.id, "number": number, "date": on.isoformat() if on else None,
        "person": {"id": person.id, "full_name": person.full_name, "birth_date": person.birth_date.isoformat(),
                   "gender": person.gender,
                   "joined_on": person.joined_on.isoformat() if person.joined_on else None,
                   "official_on": person.official_on.isoformat() if person.official_on else None},
        # The case's data as stored (each step's JSON form): no conversion needed.
        "data": dict(case_data), "names": dict(names),
    }


def digest(facts: Mapping[str, Any]) -> str:
    """sha256 of the facts' canonical JSON (what the event records for a final document)."""
    canonical = json.dumps(facts, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
