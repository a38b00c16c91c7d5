"""Deferral of a discipline case (chưa xem xét kỷ luật) — QĐ 69-QĐ/TW art. 2.14; QĐ 22-QĐ/TW art. 9.7.

Four grounds, each with the date it ends:
- `pregnancy` and `maternity_leave` (a woman member): until the date recorded (`ends_on`);
- `raising_child` under 12 months: a woman member, or a man raising the child alone (wife deceased or another
  objective reason) — until the child is 12 months old;
- `inpatient_treatment` (serious illness, in hospital): until discharge — `ends_on` when it is known.

A deferred case may be deferred again on the next ground (pregnancy → maternity leave → a child under 12
months) without resuming in between; `resume` records the day consideration goes on. The days spent deferred
lengthen the statute of limitations (discipline.statute_end).
"""
from __future__ import annotations

from datetime import date
from typing import Any

from workflows.domain.calendar import add_months
from workflows.domain.definition import (
    Authority,
    DeadlineSpec,
    Field,
    Rule,
    Step,
    StepContext,
    UpdateCaseData,
)

GROUNDS = ("pregnancy", "maternity_leave", "raising_child", "inpatient_treatment")
SOURCE = (
    "QĐ 69-QĐ/TW art. 2 k.14: «Đảng viên là nữ giới đang trong thời gian mang thai, nghỉ thai sản, đang nuôi con dưới "
    "12 tháng tuổi hoặc đảng viên là nam giới (trường hợp vợ chết hoặc vì lý do khách quan, bất khả kháng khác) đang "
    "nuôi con dưới 12 tháng tuổi thì chưa xem xét kỷ luật»; «Đảng viên bị bệnh nặng đang điều trị nội trú tại bệnh "
    "viện thì chưa xem xét kỷ luật, khi sức khỏe ổn định (được ra viện) mới xem xét kỷ luật»; QĐ 22-QĐ/TW art. 9.7"
)


def _as_date(value: Any) -> date | None:
    return value if isinstance(value, date) or value is None else date.fromisoformat(value)


def _facts(ctx: StepContext) -> dict[str, Any]:
    """The deferral being recorded (at `defer`) or in force (at `resume`)."""
    return ctx.data if ctx.data.get("ground") or "child_birth_date" in ctx.data else ctx.recorded("defer")


def ground_of(facts: dict[str, Any]) -> str | None:
    """The ground; a deferral recorded with only a child's birth date (api.md's data) is `raising_child`."""
    return facts.get("ground") or ("raising_child" if facts.get("child_birth_date") else None)


def ends_on(ctx: StepContext, facts: dict[str, Any]) -> date | None:
    """The day the ground ends: the child's first birthday, else the recorded end date (None: not known yet)."""
    if ground_of(facts) == "raising_child":
        return add_months(_as_date(facts["child_birth_date"]), ctx.settings["nursing_child_months"])
    return _as_date(facts.get("ends_on"))


def _ground_holds(ctx: StepContext) -> bool:
    ground, on = ground_of(ctx.data), ctx.data["date"]
    if ground in ("pregnancy", "maternity_leave"):
        return ctx.person.gender == "female"
    if ground == "raising_child":
        birth = ctx.data.get("child_birth_date")
        parent_ok = ctx.person.gender == "female" or (ctx.person.gender == "male" and bool(ctx.data.get("raising_alone")))
        return parent_ok and birth is not None and birth <= on < ends_on(ctx, ctx.data)
    return ground == "inpatient_treatment"


def _end_date_ok(ctx: StepContext) -> bool:
    ground, end = ground_of(ctx.data), ctx.data.get("ends_on")
    if ground in ("pregnancy", "maternity_leave") and end is None:
        return False
    return end is None or ground == "raising_child" or end > ctx.data["date"]


def _ended(ctx: StepContext) -> bool:
    facts = ctx.recorded("defer")
    end = ends_on(ctx, facts)
    if ground_of(facts) == "inpatient_treatment":
        return ctx.data["date"] >= _as_date(facts["date"])  # discharged: whenever it is recorded
    return end is not None and ctx.data["date"] >= end


