"""Rate limits of the API and of requests without credentials (issue 14, item 6), shared through the database."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from models import AuditRecord, write_transaction
from tests.security.support import client_from, make_app
from workflows.accounts.accounts import issue_token
from workflows.accounts.ratelimit import Limit


def _token(runtime, world, user: str = "secretary1") -> str:
    with write_transaction(runtime.session_factory) as s:
        return issue_token(s, user_id=world.users[user], name="t", now=runtime.clock.now())


def _get(client, token: str | None, path: str = "/api/v1/tokens"):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.get(path, headers=headers)


def _audit_rows(runtime, action: str) -> int:
    with runtime.session_factory() as s:
        return s.scalar(select(func.count(AuditRecord.id)).where(AuditRecord.action == action)) or 0


def test_a_token_over_its_limit_gets_429_with_retry_after(db_url, clock, tmp_path, runtime, world):
    """Five requests a minute allowed: the sixth is 429 too_many_requests with Retry-After; the next minute passes."""
    limited = make_app(db_url, clock, tmp_path, RATE_LIMIT_TOKEN="5/minute")
    token = _token(runtime, world)
    client = client_from(limited, "192.0.2.1")
    assert [_get(client, token).status_code for _ in range(5)] == [200] * 5
    refused = _get(client, token)
    assert refused.status_code == 429 and refused.get_json()["error"]["code"] == "too_many_requests"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert _audit_rows(runtime, "api.rate_limited") == 1  # the first refusal is recorded, not each one
    _get(client, token)
    assert _audit_rows(runtime, "api.rate_limited") == 1
    clock.instant += timedelta(seconds=int(refused.headers["Retry-After"]))
    assert _get(client, token).status_code == 200
    limited.extensions["quytrinh.engine"].dispose()


def test_the_limit_holds_across_processes(db_url, clock, tmp_path, runtime, world):
    """Two app instances (two processes as far as state goes) share a token's count through the database."""
    first = make_app(db_url, clock, tmp_path, name="one", RATE_LIMIT_TOKEN="4/minute")
    second = make_app(db_url, clock, tmp_path, name="two", RATE_LIMIT_TOKEN="4/minute")
    token = _token(runtime, world)
    answers = [_get(client_from(app, "192.0.2.1"), token).status_code for app in (first, second) * 3]
    assert answers == [200, 200, 200, 200, 429, 429]
    for app in (first, second):
        app.extensions["quytrinh.engine"].dispose()


def test_requests_without_valid_credentials_are_limited_per_address(db_url, clock, tmp_path, runtime, world):
    """Bad tokens count against the address: 429 past the limit, while another address and good tokens go on."""
    limited = make_app(db_url, clock, tmp_path, RATE_LIMIT_ANONYMOUS="3/minute")
    guesser = client_from(limited, "203.0.113.9")
    assert [_get(guesser, f"qt_guess{n}").status_code for n in range(3)] == [401] * 3
    refused = _get(guesser, "qt_guess4")
    assert refused.status_code == 429 and "Retry-After" in refused.headers
    assert _get(client_from(limited, "198.51.100.7"), "qt_other").status_code == 401
    assert _get(guesser, _token(runtime, world)).status_code == 200
    limited.extensions["quytrinh.engine"].dispose()


def test_a_thousand_bogus_tokens_write_a_handful_of_audit_rows(app, runtime, world):
    """The attack of issue 14: 1,000 requests with a bogus token wrote 1,000 audit rows; now they are coalesced."""
    client = client_from(app, "203.0.113.9")
    for n in range(1000):
        assert _get(client, f"qt_bogus{n}").status_code == 401
    with runtime.session_factory() as s:
        rows = s.scalars(select(AuditRecord).where(AuditRecord.action == "api.token_rejected")
                         .order_by(AuditRecord.id)).all()
    assert len(rows) == 4  # the 1st, 10th, 100th and 1000th of the window, each with the count so far
    assert "request 1000 without valid credentials" in rows[-1].detail and rows[-1].remote_addr == "203.0.113.9"


def test_anonymous_pages_are_limited_per_address(db_url, clock, tmp_path, world):
    """The sign-in page asked for too often from one address answers 429 with Retry-After; static files do not count."""
    limited = make_app(db_url, clock, tmp_path, RATE_LIMIT_ANONYMOUS="4/minute")
    client = client_from(limited, "203.0.113.9")
    assert [client.get("/login").status_code for _ in range(4)] == [200] * 4
    assert client.get("/static/css/app.css").status_code == 200
    refused = client.get("/login")
    assert refused.status_code == 429 and "Quá nhiều yêu cầu" in refused.get_data(as_text=True)
    assert int(refused.headers["Retry-After"]) >= 1
    assert client_from(limited, "198.51.100.7").get("/login").status_code == 200
    limited.extensions["quytrinh.engine"].dispose()


def test_limits_read_like_the_configuration():
    """`1200/minute`, `20/second`, `0` (none) are understood; anything else stops the app from starting."""
    assert Limit.parse("1200/minute") == Limit(1200, 60) and Limit.parse("20/second") == Limit(20, 1)
    assert Limit.parse("0") is None
    for bad in ("lots", "10/fortnight", "-1/minute", "0/minute"):
        try:
            Limit.parse(bad)
        except ValueError:
            continue
        raise AssertionError(f"{bad!r} was accepted")

