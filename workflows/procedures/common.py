"""Fields, rules and steps every procedure shares (one place for each shared rule)."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from workflows.domain import organisations as orgs
from workflows.domain.definition import (
    STAY,
    Authority,
    Branch,
    Field,
    MoveCase,
    Rule,
    State,
    Step,
    StepContext,
    UpdatePerson,
)
from workflows.domain.forms import FormSpec
from workflows.domain.votes import Vote, passes

# ---------------------------------------------------------------- fields

REASON = Field("reason", "text", label_vi="Lý do", label_en="Reason")
# Left empty, the deciding body's register gives the next number of its year (issue 15, api.md «Additions»).
DECISION_NUMBER = Field("decision_number", "str", required=False, max_length=100,
                        label_vi="Số quyết định (để trống: số tiếp theo trong sổ)",
                        label_en="Decision number (empty: the register's next)")
DECISION_DATE = Field("decision_date", "date", label_vi="Ngày quyết định", label_en="Decision date")
# A refusal's date may be left out (api.md lists no data for refuse_admission/reject_*): the engine
# then dates it the day it is recorded (transitions._run_step: an optional date_field defaults to today).
REFUSAL_DATE = Field("decision_date", "date", required=False, label_vi="Ngày quyết định (mặc định: hôm nay)",
                     label_en="Decision date (default: the day it is recorded)")
RECEIVED_DATE = Field(
    "received_date", "date", required=False,
    label_vi="Ngày nhận quyết định", label_en="Date the decision was received",
)
# An extension of at least one working day: a zero-day extension changes nothing and is refused as input.
EXTENSION_DAYS = Field("days", "int", minimum=1, label_vi="Số ngày làm việc gia hạn",
                       label_en="Working days")
VOTE = Field("vote", "vote", label_vi="Kết quả biểu quyết", label_en="Vote")
DECISION_VOTE = Field(
    "vote", "vote", required=False,
    label_vi="Biểu quyết của cấp ủy (nếu có)", label_en="Committee vote (if any)",
)
CONSENT = Field(
    "consent", "object", required=False,
    items=(
        Field("number", "str", label_vi="Số văn bản", label_en="Document number", max_length=100),
        Field("date", "date", label_vi="Ngày", label_en="Date"),
    ),
    label_vi="Văn bản đồng ý của cấp trên", label_en="Superior's written consent",
)

SUPERIOR_CONSENT = Field(
    "superior_consent", "object", required=False, items=CONSENT.items, flag=True,
    label_vi="Văn bản đồng ý của cấp ủy cấp trên", label_en="Superior committee's written consent",
)

# The documents every procedure's shared steps record (issue 15).
REVOKE_FORM = FormSpec("QD-THQD", "Quyết định thu hồi quyết định", "revoke", issuer="above_competent")
TRANSFER_FORM = FormSpec("GT-CSHD", "Giấy giới thiệu chuyển sinh hoạt đảng", "transfer", issuer="grassroots",
                         kind="letter")

SOURCE_CHARTER_VOTES = "Điều lệ Đảng 2011, điều 4.3; HD 01-HD/TW §5.1"

SECRETARY = (Authority("cell_secretary", "case"),)
COMMITTEE = (Authority("committee_member", "grassroots"),)
COMPETENT = (Authority("standing_committee", "competent"),)

# ---------------------------------------------------------------- rules


def _latest_earlier_date(ctx: StepContext, steps: Sequence[Step]) -> date | None:
    dates = []
    for step in steps:
        recorded = ctx.case.data.get(step.trigger)
        if recorded:
            d = step.recorded_date(recorded)
            if d is not None:
                dates.append(d)
    return max(dates) if dates else None


def date_order_rule(step: Step, earlier: Sequence[Step]) -> Rule:
    """The step's date is not before what earlier steps of the case recorded (steps in order)."""

    def check(ctx: StepContext) -> bool:
        own = step.recorded_date(ctx.data)
        latest = _latest_earlier_date(ctx, earlier)
        return own is None or latest is None or own >= latest

    return Rule(
        id="date_order",
        source="HD 01-HD/TW §3 (trình tự các bước)",
        message_vi="Ngày của bước này sớm hơn ngày của bước trước — các bước phải theo đúng trình tự.",
        message_en="This step's date is earlier than the previous step's: steps must follow in order.",
        check=check,
        field=(step.date_field or "").split(".")[0] or None,
    )


