"""The one place where failures become API responses: {"error": {"code", "message", "details"}}.

Domain errors (workflows.domain.errors) map to a status by class; HTTP-level failures
(unknown route, wrong method, malformed JSON, body too large, schema
validation) get the same body. `message` is Vietnamese unless the request
prefers English (Accept-Language: en).
"""
from __future__ import annotations

import logging
import re
from typing import Any

from flask import Blueprint, Flask, jsonify, request
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException, default_exceptions

from workflows.accounts.ratelimit import RateLimited
from workflows.accounts.tokens import Unauthenticated
from workflows.domain.errors import (
    ConflictingUpdate,
    Forbidden,
    InvalidInput,
    NotAvailable,
    NotFound,
    QuytrinhError,
    RuleViolation,
    TransitionNotAllowed,
)

log = logging.getLogger(__name__)

API_PREFIX = "/api/v1"

# Domain error class -> HTTP status (api.md, "Errors"). Looked up along the class's MRO.
STATUS_OF: dict[type[QuytrinhError], int] = {
    InvalidInput: 400,
    Unauthenticated: 401,
    Forbidden: 403,
    NotFound: 404,
    TransitionNotAllowed: 409,
    ConflictingUpdate: 409,
    NotAvailable: 409,
    RuleViolation: 422,
    RateLimited: 429,
    QuytrinhError: 400,
}

# HTTP-level failures: status -> (code, Vietnamese, English).
HTTP_ERRORS: dict[int, tuple[str, str, str]] = {
    400: ("invalid_input", "Yêu cầu không hợp lệ.", "The request is malformed."),
    401: ("unauthenticated", "Cần đăng nhập bằng mã truy cập (token).", "An access token is required."),
    403: ("forbidden", "Bạn không có quyền làm việc này.", "You may not do this."),
    404: ("not_found", "Không có địa chỉ này trong API.", "There is no such API address."),
    405: ("method_not_allowed", "Địa chỉ này không nhận phương thức {method}.",
          "This address does not accept the {method} method."),
    406: ("not_acceptable", "API chỉ trả về JSON.", "The API only answers in JSON."),
    409: ("conflict", "Xung đột với dữ liệu hiện có.", "Conflict with the current data."),
    413: ("payload_too_large", "Dữ liệu gửi lên quá lớn (tối đa {limit} byte).",
          "The request body is too large (at most {limit} bytes)."),
    415: ("unsupported_media_type", "Dữ liệu phải là JSON (Content-Type: application/json).",
          "The body must be JSON (Content-Type: application/json)."),
    422: ("invalid_input", "Dữ liệu gửi lên chưa hợp lệ.", "The submitted data is invalid."),
    429: ("too_many_requests", "Quá nhiều yêu cầu, vui lòng thử lại sau.", "Too many requests; try again later."),
}
INTERNAL = ("internal_error", "Lỗi hệ thống; xin thử lại sau hoặc báo quản trị.",
            "Internal error; try again later or tell an administrator.")

