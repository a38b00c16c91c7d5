"""The API's blueprints: under /api/v1, with the API's error handling and bearer-token authentication.

Its own module (not common.py) because it needs auth.py, which itself needs common.py.
"""
from __future__ import annotations

from flask_smorest import Blueprint

from web.api.auth import authenticate_request
from web.api.errors import register_error_handlers


def api_blueprint(name: str, import_name: str, url_prefix: str, description: str):
    """A flask-smorest blueprint under /api/v1 with the API's error handling and token authentication."""
    blueprint = Blueprint(name, import_name, url_prefix="/api/v1" + url_prefix, description=description)
    register_error_handlers(blueprint)
    blueprint.before_request(authenticate_request)
    return blueprint