def date_not_future_rule(step: Step) -> Rule:
    """A recorded date cannot be later than today."""

    def check(ctx: StepContext) -> bool:
        own = step.recorded_date(ctx.data)
        return own is None or own <= ctx.today

    return Rule(
        id="date_not_future",
        source="HD 12-HD/BTCTW (ghi đúng ngày của văn bản)",
        message_vi="Ngày ghi nhận không được sau ngày hôm nay.",
        message_en="A recorded date cannot be later than today.",
        check=check,
        field=(step.date_field or "").split(".")[0] or None,
    )


def vote_threshold_rule(rule_id: str, threshold: str, source: str, what_vi: str, what_en: str) -> Rule:
    """A vote recorded in `data.vote` must reach a threshold (used where failing is an error, not a branch)."""
    words_vi = {"two_thirds": "ít nhất 2/3", "half": "quá 1/2"}[threshold]
    words_en = {"two_thirds": "at least 2/3", "half": "more than 1/2"}[threshold]

    def check(ctx: StepContext) -> bool:
        vote: Vote | None = ctx.data.get("vote")
        return vote is None or passes(threshold, vote.agree, vote.eligible)

    return Rule(
        id=rule_id, source=source,
        message_vi=f"{what_vi} cần {words_vi} tổng số thành viên tán thành.",
        message_en=f"{what_en} needs {words_en} of all members in favour.",
        check=check, field="vote",
    )


DECISION_VOTE_RULE = Rule(
    id="decision_vote",
    source="QĐ 24-QĐ/TW §4.3.2; HD 01-HD/TW §11.1",
    message_vi=(
        "Quyết định cần quá 1/2 số ủy viên ban thường vụ tán thành, "
        "hoặc ít nhất 2/3 số cấp ủy viên của đảng ủy cơ sở được ủy quyền."
    ),
    message_en=(
        "The decision needs more than 1/2 of the standing committee, "
        "or at least 2/3 of a delegated grassroots committee, in favour."
    ),
    check=lambda ctx: (
        ctx.data.get("vote") is None
        or passes(orgs.decision_threshold(ctx.chain, ctx.rule_set), ctx.data["vote"].agree, ctx.data["vote"].eligible)
    ),
    field="vote",
)


# A competent committee's decision taken after its deadline is late, not void: the engine records the
# lateness on the event (`late`), the case page shows it, the compliance audit counts it under this id,
# the reminders go on until it is taken. Windows that bar (an appeal, the ceremony) keep `deadline_passed`.
LATE_DECISION_ID = "late_decision"
LATE_DECISION_SOURCE = (
    "QĐ 24-QĐ/TW §4.2 b) (như QĐ 29-QĐ/TW §4.2): «Đảng viên dự bị đủ điều kiện được công nhận là đảng viên "
    "chính thức, dù chi bộ họp chậm, cấp ủy có thẩm quyền chuẩn y chậm, vẫn được công nhận đảng viên chính thức "
    "đúng thời điểm hết 12 tháng dự bị»; QĐ 24-QĐ/TW, QĐ 232-QĐ/TW §4.3.1 (thời hạn)"
)


def extension_rule(used_key: str) -> Rule:
    """An extension keeps the total within the rule set's maximum (30 working days by default)."""

    def check(ctx: StepContext) -> bool:
        used = int(ctx.case.data.get(used_key) or 0)
        return used + ctx.data["days"] <= ctx.settings["decision_extension_max_working_days"]

    return Rule(
        "extension_max", "QĐ 24-QĐ/TW, QĐ 232-QĐ/TW §4.3.1",
        "Chỉ được gia hạn tổng cộng không quá 30 ngày làm việc.",
        "The deadline can be extended by no more than 30 working days in all.",
        check, field="days",
    )


def deadline_to_extend_rule(kind: str) -> Rule:
    """Only an open deadline can be extended (after a revoked decision the old one was met, not reopened)."""
    return Rule(
        "no_deadline_to_extend", "QĐ 24-QĐ/TW, QĐ 232-QĐ/TW §4.3.1",
        "Hồ sơ không có thời hạn quyết định nào đang mở để gia hạn.",
        "The case has no open decision deadline to extend.",
        lambda ctx: kind in ctx.case.deadlines,
    )