# marshmallow's messages, for the Vietnamese sentence (details keep the English ones).
_FIELD_MESSAGES_VI = {
    "Missing data for required field.": "bắt buộc phải có",
    "Unknown field.": "không được nhận",
    "Not a valid integer.": "phải là số nguyên",
    "Not a valid string.": "phải là chuỗi ký tự",
    "Not a valid date.": "phải là ngày dạng YYYY-MM-DD",
    "Not a valid boolean.": "phải là true hoặc false",
    "Not a valid mapping type.": "phải là một đối tượng JSON",
    "Field may not be null.": "không được để trống (null)",
    "Invalid JSON body.": "JSON không hợp lệ",
    "Invalid input type.": "sai kiểu dữ liệu",
    "Must not contain NUL characters.": "không được chứa ký tự NUL",
}
# marshmallow's parameterised messages (OneOf, Range, Length, the year bound), by pattern.
_PATTERNS_VI = [
    (re.compile(r"^Must be one of: (.*)\.$"), "phải là một trong: {0}"),
    (re.compile(r"^Must be greater than or equal to (\S+) and less than or equal to (\S+)\.$"), "phải từ {0} đến {1}"),
    (re.compile(r"^Must be greater than or equal to (\S+)\.$"), "phải lớn hơn hoặc bằng {0}"),
    (re.compile(r"^Must be less than or equal to (\S+)\.$"), "phải nhỏ hơn hoặc bằng {0}"),
    (re.compile(r"^Must be between (\S+) and (\S+)\.$"), "phải trong khoảng {0} – {1}"),
    (re.compile(r"^Length must be between (\d+) and (\d+)\.$"), "phải dài từ {0} đến {1} ký tự"),
    (re.compile(r"^Shorter than minimum length (\d+)\.$"), "phải dài ít nhất {0} ký tự"),
    (re.compile(r"^Longer than maximum length (\d+)\.$"), "dài quá {0} ký tự"),
]


def _message_vi(message: str) -> str:
    """The Vietnamese for one of marshmallow's messages (several may be joined by spaces); else as is."""
    if message in _FIELD_MESSAGES_VI:
        return _FIELD_MESSAGES_VI[message]
    for pattern, template in _PATTERNS_VI:
        found = pattern.match(message)
        if found:
            return template.format(*found.groups())
    return message


def language() -> str:
    """'en' when the request prefers English, else 'vi'."""
    return "en" if request.accept_languages.best_match(("vi", "en")) == "en" else "vi"


def error_response(status: int, code: str, message: str, details: dict[str, Any] | None = None, headers=None):
    body = {"error": {"code": code, "message": message, "details": details or {}}}
    response = jsonify(body)
    response.status_code = status
    if headers:
        for key, value in headers:
            response.headers[key] = value
    return response


def status_of(exc: QuytrinhError) -> int:
    for cls in type(exc).__mro__:
        if cls in STATUS_OF:
            return STATUS_OF[cls]
    return 400


def domain_error(exc: QuytrinhError):
    """A workflows error as the API's error body."""
    lang = language()
    details = dict(exc.details)
    if isinstance(exc, RuleViolation):
        # api.md: `details.rules` lists the rule ids; each rule's legal source and message are in `violations`.
        violations = [{**rule, "message": rule["message_en"] if lang == "en" else rule["message_vi"]}
                      for rule in exc.failures]
        details["rules"] = [rule["id"] for rule in violations]
        details["violations"] = violations
    if isinstance(exc, Forbidden):
        _audit_refusal(exc)
    headers = [("WWW-Authenticate", 'Bearer realm="quytrinh"')] if isinstance(exc, Unauthenticated) else None
    if isinstance(exc, RateLimited):
        headers = [("Retry-After", str(exc.retry_after))]
    return error_response(status_of(exc), exc.code, exc.message(lang), details, headers)


def _audit_refusal(exc: Forbidden) -> None:
    """Authorisation failures are audited (quality.md Security 6); never fails the response."""
    from flask import current_app, g

    from workflows.engine.audit import audit

    try:
        audit(current_app.extensions["quytrinh"], user_id=g.get("api_user_id"), action="api.forbidden",
              outcome="denied", remote_addr=request.remote_addr, detail=f"{request.method} {request.path}")
    except Exception:  # the refusal itself must still reach the client
        log.exception("could not audit a refusal")


def validation_error(messages: Any):
    """marshmallow/webargs messages ({location: {field: [msg]}}) as a 400 invalid_input."""
    fields = _flatten(messages)
    lang = language()
    if lang == "en":
        text = "Invalid input — " + "; ".join(f"{k}: {v}" for k, v in fields.items())
    else:
        text = "Dữ liệu chưa hợp lệ — " + "; ".join(
            f"{k}: {_message_vi(v)}" for k, v in fields.items())
    return error_response(400, "invalid_input", text, {"fields": fields})


