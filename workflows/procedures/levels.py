"""Levels of the organisation tree that decide and that hear appeals (Điều lệ art. 36, 39; QĐ 22 art. 22; QĐ 24 §8).

A level is an index into the case's chain (0 = the root, the province). A discipline decision records the
body that took it (`decided_by`); the appeal against it is heard by the level directly above that body —
a cell's decision by its grassroots organisation, a grassroots decision by the superior committee, the
superior's by the level above it, the province's by the central bodies (outside this system's tree; their
decision is recorded by the province). An appeal decision may be appealed again, one level up each time,
until the central level, which is final.
"""
from __future__ import annotations

from collections.abc import Sequence

from workflows.domain import organisations as orgs
from workflows.domain.definition import Authority, OrgFacts
from workflows.domain.rulesets import RuleSet

# Who took a discipline decision (decide_discipline's `decided_by`).
DECIDED_BY = ("cell", "grassroots_committee", "grassroots_inspection", "superior_committee", "superior_inspection")
CENTRAL = None  # the hearing level above the root of the tree


def decider_index(chain: Sequence[OrgFacts], decided_by: str) -> int:
    """The chain index of the organisation whose body took the decision."""
    if decided_by == "cell":
        return len(chain) - 1
    grassroots = chain.index(orgs.grassroots_of(chain))
    if decided_by.startswith("grassroots"):
        return grassroots
    return max(grassroots - 1, 0)  # superior_*: the committee directly above the grassroots organisation


def competent_index(chain: Sequence[OrgFacts], rule_set: RuleSet) -> int:
    """The chain index of the competent committee (strike-off, probation strike-off decisions)."""
    return chain.index(orgs.competent_committee(chain, rule_set))


def level_above(chain: Sequence[OrgFacts], index: int | None) -> int | None:
    """The level that hears an appeal against a decision taken at `index` (None: the central level).

    Above a cell (or a partial committee) stands its grassroots organisation: a cell's decision is heard by
    the grassroots committee or its inspection commission, never skipped.
    """
    if index is None:
        return CENTRAL
    if chain[index].kind in ("cell", "partial_committee"):
        grassroots = chain.index(orgs.grassroots_of(chain))
        if grassroots < index:
            return grassroots
    return index - 1 if index > 0 else CENTRAL


def hearing_scope(index: int | None) -> str:
    """The authority scope of a hearing level (the central level is recorded by the province)."""
    return "province" if index is None else f"chain:{index}"


def hearing_authorities(index: int | None, *, inspection: bool) -> tuple[Authority, ...]:
    """The bodies of a hearing level: its standing committee, and its inspection commission when `inspection`.

    A strike-off is appealed "với cấp ủy cấp trên" (QĐ 24 §8): committees only. A discipline decision "với cấp
    uỷ hoặc uỷ ban kiểm tra cấp trên" (Điều lệ art. 39.7).
    """
    scope = hearing_scope(index)
    committee = Authority("standing_committee", scope)
    return (Authority("inspection_committee", scope), committee) if inspection else (committee,)


# ---------------------------------------------------------------- who may take which discipline decision

BODY_AUTHORITY = {
    "cell": Authority("cell_secretary", "case"),
    "grassroots_committee": Authority("standing_committee", "grassroots"),
    "grassroots_inspection": Authority("inspection_committee", "grassroots"),
    "superior_committee": Authority("standing_committee", "superior"),
    "superior_inspection": Authority("inspection_committee", "superior"),
}
# The forms each body may decide besides expulsion (expulsion has its own rule: `expulsion_competence`).
FORMS_BY_BODY = {
    "cell": ("reprimand", "warning"),
    "grassroots_committee": ("reprimand", "warning", "removal_from_post"),
    "grassroots_inspection": ("reprimand", "warning"),
    "superior_committee": ("reprimand", "warning", "removal_from_post"),
    "superior_inspection": ("reprimand", "warning", "removal_from_post"),
}
SOURCE_COMPETENCE = (
    "Điều lệ Đảng art. 36.1: «Chi bộ quyết định khiển trách, cảnh cáo đảng viên trong chi bộ (kể cả cấp ủy viên các "
    "cấp, đảng viên thuộc diện cấp ủy cấp trên quản lý) ...»; art. 36.2 (đảng ủy cơ sở: khiển trách, cảnh cáo đảng "
    "viên trong đảng bộ; cách chức cấp ủy viên cấp dưới)"
)
SOURCE_EXPULSION = (
    "Điều lệ Đảng art. 36.2: đảng ủy cơ sở được ủy quyền quyết định kết nạp đảng viên thì được quyết định khai trừ "
    "đảng viên, nhưng không phải là cấp ủy viên cùng cấp, đảng viên thuộc diện cấp ủy cấp trên quản lý; art. 36.4: "
    "ủy ban kiểm tra từ cấp huyện (và tương đương; 2025: cấp trên trực tiếp của tổ chức cơ sở đảng) trở lên quyết "
    "định khai trừ (the wording of 36.2's second sentence and 36.4 as issue 12 states them; the pages found were cut)"
)


def default_decided_by(form: str | None, chain: Sequence[OrgFacts], rule_set: RuleSet) -> str:
    """The body presumed to have decided when the decision does not say (the lowest one competent)."""
    if form in FORMS_BY_BODY["cell"]:
        return "cell"
    return "grassroots_committee" if orgs.is_delegated(chain, rule_set) else "superior_committee"


def discipline_deciders(form: str | None, decided_by: str | None) -> tuple[Authority, ...]:
    """Who may record a discipline decision: the named body; unnamed, any body competent for the form."""
    if decided_by:
        return (BODY_AUTHORITY[decided_by],)
    if form in FORMS_BY_BODY["cell"]:
        return (BODY_AUTHORITY["cell"], BODY_AUTHORITY["grassroots_committee"], BODY_AUTHORITY["grassroots_inspection"])
    if form == "expulsion":  # never a grassroots inspection commission (art. 36.4)
        return (Authority("standing_committee", "competent"), BODY_AUTHORITY["superior_inspection"])
    return (Authority("standing_committee", "competent"), Authority("inspection_committee", "competent"))


def may_decide(decided_by: str, form: str) -> bool:
    """Whether the body may decide the form (expulsion aside)."""
    return form == "expulsion" or form in FORMS_BY_BODY[decided_by]


def may_expel(decided_by: str, chain: Sequence[OrgFacts], rule_set: RuleSet, *, committee_member: bool,
              superior_managed: bool) -> bool:
    """Art. 36.2 / 36.4: the superior level's committee or inspection commission; a grassroots committee only
    with delegated admission authority, and not for its own committee members or cadres of a superior level."""
    if decided_by.startswith("superior"):
        return True
    if decided_by == "grassroots_committee":
        return orgs.is_delegated(chain, rule_set) and not committee_member and not superior_managed
    return False
