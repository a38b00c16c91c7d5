"""Logs as JSON lines when QUYTRINH_LOG_FORMAT=json, each line carrying the request id.

The request id is the caller's `X-Request-ID` when it looks like one (a proxy in front sets it), else a new
one; it is echoed in the response header so a user's report can be matched to the log.
"""
from __future__ import annotations

import json
import logging
import re
import uuid
from datetime import datetime, timezone

from flask import g, has_request_context, request

REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def request_id() -> str:
    """This request's id (made once per request)."""
    if "request_id" not in g:
        given = request.headers.get("X-Request-ID", "")
        g.request_id = given if REQUEST_ID.match(given) else uuid.uuid4().hex
    return g.request_id


class RequestIdFilter(logging.Filter):
    """Puts the request id (or '-') on every record, for any format."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id() if has_request_context() else "-"
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, request id, and the exception if any."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        if has_request_context():
            line["method"], line["path"] = request.method, request.path
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def configure_logging(log_format: str) -> None:
    """Set the root handler's format once per process: `json` or the plain default."""
    if log_format not in ("json", "text"):
        raise RuntimeError(f"QUYTRINH_LOG_FORMAT must be 'json' or 'text', not {log_format!r}")
    root = logging.getLogger()
    handler = next((h for h in root.handlers if getattr(h, "quytrinh", False)), None)
    if handler is None:
        handler = logging.StreamHandler()
        handler.quytrinh = True
        handler.addFilter(RequestIdFilter())
        root.addHandler(handler)
        # transitions logs every state change at INFO: noise at this scale, whatever the format.
        logging.getLogger("transitions").setLevel(logging.WARNING)
    if log_format == "json" and root.level > logging.INFO:
        root.setLevel(logging.INFO)  # a JSON log is read by machines: keep the service's INFO lines
    handler.setFormatter(JsonFormatter() if log_format == "json" else
                         logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"))
