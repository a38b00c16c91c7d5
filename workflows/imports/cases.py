"""The third sheet: paper cases in flight, opened at the step they reached as imported records.

One row per step already taken; the rows of a case share its `Mã hồ sơ` and come
in the order the steps were taken (the first is the procedure's opening step).
Each row gives the step (its Vietnamese label as the software shows it, or the
trigger), its date, and where the step records them a document number and the
vote's counts. The case is written as the compliance audit's imported records
are (workflows/demo/irregular.py): case data keyed by trigger, one event per
step — no actor, the comment saying it was typed in from paper — and a Vote row
per vote. The engine's rules are not run (the audit judges such records); the
order of the steps is checked against the procedure. The deadlines still open
at the step reached are computed from the recorded dates by the procedure's own
DeadlineSpecs, so the scheduler's next scan reminds of them.

A case already imported (same code) with the same steps is unchanged; with other
steps it is an error: after the import the case goes on in the software.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from models import Case, Deadline, Event, Person, Vote
from workflows.domain.definition import Branch, CaseFacts, Procedure, Step, StepContext
from workflows.domain.fields import parse_data
from workflows.domain.organisations import scope_organisation
from workflows.domain.rulesets import RULE_SETS, rule_set_in_force
from workflows.domain.votes import passes
from workflows.engine.facts import DbLookups, load_chain, person_facts
from workflows.engine.runtime import LOCAL_ZONE
from workflows.imports import cells
from workflows.imports.layout import CASES, COLUMN_OF, RowError, fold
from workflows.imports.organisations import Directory
from workflows.imports.reading import Table, column_letter
from workflows.procedures.registry import get_procedure, procedure_names

STAY = "="
COMMENT = "Nhập từ hồ sơ giấy (lần nhập #{run})"


@dataclass
class PaperStep:
    row: int
    step: Step
    day: date
    number: str
    eligible: int | None
    agree: int | None


@dataclass
class PaperCase:
    code: str
    row: int
    procedure: Procedure
    person_key: tuple[str, str]
    organisation_code: str
    steps: list[PaperStep] = field(default_factory=list)
    bad: bool = False


@dataclass
class CaseCounts:
    created: int = 0
    unchanged: int = 0
    deadlines: int = 0


def _procedures(day: date) -> dict[str, Procedure]:
    """Procedure by folded Vietnamese label or name, in the rule set in force on `day`."""
    rule_set = rule_set_in_force(day).name
    found = {}
    for name in procedure_names():
        definition = get_procedure(name, rule_set)
        found[fold(definition.label_vi)] = found[fold(name)] = definition
    return found


def _step_named(procedure: Procedure, state: str | None, wanted: str) -> Step | None:
    """The step a row names (label or trigger) that can be taken from `state` (None: the opening step)."""
    key = fold(wanted)
    if state is None:
        step = procedure.open_step
        return step if key in (fold(step.label_vi), fold(step.trigger)) else None
    for step in procedure.steps_from(state):
        if key in (fold(step.label_vi), fold(step.trigger)):
            return step
    return None


def _dest(step: Step, state: str | None, paper: PaperStep) -> str:
    if step.dest == STAY:
        return state or step.sources[0]
    if isinstance(step.dest, str):
        return step.dest
    branches: tuple[Branch, ...] = step.dest
    if step.vote and paper.eligible:
        wanted = "passed" if passes("two_thirds", paper.agree or 0, paper.eligible) else "failed"
        for branch in branches:
            if branch.when == wanted:
                return branch.dest
    return branches[0].dest


def _data(step: Step, paper: PaperStep) -> dict[str, Any]:
    """What the step records from the row: its date where the step keeps it, the number, the vote."""
    data: dict[str, Any] = {}
    names = {f.name for f in step.fields}
    if step.vote and paper.eligible is not None:
        agree = paper.agree or 0
        data["vote"] = {"date": paper.day.isoformat(), "eligible": paper.eligible, "agree": agree,
                        "disagree": paper.eligible - agree, "method": "show_of_cards"}
    elif step.date_field:
        head, _, tail = step.date_field.partition(".")
        if tail:
            data[head] = {tail: paper.day.isoformat()}
        else:
            data[head] = paper.day.isoformat()
    for name in ("decision_number", "number"):
        if name in names and paper.number:
            data[name] = paper.number
    return data


class CaseImport:
    """Reads the sheet, then opens each case at its step (after the members are written)."""

    def __init__(self, session: Session, table: Table, directory: Directory, errors: list[RowError], now: datetime,
                 run_id: int, calendar) -> None:
        self.session, self.table, self.directory, self.errors = session, table, directory, errors
        self.now, self.run_id, self.calendar = now, run_id, calendar
        self.counts = CaseCounts()

    def _err(self, row: int, name: str, code: str, message: str) -> None:
        index = self.table.columns.get(name)
        self.errors.append(RowError(self.table.name, row, column_letter(index) if index is not None
                                    else COLUMN_OF[CASES].get(name), code, message))

    def _cells(self) -> Iterator[tuple[int, dict[str, Any]]]:
        columns = self.table.columns
        for number, row in self.table.numbered():
            values: dict[str, Any] = {}
            bad = False
            for name, index in columns.items():
                raw = row[index] if index < len(row) else None
                try:
                    if name == "date":
                        values[name] = cells.a_date(raw, earliest=cells.PARTY_FOUNDED, latest=self.now.date())
                    elif name in ("eligible", "agree"):
                        values[name] = self._count(raw)
                    elif name == "identity_number":
                        values[name] = cells.identity_number(raw)
                    elif name == "card_number":
                        values[name] = cells.card_number(raw)
                    else:
                        values[name] = cells.text(raw, limit=200 if name == "step" else 64)
                except cells.CellError as exc:
                    self._err(number, name, exc.code, exc.message)
                    bad = True
            for name in ("case_code", "procedure", "organisation_code", "step", "date"):
                if not bad and not values.get(name):
                    self._err(number, name, "required", f"Thiếu «{COLUMN_OF[CASES][name]}».")
                    bad = True
            yield number, (None if bad else values)

    @staticmethod
    def _count(raw) -> int | None:
        if raw in (None, ""):
            return None
        text = cells.text(raw)
        if not text.isdigit() or not 0 <= int(text) <= 100_000:
            raise cells.CellError("invalid_count", f"«{text}» không phải số người (0 đến 100.000).")
        return int(text)

    def read(self) -> list[PaperCase]:
        cases: dict[str, PaperCase] = {}
        states: dict[str, str | None] = {}
        for number, values in self._cells():
            if values is None:
                continue
            code = values["case_code"]
            paper = cases.get(code)
            if paper is None:
                procedure = _procedures(values["date"]).get(fold(values["procedure"]))
                if procedure is None:
                    self._err(number, "procedure", "unknown_procedure",
                              f"«{values['procedure']}» không phải quy trình nào; ghi một trong: "
                              + ", ".join(get_procedure(n, "cpv-2021").label_vi for n in procedure_names()) + ".")
                    continue
                key = (("card_number", values["card_number"]) if values.get("card_number")
                       else ("identity_number", values.get("identity_number")))
                if not key[1]:
                    self._err(number, "card_number", "missing_key",
                              "Cần «Số thẻ đảng viên» hoặc «Số CCCD» của người có hồ sơ.")
                    continue
                paper = cases[code] = PaperCase(code, number, procedure, key, values["organisation_code"])
                states[code] = None
            if paper.bad:
                continue
            state = states[code]
            step = _step_named(paper.procedure, state, values["step"])
            if step is None:
                expected = ([paper.procedure.open_step] if state is None else paper.procedure.steps_from(state))
                where = ("bước mở hồ sơ" if state is None
                         else f"sau trạng thái «{paper.procedure.state(state).label_vi}»")
                self._err(number, "step", "unknown_step",
                          f"«{values['step']}» không phải bước có thể làm {where}; bước tiếp theo có thể là: "
                          + ", ".join(f"«{s.label_vi}»" for s in expected) + ".")
                paper.bad = True
                continue
            if paper.steps and values["date"] < paper.steps[-1].day:
                self._err(number, "date", "date_order", f"Ngày của bước này trước ngày của bước trước "
                                                        f"({paper.steps[-1].day:%d/%m/%Y}).")
                paper.bad = True
                continue
            vote_required = any(f.name == "vote" and f.required for f in step.fields)
            if vote_required and values.get("eligible") is None:
                self._err(number, "eligible", "missing_vote", f"Bước «{step.label_vi}» ghi kết quả biểu quyết: cần "
                                                               "«Số có quyền biểu quyết» và «Số tán thành».")
                paper.bad = True
                continue
            if values.get("eligible") is not None and (values.get("agree") or 0) > values["eligible"]:
                self._err(number, "agree", "invalid_count", "Số tán thành lớn hơn số có quyền biểu quyết.")
                paper.bad = True
                continue
            paper.steps.append(PaperStep(number, step, values["date"], values.get("number") or "",
                                         values.get("eligible"), values.get("agree")))
            states[code] = _dest(step, state, paper.steps[-1])
            if states[code] in paper.procedure.final_states:
                self._err(number, "step", "case_closed", "Hồ sơ đã kết thúc ở bước này: chỉ nhập hồ sơ còn đang "
                                                         "giải quyết.")
                paper.bad = True
        return [c for c in cases.values() if not c.bad]

    # ------------------------------------------------------------ writing

    def write(self, papers: list[PaperCase]) -> CaseCounts:
        for paper in papers:
            self._write_one(paper)
        return self.counts

    def _write_one(self, paper: PaperCase) -> None:
        existing = self.session.execute(select(Case.id, Case.procedure).where(Case.import_code == paper.code)).first()
        if existing is not None:
            triggers = list(self.session.scalars(select(Event.trigger).where(Event.case_id == existing.id)
                                                 .order_by(Event.seq)))
            if triggers == [s.step.trigger for s in paper.steps]:
                self.counts.unchanged += 1
            else:
                self._err(paper.row, "case_code", "case_changed",
                          f"Hồ sơ «{paper.code}» đã được nhập trước đây; các bước sau đó ghi trực tiếp trong phần "
                          "mềm, không nhập lại.")
            return
        org = self.directory.find(paper.organisation_code)
        if org is None:
            self._err(paper.row, "organisation_code", "unknown_organisation",
                      f"Mã tổ chức «{paper.organisation_code}» không có trong tệp cũng như trong cơ sở dữ liệu.")
            return
        key, value = paper.person_key
        person = self.session.scalar(select(Person).where(getattr(Person, key) == value))
        if person is None:
            self._err(paper.row, key, "unknown_person", f"Không có người có {'số thẻ' if key == 'card_number' else 'số CCCD'}"
                                                        f" «{value}» trong tệp hay trong cơ sở dữ liệu.")
            return
        open_case = self.session.scalar(select(Case.id).where(Case.person_id == person.id, Case.closed_at.is_(None),
                                                              Case.procedure == paper.procedure.name))
        if open_case is not None:
            self._err(paper.row, "case_code", "open_case_exists",
                      f"{person.full_name} đã có một hồ sơ «{paper.procedure.label_vi}» đang giải quyết (số {open_case}).")
            return
        self._insert(paper, person, org)

    def _insert(self, paper: PaperCase, person: Person, org) -> None:
        definition = paper.procedure
        rule_set = RULE_SETS[definition.rule_set]
        chain = load_chain(self.session, org.path)
        lookups = DbLookups(self.session)
        facts = person_facts(person)
        state: str | None = None
        data: dict[str, dict] = {}
        deadlines: dict[str, tuple[date, Any, date]] = {}  # kind -> (due, spec, started_on)
        events, votes = [], []
        for seq, paper_step in enumerate(paper.steps, start=1):
            step = paper_step.step
            stored = _data(step, paper_step)
            dest = _dest(step, state, paper_step)
            present = [f for f in step.fields if f.name in stored]
            try:
                parsed = parse_data(present, stored)
            except Exception:  # noqa: BLE001 — what the row gave cannot be read as the step's data
                parsed = {}
            ctx = StepContext(rule_set=rule_set, person=facts, data=parsed, chain=chain, calendar=self.calendar,
                              lookups=lookups, today=paper_step.day,
                              case=CaseFacts(None, definition.name, definition.rule_set, state, seq - 1, org.id,
                                             person.id, dict(data), {k: v[0] for k, v in deadlines.items()}))
            for kind in step.closes:
                deadlines.pop(kind, None)
            for spec in step.opens:
                try:
                    if spec.when is None or spec.when(ctx):
                        deadlines[spec.kind] = (spec.due(ctx), spec, paper_step.day)
                except Exception:  # noqa: BLE001 — a due date the recorded facts cannot give is not opened
                    continue
            events.append({"seq": seq, "trigger": step.trigger, "from_state": state, "to_state": dest,
                           "actor_id": None, "at": self.now, "data": stored,
                           "comment": COMMENT.format(run=self.run_id)})
            if "vote" in stored:
                v = stored["vote"]
                votes.append({"event_seq": seq, "body": step.vote, "held_on": paper_step.day, "eligible": v["eligible"],
                              "agree": v["agree"], "disagree": v["disagree"], "method": v["method"],
                              "threshold": "two_thirds", "passed": passes("two_thirds", v["agree"], v["eligible"])})
            data[step.trigger] = stored
            state = dest
        opened = datetime.combine(paper.steps[0].day, time(9, 0), tzinfo=LOCAL_ZONE)
        case_id = self.session.execute(insert(Case.__table__).values(
            procedure=definition.name, rule_set=definition.rule_set, state=state, revision=len(paper.steps),
            organisation_id=org.id, organisation_path=org.path, person_id=person.id, data=data, opened_at=opened,
            import_code=paper.code).returning(Case.__table__.c.id)).scalar_one()
        self.session.execute(insert(Event.__table__), [e | {"case_id": case_id} for e in events])
        if votes:
            self.session.execute(insert(Vote.__table__), [v | {"case_id": case_id} for v in votes])
        rows = []
        for kind, (due, spec, started) in deadlines.items():
            unit = scope_organisation(spec.authority.scope, chain, rule_set)
            rows.append({"case_id": case_id, "kind": kind, "due_date": due, "role": spec.authority.role,
                         "organisation_id": unit.id, "status": "open", "opened_at": self.now,
                         "legal_basis": spec.legal_basis[:200], "started_on": started})
        if rows:
            self.session.execute(insert(Deadline.__table__), rows)
        self.counts.created += 1
        self.counts.deadlines += len(rows)
