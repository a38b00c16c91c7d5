"""Admission (kết nạp đảng viên) — procedures.md §3.

Sources: Điều lệ Đảng 2011 art. 4; QĐ 24-QĐ/TW (2021) §1–4 as amended by
QĐ 232 and replaced by QĐ 294 (2025); HD 01-HD/TW §3; HD 12-HD/BTCTW forms.
Re-admission of a former member is the same procedure with `readmission =
true` at `open` (QĐ 24 §3.5): the rules of workflows/procedures/readmission.py apply.
"""
from __future__ import annotations

from datetime import date

from workflows.domain.calendar import add_months, age_in_months
from workflows.domain.definition import (
    STAY,
    Authority,
    Branch,
    DeadlineSpec,
    Decided,
    ExtendDeadline,
    Field,
    OpenCase,
    Procedure,
    Rule,
    State,
    Step,
    StepContext,
    UpdateCaseData,
    UpdatePerson,
)
from workflows.domain.forms import FormSpec
from workflows.domain.rulesets import RuleSet
from workflows.procedures import common, decisions, introductions, readmission

NAME = "admission"

SECRETARY = (Authority("cell_secretary", "case"),)
# The background check is the grassroots committee's; in a grassroots cell (no committee above the
# cell) its secretary leads it — "cell_secretary at grassroots scope" only matches that case.
GRASSROOTS_OFFICERS = (Authority("committee_member", "grassroots"), Authority("organisation_officer", "grassroots"),
                       Authority("cell_secretary", "grassroots"))
COMMITTEE = (Authority("committee_member", "grassroots"),)
COMPETENT = (Authority("standing_committee", "competent"),)

STATES = (
    State("sympathiser", "Quần chúng ưu tú (cảm tình Đảng)", "Sympathiser"),
    State("application_submitted", "Đã nộp đơn xin vào Đảng", "Application submitted"),
    State("background_verified", "Đã thẩm tra lý lịch", "Background verified"),
    State("opinions_collected", "Đã lấy ý kiến nhận xét", "Opinions collected"),
    State("cell_approved", "Chi bộ đã biểu quyết đề nghị kết nạp", "Approved by the cell"),
    State("committee_approved", "Đảng ủy cơ sở đã đề nghị kết nạp", "Approved by the committee"),
    State("referred_to_superior", "Chuyển cấp ủy cấp trên xem xét", "Referred to the superior committee"),
    State("admitted", "Đã có quyết định kết nạp", "Admitted"),
    State("completed", "Đã tổ chức lễ kết nạp", "Ceremony held", final=True),
    State("rejected", "Không kết nạp", "Rejected", final=True),
    State("withdrawn", "Đã rút hồ sơ", "Withdrawn", final=True),
)

# ---------------------------------------------------------------- eligibility rules (checked at cell_vote)

_SUBMIT = "submit_application"


def _vote_date(ctx: StepContext) -> date:
    return ctx.data["vote"].date


def _age_min(ctx: StepContext) -> bool:
    return age_in_months(ctx.person.birth_date, _vote_date(ctx)) >= ctx.settings["admission_min_age_months"]


def _age_max(ctx: StepContext) -> bool:
    """Over 60 on the cell vote: a consent dated no later than the decision, recorded at submission or on it."""
    voted = date.fromisoformat(ctx.recorded("cell_vote")["vote"]["date"])
    if age_in_months(ctx.person.birth_date, voted) <= ctx.settings["admission_max_age_months"]:
        return True
    consent = ctx.data.get("age_consent") or ctx.recorded(_SUBMIT).get("consent")
    if not consent:
        return False
    given = consent["date"] if isinstance(consent["date"], date) else date.fromisoformat(consent["date"])
    return given <= ctx.data["decision_date"]


def _education(ctx: StepContext) -> bool:
    submitted = ctx.recorded(_SUBMIT)
    if submitted.get("education_exemption"):
        return True
    level = submitted.get("education") or ctx.person.education
    return level in ("lower_secondary", "upper_secondary", "higher")


