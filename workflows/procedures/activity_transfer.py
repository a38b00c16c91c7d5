"""Transfer of party activity (chuyển sinh hoạt đảng), official or temporary — QĐ 24/294-QĐ/TW §6.3.

Official: the member's cell records the request; the committee able to reach both sides issues the
introduction letter and the dossier (this case) moves to the receiving cell; the member presents the letter
there within 30 working days; the member changes cell only when the receiving side records the arrival.
Temporary (3 months to under 1 year; studies up to 2 years): the member stays on the home cell's roll, which
keeps the case, records the arrival the receiving committee confirms, any extension and the return.
The generic `transfer` step of every procedure (moving one open case) is a different thing and stays.
"""
from __future__ import annotations

from datetime import date, timedelta

from workflows.domain import organisations as orgs
from workflows.domain.calendar import add_months
from workflows.domain.definition import (
    STAY,
    Authority,
    Branch,
    DeadlineSpec,
    ExtendDeadline,
    Field,
    FireStep,
    MoveCase,
    OrgFacts,
    Procedure,
    Rule,
    State,
    Step,
    StepContext,
    UpdateCaseData,
    UpdatePerson,
)
from workflows.domain.rulesets import RuleSet
from workflows.procedures import common, decisions

NAME = "activity_transfer"
KINDS = ("official", "temporary")
GROUNDS = ("job_change", "retirement", "residence_change", "study", "other")
RECEIVING_KINDS = ("cell", "grassroots_cell")

SOURCE = "QĐ 24-QĐ/TW §6.3; QĐ 294-QĐ/TW §6.3; HD 12-HD/BTCTW §4"
OFFICIAL_SOURCE = "QĐ 294-QĐ/TW §6.3.1 (QĐ 24-QĐ/TW §6.3.1)"
TEMPORARY_SOURCE = "QĐ 232/294-QĐ/TW §6.3.2 (QĐ 24-QĐ/TW §6.3.2)"

CELL_SIDE = (Authority("cell_secretary", "case"), Authority("organisation_officer", "grassroots"))

STATES = (
    State("requested", "Đảng viên đề nghị chuyển sinh hoạt đảng", "Transfer requested"),
    State("letter_issued", "Đã giới thiệu chuyển sinh hoạt đảng", "Introduction letter issued"),
    State("temporarily_active", "Đang sinh hoạt đảng tạm thời nơi khác", "Temporarily active elsewhere"),
    State("received", "Nơi đến đã nhận sinh hoạt đảng chính thức", "Received by the new cell", final=True),
    State("returned", "Đã trở về sinh hoạt tại chi bộ", "Returned to the home cell", final=True),
    State("not_presented", "Không xuất trình giấy giới thiệu", "Letter not presented", final=True),
    State("withdrawn", "Không chuyển sinh hoạt đảng", "Transfer withdrawn", final=True),
)


def _kind(ctx: StepContext) -> str:
    return ctx.recorded("open").get("kind") or ctx.data.get("kind") or "official"


def _destination(ctx: StepContext) -> int:
    return int(ctx.recorded("open").get("destination_id") or ctx.data["destination_id"])


def _home(ctx: StepContext) -> int:
    return int(ctx.case.data.get("home_organisation_id") or ctx.person.organisation_id)


# ---------------------------------------------------------------- who acts


def reach_scope(chain: list[OrgFacts], other: list[OrgFacts]) -> str:
    """The lowest scope of `chain` whose organisation also stands above `other`: grassroots, superior, province.

    §6.3.1: within a grassroots organisation its committee introduces; leaving it, the committee directly above
    ("Cấp uỷ cấp trên trực tiếp của tổ chức cơ sở đảng … nơi có đảng viên chuyển đi"); beyond that, the
    province level, the one level of this system that sees both sides.
    """
    other_ids = {o.id for o in other}
    if orgs.grassroots_of(chain).id in other_ids:
        return "grassroots"
    if orgs.superior_of_grassroots(chain).id in other_ids:
        return "superior"
    return "province"


def issuers(ctx: StepContext | None) -> tuple[Authority, ...]:
    """The committee that introduces the member (and takes the dossier back if the letter is not used)."""
    scope = "grassroots"
    if ctx is not None and _kind(ctx) == "official":
        here = ctx.chain[-1].id
        other = _home(ctx) if here != _home(ctx) else _destination(ctx)
        scope = reach_scope(ctx.chain, ctx.lookups.organisation_chain(other))
    return (Authority("organisation_officer", scope), Authority("standing_committee", scope))


