"""Compliance audit: replay each case's event log against its procedure and report what broke the rules.

Four kinds of finding, each naming the rule and its legal source:

- `late`: a step met its deadline after the due date (the deadline recomputed
  from the procedure's DeadlineSpec at the step that opened it, extensions applied);
- `out_of_order`: a step is dated before an earlier step of the case (the shared
  `date_order` rule of the step, re-run on the case as it stood then);
- `no_competence`: whoever recorded the step held none of the step's authorities
  at that time (role assignments created after the event do not count, see
  _Grants.actor_at; RoleAssignment keeps no end date, so a role withdrawn since
  cannot be seen);
- `vote_below_threshold`: a recorded vote does not reach the step's threshold,
  yet the case moved on as if it did.

The replay reads the dates the steps recorded and the event data, never the
moment they were typed in, so cases imported or recorded after the fact are
audited like any other (the finding says how late the record was entered).
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from models import Case, Event, Organisation, Person, RoleAssignment, User, Vote
from workflows.domain.definition import (
    CaseFacts,
    EventFacts,
    Procedure,
    Step,
    StepContext,
)
from workflows.domain.errors import QuytrinhError
from workflows.domain.fields import parse_data
from workflows.domain.organisations import decision_threshold
from workflows.domain.rulesets import RULE_SETS
from workflows.domain.votes import passes
from workflows.engine.access import Actor, Grant
from workflows.engine.facts import DbLookups, load_chain, person_facts
from workflows.engine.machine import machine_for
from workflows.engine.runtime import LOCAL_ZONE
from workflows.procedures.common import SOURCE_CHARTER_VOTES, VOTE_DENOMINATOR
from workflows.procedures.registry import get_procedure
from workflows.reports.statistics import (
    OrgRef,
    Period,
    organisation_or_404,
    subtree_filter,
)

KINDS = ("late", "out_of_order", "no_competence", "vote_below_threshold", "vote_denominator")
KIND_LABELS_VI = {
    "late": "Thực hiện quá thời hạn",
    "out_of_order": "Sai trình tự các bước",
    "no_competence": "Không đúng thẩm quyền",
    "vote_below_threshold": "Biểu quyết không đạt tỷ lệ",
    "vote_denominator": "Tính thiếu số đảng viên chính thức khi biểu quyết",
}
ROLE_LABELS_VI = {
    "cell_secretary": "bí thư chi bộ", "organisation_officer": "cán bộ tổ chức", "committee_member": "cấp ủy viên",
    "standing_committee": "ban thường vụ", "inspection_committee": "ủy ban kiểm tra", "inspector": "kiểm tra viên",
    "admin": "quản trị hệ thống",
}
COMPETENCE_SOURCE = "Điều lệ Đảng, Điều 4.3; QĐ 24-QĐ/TW §4.3.2; HD 01-HD/TW §11.1 (thẩm quyền)"
BATCH = 500
MAX_CASES = 1000  # cases audited per call; the page goes on from the last one (`after_case_id`)


@dataclass(frozen=True)
class Finding:
    """One irregular step of one case."""

    case_id: int
    procedure: str
    person_name: str
    organisation: OrgRef
    seq: int
    trigger: str
    step_label: str
    step_date: date | None
    kind: str
    rule_id: str
    source: str
    message_vi: str
    entered_days_late: int = 0  # days between the recorded date and the day the step was entered
    case_state: str = ""
    details: Mapping[str, Any] = field(default_factory=dict)


class _ReplayLookups(DbLookups):
    """The session's lookups, except that the audited case's events stop before the replayed one."""

    def __init__(self, session: Session, case_id: int, events: list[EventFacts]):
        super().__init__(session)
        self.case_id, self._events = case_id, events

    def events(self, case_id: int) -> list[EventFacts]:
        return list(self._events) if case_id == self.case_id else super().events(case_id)


def _local_day(at: datetime) -> date:
    return at.astimezone(LOCAL_ZONE).date()


def _step_for(definition: Procedure, event: Event) -> Step | None:
    if event.trigger == "open" and event.from_state is None:
        return definition.open_step
    return definition.step_from(event.trigger, event.from_state or "")


class _Grants:
    """Role assignments as they stood at a moment (assignments made later do not count)."""

    def __init__(self, session: Session, user_ids: Iterable[int]):
        ids = {u for u in user_ids if u is not None}
        self.admins = set(session.scalars(select(User.id).where(User.id.in_(ids), User.is_admin.is_(True)))) if ids else set()
        self.rows: dict[int, list[tuple[datetime, Grant]]] = defaultdict(list)
        if ids:
            for user_id, role, org_id, path, created in session.execute(
                select(RoleAssignment.user_id, RoleAssignment.role, RoleAssignment.organisation_id,
                       Organisation.path, RoleAssignment.created_at)
                .join(Organisation, Organisation.id == RoleAssignment.organisation_id)
                .where(RoleAssignment.user_id.in_(ids))
            ):
                self.rows[user_id].append((created, Grant(role, org_id, path)))

    def actor_at(self, user_id: int, at: datetime) -> Actor:
        """The roles held at `at`. Role history starts when the account got its first role: for a step
        recorded before that (history imported or seeded before the accounts were set up), the roles
        the account was first given stand for the roles then held."""
        rows = self.rows.get(user_id, ())
        held = tuple(g for created, g in rows if created <= at)
        if not held and rows:
            first = min(created for created, _g in rows)
            held = tuple(g for created, g in rows if created == first)
        return Actor(user_id, "", user_id in self.admins, held)


def _threshold(step: Step, ctx: StepContext) -> str:
    threshold = step.threshold(ctx) if callable(step.threshold) else step.threshold
    return threshold or decision_threshold(ctx.chain, ctx.rule_set)


def _vote_rule(step: Step) -> tuple[str, str]:
    """The id and source of the rule a step's vote answers to."""
    # The rules on a vote's count are named after it (decision_vote, expulsion_vote); the other rules
    # shown beside the vote field (ages, ballot method, dates) are not about its threshold.
    for rule in step.rules:
        if rule.field == "vote" and rule.id.endswith("_vote"):
            return rule.id, rule.source
    if SOURCE_CHARTER_VOTES in step.legal_basis:
        return "vote_threshold", step.legal_basis
    return "vote_threshold", f"{SOURCE_CHARTER_VOTES}; {step.legal_basis}"


