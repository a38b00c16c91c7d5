"""JSON bodies the API refuses before any view reads them: too deeply nested, or holding a lone surrogate.

Python's json parser recurses once per level (5,000 levels raise RecursionError, a
500) and accepts "\\ud800" (a lone surrogate that no database can store, another
500 at write time). Both are malformed input: a 400 with the API's error body.
"""
from __future__ import annotations

import json
from typing import Any

from flask import request

from web.api.common import MAX_BODY_BYTES
from web.api.errors import error_response, language

MAX_DEPTH = 32  # the deepest body the API documents is 4 levels (a step's data with a list of objects)


def too_deep(raw: bytes, limit: int = MAX_DEPTH) -> bool:
    """True when arrays/objects nest deeper than `limit` (counted on the raw text, strings skipped)."""
    depth = 0
    in_string = escaped = False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # closing quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > limit:
                return True
        elif byte in (0x5D, 0x7D):  # ] }
            depth -= 1
    return False


def has_lone_surrogate(value: Any) -> bool:
    """True when a string (or a key) anywhere in the parsed body holds a UTF-16 surrogate code point."""
    if isinstance(value, str):
        return any("\ud800" <= char <= "\udfff" for char in value)
    if isinstance(value, dict):
        return any(has_lone_surrogate(k) or has_lone_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(has_lone_surrogate(item) for item in value)
    return False


def refuse_unsafe_json():
    """before_request of the API: answer 400 for a body nested too deep or with a lone surrogate."""
    if not request.path.startswith("/api/") or not request.is_json:
        return None
    if (request.content_length or 0) > MAX_BODY_BYTES:
        return None  # too large: the API's own limit answers it with 413 (web/api/auth.py)
    raw = request.get_data(cache=True)
    if not raw:
        return None
    if too_deep(raw):
        return _refused("JSON lồng nhau quá sâu (tối đa {n} cấp).", "The JSON is nested too deeply (at most {n} levels).")
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError):
        return None  # malformed JSON: the views' own parsing answers it with the usual 400
    if has_lone_surrogate(body):
        return _refused("Chuỗi ký tự chứa ký tự UTF-16 đơn lẻ (surrogate) không hợp lệ.",
                        "A string holds a lone UTF-16 surrogate, which is not a character.")
    return None


def _refused(vi: str, en: str):
    text = (en if language() == "en" else vi).format(n=MAX_DEPTH)
    return error_response(400, "invalid_input", text, {"fields": {"body": en.format(n=MAX_DEPTH)}})