# ---------------------------------------------------------------- rules


def _destination_ok(ctx: StepContext) -> bool:
    chain = ctx.lookups.organisation_chain(ctx.data["destination_id"])
    return bool(chain) and chain[-1].kind in RECEIVING_KINDS and chain[-1].id != ctx.person.organisation_id


DESTINATION = Rule(
    "transfer_destination", OFFICIAL_SOURCE,
    "Nơi chuyển đến phải là một chi bộ (chi bộ hoặc chi bộ cơ sở) khác chi bộ đảng viên đang sinh hoạt.",
    "The destination must be another cell (a cell or a grassroots cell) than the member's own.",
    _destination_ok, field="destination_id", confidence="H",
)


def _not_under_review(ctx: StepContext) -> bool:
    if ctx.data.get("kind", _kind(ctx)) != "official":
        return True
    return not any(c.procedure in ("discipline", "appeal", "suspension") and not c.closed
                   for c in ctx.lookups.cases_of_person(ctx.person.id))


UNDER_REVIEW = Rule(
    "under_review_not_transferred",
    "QĐ 29-QĐ/TW §6 (giữ nguyên ở QĐ 24, 294): «Đảng viên đang bị thanh tra, kiểm tra, đang xem xét, giải quyết "
    "khiếu nại, tố cáo thì chưa chuyển» sinh hoạt đảng chính thức",
    "Đảng viên đang bị xem xét kỷ luật, đang có khiếu nại chưa giải quyết hoặc đang bị đình chỉ sinh hoạt đảng "
    "thì chưa chuyển sinh hoạt đảng chính thức.",
    "A member under discipline proceedings, with a pending appeal or suspended cannot transfer officially yet.",
    _not_under_review, confidence="M",
)


def _duration_ok(ctx: StepContext) -> bool:
    until, start = ctx.data.get("until"), ctx.data["basis_date"]
    if ctx.data["kind"] == "official":
        return until is None
    if until is None:
        return False
    settings = ctx.settings
    if until < add_months(start, settings["temporary_transfer_min_months"]):
        return False
    if ctx.data["ground"] == "study":
        return until <= add_months(start, settings["temporary_study_max_months"])
    return until < add_months(start, settings["temporary_transfer_below_months"])


TEMPORARY_DURATION = Rule(
    "temporary_duration",
    TEMPORARY_SOURCE + ": «thay đổi nơi cư trú, nơi công tác trong thời gian từ 3 tháng đến dưới 1 năm; khi được "
    "cử đi học tập trung … từ 3 tháng đến 2 năm»",
    "Chuyển sinh hoạt tạm thời cần ngày kết thúc: từ 3 tháng đến dưới 1 năm (đi học: đến 2 năm); chuyển chính "
    "thức thì không ghi ngày kết thúc.",
    "A temporary transfer needs its end: 3 months to under 1 year (studies: up to 2 years); an official one has none.",
    _duration_ok, field="until", confidence="H",
)


def _extension_ok(ctx: StepContext) -> bool:
    start = date.fromisoformat(ctx.recorded("open")["basis_date"])
    current = ctx.case.deadlines.get("temporary_end")
    limit = (add_months(start, ctx.settings["temporary_study_max_months"]) + timedelta(days=1)
             if ctx.recorded("open").get("ground") == "study"
             else add_months(start, ctx.settings["temporary_transfer_below_months"]))
    return (current is None or ctx.data["until"] > current) and ctx.data["until"] < limit


EXTENSION = Rule(
    "temporary_extension",
    TEMPORARY_SOURCE + ": «Nếu cần kéo dài thời hạn sinh hoạt đảng tạm thời thì đảng viên phải báo cáo với cấp "
    "ủy đảng nơi đảng viên đang sinh hoạt tạm thời để xin gia hạn, đồng thời báo cáo với tổ chức đảng nơi sinh "
    "hoạt chính thức»",
    "Ngày kết thúc mới phải sau ngày cũ và cả thời gian vẫn dưới 1 năm (đi học: đến 2 năm); dài hơn thì phải "
    "chuyển sinh hoạt đảng chính thức.",
    "The new end must come after the old one and the whole stay stay under 1 year (studies: up to 2 years); "
    "longer needs an official transfer.",
    _extension_ok, field="until", confidence="M",
)


