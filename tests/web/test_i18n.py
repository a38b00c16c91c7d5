"""Vietnamese first: every UI string has its Vietnamese translation, compiled; dates dd/mm/yyyy in Vietnam."""
from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

import web
from web.common.i18n import format_date, format_datetime

TRANSLATIONS = Path(web.__file__).resolve().parent / "translations"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None}


def _extracted() -> set[str]:
    root = Path(web.__file__).resolve().parent.parent
    method_map = [("web/**.py", "python"), ("web/templates/**.html", "jinja2")]
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
            str(root), method_map, options_map={"web/templates/**.html": {"extensions": "jinja2.ext.do"}},
            keywords=KEYWORDS):
        found.add(message if isinstance(message, str) else message[0])
    return {m for m in found if m}


def test_every_ui_string_has_a_vietnamese_translation():
    """Each message of web/ (views and templates) is translated in vi/messages.po — nothing falls back to English."""
    catalog = read_po(open(TRANSLATIONS / "vi/LC_MESSAGES/messages.po", "rb"), locale="vi")
    translated = {(m.id if isinstance(m.id, str) else m.id[0]) for m in catalog
                  if m.id and (m.string if isinstance(m.string, str) else any(m.string)) and not m.fuzzy}
    missing = sorted(_extracted() - translated)
    assert not missing, f"untranslated (see web/translations/README.md): {missing}"


def test_compiled_catalogue_matches_the_source():
    """The committed .mo holds the same translations as the .po (a fresh checkout needs no compile step)."""
    po = read_po(open(TRANSLATIONS / "vi/LC_MESSAGES/messages.po", "rb"), locale="vi")
    mo = read_mo(open(TRANSLATIONS / "vi/LC_MESSAGES/messages.mo", "rb"))
    strings = lambda cat: {(m.id if isinstance(m.id, str) else tuple(m.id)): (m.string if isinstance(m.string, str) else tuple(m.string)) for m in cat if m.id}  # noqa: E731
    assert strings(po) == strings(mo)


def test_dates_are_day_month_year_and_times_are_vietnamese():
    """Calendar dates print dd/mm/yyyy; instants stored in UTC print in Asia/Ho_Chi_Minh."""
    assert format_date(date(2026, 2, 17)) == "17/02/2026"
    assert format_date("2026-09-02") == "02/09/2026"
    assert format_datetime(datetime(2026, 12, 31, 18, 30, tzinfo=timezone.utc)) == "01/01/2027 01:30"
