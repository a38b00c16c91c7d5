"""REST API v1 under /api/v1 (api.md), documented by a generated OpenAPI document.

flask-smorest builds /api/v1/openapi.json from the marshmallow schemas that
validate the requests; /api/v1/docs is a Swagger UI page served from a
vendored copy (no internet needed). Errors have one body everywhere (errors.py).
"""
from __future__ import annotations

from flask import Flask
from flask_smorest import Api

from web.api.errors import register_error_handlers, register_routing_errors
from web.api.json_guard import refuse_unsafe_json
from web.api.schemas import ErrorSchema

API_DESCRIPTION = """Quy trình — REST API v1.

Authenticate with `Authorization: Bearer <token>` (`flask --app app issue-token NAME`, or POST /tokens).
Every error is `{"error": {"code", "message", "details"}}`; `message` is Vietnamese unless
`Accept-Language: en`. A rule violation (422 `rule_violated`) lists the rule ids in `details.rules`, and each rule with
its legal source and message in `details.violations`.
The `data` of each trigger is described by the component schemas `<Procedure><Trigger>Data`."""


class QuytrinhApi(Api):
    """flask-smorest's Api with the project's error body, and no app-wide error handler.

    flask-smorest would answer every HTTP error of the whole app (the HTML pages
    too) with JSON; the API's handlers are registered on its own blueprints instead.
    """

    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self):
        return None


def init_api(app: Flask) -> Api:
    """Register the API blueprints, their error handling and the documentation on the app."""
    app.config.setdefault("API_TITLE", "quytrinh")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", "/api/v1")
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault("API_SPEC_OPTIONS", {
        "info": {"description": API_DESCRIPTION},
        "servers": [{"url": "/", "description": "this server"}],
        "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
        "security": [{"bearerAuth": []}],
    })
    api = QuytrinhApi(app)
    register_routing_errors(app)
    app.before_request(refuse_unsafe_json)  # nesting and lone surrogates: a 400, not a 500 (json_guard.py)

    from web.api import docs
    from web.api.resources import BLUEPRINTS
    from web.api.step_schemas import register_trigger_schemas

    register_trigger_schemas(api.spec)
    csrf = app.extensions.get("csrf")
    for blueprint in BLUEPRINTS:
        api.register_blueprint(blueprint)
        if csrf is not None:
            csrf.exempt(blueprint)  # bearer tokens, no cookies: CSRF does not apply
    app.register_blueprint(docs.bp)
    app.extensions["quytrinh.api"] = api
    return api