@dataclass
class _CaseAudit:
    """The replay of one case: its facts as they stood before each event."""

    session: Session
    calendar: Any
    case: Case
    person: Person
    org_by_id: dict[int, Organisation]
    chains: dict[str, list]  # organisation path -> chain, shared by the cases of one audit
    grants: _Grants
    votes: dict[int, list[Vote]]

    def run(self, events: list[Event]) -> Iterator[Finding]:
        definition = get_procedure(self.case.procedure, self.case.rule_set)
        rule_set = RULE_SETS[definition.rule_set]
        data: dict[str, Any] = {}
        deadlines: dict[str, date] = {}
        org_id = _first_organisation(self.case, events)
        decided_on: date | None = None
        latest_recorded: date | None = None
        history: list[EventFacts] = []
        for event in events:
            step = _step_for(definition, event)
            stored = dict(event.data or {})
            effects = stored.get("effects") or {}
            if step is not None:
                org = self.org_by_id.get(org_id) or self.session.get(Organisation, org_id)
                chain = self.chains.get(org.path)
                if chain is None:
                    chain = self.chains[org.path] = load_chain(self.session, org.path)
                facts = CaseFacts(
                    id=self.case.id, procedure=self.case.procedure, rule_set=self.case.rule_set,
                    state=event.from_state, revision=event.seq - 1, organisation_id=org_id,
                    person_id=self.case.person_id, data=dict(data), deadlines=dict(deadlines),
                    parent_case_id=self.case.parent_case_id, closed=False, decided_on=decided_on,
                )
                try:
                    parsed = parse_data(step.fields, stored)
                except QuytrinhError:
                    parsed = None  # unreadable data: nothing more to check on this step than its dates
                step_date = step.recorded_date(stored)
                ctx = StepContext(
                    rule_set=rule_set, case=facts, person=person_facts(self.person), data=parsed or {},
                    chain=chain, calendar=self.calendar, lookups=_ReplayLookups(self.session, self.case.id, history),
                    today=step_date or _local_day(event.at), actor_id=event.actor_id,
                )
                yield from self._check(definition, step, event, ctx, parsed, step_date, deadlines, org)
                if step_date is not None:
                    latest_recorded = max(filter(None, (latest_recorded, step_date)))
                _replay_deadlines(definition, step, event, ctx, parsed, deadlines)
            data[event.trigger] = {k: v for k, v in stored.items() if k not in ("effects", "outcome", "late")}
            data.update(effects.get("case_data") or {})
            if "decided_on" in effects:
                value = effects["decided_on"][1]
                decided_on = date.fromisoformat(value) if value else None
            if "moved" in effects:
                org_id = effects["moved"][1]
            history.append(EventFacts(event.seq, event.trigger, event.from_state, event.to_state, stored))

    def _finding(self, step: Step, event: Event, step_date: date | None, kind: str, rule_id: str, source: str,
                 message: str, org: Organisation, **details) -> Finding:
        entered = _local_day(event.at)
        return Finding(
            case_id=self.case.id, procedure=self.case.procedure, person_name=self.person.full_name,
            organisation=OrgRef(org.id, org.name, org.path), seq=event.seq, trigger=event.trigger,
            step_label=step.label_vi, step_date=step_date, kind=kind, rule_id=rule_id, source=source,
            message_vi=message, entered_days_late=max(0, (entered - step_date).days) if step_date else 0,
            case_state=self.case.state, details=details,
        )

    def _check(self, definition, step, event, ctx, parsed, step_date, deadlines, org) -> Iterator[Finding]:
        # Late: a deadline this step meets was due before the step's date.
        for kind in step.closes:
            due = deadlines.get(kind)
            if due is None or step_date is None or step_date <= due:
                continue
            days = self.calendar.working_days_between(due, step_date)
            guards = _deadline_guards(step)
            if guards and parsed is not None:
                # The step has its own deadline rule (which may allow a recorded consent or extension).
                for rule in guards:
                    if not _holds(rule, ctx):
                        yield self._finding(step, event, step_date, "late", rule.id, rule.source,
                                            f"{rule.message_vi} (ngày {step_date:%d/%m/%Y}, hạn {due:%d/%m/%Y}, "
                                            f"quá {days} ngày làm việc)", org, due=due.isoformat())
                continue
            spec = _spec(definition, kind)
            yield self._finding(
                step, event, step_date, "late", (spec.late_rule_id if spec and spec.late_rule_id else f"deadline:{kind}"),
                (spec.late_source or spec.legal_basis) if spec else step.legal_basis,
                f"«{step.label_vi}» ngày {step_date:%d/%m/%Y}, quá hạn {due:%d/%m/%Y} ({days} ngày làm việc): "
                f"{(spec.label_vi if spec else kind)}.",
                org, due=due.isoformat(),
            )
        # Out of order: the step's own date-order rule, on the case as it stood.
        for rule in step.rules:
            if rule.id == "date_order" and parsed is not None and not _holds(rule, ctx):
                yield self._finding(step, event, step_date, "out_of_order", rule.id, rule.source, rule.message_vi, org)
        # Competence: the recorder's roles at the time against the step's authorities.
        if not step.system and event.actor_id is not None and parsed is not None:
            actor = self.grants.actor_at(event.actor_id, event.at)
            authorities = step.authorities(ctx)
            if authorities and not actor.may(authorities, ctx.chain, ctx.rule_set):
                roles = ", ".join(sorted({ROLE_LABELS_VI.get(a.role, a.role) for a in authorities}))
                yield self._finding(
                    step, event, step_date, "no_competence", "competence", f"{COMPETENCE_SOURCE}; {step.legal_basis}",
                    f"Người ghi nhận «{step.label_vi}» không có thẩm quyền tại thời điểm đó (cần: {roles}).",
                    org, actor_id=event.actor_id,
                )
        # Votes: below the threshold, yet the case went on as if it passed.
        if step.vote:
            yield from self._check_votes(definition, step, event, ctx, parsed, step_date, org)
        # A cell vote counting fewer official members than the cell's roll that day allows.
        if step.vote == "cell" and parsed is not None and parsed.get("vote") is not None \
                and not _holds(VOTE_DENOMINATOR, ctx):
            vote = parsed["vote"]
            roll = ctx.lookups.roll(ctx.case.organisation_id, vote.date)
            least = roll.least_denominator(bool(ctx.settings["exclude_exempt_from_denominator"]))
            yield self._finding(
                step, event, step_date, "vote_denominator", VOTE_DENOMINATOR.id, VOTE_DENOMINATOR.source,
                f"«{step.label_vi}» ngày {vote.date:%d/%m/%Y} tính {vote.eligible} đảng viên chính thức; danh sách chi "
                f"bộ hôm đó có {len(roll.official)}, chỉ được trừ còn ít nhất {least} (miễn sinh hoạt "
                f"{len(roll.exempt)}, bị đình chỉ {len(roll.suspended)}, sinh hoạt tạm thời nơi khác {len(roll.away)}).",
                org, eligible=vote.eligible, least=least,
            )

    def _check_votes(self, definition, step, event, ctx, parsed, step_date, org) -> Iterator[Finding]:
        counts = []
        if parsed is not None and parsed.get("vote") is not None:
            vote = parsed["vote"]
            counts.append((vote.agree, vote.eligible))
        counts += [(v.agree, v.eligible) for v in self.votes.get(event.seq, ())]
        if not counts:
            return
        threshold = _threshold(step, ctx) if parsed is not None else None
        for agree, eligible in counts:
            if threshold is None or eligible < 1 or agree > eligible or passes(threshold, agree, eligible):
                continue
            if not _moved_as_if_passed(definition, step, event, ctx):
                continue
            rule_id, source = _vote_rule(step)
            words = {"two_thirds": "ít nhất 2/3", "half": "quá 1/2"}[threshold]
            yield self._finding(
                step, event, step_date, "vote_below_threshold", rule_id, source,
                f"«{step.label_vi}»: {agree}/{eligible} tán thành, không đạt {words} nhưng hồ sơ vẫn chuyển sang "
                f"«{definition.state(event.to_state).label_vi}».", org, agree=agree, eligible=eligible,
                threshold=threshold,
            )
            return


