"""Which organisation acts at each step: pure logic over a case's organisation chain.

A chain is the case's organisation and its ancestors, root first (OrgFacts).
"""
from __future__ import annotations

from collections.abc import Sequence

from workflows.domain.definition import OrgFacts
from workflows.domain.errors import InvalidInput
from workflows.domain.rulesets import RuleSet

GRASSROOTS_KINDS = ("grassroots_committee", "grassroots_cell")

# What a role is called in messages the engine writes (the web's labels translate the UI's own).
ROLE_NAMES = {
    "cell_secretary": ("bí thư chi bộ", "cell secretary"),
    "organisation_officer": ("cán bộ tổ chức", "organisation officer"),
    "committee_member": ("cấp ủy viên", "committee member"),
    "standing_committee": ("ban thường vụ", "standing committee"),
    "inspection_committee": ("ủy ban kiểm tra", "inspection commission"),
    "inspector": ("kiểm tra viên", "inspector"),
    "admin": ("quản trị hệ thống", "system administrator"),
}


def role_name(role: str, lang: str = "vi") -> str:
    names = ROLE_NAMES.get(role)
    return (names[0] if lang == "vi" else names[1]) if names else role


def grassroots_of(chain: Sequence[OrgFacts]) -> OrgFacts:
    """The case's grassroots organisation: the nearest grassroots committee or grassroots cell."""
    for org in reversed(chain):
        if org.kind in GRASSROOTS_KINDS:
            return org
    return chain[-1]


def competent_committee(chain: Sequence[OrgFacts], rule_set: RuleSet) -> OrgFacts:
    """The nearest organisation at or above the grassroots one with admission authority (§1)."""
    grassroots = grassroots_of(chain)
    above = list(chain[: chain.index(grassroots) + 1])
    for org in reversed(above):
        if org.admission_authority or org.kind in rule_set.decider_kinds:
            return org
    return chain[0]


def is_delegated(chain: Sequence[OrgFacts], rule_set: RuleSet) -> bool:
    """True when a grassroots committee holds admission authority: its full committee decides."""
    return competent_committee(chain, rule_set).kind in GRASSROOTS_KINDS


def decision_threshold(chain: Sequence[OrgFacts], rule_set: RuleSet) -> str:
    """≥ 2/3 of a delegated grassroots committee, else > 1/2 of the standing committee (§1)."""
    return "two_thirds" if is_delegated(chain, rule_set) else "half"


def has_committee_level(chain: Sequence[OrgFacts]) -> bool:
    """False for a grassroots cell: its cases skip the committee vote."""
    return grassroots_of(chain).kind != "grassroots_cell"


def superior_of_grassroots(chain: Sequence[OrgFacts]) -> OrgFacts:
    """The committee directly above the grassroots organisation (or the root)."""
    index = chain.index(grassroots_of(chain))
    return chain[index - 1] if index > 0 else chain[0]


def scope_organisation(scope: str, chain: Sequence[OrgFacts], rule_set: RuleSet) -> OrgFacts:
    """The organisation at or above which a role must be held for a scope name of definition.SCOPES."""
    if scope == "case":
        return chain[-1]
    if scope == "grassroots":
        return grassroots_of(chain)
    if scope == "superior":
        return superior_of_grassroots(chain)
    if scope == "competent":
        return competent_committee(chain, rule_set)
    if scope == "province":
        return chain[0]
    if scope.startswith("chain:") and scope[6:].isdigit():
        # A level counted from the root of the case's chain (an appeal's hearing level, issue 12): the same
        # index means the same level for every organisation of the same shape.
        return chain[min(int(scope[6:]), len(chain) - 1)]
    raise InvalidInput(f"Phạm vi không hợp lệ: {scope}", f"Unknown scope: {scope}")