def cell_and_committee_votes(*, cell_source: str, on_fail: str, legal_basis: str,
                             cell_who: tuple[Authority, ...], committee_who: tuple[Authority, ...]) -> tuple[Step, Step]:
    """The cell vote and the grassroots committee vote, each passing with ≥ 2/3 of all members.

    The committee vote does not apply in a grassroots cell (no committee level).
    """
    return (
        Step(
            trigger="cell_vote", sources=(cell_source,), who=cell_who,
            dest=(Branch("cell_approved", "passed"), Branch(on_fail, "failed")),
            label_vi="Chi bộ biểu quyết", label_en="Cell vote", legal_basis=legal_basis,
            fields=(VOTE,), outcome=vote_outcome("two_thirds"), vote="cell", threshold="two_thirds",
            date_field="vote.date",
        ),
        Step(
            trigger="committee_vote", sources=("cell_approved",), who=committee_who,
            dest=(Branch("committee_approved", "passed"), Branch(on_fail, "failed")),
            label_vi="Đảng ủy cơ sở biểu quyết", label_en="Committee vote", legal_basis=legal_basis,
            fields=(VOTE,), outcome=vote_outcome("two_thirds"), vote="committee",
            threshold="two_thirds", applies=committee_level, date_field="vote.date",
        ),
    )


def vote_outcome(threshold: str):
    """An outcome function: 'passed' when the step's vote reaches the threshold, else 'failed'."""

    def outcome(ctx: StepContext) -> str:
        vote: Vote = ctx.data["vote"]
        return "passed" if passes(threshold, vote.agree, vote.eligible) else "failed"

    return outcome


def committee_level(ctx: StepContext) -> bool:
    """`applies` of committee votes: a grassroots cell has no committee level to vote."""
    return orgs.has_committee_level(ctx.chain)


def no_committee_level(ctx: StepContext) -> bool:
    """`applies` of a decision straight after the cell vote, for a grassroots cell."""
    return not orgs.has_committee_level(ctx.chain)


# ---------------------------------------------------------------- steps every procedure may include


def withdraw_step(sources: Sequence[str], dest: str, who: tuple[Authority, ...], *, label_vi: str,
                  label_en: str, legal_basis: str) -> Step:
    """The applicant/member withdraws the case from any open state (reason required)."""
    return Step(
        trigger="withdraw", sources=tuple(sources), dest=dest, who=who,
        label_vi=label_vi, label_en=label_en, legal_basis=legal_basis,
        fields=(REASON,), comment_required=True,
    )


def previous_state(ctx: StepContext) -> str:
    """The state the case was in before it last moved forward into its current state."""
    for event in reversed(ctx.lookups.events(ctx.case.id)):
        if event.to_state == ctx.case.state and event.from_state not in (None, ctx.case.state) \
                and event.trigger != "return_for_rework":
            return event.from_state
    return ctx.case.state or ""


def return_for_rework_steps(steps: Sequence[Step], states: Sequence[str], *, legal_basis: str) -> tuple[Step, ...]:
    """For each listed state, a step back to whichever state it was entered from.

    Whoever may fire the next step from that state (its approver) may return it.
    """
    generated = []
    for state in states:
        predecessors = []
        for step in steps:
            if step.dest != STAY and state in step.destinations:
                predecessors.extend(s for s in step.sources if s != state)
        predecessors = list(dict.fromkeys(predecessors))
        approvers: list[Authority] = []
        for step in steps:
            if state in step.sources and step.trigger not in ("withdraw", "return_for_rework") \
                    and not callable(step.who):
                approvers.extend(a for a in step.who if a not in approvers)
        if not predecessors or not approvers:
            continue
        generated.append(Step(
            trigger="return_for_rework", sources=(state,),
            dest=tuple(Branch(p, when=p) for p in predecessors),
            who=tuple(approvers),
            label_vi="Trả lại để làm lại bước trước", label_en="Return for rework",
            legal_basis=legal_basis, fields=(REASON,), outcome=previous_state, comment_required=True,
        ))
    return tuple(generated)


def _denominator_holds(ctx: StepContext) -> bool:
    vote: Vote | None = ctx.data.get("vote")
    roll = ctx.lookups.roll(ctx.case.organisation_id, vote.date) if vote is not None else None
    if roll is None:
        return True
    return vote.eligible >= roll.least_denominator(bool(ctx.settings["exclude_exempt_from_denominator"]))


