"""What a reader of a page sees: its text and the attributes read aloud or shown (title, placeholder…)."""
from __future__ import annotations

from html.parser import HTMLParser

SHOWN_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template"):
            self._hidden += 1
        values = dict(attrs)
        if tag == "a" and (values.get("href") or "").startswith("/"):
            self.links.append(values["href"])
        if tag == "input" and values.get("type") in ("submit", "button") and values.get("value"):
            self.parts.append(values["value"])
        for name in SHOWN_ATTRIBUTES:
            if values.get(name):
                self.parts.append(values[name])

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden and data.strip():
            self.parts.append(" ".join(data.split()))


def page_text(html: str) -> tuple[list[str], list[str]]:
    """(the pieces of text a reader sees, the page's local links)."""
    parser = _Text()
    parser.feed(html)
    return parser.parts, parser.links


def visible_text(html: str) -> str:
    return "\n".join(page_text(html)[0])
