"""Fill a form's template from its facts: the structured Document both formats draw.

The facts are the JSON snapshot of workflows/domain/forms.snapshot (the person, the organisation
chain, what the case's steps recorded, the number and the date). Anything a draft does not know
yet prints as a dotted blank: the templates' undefined values are dots.

A template is a text file of tagged lines (docs/forms.md): `title:`, `subject:`, `basis:`,
`preamble:`, `heading:`, `para:`, `item:`, `note:`, `sign:`, `role:`, `to:`.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import ChainableUndefined, Environment, FileSystemLoader, Undefined

from workflows.domain import organisations as orgs
from workflows.domain.definition import OrgFacts
from workflows.domain.forms import BODY_SYMBOLS, KIND_SYMBOLS
from workflows.domain.rulesets import RULE_SETS
from workflows.forms import bodies, words
from workflows.forms.basis import basis_lines
from workflows.forms.document import BLOCK_KINDS, DOTS, Block, Document

TEMPLATE_DIR = Path(__file__).with_name("templates")
_LINE = re.compile(r"^(title|subject|sign|role|to|" + "|".join(BLOCK_KINDS) + r"):\s?(.*)$")
BLANK_DATE = "ngày …… tháng …… năm ……"


class Dotted(ChainableUndefined):
    """An unknown value in a draft: prints as a dotted blank, and so does anything read from it."""

    def __str__(self) -> str:
        return DOTS


def known(value: Any) -> bool:
    return value is not None and value != "" and not isinstance(value, Undefined)


def _long_date(value: Any) -> str:
    """«ngày 05 tháng 12 năm 2026» from an ISO date; dotted when unknown."""
    if not known(value):
        return BLANK_DATE
    return words.long_date(value if isinstance(value, date) else date.fromisoformat(str(value)[:10]))


def _figure(value: Any) -> str:
    """«7 (bảy)»; dotted when unknown."""
    return words.figure(int(value)) if known(value) else DOTS


def _percent(part: Any, whole: Any) -> str:
    return words.percent(int(part), int(whole)) if known(part) and known(whole) else "……%"


def _or_dots(value: Any) -> str:
    return str(value) if known(value) else DOTS


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATE_DIR)), undefined=Dotted, autoescape=False,
                      trim_blocks=True, lstrip_blocks=True)
    env.filters.update(long_date=_long_date, fig=_figure, dots=_or_dots)
    env.globals.update(percent=_percent, known=known)
    return env


def _chain(facts: Mapping[str, Any]) -> list[OrgFacts]:
    return [OrgFacts(o["id"], o["name"], o["kind"], bool(o.get("admission_authority")), o.get("parent_id"))
            for o in facts["chain"]]


def _body(org: OrgFacts) -> dict[str, Any]:
    return {"id": org.id, "name": org.name, "kind": org.kind, "issuer_name": bodies.issuer_name(org),
            "decider_name": bodies.decider_name(org)}


def fill(facts: Mapping[str, Any]) -> Document:
    """The Document a snapshot of facts gives through its form's template."""
    chain = _chain(facts)
    rule_set = RULE_SETS[facts["rule_set"]]
    issuer = next(o for o in chain if o.id == facts["issuer_id"])
    index = chain.index(issuer)
    draft = bool(facts.get("draft"))
    data = facts.get("data") or {}
    number = facts.get("number")
    number_line = f"Số {number}" if number else \
        f"Số ……-{KIND_SYMBOLS[facts['kind']]}/{BODY_SYMBOLS.get(issuer.kind, 'ĐU')}"
    context: dict[str, Any] = {
        "p": facts["person"], "c": data, "issuer": _body(issuer), "cell": _body(chain[-1]),
        "grassroots": _body(orgs.grassroots_of(chain)), "competent": _body(orgs.competent_committee(chain, rule_set)),
        "names": facts.get("names") or {}, "basis": basis_lines(facts["rule_set"], facts["procedure"]),
        "on": facts.get("date"), "draft": draft, "step": facts["step"], "number": number_line,
        # The grassroots organisation and the cell, once when they are one (a grassroots cell).
        "units": ", ".join(dict.fromkeys((orgs.grassroots_of(chain).name, chain[-1].name))),
    }
    if not draft:  # a draft's step data and outcome stay undefined: dotted blanks
        context["d"] = data.get(facts["step"]) or {}
        context["outcome"] = facts.get("outcome")
    text = environment().get_template(f"{facts['template']}.txt").render(**context)
    sign_on_behalf, sign_role = bodies.signature(issuer, facts["kind"])
    title = {"resolution": "NGHỊ QUYẾT", "decision": "QUYẾT ĐỊNH", "notice": "THÔNG BÁO",
             "letter": "GIẤY GIỚI THIỆU"}[facts["kind"]]
    doc = Document(
        form_id=facts["form"], draft=draft, issuer_parent=bodies.party_name(chain[index - 1]) if index else "",
        issuer=bodies.issuer_name(issuer), number=number_line,
        place_date=f"{bodies.place_of(chain, issuer)}, {_long_date(facts.get('date'))}", title=title,
        sign_on_behalf=sign_on_behalf, sign_role=sign_role,
    )
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        match = _LINE.match(line)
        if match is None:
            raise ValueError(f"{facts['template']}: a line without a known tag: {line!r}")
        tag, value = match.groups()
        if tag == "title":
            doc.title = value
        elif tag == "subject":
            doc.subject = value
        elif tag == "sign":
            doc.sign_on_behalf = value
        elif tag == "role":
            doc.sign_role = value
        elif tag == "to":
            if value not in doc.recipients:  # a grassroots cell is both the cell and the grassroots body
                doc.recipients.append(value)
        else:
            doc.blocks.append(Block(tag, value))
    return doc
