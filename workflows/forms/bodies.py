"""Who issues a form and how the Party's documents name it (HD 36-HD/VPTW §II.1.2–1.4).

The organisation tree stores names as the members know them ("Đảng bộ tỉnh Quảng Trị", "Đảng ủy
xã Tân Phú", "Chi bộ thôn Phú Hưng"). A document names its issuer as the committee ("TỈNH ỦY QUẢNG
TRỊ"), the body above it as the Party organisation ("ĐẢNG BỘ XÃ TÂN PHÚ"), and its place as the
commune, ward or province it sits in.
"""
from __future__ import annotations

from collections.abc import Sequence

from workflows.domain.definition import OrgFacts

_TERRITORIES = ("tỉnh", "thành phố", "huyện", "quận", "thị xã", "xã", "phường", "thị trấn")
_COMMITTEE_PREFIXES = ("Đảng ủy bộ phận", "Đảng ủy", "Đảng bộ", "Tỉnh ủy", "Thành ủy", "Huyện ủy", "Quận ủy",
                       "Thị ủy", "Chi bộ cơ sở", "Chi bộ")


def _split(name: str) -> tuple[str, str]:
    """("Đảng ủy", "xã Tân Phú") for "Đảng ủy xã Tân Phú"; ("", name) when no prefix is known."""
    for prefix in _COMMITTEE_PREFIXES:
        if name.startswith(prefix + " "):
            return prefix, name[len(prefix) + 1:]
    return "", name


def issuer_name(org: OrgFacts) -> str:
    """The committee's own name: "Đảng bộ tỉnh X" issues as "Tỉnh ủy X", "Đảng bộ xã Y" as "Đảng ủy xã Y"."""
    prefix, rest = _split(org.name)
    if prefix == "Đảng bộ":
        for level, committee in (("tỉnh ", "Tỉnh ủy "), ("thành phố ", "Thành ủy "), ("huyện ", "Huyện ủy "),
                                 ("quận ", "Quận ủy ")):
            if rest.startswith(level):
                return committee + rest[len(level):]
        return "Đảng ủy " + rest
    return org.name


def party_name(org: OrgFacts) -> str:
    """The organisation as a Party body above the issuer: "Đảng ủy xã Y" → "Đảng bộ xã Y"."""
    prefix, rest = _split(org.name)
    if prefix == "Đảng ủy":
        return "Đảng bộ " + rest
    for committee, level in (("Tỉnh ủy", "tỉnh "), ("Thành ủy", "thành phố "), ("Huyện ủy", "huyện "),
                             ("Quận ủy", "quận ")):
        if prefix == committee:
            return "Đảng bộ " + level + rest
    return org.name


def place_of(chain: Sequence[OrgFacts], issuer: OrgFacts) -> str:
    """The commune, ward or province the issuer sits in (the nearest named one at or above it)."""
    index = next((i for i, org in enumerate(chain) if org.id == issuer.id), len(chain) - 1)
    for org in reversed(chain[: index + 1]):
        _prefix, rest = _split(org.name)
        for territory in _TERRITORIES:
            if rest.startswith(territory + " "):
                return rest[len(territory) + 1:]
    return chain[0].name if chain else ""


def is_cell(org: OrgFacts) -> bool:
    return org.kind in ("cell", "grassroots_cell")


def signature(issuer: OrgFacts, kind: str) -> tuple[str, str]:
    """(«T/M …», «BÍ THƯ»): a cell signs for the cell, a committee's resolution for the committee, a
    decision or letter of a committee for its standing committee."""
    if is_cell(issuer):
        return "T/M CHI BỘ", "BÍ THƯ"
    if kind == "resolution" or issuer.kind in ("grassroots_committee", "partial_committee"):
        return "T/M ĐẢNG ỦY", "BÍ THƯ"
    return "T/M BAN THƯỜNG VỤ", "BÍ THƯ"


def decider_name(org: OrgFacts) -> str:
    """Who decides in the body's name: a district or province committee's standing committee; a grassroots
    committee (delegated) or a cell itself."""
    if org.kind in ("province_committee", "district_committee"):
        return "Ban Thường vụ " + issuer_name(org)
    return issuer_name(org)
