"""Every legal basis a page or an error shows is cited one way, in Vietnamese, and only from party texts."""
from __future__ import annotations

import re

from workflows.domain.citations import cite
from workflows.domain.rulesets import RULE_SETS
from workflows.procedures.registry import get_procedure, procedure_names

BAD = re.compile(r"\bart\.|\bđiều\s+\d|procedures\.md")


def _citations():
    for rule_set in RULE_SETS:
        for name in procedure_names():
            definition = get_procedure(name, rule_set)
            yield f"{name}", definition.legal_basis
            for step in (definition.open_step, *definition.steps):
                yield f"{name}.{step.trigger}", step.legal_basis
                for rule in step.rules:
                    yield f"{name}.{step.trigger}.{rule.id}", rule.source
                for spec in step.opens:
                    yield f"{name}.{spec.kind}", spec.legal_basis


def test_no_english_article_nor_pointer_into_the_specification():
    """No «art.», no lower-case «điều N», no «procedures.md §N» in any rule source or legal basis of any rule set."""
    assert [(where, text) for where, text in _citations() if BAD.search(text or "")] == []


def test_citations_read_as_the_documents_number_them():
    """«Điều lệ Đảng art. 39; procedures.md §9» is cited «Điều lệ Đảng, Điều 39»; the form is stable."""
    assert cite("Điều lệ Đảng art. 39; QĐ 24-QĐ/TW §8; procedures.md §9") == "Điều lệ Đảng, Điều 39; QĐ 24-QĐ/TW §8"
    assert cite("Điều lệ Đảng 2011, điều 4.3") == "Điều lệ Đảng 2011, Điều 4.3"
    assert cite(cite("QĐ 22-QĐ/TW art. 9.7")) == "QĐ 22-QĐ/TW, Điều 9.7"