def _late_reason_given(ctx: StepContext) -> bool:
    due = ctx.case.deadlines.get("present_letter")
    return due is None or ctx.data["date"] <= due or bool((ctx.data.get("late_reason") or "").strip())


LATE_REASON = Rule(
    "late_presentation_reason",
    OFFICIAL_SOURCE + ": quá 30 ngày làm việc «đảng viên hoặc tổ chức đảng vi phạm phải báo cáo lý do cụ thể để "
    "cấp ủy có thẩm quyền xem xét, xử lý»",
    "Giấy giới thiệu được xuất trình quá 30 ngày làm việc: phải ghi lý do cụ thể.",
    "The letter was presented after the 30 working days: the specific reason must be recorded.",
    _late_reason_given, field="late_reason", confidence="H",
)


def _deadline_passed(ctx: StepContext) -> bool:
    due = ctx.case.deadlines.get("present_letter")
    return due is not None and ctx.data["date"] > due


NOT_YET_OVERDUE = Rule(
    "presentation_not_overdue", OFFICIAL_SOURCE,
    "Chưa hết 30 ngày làm việc để đảng viên xuất trình giấy giới thiệu.",
    "The 30 working days to present the letter have not passed yet.",
    _deadline_passed, field="date", confidence="H",
)

# ---------------------------------------------------------------- deadlines and effects

PRESENT_LETTER = DeadlineSpec(
    "present_letter",
    lambda ctx: ctx.calendar.add_working_days(ctx.data["letter_date"],
                                              ctx.settings["transfer_presentation_working_days"]),
    Authority("cell_secretary", "case"), OFFICIAL_SOURCE,
    "Hạn xuất trình giấy giới thiệu sinh hoạt đảng (30 ngày làm việc)",
    "Introduction letter to be presented (30 working days)",
)
TEMPORARY_END = DeadlineSpec(
    "temporary_end", lambda ctx: date.fromisoformat(ctx.recorded("open")["until"]),
    Authority("cell_secretary", "case"), TEMPORARY_SOURCE,
    "Hết thời hạn sinh hoạt đảng tạm thời", "Temporary activity ends",
    when=lambda ctx: _kind(ctx) == "temporary",
)


def _opened(ctx: StepContext):
    due = ctx.calendar.add_working_days(ctx.data["basis_date"], ctx.settings["transfer_request_working_days"])
    return [UpdateCaseData({"home_organisation_id": ctx.person.organisation_id, "request_due": due,
                            "request_late": ctx.data["date"] > due})]


def _letter_issued(ctx: StepContext):
    # Official: the dossier goes to the receiving cell, which records the arrival. The member does not move yet.
    return [MoveCase(_destination(ctx))] if _kind(ctx) == "official" else []


def _arrived(ctx: StepContext):
    if _kind(ctx) != "official":
        return []
    destination, home = _destination(ctx), _home(ctx)
    moves = [UpdatePerson(ctx.person.id, {"organisation_id": destination})]
    # The member's other open cases at the old cell go along (as the generic `transfer` moves one case).
    for other in ctx.lookups.cases_of_person(ctx.person.id):
        if other.id != ctx.case.id and not other.closed and other.organisation_id == home:
            moves.append(FireStep(other.id, "transfer", {"organisation_id": destination,
                                                         "date": ctx.data["date"].isoformat()}))
    return moves


def _back_home(ctx: StepContext):
    return [MoveCase(_home(ctx))] if ctx.case.organisation_id != _home(ctx) else []


def _arrival_outcome(ctx: StepContext) -> str:
    return _kind(ctx)


# ---------------------------------------------------------------- the procedure


