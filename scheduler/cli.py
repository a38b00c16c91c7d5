"""`flask --app app scheduler` commands."""
from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Add the scheduler commands to the application's CLI."""