def _moved_as_if_passed(definition: Procedure, step: Step, event: Event, ctx: StepContext) -> bool:
    """True when the event's destination is not the one a failed vote leads to."""
    if isinstance(step.dest, str) or step.outcome is None:
        return True  # a decision step: a failed vote should have stopped it altogether
    try:
        expected = machine_for(definition).next_state(event.from_state, step.trigger, step.outcome(ctx))
    except Exception:  # noqa: BLE001 — an outcome that cannot be recomputed: judge by the vote alone
        return True
    return expected != event.to_state


_SHARED_DATE_RULES = ("date_order", "date_not_future")


def _deadline_guards(step: Step) -> list:
    """The step's own rules on its date (e.g. admission's deadline_passed, ceremony_deadline)."""
    field_name = (step.date_field or "").split(".")[0]
    return [r for r in step.rules if field_name and r.field == field_name and r.id not in _SHARED_DATE_RULES]


def _holds(rule, ctx: StepContext) -> bool:
    try:
        return bool(rule.check(ctx))
    except Exception:  # noqa: BLE001 — imported data a rule cannot read does not satisfy it
        return False


def _spec(definition: Procedure, kind: str):
    for step in (definition.open_step, *definition.steps):
        for spec in step.opens:
            if spec.kind == kind:
                return spec
    return None


