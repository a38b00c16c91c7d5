"""Vietnamese text in one shape: NFC everywhere, a folded key to search by, a key to sort names by.

Text reaches the system in two Unicode forms: precomposed («ế» as one code point,
what most keyboards send) and decomposed («e» + circumflex + acute, what Unikey's
«Unicode tổ hợp» and macOS produce). Both look the same and compare different, so
every entry point (web forms, API, import) stores `normalise_text(...)` (NFC), and
search compares `fold(...)` keys, which drop case, tones and vowel marks.

The sort key orders names as a Vietnamese reader expects: by given name (the last
word), then family name (the first), then the middle names; letters in the
Vietnamese alphabet (a ă â b c d đ e ê … o ô ơ … u ư …: «Đ» after «D», not after
«Z»), and within one syllable the tones in dictionary order: ngang, huyền, hỏi,
ngã, sắc, nặng (the order of Từ điển tiếng Việt, Hoàng Phê chủ biên). It is ASCII
compared byte by byte (PostgreSQL: COLLATE "C"), so the database sorts it.
"""
from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_WORD = re.compile(r"[^\W_]+")

# Letters of the Vietnamese alphabet in order, with the Latin letters it lacks (f j w z) where
# Latin puts them; each is a base letter with its vowel mark (breve, circumflex, horn) if any.
_BREVE, _CIRCUMFLEX, _HORN = "\u0306", "\u0302", "\u031b"
_ALPHABET = ("a", "a" + _BREVE, "a" + _CIRCUMFLEX, "b", "c", "d", "đ", "e", "e" + _CIRCUMFLEX, "f", "g", "h", "i",
             "j", "k", "l", "m", "n", "o", "o" + _CIRCUMFLEX, "o" + _HORN, "p", "q", "r", "s", "t", "u", "u" + _HORN,
             "v", "w", "x", "y", "z")
_LETTER_CODE = {letter: chr(ord("A") + i) for i, letter in enumerate(_ALPHABET)}
# Tone marks in dictionary order (ngang = no mark = 0): huyền, hỏi, ngã, sắc, nặng.
_TONES = {"\u0300": "1", "\u0309": "2", "\u0303": "3", "\u0301": "4", "\u0323": "5"}
_VOWEL_MARKS = (_BREVE, _CIRCUMFLEX, _HORN)
KEY_MAX = 400
WORD_MAX = 60


def normalise_text(value: str) -> str:
    """One-line text as stored: NFC, runs of white space as one space, trimmed."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", value)).strip()


def normalise_multiline(value: str) -> str:
    """Multi-line text as stored: NFC, Windows line ends as '\\n', trimmed."""
    return unicodedata.normalize("NFC", value).replace("\r\n", "\n").replace("\r", "\n").strip()


def fold(value: str) -> str:
    """The search key: no tones or vowel marks, «đ» as «d», lower case, single spaces.

    «Vũ Đức Tuấn» and «vu duc tuan» (and the decomposed spelling of either) fold alike.
    """
    decomposed = unicodedata.normalize("NFD", value.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACES.sub(" ", unicodedata.normalize("NFC", bare).casefold()).strip()


def words(value: str) -> list[str]:
    """The folded words of a text (letters and digits only), each at most WORD_MAX characters."""
    return [w[:WORD_MAX] for w in _WORD.findall(fold(value))]


def _syllable_key(word: str) -> str:
    letters, tone = [], "0"
    for char in unicodedata.normalize("NFD", word.casefold()):
        if char in _TONES:
            tone = _TONES[char] if tone == "0" else tone
        elif char in _VOWEL_MARKS and letters:
            letters[-1] += char
        elif unicodedata.combining(char):
            continue
        else:
            letters.append(char)
    codes = []
    for letter in letters:
        code = _LETTER_CODE.get(letter)
        if code is None:
            base = letter[:1]
            code = base if base.isdigit() else _LETTER_CODE.get(base, "")
        codes.append(code)
    # '!' sorts below every letter code: «Anh» before «Anha»; the tone digit after it.
    return "".join(codes) + "!" + tone


def sort_key(full_name: str) -> str:
    """The key that orders names by given name, family name, middle names, in Vietnamese order."""
    parts = [p for p in normalise_text(full_name).split(" ") if p]
    if not parts:
        return ""
    ordered = [parts[-1], parts[0], *parts[1:-1]] if len(parts) > 1 else parts
    # ' ' sorts below '!': a shorter name before a longer one that starts like it.
    return " ".join(_syllable_key(p) for p in ordered)[:KEY_MAX]
