"""What every API view needs: the runtime, the caller, and the error responses it documents."""
from __future__ import annotations

from http import HTTPStatus

from flask import current_app, g, request

from workflows.engine import Runtime

# Request bodies are small JSON documents; uploads go through the web UI.
MAX_BODY_BYTES = 1024 * 1024
BEARER = [{"bearerAuth": []}]


def runtime() -> Runtime:
    return current_app.extensions["quytrinh"]


def caller_id() -> int:
    """The user the request's bearer token acts as (set by auth.authenticate)."""
    return g.api_user_id


def remote_addr() -> str | None:
    return request.remote_addr


def documents(blueprint, *statuses: int):
    """Document the error responses a view can give (all share the API's error body)."""

    def decorator(func):
        for status in reversed(statuses):
            func = blueprint.alt_response(status, response=HTTPStatus(status).name)(func)
        return func

    return decorator
