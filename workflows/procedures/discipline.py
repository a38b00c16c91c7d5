"""Discipline (kỷ luật đảng viên) — procedures.md §7.

Sources: Điều lệ Đảng 2011 art. 35–39; QĐ 22-QĐ/TW (2021) → QĐ 296-QĐ/TW
(2025); QĐ 69-QĐ/TW (2022) amended by QĐ 264-QĐ/TW (2025).

Four forms. A probationary member can only be reprimanded or warned (a
member no longer qualified is struck off instead); removal from post needs a
post. The decision is in force at once, stays in force during an appeal, and
the case closes by itself (`close`, workflows.engine.automatic) once the
appeal window has passed with no appeal pending.
"""
from __future__ import annotations

from datetime import date, timedelta

from workflows.domain.calendar import add_months
from workflows.domain.definition import (
    STAY,
    Authority,
    Branch,
    Decided,
    Field,
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
from workflows.domain.votes import passes
from workflows.procedures import common, decisions, deferral, levels

NAME = "discipline"

FORMS = ("reprimand", "warning", "removal_from_post", "expulsion")
PROBATIONARY_FORMS = ("reprimand", "warning")
# Violations for which there is no statute of limitations (QĐ 69-QĐ/TW art. 4).
CATEGORIES = ("ordinary", "internal_political", "national_security", "illegal_degree")
LEFT_REASON = "expelled"

OPENERS = (Authority("cell_secretary", "case"), Authority("inspection_committee", "case"))
SECRETARY = common.SECRETARY

STATES = (
    State("opened", "Đang xem xét kỷ luật", "Opened"),
    State("deferred", "Tạm hoãn xem xét (thai sản, nuôi con nhỏ, điều trị nội trú)", "Deferred"),
    State("reviewed", "Đã kiểm điểm", "Self-review done (or refused)"),
    State("proposed", "Chi bộ đề nghị hình thức kỷ luật", "Form proposed by the cell"),
    State("in_force", "Quyết định kỷ luật có hiệu lực", "Decision in force"),
    State("closed", "Đã kết thúc (hết thời hạn khiếu nại)", "Closed (appeal window over)", final=True),
    State("dismissed", "Không kỷ luật", "Dismissed", final=True),
    State("annulled", "Quyết định kỷ luật bị hủy do khiếu nại", "Annulled on appeal", final=True),
)

SOURCE = "Điều lệ Đảng art. 35–39; QĐ 22-QĐ/TW; QĐ 69-QĐ/TW"

# ---------------------------------------------------------------- form rules


def _member_status(ctx: StepContext) -> str:
    """Probationary or official: now, or as recorded when the decision removed the person from the rolls."""
    if ctx.person.membership_status in decisions.MEMBER_STATUSES:
        return ctx.person.membership_status
    return ctx.case.data.get("member_status") or ctx.person.membership_status


def form_not_allowed(field: str) -> Rule:
    """`form_not_allowed`: a probationary member can only be reprimanded or warned."""
    return Rule(
        "form_not_allowed", "Điều lệ Đảng art. 35; QĐ 69-QĐ/TW art. 7",
        "Đảng viên dự bị chỉ bị khiển trách hoặc cảnh cáo; nếu không còn đủ tư cách đảng viên "
        "thì đề nghị xóa tên (mở hồ sơ xóa tên), không khai trừ hay cách chức.",
        "A probationary member can only be reprimanded or warned; one no longer qualified is struck off "
        "(open a strike_off case) instead.",
        lambda ctx: ctx.data.get(field) is None or _member_status(ctx) != "probationary"
        or ctx.data[field] in PROBATIONARY_FORMS,
        field=field,
    )


def no_post_held(field: str) -> Rule:
    """Removal from post only for a member who holds a post."""
    return Rule(
        "no_post_held", "Điều lệ Đảng art. 35",
        "Chỉ áp dụng hình thức cách chức với đảng viên đang giữ chức vụ.",
        "Removal from post only applies to a member who holds a post.",
        lambda ctx: ctx.data.get(field) != "removal_from_post" or ctx.person.holds_post
        or bool(ctx.case.data.get("held_post")),
        field=field,
    )


SECRET_BALLOT = Rule(
    "secret_ballot", "Điều lệ Đảng art. 38; QĐ 69-QĐ/TW art. 15",
    "Biểu quyết kỷ luật phải bằng phiếu kín.",
    "A discipline vote must be a secret ballot.",
    lambda ctx: ctx.data["vote"].method == "secret_ballot", field="vote",
)


def _expulsion_vote_ok(ctx: StepContext) -> bool:
    # Checked when the deciding body's vote is recorded; api.md's decide_discipline data is
    # `decision_number, decision_date, form` (the decision attests the vote), as for the other decisions.
    if ctx.data["form"] != "expulsion":
        return True
    vote = ctx.data.get("vote")
    return vote is None or passes("half", vote.agree, vote.eligible)


EXPULSION_VOTE = Rule(
    "expulsion_vote", "QĐ 69-QĐ/TW art. 15",
    "Quyết định khai trừ cần biểu quyết của cấp có thẩm quyền với quá 1/2 số thành viên tán thành.",
    "An expulsion needs the deciding body's vote with more than 1/2 of its members in favour.",
    _expulsion_vote_ok, field="vote",
)

# ---------------------------------------------------------------- statute of limitations, deferral


STATUTE_SOURCE = (
    "QĐ 69-QĐ/TW art. 4.2: «Thời hiệu kỷ luật được tính từ thời điểm xảy ra hành vi vi phạm đến khi tổ chức đảng có "
    "thẩm quyền kết luận vi phạm đến mức phải thi hành kỷ luật. Nếu ... có hành vi vi phạm mới trong thời hạn ... thì "
    "thời hiệu kỷ luật đối với vi phạm cũ được tính lại kể từ thời điểm xảy ra hành vi vi phạm mới» (5 năm khiển "
    "trách; 10 năm cảnh cáo, cách chức; không áp dụng với khai trừ và các vi phạm art. 4.2 b); vi phạm kéo dài: từ "
    "khi chấm dứt (HD 04-HD/UBKTTW 2018 về QĐ 102)"
)


def _date(value) -> date | None:
    return value if isinstance(value, date) or value is None else date.fromisoformat(value)


def statute_start(opened: dict) -> date:
    """Where the period starts: the violation — its end, for a continuing one — or a newer violation."""
    starts = [_date(opened.get(k)) for k in ("violation_date", "violation_ended_on", "new_violation_date")]
    return max(d for d in starts if d is not None)


def statute_end(ctx: StepContext, form: str) -> date | None:
    """The last day the competent body may conclude that a violation of this form's level warrants discipline
    (None: no limit).

    Counted in calendar months from statute_start, plus the days the case was deferred (QĐ 69 art. 2.14).
    """
    opened = ctx.recorded("open")
    if (opened.get("violation_category") or "ordinary") != "ordinary":
        return None
    months = ctx.settings["statute_months"].get(form)
    if months is None:
        return None
    return add_months(statute_start(opened), months) + timedelta(days=int(ctx.case.data.get("deferred_days") or 0))


def considered_on(ctx: StepContext) -> date:
    """The moment the period stops: the competent body's conclusion (`considered_on` at open), else the decision."""
    return _date(ctx.recorded("open").get("considered_on")) or ctx.data["decision_date"]


def _within_statute(ctx: StepContext) -> bool:
    end = statute_end(ctx, ctx.data["form"])
    return end is None or considered_on(ctx) <= end


def _statute_dates_ok(ctx: StepContext) -> bool:
    violated = ctx.data["violation_date"]
    ended, considered = ctx.data.get("violation_ended_on"), ctx.data.get("considered_on")
    return (ended is None or violated <= ended <= ctx.today) and (
        considered is None or (max(violated, ended or violated) <= considered <= ctx.today))


STATUTE_DATES = Rule(
    "statute_dates", STATUTE_SOURCE,
    "Ngày chấm dứt vi phạm không thể trước ngày vi phạm; ngày kết luận không thể trước khi vi phạm chấm dứt; "
    "không ngày nào sau hôm nay.",
    "A continuing violation cannot end before it began, nor be concluded on before it ended; no date after today.",
    _statute_dates_ok, field="considered_on", confidence="H",
)


STATUTE = Rule(
    "statute_of_limitations", STATUTE_SOURCE,
    "Đã hết thời hiệu kỷ luật tính đến khi tổ chức đảng có thẩm quyền kết luận vi phạm (khiển trách: 60 tháng; "
    "cảnh cáo, cách chức: 120 tháng kể từ ngày vi phạm, hoặc từ khi chấm dứt vi phạm kéo dài).",
    "The statute of limitations had run out when the competent body concluded (reprimand level: 60 months; "
    "warning or removal level: 120 months from the violation, or from the end of a continuing one).",
    _within_statute, field="decision_date", confidence="H",
)


APPEAL_WINDOW_PASSED = Rule(
    "appeal_window_open", "Điều lệ Đảng art. 39; QĐ 24-QĐ/TW §8",
    "Chưa hết thời hạn khiếu nại, hoặc đang có khiếu nại chưa được giải quyết.",
    "The appeal window has not passed yet, or an appeal is still pending.",
    lambda ctx: bool(ctx.case.data.get("appeal_until"))
    and ctx.today > date.fromisoformat(ctx.case.data["appeal_until"])
    and not decisions.open_appeals_against(ctx, ctx.case.id),
)

# ---------------------------------------------------------------- who decides, effects


def _decided_form(ctx: StepContext | None) -> str | None:
    if ctx is None:
        return None
    return ctx.data.get("form") or ctx.recorded("decide_discipline").get("form") or ctx.recorded("cell_vote").get("form")


def decided_by(ctx: StepContext) -> str:
    """The body that takes (or took) the decision: as recorded, else the lowest one competent for the form."""
    named = ctx.data.get("decided_by") or ctx.recorded("decide_discipline").get("decided_by")
    return named or levels.default_decided_by(_decided_form(ctx), ctx.chain, ctx.rule_set)


def deciders(ctx: StepContext | None) -> tuple[Authority, ...]:
    """The body the decision names; unnamed, any competent for the form — the cell for a reprimand or warning of
    its members (the grassroots committee or inspection commission too), removal and expulsion the competent
    level (an expulsion never by a grassroots inspection commission)."""
    if ctx is None:
        return levels.discipline_deciders(None, None)
    named = ctx.data.get("decided_by") or ctx.recorded("decide_discipline").get("decided_by")
    return levels.discipline_deciders(_decided_form(ctx), named)


DECIDER_COMPETENCE = Rule(
    "decider_competence", levels.SOURCE_COMPETENCE,
    "Cấp này không có thẩm quyền quyết định hình thức kỷ luật đó: chi bộ và ủy ban kiểm tra đảng ủy cơ sở chỉ khiển "
    "trách, cảnh cáo; cách chức do đảng ủy cơ sở (cấp ủy viên cấp dưới) hoặc cấp trên quyết định.",
    "This body may not decide that form: a cell or a grassroots inspection commission only reprimands or warns; "
    "removal from post is decided by the grassroots committee (of lower-level committee members) or above.",
    lambda ctx: levels.may_decide(decided_by(ctx), ctx.data["form"]), field="decided_by", confidence="H",
)


def _may_expel(ctx: StepContext) -> bool:
    if ctx.data["form"] != "expulsion":
        return True
    flags = ctx.person.flags or {}
    return levels.may_expel(
        decided_by(ctx), ctx.chain, ctx.rule_set,
        committee_member=bool(ctx.data.get("member_is_committee_member") or flags.get("committee_member")),
        superior_managed=bool(ctx.data.get("member_superior_managed") or flags.get("superior_managed")),
    )


EXPULSION_COMPETENCE = Rule(
    "expulsion_competence", levels.SOURCE_EXPULSION,
    "Cấp này không được quyết định khai trừ: chỉ đảng ủy cơ sở được ủy quyền kết nạp (không với cấp ủy viên cùng cấp, "
    "đảng viên thuộc diện cấp trên quản lý) hoặc cấp ủy, ủy ban kiểm tra cấp trên trực tiếp của tổ chức cơ sở đảng trở lên.",
    "This body may not expel: only a grassroots committee delegated admission authority (not its own committee "
    "members, nor cadres managed by a superior level) or the committee or inspection commission of the level "
    "above the grassroots organisation or higher.",
    _may_expel, field="decided_by", confidence="M",
)
DECIDED_BY = Field("decided_by", "enum", choices=levels.DECIDED_BY, required=False,
                   label_vi="Cấp quyết định kỷ luật", label_en="Body that decided")
COMMITTEE_MEMBER = Field("member_is_committee_member", "bool", required=False,
                         label_vi="Đảng viên là cấp ủy viên cùng cấp", label_en="The member sits on this committee")
SUPERIOR_MANAGED = Field("member_superior_managed", "bool", required=False,
                         label_vi="Đảng viên là cán bộ thuộc diện cấp trên quản lý",
                         label_en="The member is a cadre managed by a superior level")


def form_changes(form: str, decided_on: date) -> dict:
    """What a form changes on the person: expulsion ends membership, removal ends the post."""
    if form == "expulsion":
        return {"membership_status": "former", "left_on": decided_on, "left_reason": LEFT_REASON}
    if form == "removal_from_post":
        return {"holds_post": False}
    return {}


def _decided(ctx: StepContext):
    decided, form = ctx.data["decision_date"], ctx.data["form"]
    changes = form_changes(form, decided)
    return [
        Decided(decided),
        UpdateCaseData({"form": form, "member_status": _member_status(ctx), "held_post": ctx.person.holds_post,
                        "decided_by": decided_by(ctx),
                        "decider_index": levels.decider_index(ctx.chain, decided_by(ctx))}),
        decisions.appeal_window_data(ctx, NAME),
        *([UpdatePerson(ctx.person.id, changes)] if changes else []),
    ]


def _amended(ctx: StepContext):
    """Undo what the decision (and any earlier amendment) changed, then apply the new form."""
    decision = decisions.latest_decision(ctx, ("decide_discipline",))
    changes = decisions.person_before(ctx, decision.seq)
    changes.update(form_changes(ctx.data["form"], date.fromisoformat(decision.data["decision_date"])))
    return [
        UpdateCaseData({"form": ctx.data["form"], "amended_by_appeal": ctx.data["appeal_case_id"]}),
        *([UpdatePerson(ctx.person.id, changes)] if changes else []),
    ]


# ---------------------------------------------------------------- the procedure

FORM = Field("form", "enum", choices=FORMS, label_vi="Hình thức kỷ luật", label_en="Form")


def _threshold(ctx: StepContext) -> str:
    """Expulsion needs ≥ 2/3 of the official members to propose; the other forms > 1/2 (QĐ 69 art. 15)."""
    return "two_thirds" if ctx.data.get("form") == "expulsion" else "half"


def _cell_outcome(ctx: StepContext) -> str:
    vote = ctx.data["vote"]
    return "passed" if passes(_threshold(ctx), vote.agree, vote.eligible) else "failed"



# ---------------------------------------------------------------- the documents its steps record (issue 15)


def _discipline_issuer(data) -> str:
    """The cell decides (and issues) a reprimand or warning of its members; the competent committee the
    heavier forms (Điều lệ Đảng art. 36; `deciders` above)."""
    return "case" if data.get("form") in PROBATIONARY_FORMS else "competent"


DOCUMENTS = (
    FormSpec("NQ-KL", "Nghị quyết đề nghị thi hành kỷ luật đảng viên (chi bộ)", "cell_vote", issuer="case",
             kind="resolution"),
    FormSpec("QD-KL", "Quyết định thi hành kỷ luật đảng viên", "decide_discipline", issuer=_discipline_issuer),
    common.REVOKE_FORM,
    common.TRANSFER_FORM,
)

def build(rule_set: RuleSet) -> Procedure:
    """The discipline procedure under a rule set."""
    open_step = Step(
        trigger="open", sources=(), dest="opened", who=OPENERS,
        label_vi="Mở hồ sơ xem xét kỷ luật", label_en="Open a discipline case", legal_basis=SOURCE,
        fields=(
            Field("violation", "text", label_vi="Nội dung vi phạm", label_en="Violation"),
            Field("violation_date", "date", label_vi="Ngày vi phạm", label_en="Violation date"),
            Field("proposed_form", "enum", choices=FORMS, label_vi="Hình thức đề nghị", label_en="Proposed form"),
            Field("violation_category", "enum", choices=CATEGORIES, required=False,
                  label_vi="Loại vi phạm (không áp dụng thời hiệu nếu không phải thông thường)",
                  label_en="Kind of violation (no statute of limitations unless ordinary)"),
            Field("new_violation_date", "date", required=False,
                  label_vi="Ngày vi phạm mới trong thời hiệu (tính lại thời hiệu)",
                  label_en="Date of a new violation within the period (restarts it)"),
            Field("violation_ended_on", "date", required=False,
                  label_vi="Ngày chấm dứt vi phạm (vi phạm kéo dài)",
                  label_en="Date a continuing violation ended"),
            Field("considered_on", "date", required=False,
                  label_vi="Ngày tổ chức đảng có thẩm quyền kết luận vi phạm đến mức phải kỷ luật",
                  label_en="Date the competent body concluded the violation warrants discipline"),
        ),
        rules=(decisions.IS_MEMBER, form_not_allowed("proposed_form"), no_post_held("proposed_form"),
               STATUTE_DATES),
        effects=lambda ctx: [UpdateCaseData({"member_status": ctx.person.membership_status})],
        date_field="violation_date",
    )
    steps = [
        open_step,
        *deferral.steps(OPENERS),
        Step(
            trigger="record_self_review", sources=("opened",), dest="reviewed", who=OPENERS,
            label_vi="Ghi nhận bản tự kiểm điểm", label_en="Record the self-review", legal_basis=SOURCE,
            fields=(Field("date", "date", label_vi="Ngày kiểm điểm", label_en="Date"),
                    Field("summary", "text", label_vi="Tóm tắt nội dung", label_en="Summary"),
                    Field("proposed_form", "enum", choices=FORMS, required=False,
                          label_vi="Hình thức đảng viên tự nhận", label_en="Form the member proposes")),
            date_field="date",
        ),
        Step(
            trigger="record_refusal", sources=("opened",), dest="reviewed", who=OPENERS,
            label_vi="Ghi nhận đảng viên không kiểm điểm", label_en="Record the refusal to self-review",
            legal_basis=SOURCE,
            fields=(Field("date", "date", label_vi="Ngày ghi nhận", label_en="Date"),
                    Field("requests", "int", label_vi="Số lần đã yêu cầu", label_en="Requests made")),
            date_field="date",
        ),
        Step(
            trigger="cell_vote", sources=("reviewed",), who=SECRETARY,
            dest=(Branch("proposed", "passed"), Branch("dismissed", "failed")),
            label_vi="Chi bộ biểu quyết bằng phiếu kín", label_en="Cell vote (secret ballot)",
            legal_basis="QĐ 69-QĐ/TW art. 15; " + common.SOURCE_CHARTER_VOTES,
            fields=(common.VOTE, FORM),
            rules=(SECRET_BALLOT, form_not_allowed("form"), no_post_held("form")),
            outcome=_cell_outcome, vote="cell", threshold=_threshold, date_field="vote.date",
        ),
        Step(
            trigger="decide_discipline", sources=("proposed",), dest="in_force", who=deciders,
            label_vi="Quyết định kỷ luật", label_en="Discipline decision", legal_basis=SOURCE,
            fields=(common.DECISION_NUMBER, common.DECISION_DATE, FORM, common.RECEIVED_DATE, common.DECISION_VOTE,
                    DECIDED_BY, COMMITTEE_MEMBER, SUPERIOR_MANAGED),
            rules=(decisions.IS_MEMBER, STATUTE, form_not_allowed("form"), no_post_held("form"), EXPULSION_VOTE,
                   DECIDER_COMPETENCE, EXPULSION_COMPETENCE),
            effects=_decided, vote="decision", threshold="half", date_field="decision_date",
        ),
    ]
    steps = list(common.with_date_rules(steps))
    open_step, steps = steps[0], steps[1:]
    steps.extend(common.return_for_rework_steps(steps, ("reviewed", "proposed"), legal_basis=SOURCE))
    steps.append(common.transfer_step(common.open_states(STATES)))
    steps.extend(decisions.revoke_steps(steps, ("decide_discipline",), legal_basis=SOURCE + "; procedures.md §9",
                                        also_from={"in_force": ("closed",)}, clear_keys=("appeal_until", "form")))
    steps.append(Step(
        # The scheduler closes it by itself the day after the window (workflows.engine.automatic);
        # the deciding body may also record it by hand once the window has passed.
        trigger="close", sources=("in_force",), dest="closed", who=deciders,
        label_vi="Kết thúc (hết thời hạn khiếu nại)", label_en="Close (appeal window over)",
        legal_basis="Điều lệ Đảng art. 39; QĐ 24-QĐ/TW §8", rules=(APPEAL_WINDOW_PASSED,),
    ))
    steps.append(decisions.annul_step(("in_force", "closed"), ("decide_discipline",), clear_keys=("appeal_until",)))
    steps.append(Step(
        trigger="amend", sources=("in_force", "closed"), dest=STAY, who=(), system=True,
        label_vi="Thay đổi hình thức kỷ luật do khiếu nại", label_en="Form amended on appeal",
        legal_basis="Điều lệ Đảng art. 36, 39",
        fields=(decisions.APPEAL_CASE, common.DECISION_NUMBER, common.DECISION_DATE, FORM),
        rules=(decisions.by_appeal_rule("amended"), form_not_allowed("form"), no_post_held("form")),
        effects=_amended, date_field="decision_date",
    ))
    return Procedure(
        forms=DOCUMENTS,
        name=NAME, rule_set=rule_set.name, label_vi="Kỷ luật đảng viên", label_en="Discipline",
        states=STATES, open_step=open_step, steps=tuple(steps), legal_basis=SOURCE,
    )
