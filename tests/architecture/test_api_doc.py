"""docs/api.md is true to the API: its resource tables and the generated OpenAPI document list the same
operations."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ROW = re.compile(r"^\| `(GET|POST|PUT|PATCH|DELETE) (/[^`]*)`", re.M)
METHODS = {"get", "post", "put", "patch", "delete"}


def _normalise(path: str) -> str:
    """`/cases/{case_id}` and `/cases/{id}` name the same path."""
    return re.sub(r"\{[^}]*\}", "{}", path)


def documented(text: str) -> set[str]:
    return {f"{method} {_normalise(path)}" for method, path in ROW.findall(text)}


def served(document: dict) -> set[str]:
    return {f"{method.upper()} {_normalise(path.removeprefix('/api/v1'))}"
            for path, operations in document["paths"].items() for method in operations if method in METHODS}


def test_every_operation_is_documented_and_every_documented_one_is_served(app):
    """Each `METHOD /path` row of docs/api.md is in /api/v1/openapi.json, and each operation there is a row."""
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    in_doc, in_api = documented((ROOT / "docs" / "api.md").read_text(encoding="utf-8")), served(document)
    assert {"undocumented": sorted(in_api - in_doc), "not served": sorted(in_doc - in_api)} == \
        {"undocumented": [], "not served": []}


def test_the_comparison_notices_a_missing_row():
    """The check can fail: a served operation without a row, and a row nothing serves, are both seen."""
    doc = "| `GET /cases/{id}` | | case |\n| `DELETE /cases/{id}` | | gone |\n"
    api = {"paths": {"/api/v1/cases/{case_id}": {"get": {}}, "/api/v1/persons": {"post": {}}}}
    assert served(api) - documented(doc) == {"POST /persons"}
    assert documented(doc) - served(api) == {"DELETE /cases/{}"}
