"""API tokens: issue one for oneself, list one's own, revoke."""
from __future__ import annotations

from web.api.blueprint import api_blueprint
from web.api.common import caller_id, documents, remote_addr, runtime
from web.api.schemas import NewTokenSchema, TokenInSchema, TokenSchema
from workflows.accounts import tokens as token_service

blp = api_blueprint("api_tokens", __name__, "/tokens", "Bearer tokens")


@blp.route("", methods=["POST"])
@blp.arguments(TokenInSchema, error_status_code=400)
@blp.response(201, NewTokenSchema)
@documents(blp, 401, 404)
def issue(body):
    """Issue a new token for the caller (an administrator may name another `user_id`); shown once."""
    return token_service.issue_for(runtime(), actor_id=caller_id(), name=body["name"], user_id=body["user_id"],
                                   remote_addr=remote_addr(), days=body["days"])


@blp.route("", methods=["GET"])
@blp.response(200, TokenSchema(many=True))
@documents(blp, 401)
def list_own():
    """The caller's tokens (never their secrets)."""
    return token_service.list_tokens(runtime(), actor_id=caller_id())


@blp.route("/<int(max=2147483647):token_id>", methods=["DELETE"])
@blp.response(204)
@documents(blp, 401, 404)
def revoke(token_id: int):
    """Revoke a token (one's own; an administrator any): it stops working at once."""
    token_service.revoke(runtime(), actor_id=caller_id(), token_id=token_id, remote_addr=remote_addr())
    return None
