"""Fuzzing every operation of /api/v1/openapi.json with schemathesis, in-process through the WSGI app.

Each operation gets a bounded number of generated requests (valid and invalid
by the document), sent with an administrator's token so they reach past
authentication into the services. Every answer must be no 5xx, a documented
status, JSON, and match the documented schema (quality.md Security 8).
"""
from __future__ import annotations

import re

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode, checks
from schemathesis.specs.openapi import checks as openapi_checks

from tests.api.support import build_province
from tests.api.test_admission_api import new_applicant, open_admission, walk

EXAMPLES = 25  # per operation and mode: a few minutes at most on two cores
CHECKS = [
    checks.not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_schema_conformance,
    openapi_checks.response_headers_conformance,
    openapi_checks.negative_data_rejection,
]


@pytest.fixture(scope="module")
def fuzz_world(api):
    """A province with a few cases, so that small generated ids hit real objects."""
    province = build_province(api)
    for key in ("Fuzz một", "Fuzz hai"):
        case, steps = open_admission(api, province, new_applicant(api, province, key))
        walk(api, case, steps[:2], "background_verified")
    return api


@pytest.fixture(scope="module")
def api_schema(api_app, fuzz_world):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", api_app)


# marshmallow's own messages: a 400 carrying one of them for data that fits the document means the
# validation is stricter than the document says (a domain refusal, e.g. a common password, is fine).
SCHEMA_MESSAGES = ("Not a valid", "Missing data for required field", "Unknown field", "Field may not be null",
                   "Must be", "Length must be", "Must be one of", "Must not contain")


def accepted_as_documented(response, mode: GenerationMode) -> None:
    if mode != GenerationMode.POSITIVE or response.status_code != 400:
        return
    fields = (response.json().get("error", {}).get("details") or {}).get("fields") or {}
    stricter = {k: v for k, v in fields.items() if isinstance(v, str) and v.startswith(SCHEMA_MESSAGES)}
    assert not stricter, f"data fitting the document was refused by the schema: {stricter}"


def fuzz_operation(operation, mode: GenerationMode, token: str, path_parameters: dict | None = None) -> None:
    """Run a bounded number of generated requests against one operation; raise on the first failure."""
    headers = {"Authorization": f"Bearer {token}"}

    @given(case=operation.as_strategy(generation_mode=mode, path_parameters=path_parameters or None))
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck), phases=[Phase.generate])
    def run(case):
        response = case.call(headers=headers)
        case.validate_response(response, checks=CHECKS, headers=headers)
        accepted_as_documented(response, mode)

    run()


def real_ids(api) -> dict[str, int]:
    """Ids of objects that exist, so that generated bodies reach the services behind the path."""
    case = api.ok("GET", "/cases?per_page=1")["items"][0]
    return {"case_id": case["id"], "person_id": case["person_id"], "organisation_id": case["organisation_id"],
            "user_id": api.ok("GET", "/users/me")["id"]}


@pytest.mark.slow
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=str)
def test_every_operation_answers_as_documented(api_schema, fuzz_world, mode):
    """Generated requests (fitting the document, then not) to every operation: no 5xx, documented answers."""
    failures = []
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 15
    ids = real_ids(fuzz_world)
    for operation in operations:
        runs = [None]
        names = set(re.findall(r"{(\w+)}", operation.path))
        if mode == GenerationMode.POSITIVE and names and names <= set(ids):
            runs.append({name: ids[name] for name in names})  # the same operation on an object that exists
        for fixed in runs:
            try:
                fuzz_operation(operation, mode, fuzz_world.admin_token, fixed)
            except Exception as exc:  # collect every operation's failure, then report them together
                failures.append(f"{operation.label} {fixed or ''}: {type(exc).__name__}: {exc}"[:3000])
    assert not failures, "\n\n".join(failures)
