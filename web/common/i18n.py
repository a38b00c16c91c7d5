"""Language and dates: Vietnamese first, English second; dates dd/mm/yyyy in Asia/Ho_Chi_Minh.

The UI's own strings are English message ids translated in
web/translations/vi (the default locale) — see web/translations/README.md for
the extract/update/compile commands. Domain words (states, steps, fields,
rules) carry their own `label_vi`/`label_en` and are picked with `label()`.
"""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from flask import Flask, session
from flask_babel import Babel, get_locale
from flask_login import current_user

from workflows.engine import LOCAL_ZONE

LOCALES = ("vi", "en")
DEFAULT_LOCALE = "vi"
TRANSLATIONS = Path(__file__).resolve().parents[1] / "translations"

babel = Babel()


def select_locale() -> str:
    """The signed-in user's choice, else the one picked in this browser's session, else Vietnamese."""
    if current_user and current_user.is_authenticated and getattr(current_user, "locale", None) in LOCALES:
        return current_user.locale
    chosen = session.get("locale")
    return chosen if chosen in LOCALES else DEFAULT_LOCALE


def lang() -> str:
    """'vi' or 'en' for the current request."""
    locale = get_locale()
    return "en" if locale is not None and locale.language == "en" else "vi"


def label(obj: Any, default: str = "") -> str:
    """The Vietnamese or English label of a definition object (State, Step, Field, Procedure...)."""
    if obj is None:
        return default
    first = getattr(obj, "label_en" if lang() == "en" else "label_vi", "") or ""
    return first or getattr(obj, "label_vi", "") or getattr(obj, "label_en", "") or getattr(obj, "name", default)


def message(obj: Any) -> str:
    """A domain error's or rule description's message in the request's language."""
    if isinstance(obj, dict):
        return obj.get("message_en" if lang() == "en" else "message_vi") or obj.get("message_vi") or ""
    if hasattr(obj, "message"):
        return obj.message(lang())
    return str(obj)


def format_date(value: date | str | None) -> str:
    """dd/mm/yyyy, whatever the language (a calendar date has no time zone)."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return value
    if isinstance(value, datetime):
        value = value.astimezone(LOCAL_ZONE).date()
    return value.strftime("%d/%m/%Y")


def format_datetime(value: datetime | None) -> str:
    """dd/mm/yyyy HH:MM in Vietnam's time (instants are stored in UTC)."""
    if value is None:
        return ""
    return value.astimezone(LOCAL_ZONE).strftime("%d/%m/%Y %H:%M")


def iso_date(value: date | None) -> str:
    """The value of an <input type=date>."""
    return value.isoformat() if isinstance(value, date) else (value or "")


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LOCALE)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "Asia/Ho_Chi_Minh")
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(TRANSLATIONS)
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.filters.update(
        date=format_date, datetime=format_datetime, label=label, message=message, iso_date=iso_date,
    )
    app.jinja_env.globals.update(lang=lang, label=label)
    app.jinja_env.add_extension("jinja2.ext.do")
