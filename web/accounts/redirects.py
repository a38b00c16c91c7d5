"""Where to go after signing in: only a path of this site (issue 14, item 4: no open redirect).

Browsers drop tabs and newlines inside a URL and read a backslash as a slash, so `/%09/evil.example`
(a tab) arrives as `/\\t/evil.example` and a browser follows `Location: /\\t/evil.example` to
`//evil.example` — another site. The target is therefore normalised the way a browser would
(WHATWG URL: leading/trailing C0 controls and spaces stripped, tab and newline removed) and
refused when it holds any other control character or a backslash, or when what remains is not a
plain absolute path: no scheme, no host, one leading slash.
"""
from __future__ import annotations

from urllib.parse import urlsplit

_STRIP = "".join(chr(c) for c in range(0x21))  # C0 controls and the space
_CONTROL = {chr(c) for c in range(0x20)} | {"\x7f"}


def safe_next(target: str | None) -> str | None:
    """The local path to follow after signing in, or None (then the default page)."""
    if not target or len(target) > 2000:
        return None
    cleaned = target.strip(_STRIP).replace("\t", "").replace("\n", "").replace("\r", "")
    if "\\" in cleaned or _CONTROL.intersection(cleaned):
        return None
    if not cleaned.startswith("/") or cleaned.startswith("//"):
        return None
    parts = urlsplit(cleaned)
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith("//"):
        return None
    return cleaned.rstrip("?") or None
