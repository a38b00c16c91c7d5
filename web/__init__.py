"""The web edge: Flask blueprints, templates and the REST API."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the blueprints and extensions on the application."""
    from .plain import bp

    app.register_blueprint(bp)
