"""Plain facts for unit tests of procedure rules: a context built the way the engine builds it, no database."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from workflows.domain.calendar import WorkingCalendar
from workflows.domain.definition import (
    CaseFacts,
    EventFacts,
    Lookups,
    OrgFacts,
    PersonFacts,
    Rule,
    Step,
    StepContext,
)
from workflows.domain.fields import parse_data, to_json
from workflows.domain.rulesets import RULE_SETS
from workflows.procedures.registry import get_procedure

RULE_SET = RULE_SETS["cpv-2025"]
CALENDAR = WorkingCalendar()

PROVINCE = OrgFacts(1, "Đảng bộ tỉnh", "province_committee", False, None)
COMMUNE = OrgFacts(2, "Đảng ủy xã (được ủy quyền)", "grassroots_committee", True, 1)
WARD = OrgFacts(3, "Đảng ủy phường", "grassroots_committee", False, 1)
CELL = OrgFacts(4, "Chi bộ thôn 1", "cell", False, 2)
WARD_CELL = OrgFacts(5, "Chi bộ khu phố 3", "cell", False, 3)
GCELL = OrgFacts(6, "Chi bộ cơ sở", "grassroots_cell", False, 1)
DELEGATED = [PROVINCE, COMMUNE, CELL]
UNDELEGATED = [PROVINCE, WARD, WARD_CELL]
GRASSROOTS_CELL = [PROVINCE, GCELL]
CHAINS = {o.id: chain for chain in (DELEGATED, UNDELEGATED, GRASSROOTS_CELL) for o in chain}

PERSON = 100


def person(pid: int = PERSON, status: str = "official", **kw: Any) -> PersonFacts:
    return PersonFacts(id=pid, full_name=f"P{pid}", birth_date=kw.pop("birth_date", date(1980, 1, 1)),
                       organisation_id=CELL.id, membership_status=status, **kw)


@dataclass
class FakeLookups(Lookups):
    people: dict[int, PersonFacts] = field(default_factory=dict)
    cases: dict[int, CaseFacts] = field(default_factory=dict)
    event_log: dict[int, list[EventFacts]] = field(default_factory=dict)

    def person(self, person_id: int) -> PersonFacts | None:
        return self.people.get(person_id)

    def case(self, case_id: int) -> CaseFacts | None:
        return self.cases.get(case_id)

    def cases_of_person(self, person_id: int) -> list[CaseFacts]:
        return [c for c in self.cases.values() if c.person_id == person_id]

    def events(self, case_id: int) -> list[EventFacts]:
        return self.event_log.get(case_id, [])

    def organisation_chain(self, organisation_id: int) -> list[OrgFacts]:
        return CHAINS.get(organisation_id, [])


def case_facts(procedure: str, *, case_id: int = 1, state: str | None = None, data: dict | None = None,
               deadlines: dict[str, date] | None = None, person_id: int = PERSON, closed: bool = False,
               chain=DELEGATED) -> CaseFacts:
    return CaseFacts(id=case_id, procedure=procedure, rule_set=RULE_SET.name, state=state, revision=3,
                     organisation_id=chain[-1].id, person_id=person_id, data=to_json(data or {}),
                     deadlines=deadlines or {}, closed=closed)


def step_of(procedure: str, trigger: str, source: str | None = None) -> Step:
    steps = [s for s in get_procedure(procedure, RULE_SET.name).steps_for(trigger)
             if source is None or source in s.sources]
    return steps[0]


def rule_of(procedure: str, trigger: str, rule_id: str, source: str | None = None) -> Rule:
    (found,) = [r for r in step_of(procedure, trigger, source).rules if r.id == rule_id]
    return found


def context(procedure: str, trigger: str, raw: dict[str, Any], *, state: str | None = None,
            case_data: dict | None = None, who: PersonFacts | None = None, chain=DELEGATED,
            lookups: FakeLookups | None = None, today: date = date(2030, 1, 1),
            deadlines: dict[str, date] | None = None, source: str | None = None) -> StepContext:
    """The context a step's rules see, its data validated the way the engine validates it."""
    step = step_of(procedure, trigger, source or state)
    return StepContext(
        rule_set=RULE_SET, case=case_facts(procedure, state=state, data=case_data, deadlines=deadlines, chain=chain),
        person=who or person(), data=parse_data(step.fields, raw), chain=chain, calendar=CALENDAR,
        lookups=lookups or FakeLookups(), today=today,
    )


def holds(procedure: str, trigger: str, rule_id: str, raw: dict[str, Any], **kw: Any) -> bool:
    """Whether the rule with that id holds for the step fired with `raw` data."""
    ctx = context(procedure, trigger, raw, **kw)
    return rule_of(procedure, trigger, rule_id, kw.get("source") or kw.get("state")).check(ctx)