# A cell vote's count of official members may leave out only those the texts leave out. Only a lower bound:
# members exempt or away who attend and vote still count ("nếu đảng viên đó có mặt …, tham gia bầu cử, biểu quyết
# thì vẫn tính"). The compliance audit applies it (reports/compliance.py: finding `vote_denominator`), not the
# step itself: a roll here may still hold members whose leaving no procedure records (a death), and refusing
# the vote would stop the cell's lawful business until the directory is put right.
VOTE_DENOMINATOR = Rule(
    "vote_denominator",
    "Điều lệ Đảng art. 4.3 (tổng số đảng viên chính thức); Quy chế bầu cử trong Đảng art. 32.2, HD 01-HD/TW "
    "§13.2: «tổng số đảng viên chính thức … trừ số đảng viên đã được giới thiệu sinh hoạt tạm thời ở đảng bộ "
    "khác, đảng viên đã được miễn công tác và sinh hoạt đảng không có mặt … số đảng viên bị đình chỉ sinh hoạt "
    "đảng»",
    "Số đảng viên chính thức tính trong biểu quyết ít hơn danh sách của chi bộ: chỉ được trừ đảng viên đang "
    "sinh hoạt tạm thời nơi khác, đảng viên bị đình chỉ sinh hoạt đảng và đảng viên được miễn sinh hoạt đảng "
    "vắng mặt.",
    "The vote counts fewer official members than the cell's roll: only members temporarily active elsewhere, "
    "members whose activity is suspended and exempt members who are absent may be left out.",
    _denominator_holds, field="vote", confidence="M",
)


def with_date_rules(steps: Sequence[Step]) -> tuple[Step, ...]:
    """Add the shared date rules to every dated step: not in the future, not before earlier steps."""
    import dataclasses

    result = []
    for index, step in enumerate(steps):
        if step.date_field:
            earlier = [s for s in steps[:index] if s.date_field]
            extra = (date_not_future_rule(step), date_order_rule(step, earlier))
            step = dataclasses.replace(step, rules=step.rules + extra)
        result.append(step)
    return tuple(result)


def open_states(states: Sequence[State]) -> tuple[str, ...]:
    """Names of the states that are not final."""
    return tuple(s.name for s in states if not s.final)


# ---------------------------------------------------------------- transfer (procedures.md §4, §9)

TRANSFER_WHO = (Authority("organisation_officer", "grassroots"), Authority("standing_committee", "grassroots"))
TRANSFER_KINDS = ("cell", "grassroots_cell")


def _transfer_target_ok(ctx: StepContext) -> bool:
    chain = ctx.lookups.organisation_chain(ctx.data["organisation_id"])
    return bool(chain) and chain[-1].kind in TRANSFER_KINDS and chain[-1].id != ctx.case.organisation_id


TRANSFER_TARGET = Rule(
    "transfer_target", "HD 01-HD/TW §6 (chuyển sinh hoạt đảng)",
    "Chỉ chuyển hồ sơ sang một chi bộ khác (chi bộ hoặc chi bộ cơ sở) với chi bộ hiện tại.",
    "A case can only be transferred to another cell (a cell or a grassroots cell).",
    _transfer_target_ok, field="organisation_id",
)


def _transferred(ctx: StepContext):
    target = ctx.data["organisation_id"]
    # The member moves with the case; the person's other open cases move with their own transfer.
    return [MoveCase(target), UpdatePerson(ctx.person.id, {"organisation_id": target})]


def transfer_step(states: Sequence[str], *, legal_basis: str = "HD 01-HD/TW §6; procedures.md §4") -> Step:
    """Move an open case and its member to another cell: state, history and deadlines are kept."""
    import dataclasses

    step = Step(
        trigger="transfer", sources=tuple(states), dest=STAY, who=TRANSFER_WHO,
        label_vi="Chuyển hồ sơ sang chi bộ khác", label_en="Transfer to another cell", legal_basis=legal_basis,
        fields=(Field("organisation_id", "ref", label_vi="Chi bộ chuyển đến", label_en="Receiving cell"),
                Field("date", "date", label_vi="Ngày chuyển sinh hoạt", label_en="Transfer date")),
        effects=_transferred, date_field="date",
    )
    return dataclasses.replace(step, rules=(TRANSFER_TARGET, date_not_future_rule(step)))
