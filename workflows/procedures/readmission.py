"""Re-admission (kết nạp lại) — procedures.md §3, QĐ 24-QĐ/TW §3.5.

The admission procedure with `readmission = true` at `open`. Only a former
member; only once in a lifetime; ≥ 36 months after leaving, or 60 months
after a conviction is cleared; never for those who left by abandoning party
activities, by withdrawing (unless for extremely difficult family
circumstances), for serious disunity, or convicted of corruption or a serious
crime; the province standing committee's written consent before the
decision; then full probation again (the ceremony opens a probation case).
"""
from __future__ import annotations

from datetime import date

from workflows.domain.calendar import add_months
from workflows.domain.definition import Field, Rule, StepContext

SOURCE = "QĐ 24-QĐ/TW §3.5; HD 01-HD/TW §3.5"
CONVICTIONS = ("corruption", "serious_crime", "other")
# How a person left (Person.left_reason) that bars re-admission.
BARRED_LEFT_REASONS = (
    "struck_off:missed_activities_or_dues",  # abandoning party activities (tự bỏ sinh hoạt đảng)
    "withdrawal",                            # withdrew, not for family hardship
)

OPEN_FIELDS = (
    Field("readmission", "bool", required=False, label_vi="Kết nạp lại", label_en="Re-admission"),
    Field("conviction", "enum", choices=CONVICTIONS, required=False,
          label_vi="Đã bị kết án (nếu có)", label_en="Criminal conviction (if any)"),
    Field("conviction_cleared_on", "date", required=False,
          label_vi="Ngày được xóa án tích", label_en="Conviction cleared on"),
    Field("serious_disunity", "bool", required=False,
          label_vi="Đã gây mất đoàn kết nội bộ nghiêm trọng", label_en="Caused serious disunity"),
)


def _flag_matches(ctx: StepContext) -> bool:
    return bool(ctx.data.get("readmission")) == (ctx.person.membership_status == "former")


def _not_excluded(ctx: StepContext) -> bool:
    if not ctx.data.get("readmission"):
        return True
    return (ctx.person.left_reason not in BARRED_LEFT_REASONS and not ctx.data.get("serious_disunity")
            and ctx.data.get("conviction") not in ("corruption", "serious_crime"))


def _first_time(ctx: StepContext) -> bool:
    if not ctx.data.get("readmission"):
        return True
    if (ctx.person.flags or {}).get("readmitted"):
        return False
    return not any(
        c.procedure == "admission" and c.id != ctx.case.id and (c.data.get("open") or {}).get("readmission")
        and c.state in ("admitted", "completed")
        for c in ctx.lookups.cases_of_person(ctx.person.id)
    )


READMISSION_FLAG = Rule(
    "readmission_flag", SOURCE,
    "Người từng là đảng viên thì mở hồ sơ kết nạp lại (readmission); người chưa từng là đảng viên thì không.",
    "A former member is admitted again through a re-admission (readmission = true); anyone else is not.",
    _flag_matches, field="readmission",
)
EXCLUDED = Rule(
    "readmission_excluded", SOURCE,
    "Không xem xét kết nạp lại người đã ra khỏi Đảng vì tự bỏ sinh hoạt đảng, xin ra khỏi Đảng (trừ lý do gia đình "
    "đặc biệt khó khăn), gây mất đoàn kết nội bộ nghiêm trọng, hoặc bị phạt tù vì tham nhũng, tội nghiêm trọng trở lên.",
    "No re-admission for those who left by abandoning party activities, by withdrawing (unless for extremely "
    "difficult family circumstances), for serious disunity, or convicted of corruption or a serious crime.",
    _not_excluded, field="readmission",
)
ONCE = Rule(
    "readmission_once", SOURCE,
    "Chỉ được kết nạp lại một lần.",
    "A person can be re-admitted only once in a lifetime.",
    _first_time, field="readmission",
)
OPEN_RULES = (READMISSION_FLAG, EXCLUDED, ONCE)


def _waited(ctx: StepContext) -> bool:
    opened = ctx.recorded("open")
    if not opened.get("readmission"):
        return True
    on = ctx.data["vote"].date
    left = ctx.person.left_on
    if left is None or add_months(left, ctx.settings["readmission_wait_months"]) > on:
        return False
    if opened.get("conviction"):
        cleared = opened.get("conviction_cleared_on")
        if not cleared or add_months(date.fromisoformat(cleared),
                                     ctx.settings["readmission_after_conviction_months"]) > on:
            return False
    return True


WAIT = Rule(
    "readmission_wait", SOURCE,
    "Chỉ kết nạp lại sau ít nhất 36 tháng kể từ khi ra khỏi Đảng, hoặc 60 tháng kể từ khi được xóa án tích.",
    "Re-admission only 36 months after leaving, or 60 months after a conviction was cleared.",
    _waited, field="vote",
)

PROVINCE_CONSENT_FIELD = Field(
    "province_consent", "object", required=False, items=(
        Field("number", "str", label_vi="Số văn bản", label_en="Document number", max_length=100),
        Field("date", "date", label_vi="Ngày", label_en="Date"),
    ),
    label_vi="Văn bản đồng ý của ban thường vụ tỉnh ủy (kết nạp lại)",
    label_en="Province standing committee's written consent (re-admission)",
)


def _consent_before(ctx: StepContext) -> bool:
    if not ctx.recorded("open").get("readmission"):
        return True
    consent = ctx.data.get("province_consent")
    return bool(consent) and consent["date"] <= ctx.data["decision_date"]


PROVINCE_CONSENT = Rule(
    "readmission_consent", SOURCE,
    "Kết nạp lại phải có văn bản đồng ý của ban thường vụ tỉnh ủy trước khi quyết định.",
    "A re-admission needs the province standing committee's written consent before the decision.",
    _consent_before, field="province_consent",
)
