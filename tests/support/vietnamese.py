"""Is a Vietnamese page free of English words and internal codes? The vocabularies come from the project itself.

English words are the words of the English texts (the UI's message ids, the definitions' English labels and
rule messages) that no Vietnamese text uses; internal codes are snake_case or dotted identifiers and the
definitions' own names (states, triggers, rule ids, fields, deadline kinds, roles, choices). The Vietnamese
side (the catalogue's translations, the definitions' Vietnamese labels, the demo's data) keeps syllables
written without accents («chi», «an», «minh», «long») from being taken for English.
"""
from __future__ import annotations

import ast
import re
from functools import lru_cache
from pathlib import Path

from models import Person
from web.common.labels import CHOICES
from workflows.demo.tree import USERS
from workflows.domain.organisations import ROLE_NAMES
from workflows.domain.rulesets import RULE_SETS
from workflows.procedures.registry import get_procedure, procedure_names

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "web" / "translations" / "vi" / "LC_MESSAGES" / "messages.po"

# Words a Vietnamese page may show as they are: file formats, the API's name, abbreviations of forms.
ALLOWED = {
    "pdf", "csv", "excel", "xlsx", "docx", "api", "openapi", "rest", "json", "smtp", "utc", "id", "ok",
    "dd", "mm", "yyyy", "kn", "knđ", "qđ", "tw", "hd", "ubkt", "ct", "cp", "thcs", "thpt", "byte", "email",
    "quytrinh", "ics", "ical", "url", "http", "https", "www", "vn", "vi", "en", "english", "tiếng",
    # the import workbook's CSV file names (docs/import.md): what the user must name the files
    "to_chuc", "dang_vien", "ho_so", "zip",
}
_WORD = re.compile(r"[^\W\d_]{2,}")  # whole words, accented letters included (only ASCII ones are judged)
_SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
_DOTTED = re.compile(r"\b[a-z][a-z_]+\.[a-z][a-z_.]*\b")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL = re.compile(r"https?://\S+|(?<![\w.])/[\w/.?=&%#-]*")


def _po_pairs() -> list[tuple[str, str]]:
    text = PO.read_text(encoding="utf-8")
    return re.findall(r'^msgid "(.*)"\nmsgstr "(.*)"$', text, flags=re.M)


def _definition_texts():
    english, vietnamese, internal = [], [], set()
    for rule_set in RULE_SETS:
        for name in procedure_names():
            d = get_procedure(name, rule_set)
            internal.add(d.name)
            english.append(d.label_en)
            vietnamese.append(d.label_vi)
            for state in d.states:
                internal.add(state.name)
                english.append(state.label_en)
                vietnamese.append(state.label_vi)
            for step in (d.open_step, *d.steps):
                internal.add(step.trigger)
                english.append(step.label_en)
                vietnamese += [step.label_vi, step.legal_basis]
                stack = list(step.fields)
                while stack:
                    f = stack.pop()
                    internal.add(f.name)
                    english.append(f.label_en)
                    vietnamese.append(f.label_vi)
                    stack.extend(f.items)
                    internal.update(c for c in (f.choices or ()) if isinstance(c, str))
                for rule in step.rules:
                    internal.add(rule.id)
                    english.append(rule.message_en)
                    vietnamese += [rule.message_vi, rule.source]
                for spec in step.opens:
                    internal.add(spec.kind)
                    english.append(spec.label_en)
                    vietnamese += [spec.label_vi, spec.legal_basis]
    return english, vietnamese, internal


def _demo_strings() -> list[str]:
    """The demo's Vietnamese string literals (names, places, what the cases record): those with an accented
    letter, or a single capitalised word (a given name such as «An» or «Long»); not its code names or docstrings."""
    found = []
    for path in (ROOT / "workflows" / "demo").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                value = node.value
                if re.search(r"[^\x00-\x7f]", value) or re.fullmatch(r"[A-Z][a-z]+", value):
                    found.append(value)
    return found


def _words(texts) -> set[str]:
    return {w.lower() for text in texts if text for w in _WORD.findall(re.sub(r"%\(\w+\)[sd]", " ", text))
            if w.isascii()}


@lru_cache(maxsize=1)
def vocabularies() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """(English words, Vietnamese ASCII syllables, internal codes)."""
    pairs = _po_pairs()
    english, vietnamese, internal = _definition_texts()
    english += [msgid for msgid, _ in pairs] + [names[1] for names in ROLE_NAMES.values()]
    vietnamese += [msgstr for _, msgstr in pairs] + [names[0] for names in ROLE_NAMES.values()] + _demo_strings()
    internal |= set(ROLE_NAMES) | set(CHOICES) | {c.name for c in Person.__table__.columns}
    # A code shown with its underscores turned into spaces («left reason») is English too.
    english += [code.replace("_", " ") for code in internal]
    viet = _words(vietnamese)
    return frozenset(_words(english) - viet), frozenset(viet), frozenset(i.lower() for i in internal)


def foreign_words(text: str) -> list[str]:
    """The English words and internal codes in a piece of text meant for a Vietnamese reader."""
    english, viet, internal = vocabularies()
    usernames = sorted((u for u, *_ in USERS), key=len, reverse=True)
    text = _EMAIL.sub(" ", text)
    text = _URL.sub(" ", text)
    for username in usernames:
        text = text.replace(username, " ")
    found = [m for m in _SNAKE.findall(text) + _DOTTED.findall(text)
             if m.lower() not in ALLOWED and m.lower().rsplit(".", 1)[0] not in ALLOWED]  # a file name in docs
    text = _SNAKE.sub(" ", _DOTTED.sub(" ", text))
    for word in _WORD.findall(text):
        if not word.isascii():
            continue
        lower = word.lower()
        if lower in viet or lower in ALLOWED:
            continue
        if lower in english or lower in internal:
            found.append(word)
    if "(mã)" in text:
        found.append("(mã)")
    return found
