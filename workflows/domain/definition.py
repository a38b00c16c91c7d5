"""The vocabulary procedures are written in: states, steps, fields, rules, deadlines, effects.

A procedure module (admission.py, probation.py, ...) builds a `Procedure` out of
these plain, frozen values for a given rule set; the engine runs it. Nothing
here touches a database or a web framework: rules see a `StepContext` of facts
the engine loaded, and steps return `Effect` values the engine applies.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import TYPE_CHECKING, Any

from workflows.domain.citations import cite

if TYPE_CHECKING:
    from workflows.domain.calendar import WorkingCalendar
    from workflows.domain.rulesets import RuleSet

# ---------------------------------------------------------------- facts


@dataclass(frozen=True)
class OrgFacts:
    """One organisation as rules see it."""

    id: int
    name: str
    kind: str
    admission_authority: bool
    parent_id: int | None
    youth_union: bool | None = None  # the unit has a Youth Union organisation; None: not recorded


@dataclass(frozen=True)
class PersonFacts:
    """A person's biography and membership as rules see it."""

    id: int
    full_name: str
    birth_date: date
    organisation_id: int
    membership_status: str
    gender: str | None = None
    education: str | None = None
    email: str | None = None
    joined_on: date | None = None
    official_on: date | None = None
    left_on: date | None = None
    left_reason: str | None = None
    holds_post: bool = False
    flags: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CaseFacts:
    """A case as rules see it: its state, what earlier steps recorded, its open deadlines."""

    id: int | None
    procedure: str
    rule_set: str
    state: str | None
    revision: int
    organisation_id: int
    person_id: int
    data: Mapping[str, Any]
    deadlines: Mapping[str, date]  # open deadline kind -> due date
    parent_case_id: int | None = None
    closed: bool = False
    decided_on: date | None = None


@dataclass(frozen=True)
class EventFacts:
    seq: int
    trigger: str
    from_state: str | None
    to_state: str
    data: Mapping[str, Any]


@dataclass(frozen=True)
class Roll:
    """A cell's official members on its roll, and those among them the texts leave out of a vote's count.

    Quy chế bầu cử art. 32.2 (as HD 01 §13.2): the total is the official members "trừ số đảng viên đã được
    giới thiệu sinh hoạt tạm thời ở đảng bộ khác, đảng viên đã được miễn công tác và sinh hoạt đảng không có
    mặt … số đảng viên bị đình chỉ sinh hoạt đảng". Each set holds person ids; one person may be in several.
    A roll is taken on a date (a vote's): workflows/procedures/roll.py builds it from persons and cases.
    """

    official: frozenset[int]
    exempt: frozenset[int] = frozenset()  # exemption from party work and activities in effect
    suspended: frozenset[int] = frozenset()  # party activity suspended
    away: frozenset[int] = frozenset()  # temporarily active in another organisation

    def least_denominator(self, exclude_exempt: bool) -> int:
        """The smallest lawful count: every official member but those suspended, away, exempt (if left out)."""
        left_out = self.suspended | self.away | (self.exempt if exclude_exempt else frozenset())
        return len(self.official - left_out)


class Lookups:
    """Queries a rule may need beyond its own case; the engine supplies the implementation."""

    def person(self, person_id: int) -> PersonFacts | None:
        raise NotImplementedError

    def persons(self, person_ids: Sequence[int]) -> dict[int, PersonFacts]:
        """Several persons at once (the unknown ones left out)."""
        found = {i: self.person(i) for i in person_ids}
        return {i: p for i, p in found.items() if p is not None}

    def case(self, case_id: int) -> CaseFacts | None:
        raise NotImplementedError

    def cases_of_person(self, person_id: int) -> list[CaseFacts]:
        raise NotImplementedError

    def events(self, case_id: int) -> list[EventFacts]:
        raise NotImplementedError

    def organisation_chain(self, organisation_id: int) -> list[OrgFacts]:
        """The organisation and its ancestors, root first."""
        raise NotImplementedError

    def roll(self, organisation_id: int, on: date) -> Roll | None:
        """The organisation's roll on a date (None: not known, e.g. facts built without a database)."""
        return None


@dataclass
class StepContext:
    """Everything a rule, an outcome or an effect may look at while a step is fired."""

    rule_set: RuleSet
    case: CaseFacts
    person: PersonFacts
    data: dict[str, Any]  # this step's validated data (dates as `date`)
    chain: list[OrgFacts]  # the case organisation and its ancestors, root first
    calendar: WorkingCalendar
    lookups: Lookups
    today: date
    actor_id: int | None = None

    @property
    def settings(self) -> Mapping[str, Any]:
        """The rule set's configurable values (the C items of procedures.md)."""
        return self.rule_set.settings

    def recorded(self, trigger: str) -> Mapping[str, Any]:
        """What an earlier step of this case recorded (empty when it has not fired)."""
        return self.case.data.get(trigger) or {}


# ---------------------------------------------------------------- building blocks


