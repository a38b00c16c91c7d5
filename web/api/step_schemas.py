"""marshmallow schemas generated from the procedures' Step.fields, one per procedure and trigger.

They document, in the OpenAPI document, the `data` each trigger records
(POST /cases for `open`, POST /cases/{id}/actions/{trigger} for the others).
The engine validates `data` with workflows.domain.fields.parse_data from the very
same Field declarations, after it has checked the case, the state and the
role — so a step fired from the wrong state is a 409 whatever its data.
Nothing here is written by hand per procedure: a new procedure in
workflows.procedures.registry appears in the document by itself.
"""
from __future__ import annotations

from collections.abc import Iterable

from marshmallow import Schema, fields, validate

from web.api.schemas import MAX_ID, Id, JsonObject, StrictSchema, Text
from workflows.domain.definition import Field, Procedure
from workflows.domain.fields import VOTE_METHODS
from workflows.domain.rulesets import RULE_SETS
from workflows.procedures.registry import PROCEDURE_BUILDERS, get_procedure


class VoteSchema(Schema):
    """A vote (api.md): the body's official (or committee) members on that day, for, against, how."""

    date = fields.Date(required=True)
    eligible = fields.Integer(strict=True, required=True, validate=validate.Range(min=1, max=MAX_ID))
    agree = fields.Integer(strict=True, required=True, validate=validate.Range(min=0, max=MAX_ID))
    disagree = fields.Integer(strict=True, required=True, validate=validate.Range(min=0, max=MAX_ID))
    method = fields.String(required=True, validate=validate.OneOf(VOTE_METHODS))


def _camel(*parts: str) -> str:
    return "".join(p.title().replace("_", "") for part in parts for p in part.split("_"))


def marshmallow_field(f: Field, owner: str) -> fields.Field:
    """The marshmallow field that accepts what workflows.domain.fields.parse_data accepts for `f`."""
    meta = {"description": f.label_en or f.name, "x-label-vi": f.label_vi}
    common = {"required": f.required, "allow_none": not f.required, "metadata": meta}
    kind = f.kind
    if kind == "date":
        return fields.Date(**common)
    if kind == "int":
        return fields.Integer(strict=True, validate=validate.Range(min=0, max=MAX_ID), **common)
    if kind == "ref":
        return fields.Integer(strict=True, validate=validate.Range(min=1, max=MAX_ID), **common)
    if kind in ("str", "text"):
        return Text(f.max_length, min_length=1 if f.required else 0, **common)
    if kind == "bool":
        return fields.Boolean(**common)
    if kind == "enum":
        return fields.String(validate=validate.OneOf(f.choices), **common)
    if kind == "vote":
        meta["description"] += " (its keys may also be given at the top level of data, as api.md writes a vote)"
        return fields.Nested(VoteSchema, **common)
    if kind == "object":
        if f.flag:
            meta["description"] += " (or `true`: recorded without its details)"
        return fields.Nested(schema_for_fields(f.items, owner + _camel(f.name)), **common)
    if kind == "list":
        item = schema_for_fields(f.items, owner + _camel(f.name) + "Item")
        return fields.List(fields.Nested(item), validate=validate.Length(max=50), **common)
    raise AssertionError(f"unknown field kind {kind}")


def schema_for_fields(declared: Iterable[Field], name: str) -> type[Schema]:
    """A schema class named `name` for a list of Field declarations (unknown keys are ignored, as by the engine)."""
    attrs = {f.name: marshmallow_field(f, name) for f in declared}
    return Schema.from_dict(attrs, name=name)


def merged_fields(definitions: Iterable[Procedure], trigger: str) -> list[Field]:
    """A trigger's fields across its steps and rule sets: a field is required only if every step requires it."""
    by_name: dict[str, Field] = {}
    seen_in: dict[str, int] = {}
    steps = [s for d in definitions for s in d.steps_for(trigger) if user_step(s)]
    for step in steps:
        for f in step.fields:
            seen_in[f.name] = seen_in.get(f.name, 0) + 1
            current = by_name.get(f.name)
            if current is None or (current.required and not f.required):
                by_name[f.name] = f
    import dataclasses

    return [f if seen_in[f.name] == len(steps) else dataclasses.replace(f, required=False)
            for f in by_name.values()]


def user_step(step) -> bool:
    """Steps the engine takes by itself (e.g. ending a probation case) are not fired through the API."""
    return not getattr(step, "system", False)


def user_triggers(definition: Procedure) -> list[str]:
    return list(dict.fromkeys(s.trigger for s in (definition.open_step, *definition.steps) if user_step(s)))


def trigger_schemas() -> dict[tuple[str, str], type[Schema]]:
    """(procedure, trigger) -> its data schema, for every procedure of the registry."""
    result: dict[tuple[str, str], type[Schema]] = {}
    for procedure in sorted(PROCEDURE_BUILDERS):
        definitions = [get_procedure(procedure, rs) for rs in sorted(RULE_SETS)]
        triggers = dict.fromkeys(t for d in definitions for t in user_triggers(d))
        for trigger in triggers:
            name = _camel(procedure, trigger) + "Data"
            result[(procedure, trigger)] = schema_for_fields(merged_fields(definitions, trigger), name)
    return result


def all_triggers() -> list[str]:
    """Every trigger name of every procedure except `open` (which POST /cases fires)."""
    names: dict[str, None] = {}
    for procedure in sorted(PROCEDURE_BUILDERS):
        for rs in sorted(RULE_SETS):
            names.update(dict.fromkeys(user_triggers(get_procedure(procedure, rs))))
    names.pop("open", None)
    return list(names)


TRIGGER_SCHEMAS = trigger_schemas()


def _refs(keys) -> list[dict[str, str]]:
    return [{"$ref": f"#/components/schemas/{TRIGGER_SCHEMAS[k].__name__}"} for k in keys]


_OPEN_KEYS = [k for k in TRIGGER_SCHEMAS if k[1] == "open"]
_ACTION_KEYS = [k for k in TRIGGER_SCHEMAS if k[1] != "open"]


def register_trigger_schemas(spec) -> None:
    """Put every (procedure, trigger) data schema into the document's components."""
    for schema in TRIGGER_SCHEMAS.values():
        if schema.__name__ not in spec.components.schemas:
            spec.components.schema(schema.__name__, schema=schema)


class CaseInSchema(StrictSchema):
    """POST /cases: open a case; its `open` step fires with `data`."""

    procedure = fields.String(required=True, validate=validate.OneOf(tuple(sorted(PROCEDURE_BUILDERS))))
    person_id = Id(required=True)
    organisation_id = Id(required=True)
    rule_set = fields.String(allow_none=True, load_default=None, validate=validate.OneOf(tuple(RULE_SETS)),
                             metadata={"description": "Default: the rule set in force today."})
    data = JsonObject(load_default=dict, metadata={
        "description": "The data of the procedure's `open` step: the schema <Procedure>OpenData.",
        "anyOf": _refs(_OPEN_KEYS),
    })
    comment = Text(2000, allow_none=True, load_default=None)


class ActionInSchema(StrictSchema):
    """POST /cases/{id}/actions/{trigger}: fire a step."""

    data = JsonObject(load_default=dict, metadata={
        "description": "The trigger's data: the schema <Procedure><Trigger>Data of the case's procedure.",
        "anyOf": _refs(_ACTION_KEYS),
    })
    comment = Text(2000, allow_none=True, load_default=None)
    revision = fields.Integer(strict=True, allow_none=True, load_default=None,
                              validate=validate.Range(min=0, max=MAX_ID),
                              metadata={"description": "The revision the client saw; a stale one → 409 conflict."})