DEFERRAL_GROUND = Rule(
    "deferral_ground", SOURCE,
    "Chỉ tạm hoãn khi đảng viên nữ đang mang thai, nghỉ thai sản hoặc nuôi con dưới 12 tháng tuổi, đảng viên nam một "
    "mình nuôi con dưới 12 tháng tuổi, hoặc đảng viên đang điều trị nội trú vì bệnh nặng.",
    "Deferral only while a woman member is pregnant, on maternity leave or raising a child under 12 months, a man "
    "raises a child under 12 months alone, or the member is in hospital with a serious illness.",
    _ground_holds, field="ground", confidence="H",
)
DEFERRAL_END_DATE = Rule(
    "deferral_end_date", SOURCE,
    "Ghi ngày kết thúc (dự kiến) của thời gian mang thai hoặc nghỉ thai sản; ngày kết thúc phải sau ngày tạm hoãn.",
    "Record the (expected) end of the pregnancy or maternity leave; an end date comes after the deferral date.",
    _end_date_ok, field="ends_on", confidence="H",
)
DEFERRAL_ENDED = Rule(
    "deferral_ended", SOURCE,
    "Chỉ tiếp tục xem xét khi lý do tạm hoãn đã hết (con đủ 12 tháng tuổi, hết thời gian thai sản, đã ra viện).",
    "The case resumes once the ground has ended (the child is 12 months old, the leave is over, discharged).",
    _ended, field="date", confidence="H",
)


def _due(ctx: StepContext) -> date:
    return ends_on(ctx, ctx.data)


def _deferred(ctx: StepContext):
    """A deferral on a new ground while deferred: the days of the one it replaces are counted now."""
    if ctx.case.state != "deferred":
        return []
    since = _as_date(ctx.recorded("defer")["date"])
    days = int(ctx.case.data.get("deferred_days") or 0) + (ctx.data["date"] - since).days
    return [UpdateCaseData({"deferred_days": days})]


def _resumed(ctx: StepContext):
    since = _as_date(ctx.recorded("defer")["date"])
    days = int(ctx.case.data.get("deferred_days") or 0) + (ctx.data["date"] - since).days
    return [UpdateCaseData({"deferred_days": days})]


def steps(who: tuple[Authority, ...]) -> tuple[Step, Step]:
    """`defer` (from opened, or deferred on the next ground) and `resume`."""
    deadline = DeadlineSpec(
        "deferral_end", _due, who[0], "QĐ 69-QĐ/TW art. 2 k.14; QĐ 22-QĐ/TW art. 9.7",
        "Hết thời gian tạm hoãn xem xét kỷ luật", "Deferral ends",
        when=lambda ctx: ends_on(ctx, ctx.data) is not None,
    )
    defer = Step(
        trigger="defer", sources=("opened", "deferred"), dest="deferred", who=who,
        label_vi="Tạm hoãn xem xét kỷ luật", label_en="Defer", legal_basis=SOURCE,
        fields=(
            Field("date", "date", label_vi="Ngày tạm hoãn", label_en="Date"),
            Field("ground", "enum", choices=GROUNDS, required=False, label_vi="Lý do tạm hoãn", label_en="Ground"),
            Field("child_birth_date", "date", required=False, label_vi="Ngày sinh của con", label_en="Child's birth date"),
            Field("raising_alone", "bool", required=False,
                  label_vi="Đảng viên nam một mình nuôi con (vợ chết hoặc lý do khách quan)",
                  label_en="A father raising the child alone (wife deceased or another objective reason)"),
            Field("ends_on", "date", required=False,
                  label_vi="Ngày kết thúc (dự kiến): sinh con, hết nghỉ thai sản, ra viện",
                  label_en="(Expected) end: birth, end of maternity leave, discharge"),
        ),
        rules=(DEFERRAL_GROUND, DEFERRAL_END_DATE), opens=(deadline,), effects=_deferred, date_field="date",
    )
    resume = Step(
        trigger="resume", sources=("deferred",), dest="opened", who=who,
        label_vi="Tiếp tục xem xét", label_en="Resume", legal_basis=SOURCE,
        fields=(Field("date", "date", label_vi="Ngày tiếp tục", label_en="Date"),),
        rules=(DEFERRAL_ENDED,), closes=("deferral_end",), effects=_resumed, date_field="date",
    )
    return defer, resume