def _certificate_valid(ctx: StepContext) -> bool:
    certificate = ctx.recorded(_SUBMIT).get("certificate")
    if not certificate:
        return False
    issued = date.fromisoformat(certificate["issued_on"])
    return issued <= _vote_date(ctx) < add_months(issued, ctx.settings["certificate_valid_months"])


AGE_MIN = Rule(
    "age_min", "QĐ 24-QĐ/TW §1.1; Điều lệ Đảng art. 1",
    "Người vào Đảng phải đủ 18 tuổi (tính theo tháng) vào ngày chi bộ biểu quyết.",
    "The applicant must be 18 years old (counted in months) on the day of the cell vote.",
    _age_min, field="vote",
)
AGE_MAX = Rule(
    "age_max",
    "QĐ 24-QĐ/TW §1.1.2; HD 01-HD/TW (2021) §1.1: «Chỉ xem xét kết nạp vào Đảng những người trên 60 tuổi khi đủ "
    "các điều kiện: ... được ban thường vụ cấp uỷ trực thuộc Trung ương đồng ý bằng văn bản trước khi cấp uỷ có "
    "thẩm quyền ra quyết định kết nạp»",
    "Người trên 60 tuổi (vào ngày chi bộ xét) chỉ được quyết định kết nạp khi đã có văn bản đồng ý của ban thường vụ "
    "tỉnh ủy, ghi ngày không sau ngày quyết định.",
    "An applicant over 60 (on the cell vote) can only be admitted once the province standing committee's written "
    "consent exists, dated no later than the decision.",
    _age_max, field="age_consent", confidence="H",
)
AGE_CONSENT = Field(
    "age_consent", "object", required=False, items=common.CONSENT.items,
    label_vi="Văn bản đồng ý của ban thường vụ tỉnh ủy (người trên 60 tuổi)",
    label_en="Province standing committee's written consent (applicant over 60)",
)
EDUCATION = Rule(
    "education", "QĐ 24-QĐ/TW §1.2",
    "Người vào Đảng phải có bằng tốt nghiệp trung học cơ sở trở lên, trừ trường hợp được miễn.",
    "The applicant needs a lower-secondary diploma or higher, unless an exemption is recorded.",
    _education, field="education",
)
CERTIFICATE_VALID = Rule(
    "certificate_valid", "QĐ 24-QĐ/TW §1.3; HD 01-HD/TW §3.1",
    "Giấy chứng nhận học lớp bồi dưỡng nhận thức về Đảng phải còn giá trị (60 tháng kể từ ngày cấp) vào ngày biểu quyết.",
    "The Party-awareness course certificate must be valid (60 months from issue) on the vote date.",
    _certificate_valid, field="certificate",
)


def _helper_official(ctx: StepContext) -> bool:
    helper = ctx.lookups.person(ctx.data["helper_id"])
    return helper is not None and helper.membership_status == "official" and helper.id != ctx.person.id


HELPER_OFFICIAL = Rule(
    "helper_official", "HD 01-HD/TW §3.1",
    "Đảng viên được phân công giúp đỡ phải là đảng viên chính thức.",
    "The helper member must be an official member.",
    _helper_official, field="helper_id",
)

NOT_A_MEMBER = Rule(
    "not_a_member", "Điều lệ Đảng art. 4",
    "Người này đang là đảng viên, không thể mở hồ sơ kết nạp.",
    "This person is already a member; an admission case cannot be opened.",
    lambda ctx: ctx.person.membership_status in ("none", "former"), field=None,
)


def _ceremony_in_time(ctx: StepContext) -> bool:
    if ctx.data.get("superior_consent"):
        return True
    decided = ctx.recorded("decide_admission")
    received = date.fromisoformat(decided.get("received_date") or decided["decision_date"])
    return ctx.data["ceremony_date"] <= ctx.calendar.add_working_days(received, ctx.settings["ceremony_working_days"])


