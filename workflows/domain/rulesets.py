"""Rule-set versions. A case keeps the version it was opened under and finishes under it.

The C items of procedures.md (points the sources disagree on) are settings
here, each with the default the specification gives.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import Any

DEFAULT_SETTINGS: Mapping[str, Any] = MappingProxyType({
    # §1: official members exempt from activities who neither attend nor vote leave the denominator.
    "exclude_exempt_from_denominator": True,
    # §3 admission
    "admission_min_age_months": 18 * 12,
    "admission_max_age_months": 60 * 12,
    "certificate_valid_months": 60,
    "introducer_known_months": 12,
    # Youth Union age (Luật Thanh niên 2020 art. 1: "từ đủ 16 tuổi đến 30 tuổi"), counted like the 60 of §1:
    # up to 360 whole months.
    "youth_union_max_age_months": 30 * 12,
    "admission_decision_working_days": 60,
    "decision_extension_max_working_days": 30,
    "ceremony_working_days": 30,
    "readmission_wait_months": 36,
    "readmission_after_conviction_months": 60,
    # §4 probation
    "probation_months": 12,
    "probation_vote_working_days": 30,
    "recognition_decision_working_days": 30,
    "probation_inconclusive_votes_max": 3,
    # §5 strike-off
    "strike_off_refusal_requests": 3,
    "strike_off_appeal_working_days": 30,
    # §7 discipline: statute of limitations in months by the violation's level (None = no limit)
    "statute_months": MappingProxyType(
        {"reprimand": 60, "warning": 120, "removal_from_post": 120, "expulsion": None}
    ),
    # §7 discipline: deferral while a woman member nurses a child younger than this (QĐ 22 art. 9.7)
    "nursing_child_months": 12,
    # §8 appeal: against discipline, "1 month" read as a calendar month by default
    "discipline_appeal_unit": "months",
    "discipline_appeal_period": 1,
    "appeal_resolution_working_days": MappingProxyType({"province": 90, "central": 180}),
    # Transfer of party activity (QĐ 24/294 §6.3): the member's request within 60 working days of the
    # decision or the move; the introduction letter presented within 30 working days; a temporary stay of
    # 3 months to under 1 year (studies: up to 2 years).
    "transfer_request_working_days": 60,
    "transfer_presentation_working_days": 30,
    "temporary_transfer_min_months": 3,
    "temporary_transfer_below_months": 12,
    "temporary_study_max_months": 24,
})


@dataclass(frozen=True)
class RuleSet:
    """A version of the rules: when it took effect and which bodies it makes competent."""

    name: str
    effective_from: date
    label: str
    legal_basis: str
    # Kinds of organisation whose standing committee is a competent committee
    # (besides a grassroots committee delegated admission authority).
    decider_kinds: tuple[str, ...]
    # Organisation kinds that exist under this version.
    organisation_kinds: tuple[str, ...]
    settings: Mapping[str, Any] = field(default_factory=lambda: DEFAULT_SETTINGS)


_ALL_KINDS = (
    "province_committee", "district_committee", "commune_committee", "grassroots_committee",
    "partial_committee", "grassroots_cell", "cell",
)

RULE_SETS: dict[str, RuleSet] = {
    "cpv-2021": RuleSet(
        name="cpv-2021",
        effective_from=date(2021, 7, 30),
        label="Quy định 24-QĐ/TW (2021), Hướng dẫn 01-HD/TW (2021)",
        legal_basis="QĐ 24-QĐ/TW 30/7/2021; HD 01-HD/TW 28/9/2021",
        # District committees (huyện ủy / quận ủy) exist and decide. QĐ 24 §4.3.2 b) gives the decision to the
        # standing committee of whichever committee is the grassroots organisation's direct superior, so a case
        # opened under 2021 rules that finishes in a tree already reorganised (a commune committee above its
        # grassroots organisation) is decided there too.
        decider_kinds=("district_committee", "commune_committee", "province_committee"),
        organisation_kinds=tuple(k for k in _ALL_KINDS if k != "commune_committee"),
    ),
    "cpv-2025": RuleSet(
        name="cpv-2025",
        effective_from=date(2025, 7, 1),
        label="Quy định 294-QĐ/TW (2025), Hướng dẫn 06-HD/TW (2025)",
        legal_basis="QĐ 294-QĐ/TW 26/5/2025 (hiệu lực 1/7/2025); HD 06-HD/TW 9/6/2025",
        # No district level: commune-level committees sit directly under the province and are the direct
        # superiors of grassroots organisations ("thí điểm tổ chức các đảng bộ xã, phường trực thuộc tỉnh ủy,
        # thành ủy là đảng bộ cấp trên trực tiếp của tổ chức cơ sở đảng", QĐ 294-QĐ/TW); their standing
        # committees decide admissions and recognitions ("Cấp ủy cấp trên trực tiếp của tổ chức cơ sở đảng …:
        # Do ban thường vụ xem xét, quyết định", QĐ 24/232/294 §4.3.2 b).
        decider_kinds=("commune_committee", "province_committee"),
        organisation_kinds=tuple(k for k in _ALL_KINDS if k != "district_committee"),
    ),
}


def rule_set(name: str) -> RuleSet:
    """The rule set of that name; KeyError when there is none."""
    return RULE_SETS[name]


def rule_set_in_force(on: date) -> RuleSet:
    """The newest rule set already in effect on a date."""
    candidates = [rs for rs in RULE_SETS.values() if rs.effective_from <= on]
    if not candidates:
        return min(RULE_SETS.values(), key=lambda rs: rs.effective_from)
    return max(candidates, key=lambda rs: rs.effective_from)