def _replay_deadlines(definition: Procedure, step: Step, event: Event, ctx: StepContext, parsed,
                      deadlines: dict[str, date]) -> None:
    """What record_deadlines did at this step: meet, cancel, extend and open deadlines."""
    effects = (event.data or {}).get("effects") or {}
    for kind, (_old, new) in (effects.get("deadlines") or {}).items():
        if kind in deadlines and new:
            deadlines[kind] = date.fromisoformat(new)
    for kind in step.closes:
        deadlines.pop(kind, None)
    if event.to_state in definition.final_states:
        deadlines.clear()
        return
    if event.trigger in ("return_for_rework", "revoke"):
        for s in definition.steps_from(event.to_state):
            for spec in s.opens:
                deadlines.pop(spec.kind, None)
    if parsed is None:
        return
    for spec in step.opens:
        try:
            if spec.when is not None and not spec.when(ctx):
                continue
            deadlines[spec.kind] = spec.due(ctx)
        except Exception:  # noqa: BLE001 — a due date that cannot be recomputed from imported data
            continue


def _first_organisation(case: Case, events: list[Event]) -> int:
    """The organisation the case started in (before any transfer)."""
    for event in events:
        moved = ((event.data or {}).get("effects") or {}).get("moved")
        if moved:
            return moved[0]
    return case.organisation_id


