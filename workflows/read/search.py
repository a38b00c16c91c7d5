"""Finding people and cases by what a user remembers: a name (any word, without accents), a birth year,
a case number or a decision number.

Every lookup is an index range, never a scan: each word of a name is a row of
`person_name_words` (folded, so «tuan» finds «Tuấn» and «Tuấn» typed in decomposed
Unicode alike) and a typed word matches the words it starts; the most selective
word drives (its count is read from the index, capped), and the person rows it
yields are checked for the other words. A year is a `birth_date` range, a decision
number a prefix of `decision_numbers.number_key`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, false, func, or_, select
from sqlalchemy.orm import Session, aliased

from models import DecisionNumber, Person, PersonNameWord
from workflows.domain.text import fold, words

TERMS_MAX = 5
DRIVER_PROBE = 5_000  # counting a word's matches stops here (an index-only count): enough to pick the rarest word
_CASE_NUMBER = re.compile(r"#?(\d{1,9})")
_YEAR = re.compile(r"(19|20)\d\d")


@dataclass(frozen=True)
class Query:
    """What a search box's text asks for."""

    words: tuple[str, ...] = ()
    years: tuple[int, ...] = ()
    case_ids: tuple[int, ...] = ()
    decision: str | None = None  # a folded decision number prefix ("15-qd")

    @property
    def empty(self) -> bool:
        return not (self.words or self.years or self.case_ids or self.decision)


def parse_query(text: str, *, this_year: int) -> Query:
    """Split the typed text: words of a name, a birth year, a case number (#19) or a decision number (15-QĐ/ĐU)."""
    name_words: list[str] = []
    years: list[int] = []
    case_ids: list[int] = []
    decision = None
    for token in fold(text or "").split(" ")[:TERMS_MAX * 2]:
        if not token:
            continue
        if _YEAR.fullmatch(token) and 1900 <= int(token) <= this_year:
            years.append(int(token))
            continue
        number = _CASE_NUMBER.fullmatch(token)
        if number:
            case_ids.append(int(number.group(1)))
            continue
        if any(c.isdigit() for c in token) and any(c in "-/." for c in token):
            decision = token[:100]  # «15-qd/du», «15/qd-ub»: digits with a dash, slash or dot
            continue
        name_words.extend(words(token))
    return Query(tuple(name_words[:TERMS_MAX]), tuple(years[:2]), tuple(case_ids[:3]), decision)


def starts_with(column, prefix: str):
    """`column` starts with `prefix`, as an index range [prefix, prefix with its last character + 1).

    The columns compare code point by code point (SQLite's BINARY, PostgreSQL's COLLATE "C"),
    so the range holds exactly the values that start with the prefix.
    """
    return and_(column >= prefix, column < prefix[:-1] + chr(ord(prefix[-1]) + 1))


def _word_range(word: str):
    return starts_with(PersonNameWord.word, word)


def people_statement(session: Session, query: Query):
    """SELECT of the ids of the people whose name has a word starting with each typed word and who were
    born in a typed year; None when the query names nobody by name or year (then it filters no one).

    The most selective word drives (a range of the words' primary key); each other word is one seek per
    candidate in the (person_id, word) index; a year is checked on the person's row."""
    if not query.words and not query.years:
        return None
    born = or_(false(), *(Person.birth_date.between(date(y, 1, 1), date(y, 12, 31)) for y in query.years))
    if not query.words:
        return select(Person.id).where(born)
    driver = query.words[0] if len(query.words) == 1 else min(query.words, key=lambda w: (_probe(session, w), -len(w)))
    statement = select(PersonNameWord.person_id).where(_word_range(driver))
    for word in query.words:
        if word != driver:
            other = aliased(PersonNameWord)
            statement = statement.where(select(other.person_id).where(
                other.person_id == PersonNameWord.person_id, starts_with(other.word, word)).exists())
    if query.years:
        statement = statement.where(select(Person.id).where(Person.id == PersonNameWord.person_id, born).exists())
    return statement.distinct() if len(set(query.words)) < len(query.words) else statement


def ids_or_subquery(session: Session, statement, limit: int):
    """The ids a statement selects, as a list when at most `limit` (a short IN), else the statement itself."""
    found = list(session.scalars(statement.limit(limit + 1)))
    return found if len(found) <= limit else statement


def _probe(session: Session, word: str) -> int:
    inner = select(PersonNameWord.person_id).where(_word_range(word)).limit(DRIVER_PROBE).subquery()
    return session.scalar(select(func.count()).select_from(inner)) or 0


def cases_with_decision(prefix: str):
    """SELECT of the ids of the cases that recorded a decision number starting with `prefix` (folded)."""
    return select(DecisionNumber.case_id).where(starts_with(DecisionNumber.number_key, prefix))
