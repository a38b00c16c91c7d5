"""Cases: open, read, list, fire a trigger, read the history (api.md, "Resources")."""
from __future__ import annotations

from marshmallow import RAISE

from web.api.blueprint import api_blueprint
from web.api.common import caller_id, documents, remote_addr, runtime
from web.api.schemas import CasePageSchema, CaseQuerySchema, CaseSchema, EventSchema
from web.api.step_schemas import ActionInSchema, CaseInSchema, all_triggers
from workflows.engine import fire, open_case
from workflows.read.cases_read import CaseFilter, case_events, list_cases, read_case

blp = api_blueprint("api_cases", __name__, "/cases", "Cases of every procedure")
CASE_ID = "<int(max=2147483647):case_id>"
TRIGGER_PARAMETER = {
    "in": "path", "name": "trigger", "required": True,
    "description": "A trigger of the case's procedure (procedures.md); its data: <Procedure><Trigger>Data.",
    "schema": {"type": "string", "enum": all_triggers()},
}


@blp.route("", methods=["POST"])
@blp.arguments(CaseInSchema, error_status_code=400)
@blp.response(201, CaseSchema)
@documents(blp, 401, 403, 404, 409, 422)
def create(body):
    """Open a case: its `open` step fires at once with `data`."""
    case = open_case(runtime(), actor_id=caller_id(), procedure=body["procedure"], person_id=body["person_id"],
                     organisation_id=body["organisation_id"], data=body["data"], rule_set=body["rule_set"],
                     comment=body["comment"])
    return read_case(runtime(), actor_id=caller_id(), case_id=case.id, audited=False)


@blp.route("", methods=["GET"])
@blp.arguments(CaseQuerySchema, location="query", error_status_code=400, unknown=RAISE)
@blp.response(200, CasePageSchema)
@documents(blp, 401)
def index(query):
    """The cases the caller may see, newest first, filtered; `organisation_id` takes its whole subtree."""
    filters = CaseFilter(procedure=query.get("procedure"), state=query.get("state"),
                         organisation_id=query.get("organisation_id"), person_id=query.get("person_id"),
                         overdue=query.get("overdue"))
    return list_cases(runtime(), actor_id=caller_id(), filters=filters, page=query["page"],
                      per_page=query["per_page"], remote_addr=remote_addr())


@blp.route("/" + CASE_ID, methods=["GET"])
@blp.response(200, CaseSchema)
@documents(blp, 401, 404)
def show(case_id: int):
    """A case with `allowed_actions` (what the caller may fire now), deadlines and revision."""
    return read_case(runtime(), actor_id=caller_id(), case_id=case_id, remote_addr=remote_addr())


@blp.route("/" + CASE_ID + "/actions/<trigger>", methods=["POST"], parameters=[TRIGGER_PARAMETER])
@blp.arguments(ActionInSchema, error_status_code=400)
@blp.response(200, CaseSchema)
@documents(blp, 401, 403, 404, 409, 422)
def act(body, case_id: int, trigger: str):
    """Fire a trigger of the case (409 if it does not apply in the current state or `revision` is stale)."""
    fire(runtime(), case_id=case_id, trigger=trigger, actor_id=caller_id(), data=body["data"],
         comment=body["comment"], revision=body["revision"])
    return read_case(runtime(), actor_id=caller_id(), case_id=case_id, audited=False)


@blp.route("/" + CASE_ID + "/events", methods=["GET"])
@blp.response(200, EventSchema(many=True))
@documents(blp, 401, 404)
def events(case_id: int):
    """The case's events, oldest first."""
    return case_events(runtime(), actor_id=caller_id(), case_id=case_id, remote_addr=remote_addr())