# Its id is the one every passed deadline has (api.md's `deadline_passed`); the message says which.
CEREMONY_DEADLINE = Rule(
    "deadline_passed", "QĐ 24-QĐ/TW, QĐ 232-QĐ/TW §4.1",
    "Lễ kết nạp phải tổ chức trong 30 ngày làm việc kể từ ngày nhận quyết định, trừ khi cấp ủy cấp trên đồng ý lùi thời gian.",
    "The ceremony must be held within 30 working days of receiving the decision, unless the superior committee consented to a later date.",
    _ceremony_in_time, field="ceremony_date",
)


def _ceremony_after_decision(ctx: StepContext) -> bool:
    decided = ctx.recorded("decide_admission")
    return ctx.data["ceremony_date"] >= date.fromisoformat(decided.get("received_date") or decided["decision_date"])


CEREMONY_AFTER_DECISION = Rule(
    "ceremony_after_decision", "QĐ 24-QĐ/TW §4.1",
    "Lễ kết nạp không thể sớm hơn ngày nhận quyết định kết nạp.",
    "The ceremony cannot be before the admission decision was received.",
    _ceremony_after_decision, field="ceremony_date",
)


EXTENSION_MAX = common.extension_rule("decision_extension_days")
HAS_DECISION_DEADLINE = common.deadline_to_extend_rule("admission_decision")


def _decision_due(ctx: StepContext) -> date:
    return ctx.calendar.add_working_days(_vote_date(ctx), ctx.settings["admission_decision_working_days"])


def _ceremony_due(ctx: StepContext) -> date:
    received = ctx.data.get("received_date") or ctx.data["decision_date"]
    return ctx.calendar.add_working_days(received, ctx.settings["ceremony_working_days"])


DECISION_DEADLINE = DeadlineSpec(
    "admission_decision", _decision_due, COMPETENT[0],
    "QĐ 24-QĐ/TW, QĐ 232-QĐ/TW §4.3.1; quyết định chậm vẫn có hiệu lực (QĐ 24 §4.2 b)",
    "Hạn ra quyết định kết nạp (60 ngày làm việc từ nghị quyết chi bộ)",
    "Admission decision due (60 working days from the cell resolution)",
    late_rule_id=common.LATE_DECISION_ID,
    late_source="QĐ 24-QĐ/TW, QĐ 232-QĐ/TW §4.3.1 (60 ngày làm việc); quyết định chậm vẫn có hiệu lực, cấp ủy có "
                "thẩm quyền chịu trách nhiệm về việc chậm — như " + common.LATE_DECISION_SOURCE,
)
CEREMONY_DEADLINE_SPEC = DeadlineSpec(
    "ceremony", _ceremony_due, SECRETARY[0], "QĐ 24-QĐ/TW, QĐ 232-QĐ/TW §4.1",
    "Hạn tổ chức lễ kết nạp (30 ngày làm việc từ khi nhận quyết định)",
    "Ceremony due (30 working days from receiving the decision)",
)

# ---------------------------------------------------------------- effects


def _admitted(ctx: StepContext):
    decision_date = ctx.data["decision_date"]
    changes = {"membership_status": "probationary", "joined_on": decision_date,
               "official_on": None, "left_on": None, "left_reason": None}
    if ctx.recorded("open").get("readmission"):
        changes["flags"] = {**ctx.person.flags, "readmitted": True}  # once in a lifetime
    return [
        Decided(decision_date),
        # Party age counts from the date of the admission decision (Điều lệ art. 5.3).
        UpdatePerson(ctx.person.id, changes),
    ]


def _ceremony_held(ctx: StepContext):
    return [OpenCase("probation", ctx.person.id, ctx.case.organisation_id, {
        "ceremony_date": ctx.data["ceremony_date"],
        "helper_id": ctx.recorded("open").get("helper_id"),
        "admission_case_id": ctx.case.id,
    })]


