"""The documents a step issues, inside its transaction: their numbers and the facts they are filled from.

When a step that records a form fires, each of its forms takes a number from the issuing body's
register for the year of the step's date — the next one, or the one the user gave (refused when the
body already used it that year: `decision_number_taken`) — and the facts the document is filled from
are stored with their sha256, which goes into the event. Drawing the PDF and DOCX is left to after
the commit (workflows/forms/issued.py): layout costs far more than the transition itself.

Concurrent steps of one body serialize on its counter row: the UPDATE takes the row's lock on
PostgreSQL, and SQLite's write transactions begin IMMEDIATE, so no two transactions get one number.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, bindparam, case as sql_case, insert, select
from sqlalchemy.dialects import postgresql, sqlite

from models import FormNumber, FormNumberCounter, IssuedForm
from models.prepared import Prepared
from workflows.domain.definition import OrgFacts, Procedure, Step, StepContext
from workflows.domain.errors import RuleViolation
from workflows.domain.forms import FormSpec, digest, issuing_body, leading_number, number_label, snapshot

COUNTERS, NUMBERS, ISSUED = FormNumberCounter.__table__, FormNumber.__table__, IssuedForm.__table__

# Prepared once (models/prepared.py): these run inside the transition, the engine's hot path.
# The body's counter row for the year and kind, inserted at 0 when it has none yet (a number given by hand
# without a leading number still opens the body's register for the year).
_COUNTER_ROW = {
    name: Prepared(dialect.insert(COUNTERS).values(
        organisation_id=bindparam("organisation_id"), year=bindparam("year"), kind=bindparam("kind"), last=0,
    ).on_conflict_do_nothing())
    for name, dialect in (("sqlite", sqlite), ("postgresql", postgresql))
}
# Taking a number is one upsert: the body's counter row for the year and kind is inserted at 1, or moved on
# by one (two statements before: insert-if-missing, then update). _AT_LEAST: a number given by hand moves
# the counter up to it, never down.
_COUNTER_KEY = (COUNTERS.c.organisation_id, COUNTERS.c.year, COUNTERS.c.kind)


def _upsert(dialect, first, then):
    statement = dialect.insert(COUNTERS).values(
        organisation_id=bindparam("organisation_id"), year=bindparam("year"), kind=bindparam("kind"), last=first)
    return statement.on_conflict_do_update(index_elements=_COUNTER_KEY, set_={"last": then})


_NEXT = {name: Prepared(_upsert(dialect, 1, COUNTERS.c.last + 1).returning(COUNTERS.c.last))
         for name, dialect in (("sqlite", sqlite), ("postgresql", postgresql))}
_AT_LEAST = {name: Prepared(_upsert(dialect, bindparam("number"),
                                    sql_case((COUNTERS.c.last < bindparam("number"), bindparam("number")),
                                             else_=COUNTERS.c.last)))
             for name, dialect in (("sqlite", sqlite), ("postgresql", postgresql))}
_USED = Prepared(select(NUMBERS.c.id).where(
    NUMBERS.c.organisation_id == bindparam("organisation_id"), NUMBERS.c.year == bindparam("year"),
    NUMBERS.c.kind == bindparam("kind"), NUMBERS.c.number == bindparam("number")).limit(1))
_INSERT_NUMBER = Prepared(insert(NUMBERS).values(
    {name: bindparam(name) for name in ("organisation_id", "year", "kind", "number", "label", "case_id", "form_id",
                                        "at")}))
_INSERT_ISSUED = Prepared(insert(ISSUED).values(
    {name: bindparam(name) for name in ("case_id", "person_id", "seq", "form_id", "template", "number", "issued_on",
                                        "facts", "sha256", "issued_at")}))

NUMBER_TAKEN = {
    "id": "decision_number_taken",
    "source": "HD 36-HD/VPTW §II.1.3 (số văn bản đánh theo năm, liên tục, của từng cơ quan ban hành)",
    "message_vi": "Số quyết định này cơ quan ban hành đã dùng trong năm; để trống để lấy số tiếp theo trong sổ.",
    "message_en": "The issuing body already used this decision number this year; leave it empty for the next one.",
    "field": "decision_number",
}


@dataclass(frozen=True)
class Taken:
    """A number a form of this step took, not yet written."""

    form: FormSpec
    issuer: OrgFacts
    year: int
    number: int | None
    label: str | None
    on: date


def _dialect(conn: Connection) -> str:
    return "postgresql" if conn.dialect.name == "postgresql" else "sqlite"


def take_numbers(conn: Connection, definition: Procedure, step: Step, ctx: StepContext) -> list[Taken]:
    """Number the step's forms; fill in an omitted `decision_number`. Raises RuleViolation when a number given
    by hand is already used. Writes only the counters (the caller's transaction rolls them back on error)."""
    taken: list[Taken] = []
    has_number_field = any(f.name == "decision_number" for f in step.fields)
    for form in definition.forms_for(step.trigger):
        issuer = issuing_body(form, ctx.chain, ctx.rule_set, ctx.data)
        on = step.recorded_date(ctx.data) or ctx.today
        key = {"organisation_id": issuer.id, "year": on.year, "kind": form.kind}
        given = ctx.data.get("decision_number") if has_number_field and form.kind == "decision" else None
        if given:
            number = leading_number(given)
            if number is None:
                _COUNTER_ROW[_dialect(conn)].run(conn, key)  # the body's register row, at 0 when new
            else:
                # The counter row is locked first: a concurrent step of the same body waits here.
                _AT_LEAST[_dialect(conn)].run(conn, {**key, "number": number})
                if _USED.first(conn, {**key, "number": number}) is not None:
                    raise RuleViolation([NUMBER_TAKEN])
            taken.append(Taken(form, issuer, on.year, number, given, on))
            continue
        number = _NEXT[_dialect(conn)].first(conn, key)[0]
        label = number_label(number, form.kind, issuer)
        if has_number_field and form.kind == "decision":
            ctx.data["decision_number"] = label
        taken.append(Taken(form, issuer, on.year, number, label, on))
    return taken


def _names(ctx: StepContext) -> dict[str, str]:
    """Names of the organisations the step's data refers to (a transfer's receiving cell)."""
    names: dict[str, str] = {}
    target = ctx.data.get("organisation_id")
    if isinstance(target, int):
        chain = ctx.lookups.organisation_chain(target)
        if chain:
            names[f"org:{target}"] = chain[-1].name
    return names


def record_issued(conn: Connection, taken: list[Taken], definition: Procedure, ctx: StepContext, *, case_id: int,
                  seq: int, case_data: dict[str, Any], outcome: str | None, now) -> dict[str, Any]:
    """Write the numbers and the issued documents' facts; what the event records under `forms`."""
    recorded: dict[str, Any] = {}
    names = _names(ctx) if taken else {}
    for item in taken:
        if item.number is not None:
            _INSERT_NUMBER.run(conn, {"organisation_id": item.issuer.id, "year": item.year, "kind": item.form.kind,
                                      "number": item.number, "label": item.label, "case_id": case_id,
                                      "form_id": item.form.id, "at": now})
        facts = snapshot(item.form, procedure=definition.name, rule_set=definition.rule_set, chain=ctx.chain,
                         issuer=item.issuer, person=ctx.person, case_id=case_id, case_data=case_data,
                         number=item.label, on=item.on, outcome=outcome, names=names, draft=False)
        sha = digest(facts)
        _INSERT_ISSUED.run(conn, {"case_id": case_id, "person_id": ctx.person.id, "seq": seq, "form_id": item.form.id,
                                  "template": item.form.template, "number": item.label, "issued_on": item.on,
                                  "facts": facts, "sha256": sha, "issued_at": now})
        recorded[item.form.id] = {"number": item.label, "template": item.form.template, "sha256": sha}
    return recorded