@dataclass(frozen=True)
class Field:
    """One value a step records. `kind`: date, int, str, text, bool, enum, vote, ref, list, object."""

    name: str
    kind: str
    required: bool = True
    choices: tuple[str, ...] = ()
    label_vi: str = ""
    label_en: str = ""
    items: tuple[Field, ...] = ()  # the fields of each item (list) or of the object
    max_length: int = 2000
    # An object that may also be given as plain `true`: recorded, without its details (api.md's
    # `superior_consent?` reads as a flag).
    flag: bool = False
    # Bounds of an `int` (workflows.domain.field_rules.MAX_COUNT: no count overflows a database integer).
    minimum: int = 0
    maximum: int = 100_000


@dataclass(frozen=True)
class Rule:
    """A guard with a stable id and its legal source. `check` returns True when the rule holds."""

    id: str
    source: str
    message_vi: str
    message_en: str
    check: Callable[[StepContext], bool]
    field: str | None = None  # the field a form shows the message beside
    # How sure the reading of the source is (procedures.md): "H" quoted by several sources and consistent,
    # "M" one secondary source or an older text, "C" configurable because sources disagree; "" not assessed.
    confidence: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "source", cite(self.source))  # one citation form (domain/citations.py)

    def describe(self) -> dict[str, Any]:
        """The JSON-friendly description used in errors."""
        return {
            "id": self.id,
            "source": self.source,
            "message_vi": self.message_vi,
            "message_en": self.message_en,
            "field": self.field,
        }


# Where an authority's role must be held: the role applies to the subtree of
# the organisation holding it, so it must be held at that place or above.
# Besides these names, "chain:<i>" names the i-th organisation of the case's chain from the root (the level
# an appeal is heard at, computed from the case).
SCOPES = ("case", "grassroots", "superior", "competent", "province")


@dataclass(frozen=True)
class Authority:
    """Who may fire a step: a role held at (or above) the organisation named by `scope`."""

    role: str
    scope: str = "case"


@dataclass(frozen=True)
class DeadlineSpec:
    """A deadline a step opens: `due` computes its date from the step's context."""

    kind: str
    due: Callable[[StepContext], date]
    authority: Authority
    legal_basis: str
    label_vi: str = ""
    label_en: str = ""
    # Opened only when this holds (e.g. a decision deadline only after a conclusive vote).
    when: Callable[[StepContext], bool] | None = None
    # The rule id a step meeting it late is recorded and audited under (default `deadline:<kind>`);
    # lateness itself never refuses a step — a window that bars has its own `deadline_passed` rule.
    late_rule_id: str = ""
    # The source quoted when it is met late (the event's `late` record, the audit finding); `legal_basis` is
    # stored on the deadline row and stays short (deadlines.legal_basis holds 200 characters).
    late_source: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "legal_basis", cite(self.legal_basis))  # one citation form (domain/citations.py)


@dataclass(frozen=True)
class Branch:
    """One possible destination of a step, taken when the step's outcome equals `when`."""

    dest: str
    when: str


@dataclass(frozen=True)
class State:
    name: str
    label_vi: str
    label_en: str
    final: bool = False


# ---------------------------------------------------------------- effects


@dataclass(frozen=True)
class Effect:
    """Something a step changes beyond its own case's state, data and deadlines."""


@dataclass(frozen=True)
class UpdatePerson(Effect):
    """Change a person's membership fields (recorded in the event with the values before)."""

    person_id: int
    changes: Mapping[str, Any]


@dataclass(frozen=True)
class OpenCase(Effect):
    """Open a follow-on case (e.g. probation after the ceremony) in the same transaction."""

    procedure: str
    person_id: int
    organisation_id: int
    data: Mapping[str, Any]


@dataclass(frozen=True)
class UpdateCaseData(Effect):
    """Derived values stored on the case itself (e.g. `official_from`)."""

    values: Mapping[str, Any]


@dataclass(frozen=True)
class Decided(Effect):
    """The case's decision date, used by the statistics (None: the decision was revoked)."""

    on: date | None


@dataclass(frozen=True)
class ExtendDeadline(Effect):
    kind: str
    due_date: date


@dataclass(frozen=True)
class MoveCase(Effect):
    """Move the case (and its open deadlines) to another organisation."""

    organisation_id: int


@dataclass(frozen=True)
class FireStep(Effect):
    """Fire a system step of another case in the same transaction (e.g. an appeal annuls a decision).

    The other case gets its own event; its step's rules still apply, its authority check does not.
    """

    case_id: int
    trigger: str
    data: Mapping[str, Any]


# ---------------------------------------------------------------- steps and procedures


STAY = "="  # a step's dest that leaves the case in the state it was in