def _refused(ctx: StepContext):
    return [Decided(ctx.data["decision_date"])]


def _extend(ctx: StepContext):
    base = ctx.case.deadlines["admission_decision"]
    used = int(ctx.case.data.get("decision_extension_days") or 0)
    return [
        ExtendDeadline("admission_decision", ctx.calendar.add_working_days(base, ctx.data["days"])),
        UpdateCaseData({"decision_extension_days": used + ctx.data["days"]}),
    ]


# ---------------------------------------------------------------- the procedure

DECISION_FIELDS = (common.DECISION_NUMBER, common.DECISION_DATE, common.RECEIVED_DATE, common.DECISION_VOTE,
                   readmission.PROVINCE_CONSENT_FIELD, AGE_CONSENT)
DECISION_RULES = (common.DECISION_VOTE_RULE, AGE_MAX, readmission.PROVINCE_CONSENT)



# ---------------------------------------------------------------- the documents its steps record (issue 15)

DOCUMENTS = (
    FormSpec("6-KND", "Nghị quyết đề nghị kết nạp đảng viên (chi bộ)", "cell_vote", issuer="case", kind="resolution"),
    FormSpec("8-KND", "Nghị quyết đề nghị kết nạp đảng viên (đảng ủy cơ sở)", "committee_vote", issuer="grassroots",
             kind="resolution"),
    FormSpec("9-KND", "Quyết định kết nạp đảng viên", "decide_admission"),
    FormSpec("TB-KKN", "Thông báo không kết nạp đảng viên", "refuse_admission", kind="notice"),
    common.REVOKE_FORM,
    common.TRANSFER_FORM,
)

