"""Who introduces an applicant (admission, procedures.md §3): two official members, or a union's resolution and one.

Three rules, each checked when the application is submitted and again at the cell vote (an introducer may
have moved or lost membership meanwhile):

- `introducers`: the number of introducers, official members, known for 12 months (a replacement assigned by
  the cell is exempt from the 12 months, QĐ 24 §3.2.2);
- `introducer_same_unit`: every introducer belongs to the applicant's grassroots organisation (QĐ 24 §3.2.1);
- `youth_union_introduction`: where the unit has a Youth Union and the applicant is of Youth Union age, the
  Union's resolution is one of the two introductions; where it has none, there is no such resolution
  (Điều lệ art. 4). A unit whose Youth Union is not recorded changes nothing.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from workflows.domain import organisations as orgs
from workflows.domain.calendar import add_months, age_in_months
from workflows.domain.definition import OrgFacts, Rule, StepContext

SUBMIT = "submit_application"

SOURCE_INTRODUCERS = "Điều lệ Đảng art. 4.1; QĐ 24-QĐ/TW §3.2"
SOURCE_SAME_UNIT = (
    "QĐ 24-QĐ/TW §3.2.1: «Là đảng viên chính thức, cùng công tác, lao động, học tập hoặc cùng sinh hoạt nơi cư trú "
    "ít nhất 12 tháng với người được giới thiệu vào Đảng trong cùng một đơn vị thuộc phạm vi lãnh đạo của đảng bộ, "
    "chi bộ cơ sở»; §3.2.2 (người được chi bộ phân công giới thiệu thay: không cần đủ 12 tháng)"
)
SOURCE_YOUTH_UNION = (
    "Điều lệ Đảng art. 4 (người vào Đảng trong độ tuổi thanh niên: nghị quyết giới thiệu của ban chấp hành Đoàn "
    "cơ sở và một đảng viên chính thức; nơi không có tổ chức Đoàn: hai đảng viên chính thức); QĐ 24-QĐ/TW §3.1; "
    "Luật Thanh niên 2020 art. 1 (thanh niên: từ đủ 16 đến 30 tuổi)"
)


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def _given(ctx: StepContext) -> tuple[list, Mapping | None, date]:
    """The introductions this step checks: its own data at submission, the recorded ones at the vote."""
    if "application_date" in ctx.data:
        return ctx.data.get("introducers") or [], ctx.data.get("union_resolution"), ctx.data["application_date"]
    submitted = ctx.recorded(SUBMIT)
    return (submitted.get("introducers") or [], submitted.get("union_resolution"),
            _as_date(submitted["application_date"]))


def _introducers_ok(ctx: StepContext) -> bool:
    introducers, union, on = _given(ctx)
    members_needed = 1 if union else 2
    if len(introducers) != members_needed:
        return False
    ids = [i["person_id"] for i in introducers]
    if len(set(ids)) != len(ids) or ctx.person.id in ids:
        return False
    found = ctx.lookups.persons(ids)
    for item in introducers:
        introducer = found.get(item["person_id"])
        if introducer is None or introducer.membership_status != "official":
            return False
        # A replacement introducer assigned by the cell is exempt from the 12 months (QĐ 24 §3.2.2).
        known_since = _as_date(item["known_since"])
        if not item.get("replacement") and add_months(known_since, ctx.settings["introducer_known_months"]) > on:
            return False
    return True


def _same_unit(ctx: StepContext) -> bool:
    introducers, _union, _on = _given(ctx)
    found = ctx.lookups.persons([i["person_id"] for i in introducers])
    ours = orgs.grassroots_of(ctx.chain).id
    for introducer in found.values():
        chain = ctx.lookups.organisation_chain(introducer.organisation_id)
        if not chain or orgs.grassroots_of(chain).id != ours:
            return False
    return True  # unknown introducers are the `introducers` rule's to refuse


def youth_union_recorded(chain: Sequence[OrgFacts]) -> bool | None:
    """Whether the applicant's unit has a Youth Union: the nearest recorded answer from the cell up to its
    grassroots organisation (None: nowhere recorded)."""
    grassroots = orgs.grassroots_of(chain)
    for org in reversed(chain[chain.index(grassroots):]):
        if org.youth_union is not None:
            return org.youth_union
    return None


def _youth_union_ok(ctx: StepContext) -> bool:
    has_union = youth_union_recorded(ctx.chain)
    if has_union is None:
        return True
    _introducers, union, on = _given(ctx)
    youth_resolution = bool(union) and union.get("kind") == "youth_union"
    if not has_union:
        return not youth_resolution  # no Youth Union there: no resolution of one
    of_youth_age = age_in_months(ctx.person.birth_date, on) <= ctx.settings["youth_union_max_age_months"]
    return youth_resolution or not of_youth_age


INTRODUCERS = Rule(
    "introducers", SOURCE_INTRODUCERS,
    "Cần hai đảng viên chính thức giới thiệu (hoặc nghị quyết của Đoàn/Công đoàn và một đảng viên chính thức); "
    "mỗi người giới thiệu phải cùng công tác, học tập hoặc cư trú với người vào Đảng ít nhất 12 tháng, "
    "trừ người được chi bộ phân công giới thiệu thay.",
    "Two official members must introduce the applicant (or a Youth Union/trade-union resolution and one official "
    "member); each must have worked, studied or lived with the applicant for at least 12 months, unless assigned "
    "by the cell as a replacement.",
    _introducers_ok, field="introducers", confidence="H",
)
SAME_UNIT = Rule(
    "introducer_same_unit", SOURCE_SAME_UNIT,
    "Người giới thiệu phải sinh hoạt trong cùng đảng bộ, chi bộ cơ sở với người vào Đảng; đảng viên ở tổ chức cơ sở "
    "đảng khác không được giới thiệu (chi bộ phân công đảng viên khác giới thiệu thay).",
    "Each introducer must belong to the applicant's grassroots party organisation; a member of another one cannot "
    "introduce (the cell assigns a replacement).",
    _same_unit, field="introducers", confidence="H",
)
YOUTH_UNION = Rule(
    "youth_union_introduction", SOURCE_YOUTH_UNION,
    "Đơn vị có tổ chức Đoàn: người vào Đảng trong độ tuổi thanh niên (đến 30 tuổi) phải được nghị quyết của ban chấp "
    "hành Đoàn cơ sở và một đảng viên chính thức giới thiệu; đơn vị không có tổ chức Đoàn thì không có nghị quyết của Đoàn.",
    "Where the unit has a Youth Union, an applicant of Youth Union age (up to 30) is introduced by the Union's "
    "resolution and one official member; where it has none, there is no Youth Union resolution.",
    _youth_union_ok, field="union_resolution", confidence="M",
)
RULES = (INTRODUCERS, SAME_UNIT, YOUTH_UNION)
