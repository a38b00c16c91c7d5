"""Offer only what can succeed: the options of a step's choice fields that its own rules would not refuse.

A step's rule that names a field (Rule.field) and reads nothing but that field,
the person and the case (e.g. «cách chức» only for a member holding a post, a
discipline vote only by secret ballot) is tried on each option before the form
is drawn; an option it refuses is not offered. A rule that needs other data
the form has not got yet cannot tell, and the option stays (the engine still
checks everything when the form is sent).
"""
from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from workflows.domain.definition import Step, StepContext
from workflows.domain.fields import VOTE_METHODS
from workflows.domain.votes import Vote


def _holds(rule, ctx: StepContext) -> bool:
    try:
        return bool(rule.check(ctx))
    except Exception:  # the rule needs data the form has not got yet: it cannot refuse the option now
        return True


def possible_choices(ctx: StepContext, step: Step) -> dict[str, tuple[str, ...]]:
    """{field name: the options the step's rules allow} for the enum fields and vote methods they restrict."""
    limits: dict[str, tuple[str, ...]] = {}
    for f in step.fields:
        if f.kind == "enum":
            candidates = {choice: choice for choice in f.choices}
        elif f.kind == "vote":
            candidates = {m: Vote(date=ctx.today, eligible=1, agree=1, disagree=0, method=m) for m in VOTE_METHODS}
        else:
            continue
        rules = [r for r in step.rules if r.field == f.name]
        if not rules:
            continue
        kept = tuple(choice for choice, value in candidates.items()
                     if all(_holds(r, replace(ctx, data={f.name: value})) for r in rules))
        if len(kept) < len(candidates):
            limits[f.name] = kept
    return limits


def may_open(ctx: StepContext, step: Step) -> bool:
    """False when the open step's rules already refuse this person (e.g. admission for a member); rules that
    need the form's data cannot tell yet and do not count."""
    if step.applies is not None:
        try:
            if not step.applies(ctx):
                return False
        except Exception:
            pass
    return all(_holds(rule, ctx) for rule in step.rules)


LOOK_AHEAD_DAYS = 400


def available_from(ctx: StepContext, step: Step) -> date | None:
    """The first day the step's date rules accept when they refuse today (e.g. «Nộp hồ sơ xét công nhận» only
    once the 12 months of probation are over), so the page says «from …» instead of offering a form that fails;
    None when today is accepted or no later day within about a year is."""
    name = step.date_field
    rules = [r for r in step.rules if name and r.field == name.split(".")[0]]
    if not rules or "." in (name or ""):
        return None

    def accepted(day: date) -> bool:  # recorded on that very day, as of that day
        return all(_holds(rule, replace(ctx, today=day, data={name: day})) for rule in rules)

    if accepted(ctx.today):
        return None
    for offset in range(1, LOOK_AHEAD_DAYS):
        day = ctx.today + timedelta(days=offset)
        if accepted(day):
            return day
    return None
