"""Bearer-token authentication of API requests (api.md, "Authentication")."""
from __future__ import annotations

from flask import current_app, g, request

from web.api.common import MAX_BODY_BYTES, runtime
from workflows.accounts.tokens import authenticate


def bearer_token() -> str | None:
    """The token of an `Authorization: Bearer <token>` header, or None."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip() or None


def authenticate_request() -> None:
    """before_request of every API blueprint: the caller is the token's user, or the request is refused (401)."""
    request.max_content_length = MAX_BODY_BYTES
    use = authenticate(runtime(), bearer_token(), what=f"{request.method} {request.path}"[:300],
                       remote_addr=request.remote_addr, limits=current_app.config["RATE_LIMITS"])
    g.api_user_id = use.user_id
    g.api_token_id = use.token_id