def build(rule_set: RuleSet) -> Procedure:
    """The transfer of party activity under a rule set (the same texts in 2021 and 2025)."""
    open_step = Step(
        trigger="open", sources=(), dest="requested", who=CELL_SIDE,
        label_vi="Nhận đề nghị chuyển sinh hoạt đảng", label_en="Record the transfer request", legal_basis=SOURCE,
        fields=(
            Field("kind", "enum", choices=KINDS, label_vi="Hình thức chuyển", label_en="Kind of transfer"),
            Field("ground", "enum", choices=GROUNDS, label_vi="Lý do chuyển", label_en="Ground"),
            Field("destination_id", "ref", label_vi="Chi bộ nơi chuyển đến", label_en="Receiving cell"),
            Field("basis_date", "date", label_vi="Ngày quyết định có hiệu lực / ngày thay đổi nơi ở (tạm thời: "
                  "ngày bắt đầu)", label_en="Date the decision took effect or the move (temporary: start)"),
            Field("until", "date", required=False, label_vi="Sinh hoạt tạm thời đến ngày",
                  label_en="Temporary until"),
            Field("date", "date", label_vi="Ngày đề nghị", label_en="Request date"),
        ),
        rules=(decisions.IS_MEMBER, DESTINATION, UNDER_REVIEW, TEMPORARY_DURATION), date_field="date",
        effects=_opened,
    )
    steps = [
        open_step,
        Step(
            trigger="issue_letter", sources=("requested",), dest="letter_issued", who=issuers,
            label_vi="Giới thiệu chuyển sinh hoạt đảng", label_en="Issue the introduction letter",
            legal_basis=OFFICIAL_SOURCE + "; HD 12-HD/BTCTW §4",
            fields=(Field("letter_number", "str", label_vi="Số giấy giới thiệu", label_en="Letter number",
                          max_length=100),
                    Field("letter_date", "date", label_vi="Ngày giới thiệu", label_en="Letter date")),
            rules=(UNDER_REVIEW,), opens=(PRESENT_LETTER,), effects=_letter_issued, date_field="letter_date",
        ),
        Step(
            trigger="record_arrival", sources=("letter_issued",), who=CELL_SIDE,
            dest=(Branch("received", "official"), Branch("temporarily_active", "temporary")),
            label_vi="Ghi nhận đảng viên đến sinh hoạt", label_en="Record the arrival", legal_basis=SOURCE,
            fields=(Field("date", "date", label_vi="Ngày xuất trình giấy giới thiệu", label_en="Date presented"),
                    Field("late_reason", "text", required=False, label_vi="Lý do xuất trình chậm (nếu quá hạn)",
                          label_en="Reason for presenting late (if overdue)")),
            rules=(LATE_REASON,), outcome=_arrival_outcome, closes=("present_letter",), opens=(TEMPORARY_END,),
            effects=_arrived, date_field="date",
        ),
        Step(
            trigger="record_not_presented", sources=("letter_issued",), dest="not_presented", who=issuers,
            label_vi="Ghi nhận đảng viên không xuất trình giấy giới thiệu",
            label_en="Record that the letter was not presented", legal_basis=OFFICIAL_SOURCE,
            fields=(Field("date", "date", label_vi="Ngày ghi nhận", label_en="Date"), common.REASON),
            rules=(NOT_YET_OVERDUE,), effects=_back_home, date_field="date",
        ),
        Step(
            trigger="extend_temporary", sources=("temporarily_active",), dest=STAY, who=CELL_SIDE,
            label_vi="Gia hạn sinh hoạt đảng tạm thời", label_en="Extend the temporary stay",
            legal_basis=TEMPORARY_SOURCE,
            fields=(Field("until", "date", label_vi="Sinh hoạt tạm thời đến ngày", label_en="New end"),
                    Field("date", "date", label_vi="Ngày báo cáo", label_en="Date reported")),
            rules=(EXTENSION,), effects=lambda ctx: [ExtendDeadline("temporary_end", ctx.data["until"])],
            date_field="date",
        ),
        Step(
            trigger="record_return", sources=("temporarily_active",), dest="returned", who=CELL_SIDE,
            label_vi="Ghi nhận đảng viên trở về sinh hoạt", label_en="Record the return", legal_basis=TEMPORARY_SOURCE,
            fields=(Field("date", "date", label_vi="Ngày trở về sinh hoạt", label_en="Return date"),),
            closes=("temporary_end",), date_field="date",
        ),
    ]
    steps = list(common.with_date_rules(steps))
    open_step, steps = steps[0], steps[1:]
    steps.append(common.withdraw_step(("requested",), "withdrawn", CELL_SIDE, label_vi="Không chuyển sinh hoạt đảng",
                                      label_en="Withdraw the request", legal_basis=SOURCE))
    steps.append(Step(
        trigger="cancel_letter", sources=("letter_issued",), dest="withdrawn", who=issuers,
        label_vi="Thu hồi giấy giới thiệu", label_en="Cancel the introduction letter", legal_basis=SOURCE,
        fields=(common.REASON,), effects=_back_home, comment_required=True,
    ))
    return Procedure(
        name=NAME, rule_set=rule_set.name, label_vi="Chuyển sinh hoạt đảng", label_en="Transfer of party activity",
        states=STATES, open_step=open_step, steps=tuple(steps), legal_basis=SOURCE,
    )