def build(rule_set: RuleSet) -> Procedure:
    """The admission procedure under a rule set (they differ in the competent committee only)."""
    votes_source = common.SOURCE_CHARTER_VOTES
    open_step = Step(
        trigger="open", sources=(), dest="sympathiser", who=SECRETARY,
        label_vi="Mở hồ sơ quần chúng ưu tú", label_en="Open a sympathiser's case",
        legal_basis="HD 01-HD/TW §3.1",
        fields=(
            Field("resolution_date", "date", label_vi="Ngày nghị quyết chi bộ giới thiệu", label_en="Date of the cell resolution"),
            Field("helper_id", "ref", label_vi="Đảng viên giúp đỡ", label_en="Helper member"),
            *readmission.OPEN_FIELDS,
        ),
        rules=(NOT_A_MEMBER, HELPER_OFFICIAL, *readmission.OPEN_RULES),
        date_field="resolution_date",
    )
    steps = [
        open_step,
        Step(
            trigger="submit_application", sources=("sympathiser",), dest="application_submitted", who=SECRETARY,
            label_vi="Nộp đơn, lý lịch và giới thiệu", label_en="Submit the application",
            legal_basis="Điều lệ Đảng art. 4.1; HD 01-HD/TW §3.2–3.3; mẫu 1-KNĐ, 2-KNĐ, 3-KNĐ, 4-KNĐ",
            fields=(
                Field("application_date", "date", label_vi="Ngày làm đơn (1-KNĐ)", label_en="Application date (1-KNĐ)"),
                Field("education", "enum", choices=("primary", "lower_secondary", "upper_secondary", "higher"),
                      label_vi="Trình độ học vấn", label_en="Education"),
                Field("education_exemption", "bool", required=False,
                      label_vi="Được miễn yêu cầu bằng THCS", label_en="Exempt from the diploma requirement"),
                Field("certificate", "object", items=(
                    Field("number", "str", label_vi="Số giấy chứng nhận", label_en="Certificate number", max_length=100),
                    Field("issued_on", "date", label_vi="Ngày cấp", label_en="Issued on"),
                ), label_vi="Giấy chứng nhận lớp nhận thức về Đảng", label_en="Party-awareness course certificate"),
                Field("introducers", "list", items=(
                    Field("person_id", "ref", label_vi="Đảng viên giới thiệu", label_en="Introducer"),
                    Field("known_since", "date", label_vi="Cùng công tác từ ngày", label_en="Known since"),
                    Field("replacement", "bool", required=False,
                          label_vi="Được chi bộ phân công giới thiệu thay", label_en="Replacement assigned by the cell"),
                ), label_vi="Người giới thiệu", label_en="Introducers"),
                Field("union_resolution", "object", required=False, items=(
                    Field("kind", "enum", choices=("youth_union", "trade_union"), label_vi="Tổ chức", label_en="Organisation"),
                    Field("date", "date", label_vi="Ngày nghị quyết", label_en="Resolution date"),
                ), label_vi="Nghị quyết giới thiệu của Đoàn/Công đoàn", label_en="Youth Union / trade-union resolution"),
                common.CONSENT,
            ),
            rules=introductions.RULES,
            date_field="application_date",
        ),
        Step(
            trigger="verify_background", sources=("application_submitted",), dest="background_verified",
            who=GRASSROOTS_OFFICERS,
            label_vi="Kết luận thẩm tra lý lịch", label_en="Record the background check",
            legal_basis="HD 01-HD/TW §3.4",
            fields=(Field("date", "date", label_vi="Ngày kết luận", label_en="Date"),
                    Field("conclusion", "text", label_vi="Kết luận thẩm tra", label_en="Conclusion")),
            date_field="date",
        ),
        Step(
            trigger="collect_opinions", sources=("background_verified",), dest="opinions_collected", who=SECRETARY,
            label_vi="Tổng hợp ý kiến nhận xét (5-KNĐ)", label_en="Record the opinions (5-KNĐ)",
            legal_basis="Điều lệ Đảng art. 4.3; mẫu 5-KNĐ",
            fields=(Field("date", "date", label_vi="Ngày tổng hợp", label_en="Date"),
                    Field("summary", "text", label_vi="Tóm tắt ý kiến", label_en="Summary")),
            date_field="date",
        ),
        Step(
            trigger="cell_vote", sources=("opinions_collected",), who=SECRETARY,
            dest=(Branch("cell_approved", "passed"), Branch("referred_to_superior", "failed")),
            label_vi="Chi bộ biểu quyết (6-KNĐ)", label_en="Cell vote (6-KNĐ)",
            legal_basis="HD 01-HD/TW §3.6, §5.1; " + votes_source,
            fields=(common.VOTE,),
            rules=(AGE_MIN, EDUCATION, CERTIFICATE_VALID, *introductions.RULES, readmission.WAIT),
            outcome=common.vote_outcome("two_thirds"), vote="cell", threshold="two_thirds", opens=(DECISION_DEADLINE,),
            date_field="vote.date",
        ),
        Step(
            trigger="committee_vote", sources=("cell_approved",), who=COMMITTEE,
            dest=(Branch("committee_approved", "passed"), Branch("referred_to_superior", "failed")),
            label_vi="Đảng ủy cơ sở biểu quyết (8-KNĐ)", label_en="Committee vote (8-KNĐ)",
            legal_basis="HD 01-HD/TW §3.7; " + votes_source,
            fields=(common.VOTE,), outcome=common.vote_outcome("two_thirds"), vote="committee", threshold="two_thirds",
            applies=common.committee_level, date_field="vote.date",
        ),
    ]
    decide_sources = ("committee_approved", "referred_to_superior")
    steps += [
        Step(
            trigger="decide_admission", sources=decide_sources, dest="admitted", who=COMPETENT,
            label_vi="Quyết định kết nạp (9-KNĐ)", label_en="Admission decision (9-KNĐ)",
            legal_basis="QĐ 24-QĐ/TW, QĐ 232-QĐ/TW §4.3; mẫu 9-KNĐ",
            fields=DECISION_FIELDS, rules=DECISION_RULES,
            closes=("admission_decision",), opens=(CEREMONY_DEADLINE_SPEC,), effects=_admitted,
            vote="decision", date_field="decision_date",
        ),
        # A grassroots cell has no committee level: the decision follows the cell vote.
        Step(
            trigger="decide_admission", sources=("cell_approved",), dest="admitted", who=COMPETENT,
            label_vi="Quyết định kết nạp (9-KNĐ)", label_en="Admission decision (9-KNĐ)",
            legal_basis="QĐ 24-QĐ/TW, QĐ 232-QĐ/TW §4.3; mẫu 9-KNĐ",
            fields=DECISION_FIELDS, rules=DECISION_RULES,
            closes=("admission_decision",), opens=(CEREMONY_DEADLINE_SPEC,), effects=_admitted,
            vote="decision", applies=common.no_committee_level, date_field="decision_date",
        ),
        Step(
            trigger="refuse_admission", sources=decide_sources + ("cell_approved",), dest="rejected", who=COMPETENT,
            label_vi="Quyết định không kết nạp", label_en="Refuse admission",
            legal_basis="QĐ 24-QĐ/TW §4.3",
            fields=(common.REFUSAL_DATE, common.REASON),
            closes=("admission_decision",), effects=_refused, date_field="decision_date",
        ),
        Step(
            trigger="extend_deadline", sources=decide_sources + ("cell_approved",), dest=STAY, who=COMPETENT,
            label_vi="Gia hạn thời hạn xem xét", label_en="Extend the decision deadline",
            legal_basis="QĐ 24-QĐ/TW, QĐ 232-QĐ/TW §4.3.1",
            fields=(common.EXTENSION_DAYS,
                    common.REASON),
            rules=(HAS_DECISION_DEADLINE, EXTENSION_MAX), effects=_extend,
        ),
        Step(
            trigger="hold_ceremony", sources=("admitted",), dest="completed", who=SECRETARY,
            label_vi="Tổ chức lễ kết nạp", label_en="Hold the admission ceremony",
            legal_basis="QĐ 24-QĐ/TW, QĐ 232-QĐ/TW §4.1; Điều lệ Đảng art. 5.1",
            fields=(Field("ceremony_date", "date", label_vi="Ngày tổ chức lễ", label_en="Ceremony date"),
                    common.SUPERIOR_CONSENT),
            rules=(CEREMONY_DEADLINE, CEREMONY_AFTER_DECISION),
            closes=("ceremony",), effects=_ceremony_held, date_field="ceremony_date",
        ),
    ]
    steps = list(common.with_date_rules(steps))
    open_step, steps = steps[0], steps[1:]
    open_names = common.open_states(STATES)
    steps.append(common.withdraw_step(
        open_names, "withdrawn", SECRETARY, label_vi="Rút hồ sơ (người xin vào Đảng rút)",
        label_en="Withdraw the application", legal_basis="HD 01-HD/TW §3",
    ))
    steps.extend(common.return_for_rework_steps(
        steps, ("application_submitted", "background_verified", "opinions_collected", "cell_approved",
                "committee_approved", "referred_to_superior"),
        legal_basis="HD 01-HD/TW §3",
    ))
    steps.append(common.transfer_step(open_names))
    # A decision revoked after the ceremony would also have to end the probation it opened: only
    # `admitted` and `rejected` can be revoked here.
    steps.extend(decisions.revoke_steps(steps, ("decide_admission", "refuse_admission"),
                                        legal_basis="QĐ 24-QĐ/TW §4.3; procedures.md §9"))
    return Procedure(
        forms=DOCUMENTS,
        name=NAME, rule_set=rule_set.name, label_vi="Kết nạp đảng viên", label_en="Admission",
        states=STATES, open_step=open_step, steps=tuple(steps),
        legal_basis="Điều lệ Đảng art. 4; QĐ 24-QĐ/TW; HD 01-HD/TW §3",
    )