@dataclass(frozen=True)
class Step:
    """One trigger of a procedure: from which states, to where, by whom, recording what, under which rules."""

    trigger: str
    sources: tuple[str, ...]
    dest: str | tuple[Branch, ...]
    who: tuple[Authority, ...] | Callable[[StepContext], tuple[Authority, ...]]
    label_vi: str
    label_en: str
    legal_basis: str
    fields: tuple[Field, ...] = ()
    rules: tuple[Rule, ...] = ()
    outcome: Callable[[StepContext], str] | None = None
    opens: tuple[DeadlineSpec, ...] = ()
    closes: tuple[str, ...] = ()  # deadline kinds this step meets
    effects: Callable[[StepContext], Sequence[Effect]] | None = None
    vote: str | None = None  # body whose vote the step records in `data.vote`
    # The vote's threshold ("two_thirds", "half"), or a function of the context when it depends on
    # the data (a discipline vote on expulsion); None: the decision body's.
    threshold: str | Callable[[StepContext], str] | None = None
    comment_required: bool = False
    # The calendar date the step records ("vote.date" for a vote), for date-order checks and reports.
    date_field: str | None = None
    # A structural precondition (no data needed), e.g. "there is a committee level";
    # when it fails the step is simply not available, like a step from another state.
    applies: Callable[[StepContext], bool] | None = None
    # Fired only by the engine (another case's FireStep, the daily job), never by a user.
    system: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "legal_basis", cite(self.legal_basis))  # one citation form (domain/citations.py)

    @property
    def destinations(self) -> tuple[str, ...]:
        """Every state this step can lead to ("=" stays where it is: its sources)."""
        if self.dest == STAY:
            return self.sources
        if isinstance(self.dest, str):
            return (self.dest,)
        return tuple(dict.fromkeys(b.dest for b in self.dest))

    def recorded_date(self, data: Mapping[str, Any]) -> date | None:
        """The step's calendar date out of its (clean or stored) data."""
        if not self.date_field:
            return None
        value: Any = data
        for part in self.date_field.split("."):
            if isinstance(value, Mapping):
                value = value.get(part)
            else:
                value = getattr(value, part, None)
        if isinstance(value, str):
            return date.fromisoformat(value)
        return value

    def authorities(self, ctx: StepContext | None) -> tuple[Authority, ...]:
        """Who may fire it; a callable `who` needs the context (None → its static fallback)."""
        if callable(self.who):
            return self.who(ctx)
        return self.who


@dataclass(frozen=True)
class Procedure:
    """One procedure in one rule set: the data the engine and the diagram are built from."""

    name: str
    rule_set: str
    label_vi: str
    label_en: str
    states: tuple[State, ...]
    open_step: Step  # trigger "open": creates the case in its first state
    steps: tuple[Step, ...]
    legal_basis: str = ""
    # The official documents its steps record (workflows/domain/forms.py), declared by the procedure.
    # (FormSpec values; typed Any here because forms.py builds on this module.)
    forms: tuple[Any, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "legal_basis", cite(self.legal_basis))
        names = {s.name for s in self.states}
        for step in (self.open_step, *self.steps):
            unknown = (set(step.sources) | set(step.destinations)) - names
            if unknown:
                raise ValueError(f"{self.name}.{step.trigger}: unknown states {sorted(unknown)}")
        triggers = {s.trigger for s in (self.open_step, *self.steps)}
        for form in self.forms:
            if form.step not in triggers:
                raise ValueError(f"{self.name}: form {form.id} names no step of the procedure ({form.step})")
        if len({f.id for f in self.forms}) != len(self.forms):
            raise ValueError(f"{self.name}: two forms share an id")

    @property
    def initial(self) -> str:
        return self.open_step.destinations[0]

    # Derived once per definition (a definition is immutable); the engine asks on every transition.
    @cached_property
    def final_states(self) -> frozenset[str]:
        return frozenset(s.name for s in self.states if s.final)

    @cached_property
    def triggers(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(s.trigger for s in (self.open_step, *self.steps)))

    @cached_property
    def _steps_by_state(self) -> dict[str, tuple[Step, ...]]:
        by_state: dict[str, list[Step]] = {}
        for step in self.steps:
            for source in dict.fromkeys(step.sources):
                by_state.setdefault(source, []).append(step)
        return {state: tuple(steps) for state, steps in by_state.items()}

    def state(self, name: str) -> State:
        for s in self.states:
            if s.name == name:
                return s
        raise KeyError(name)

    def steps_for(self, trigger: str) -> list[Step]:
        """The steps named by a trigger ('open' included); several when sources differ."""
        if trigger == "open":
            return [self.open_step]
        return [s for s in self.steps if s.trigger == trigger]

    def step_from(self, trigger: str, state: str) -> Step | None:
        """The step a trigger fires from a state, or None if it does not apply there."""
        if trigger == "open":
            return self.open_step if state in self.open_step.sources else None
        return next((s for s in self._steps_by_state.get(state, ()) if s.trigger == trigger), None)

    def steps_from(self, state: str) -> list[Step]:
        """Every step that can be fired from a state."""
        return list(self._steps_by_state.get(state, ()))

    @cached_property
    def _forms_by_trigger(self) -> dict[str, tuple[Any, ...]]:
        by_trigger: dict[str, list[Any]] = {}
        for form in self.forms:
            by_trigger.setdefault(form.step, []).append(form)
        return {trigger: tuple(forms) for trigger, forms in by_trigger.items()}

    def forms_for(self, trigger: str) -> tuple[Any, ...]:
        """The forms a step records (usually none or one)."""
        return self._forms_by_trigger.get(trigger, ())

    def form(self, form_id: str) -> Any | None:
        return next((f for f in self.forms if f.id == form_id), None)
