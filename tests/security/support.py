"""Helpers for the sign-in security tests: an app with chosen settings, clients from chosen addresses."""
from __future__ import annotations

import secrets

from flask.testing import FlaskClient

from tests.support.world import PASSWORD
from tests.web.support import csrf_token

STRONG_KEY = secrets.token_hex(32)


def make_app(db_url, clock, tmp_path, name: str = "other", **settings):
    """Another app on the same database (another process, as far as shared state goes), with `settings`."""
    from app import TestConfig, create_app

    return create_app({**{k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()},
                       "DATABASE_URL": db_url, "SECRET_KEY": "test-" + "z" * 40, "CLOCK": clock,
                       "DOCUMENTS_DIR": str(tmp_path / "documents"), "INSTANCE_PATH": str(tmp_path / name),
                       **settings})


def production_app(db_url, clock, tmp_path, **settings):
    """The app as QUYTRINH_ENV=production runs it (the cookie's Secure flag aside: the test client speaks http)."""
    return make_app(db_url, clock, tmp_path, name="production", ENV="production", SECRET_KEY=STRONG_KEY,
                    TESTING=False, SESSION_COOKIE_SECURE=False, **settings)


def client_from(app, address: str) -> FlaskClient:
    """A test client whose requests come from `address`."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def sign_in(client: FlaskClient, username: str, password: str = PASSWORD, **kw):
    token = csrf_token(client, "/login")
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token}, **kw)


def session_cookie(client: FlaskClient) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None, "the client holds no session cookie"
    return cookie.value


def with_cookie(app, value: str, address: str = "127.0.0.1") -> FlaskClient:
    """Another browser that holds a copy of a session cookie (as an attacker who copied it would)."""
    thief = client_from(app, address)
    thief.set_cookie("session", value)
    return thief