def _flatten(messages: Any, prefix: str = "") -> dict[str, str]:
    """{'json': {'data': {'x': ['msg']}}} -> {'data.x': 'msg'} (the location dropped)."""
    out: dict[str, str] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = str(key)
            if not prefix and name in ("json", "query", "path", "form", "headers", "view_args", "_schema"):
                out.update(_flatten(value, ""))
                continue
            out.update(_flatten(value, f"{prefix}.{name}" if prefix else name))
    elif isinstance(messages, (list, tuple)):
        if all(isinstance(m, str) for m in messages):
            out[prefix or "body"] = " ".join(messages)
        else:
            for item in messages:
                out.update(_flatten(item, prefix))
    else:
        out[prefix or "body"] = str(messages)
    return out


def http_error(exc: HTTPException):
    """Werkzeug/webargs HTTP errors in the API's format."""
    status = exc.code or 500
    data = getattr(exc, "data", None) or {}
    if status in (400, 422) and data.get("messages"):
        return validation_error(data["messages"])
    code, vi, en = HTTP_ERRORS.get(status, (f"http_{status}", exc.name, exc.name))
    lang = language()
    limit = request.max_content_length or 0
    message = (en if lang == "en" else vi).format(method=request.method, limit=limit)
    details: dict[str, Any] = {}
    headers = []
    if status == 405:
        allowed = sorted(getattr(exc, "valid_methods", None) or [])
        details["allowed_methods"] = allowed
        if allowed:
            headers.append(("Allow", ", ".join(allowed)))
    if status == 401:
        headers.append(("WWW-Authenticate", 'Bearer realm="quytrinh"'))
    if status >= 500:
        code, vi, en = INTERNAL
        message = en if lang == "en" else vi
    return error_response(status, code, message, details, headers)


def unexpected_error(exc: Exception):
    if isinstance(exc, HTTPException):
        return http_error(exc)
    if isinstance(exc, QuytrinhError):
        return domain_error(exc)
    log.exception("unhandled error in the API")
    code, vi, en = INTERNAL
    return error_response(500, code, en if language() == "en" else vi)


def _all_subclasses(cls: type) -> list[type]:
    result = [cls]
    for sub in cls.__subclasses__():
        result.extend(_all_subclasses(sub))
    return result


def register_error_handlers(blueprint: Blueprint) -> None:
    """Every failure inside the blueprint's views gets the API's error body.

    Handlers are registered per concrete class so that an app-wide handler for,
    say, 404 (the HTML pages') never takes precedence over the API's.
    """
    for cls in _all_subclasses(QuytrinhError):
        blueprint.register_error_handler(cls, domain_error)
    for cls in set(default_exceptions.values()):
        blueprint.register_error_handler(cls, http_error)
    blueprint.register_error_handler(HTTPException, http_error)
    blueprint.register_error_handler(ValidationError, lambda exc: validation_error(exc.messages))
    blueprint.register_error_handler(Exception, unexpected_error)


def register_routing_errors(app: Flask) -> None:
    """Unknown API addresses and wrong methods: answered before any other hook (CSRF, login) sees them.

    A request that matched no route belongs to no blueprint, so blueprint error
    handlers never see it; this app-level hook, placed first, answers it.
    """

    def api_routing_error():
        exc = request.routing_exception
        if exc is None or not _is_api_path(request.path):
            return None
        if isinstance(exc, HTTPException) and 300 <= (exc.code or 0) < 400:
            return None  # a redirect (e.g. trailing slash) is not an error
        if isinstance(exc, HTTPException):
            return http_error(exc)
        return unexpected_error(exc)

    app.before_request_funcs.setdefault(None, []).insert(0, api_routing_error)


def _is_api_path(path: str) -> bool:
    return path == API_PREFIX or path.startswith(API_PREFIX + "/")