# ---------------------------------------------------------------- the audit of a subtree


@dataclass(frozen=True)
class Audit:
    organisation: OrgRef
    period: Period
    cases_checked: int
    findings: list[Finding]
    next_after: int | None = None  # more cases remain after this case id (audit them with after_case_id)

    def by_kind(self) -> dict[str, int]:
        counts = {kind: 0 for kind in KINDS}
        for f in self.findings:
            counts[f.kind] += 1
        return counts


def audit_subtree(session: Session, calendar, *, organisation_id: int, date_from: date, date_to: date,
                  kinds: Iterable[str] = KINDS, case_id: int | None = None, after_case_id: int = 0,
                  max_cases: int = MAX_CASES) -> Audit:
    """Findings for the cases of a subtree decided in the period, or still open and opened by its end.

    At most `max_cases` cases, in id order after `after_case_id`; `next_after` says where to go on.
    `case_id` narrows the audit to one case.
    """
    org = organisation_or_404(session, organisation_id)
    period = Period(date_from, date_to)
    wanted = set(kinds)
    opened_by = datetime.combine(date_to + timedelta(days=1), datetime.min.time(), tzinfo=LOCAL_ZONE)
    query = (
        select(Case).where(subtree_filter(Case.organisation_path, org.path))
        .where(or_(and_(Case.decided_on >= date_from, Case.decided_on <= date_to),
                   and_(Case.closed_at.is_(None), Case.opened_at < opened_by)))
        .order_by(Case.id)
    )
    if case_id is not None:
        query = query.where(Case.id == case_id)
    cases = list(session.scalars(query.where(Case.id > after_case_id).limit(max_cases + 1)))
    next_after = None
    if len(cases) > max_cases:
        cases = cases[:max_cases]
        next_after = cases[-1].id
    findings: list[Finding] = []
    chains: dict[str, list] = {}
    for start in range(0, len(cases), BATCH):
        findings.extend(f for f in _audit_batch(session, calendar, cases[start:start + BATCH], chains)
                        if f.kind in wanted)
    findings.sort(key=lambda f: (f.organisation.path, f.case_id, f.seq))
    return Audit(OrgRef(org.id, org.name, org.path), period, len(cases), findings, next_after)


def _audit_batch(session: Session, calendar, cases: list[Case], chains: dict[str, list]) -> Iterator[Finding]:
    ids = [c.id for c in cases]
    events: dict[int, list[Event]] = defaultdict(list)
    for event in session.scalars(select(Event).where(Event.case_id.in_(ids)).order_by(Event.case_id, Event.seq)):
        events[event.case_id].append(event)
    votes: dict[int, dict[int, list[Vote]]] = defaultdict(lambda: defaultdict(list))
    for vote in session.scalars(select(Vote).where(Vote.case_id.in_(ids))):
        votes[vote.case_id][vote.event_seq].append(vote)
    people = {p.id: p for p in session.scalars(select(Person).where(Person.id.in_({c.person_id for c in cases})))}
    grants = _Grants(session, {e.actor_id for evs in events.values() for e in evs})
    org_ids = {c.organisation_id for c in cases}
    orgs = {o.id: o for o in session.scalars(select(Organisation).where(Organisation.id.in_(org_ids)))}
    for case in cases:
        audit = _CaseAudit(session, calendar, case, people[case.person_id], orgs, chains, grants, votes[case.id])
        yield from audit.run(events[case.id])


def finding_table_rows(findings: list[Finding]) -> list[tuple]:
    """Rows of the findings table (also its export)."""
    return [
        (f.case_id, f.organisation.name, f.person_name, f.step_label, f.step_date, KIND_LABELS_VI[f.kind],
         f.rule_id, f.source, f.message_vi, f.entered_days_late or None)
        for f in findings
    ]


FINDING_HEADERS = ("Hồ sơ", "Tổ chức", "Họ và tên", "Bước", "Ngày thực hiện", "Loại vi phạm", "Quy tắc",
                   "Căn cứ", "Nội dung", "Ghi nhận muộn (ngày)")
