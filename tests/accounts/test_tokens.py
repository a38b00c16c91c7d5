"""API tokens expire (default 90 days) and show when they were last used (issue 14, item 8)."""
from __future__ import annotations

from datetime import timedelta

import pytest

from models import ApiToken, write_transaction
from workflows.accounts.accounts import issue_token
from workflows.domain.errors import InvalidInput


def _get(app, token):
    return app.test_client().get("/api/v1/tokens", headers={"Authorization": f"Bearer {token}"})


def test_a_token_expires_after_ninety_days_by_default(app, runtime, world, clock):
    """Issued without a choice, a token works on day 89 and is refused (401) on day 90."""
    with write_transaction(runtime.session_factory) as s:
        token = issue_token(s, user_id=world.users["secretary1"], now=clock.now())
    clock.instant += timedelta(days=89)
    assert _get(app, token).status_code == 200
    clock.instant += timedelta(days=1)
    refused = _get(app, token)
    assert refused.status_code == 401 and refused.get_json()["error"]["code"] == "unauthenticated"


def test_last_used_and_expiry_are_listed(app, runtime, world, clock):
    """GET /tokens shows each token's expiry and when it was last used (never its secret)."""
    with write_transaction(runtime.session_factory) as s:
        token = issue_token(s, user_id=world.users["secretary1"], now=clock.now(), days=30)
    clock.instant += timedelta(hours=5)
    listed = _get(app, token).get_json()
    assert len(listed) == 1 and "token" not in listed[0]
    assert listed[0]["last_used_at"].startswith("2026-11-30T07:00")
    assert listed[0]["expires_at"].startswith("2026-12-30T02:00")


def test_post_tokens_takes_a_lifetime(app, runtime, world):
    """POST /tokens {days: 7} gives a token expiring in 7 days; 0 or 400 days are refused."""
    with write_transaction(runtime.session_factory) as s:
        token = issue_token(s, user_id=world.users["officer"], now=runtime.clock.now())
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    made = client.post("/api/v1/tokens", headers=headers, json={"name": "ci", "days": 7})
    assert made.status_code == 201 and made.get_json()["expires_at"].startswith("2026-12-07")
    assert client.post("/api/v1/tokens", headers=headers, json={"days": 0}).status_code == 400
    assert client.post("/api/v1/tokens", headers=headers, json={"days": 400}).status_code == 400


def test_the_lifetime_is_bounded_in_the_service(runtime, world):
    """issue_token refuses a lifetime under a day or over a year (the CLI's --days goes through it)."""
    with pytest.raises(InvalidInput), write_transaction(runtime.session_factory) as s:
        issue_token(s, user_id=world.users["officer"], days=500)
    with runtime.session_factory() as s:
        assert s.query(ApiToken).count() == 0
