"""Read-side use cases: what an actor may do now, and what a case needs next."""
from __future__ import annotations

from sqlalchemy.orm import Session

from models import Case, Person
from workflows.domain.definition import Authority, Procedure, StepContext
from workflows.domain.rulesets import RULE_SETS
from workflows.engine.access import Actor
from workflows.engine.facts import DbLookups, case_facts, load_chain, person_facts
from workflows.engine.runtime import Runtime
from workflows.procedures.registry import get_procedure


def step_context(session: Session, rt: Runtime, case: Case, chain=None) -> StepContext:
    """A context with no step data: enough for `applies` and static authority checks."""
    definition = get_procedure(case.procedure, case.rule_set)
    person = session.get(Person, case.person_id)
    return StepContext(
        rule_set=RULE_SETS[definition.rule_set], case=case_facts(case), person=person_facts(person), data={},
        chain=chain if chain is not None else load_chain(session, case.organisation_path),
        calendar=rt.calendar(), lookups=DbLookups(session), today=rt.clock.today(),
    )


def available_triggers(session: Session, rt: Runtime, case: Case) -> list[str]:
    """Triggers that apply to the case in its state (whoever the actor)."""
    if case.closed_at is not None and not _reopenable(case):
        return []
    definition = get_procedure(case.procedure, case.rule_set)
    ctx = step_context(session, rt, case)
    triggers = []
    for step in definition.steps_from(case.state):
        if step.system:
            continue  # taken by the engine itself, never offered to a user
        if step.applies is not None and not step.applies(ctx):
            continue
        if step.trigger not in triggers:
            triggers.append(step.trigger)
    return triggers


def _reopenable(case: Case) -> bool:
    definition = get_procedure(case.procedure, case.rule_set)
    return bool(definition.steps_from(case.state))


def allowed_actions(session: Session, rt: Runtime, actor: Actor, case: Case) -> list[str]:
    """The triggers this actor may fire on the case now (role and state; data rules come at firing).

    A step that records no data (discipline's `close`) has rules that need none: they are checked here,
    so it is offered only once it would pass (e.g. after the appeal window).
    """
    definition = get_procedure(case.procedure, case.rule_set)
    chain = load_chain(session, case.organisation_path)
    ctx = step_context(session, rt, case, chain)
    rule_set = RULE_SETS[definition.rule_set]
    allowed = []
    for step in definition.steps_from(case.state):
        if step.trigger in allowed or step.system:
            continue
        if step.applies is not None and not step.applies(ctx):
            continue
        if not step.fields and not all(rule.check(ctx) for rule in step.rules):
            continue
        if actor.may(step.authorities(ctx), chain, rule_set):
            allowed.append(step.trigger)
    return allowed


def waiting_on(definition: Procedure, state: str) -> list[Authority]:
    """Who must act next in a state: the authorities of the forward steps leaving it."""
    result: list[Authority] = []
    for step in definition.steps_from(state):
        if step.system or step.trigger in ("withdraw", "return_for_rework", "transfer", "revoke") \
                or callable(step.who):
            continue
        result.extend(a for a in step.who if a not in result)
    return result
