"""Signing in and out, throttling, the session policy, one's password and preferences."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from models import AuditRecord, LoginAttempt, User
from tests.support.world import PASSWORD
from tests.web.support import csrf_token, post, sign_in
from workflows.accounts.signin import USER_LIMIT, WINDOW


def _body_without_token(response) -> str:
    return re.sub(r'value="[^"]*"', 'value=""', response.get_data(as_text=True))


def test_sign_in_lands_on_my_work(app, world):
    """The right password signs in and lands on My work, in Vietnamese by default."""
    client = app.test_client()
    response = sign_in(client, "secretary1")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    page = client.get("/").get_data(as_text=True)
    assert 'lang="vi"' in page and "Việc của tôi" in page


def test_wrong_password_and_unknown_user_read_the_same(app, world):
    """An unknown username and a wrong password get the same status and the same page: no enumeration."""
    a, b = app.test_client(), app.test_client()
    wrong = sign_in(a, "secretary1", "not the password")
    unknown = sign_in(b, "nobody-here", "not the password")
    assert wrong.status_code == unknown.status_code == 401
    assert _body_without_token(wrong).replace("secretary1", "X") == _body_without_token(unknown).replace("nobody-here", "X")
    assert "Sai tên đăng nhập hoặc mật khẩu" in wrong.get_data(as_text=True)


def test_disabled_account_reads_like_a_wrong_password(app, runtime, world):
    """A disabled account is refused with the same message as a wrong password."""
    from models import write_transaction

    with write_transaction(runtime.session_factory) as s:
        s.get(User, world.users["secretary2"]).active = False
    response = sign_in(app.test_client(), "secretary2")
    assert response.status_code == 401 and "Sai tên đăng nhập hoặc mật khẩu" in response.get_data(as_text=True)


def test_throttling_refuses_the_same_address_even_the_right_password_then_frees_itself(app, runtime, world, clock):
    """After PAIR_LIMIT failures from one address that address is throttled for the username; it frees after the window."""
    client = app.test_client()
    for _ in range(USER_LIMIT):
        assert sign_in(client, "secretary1", "wrong password!").status_code == 401
    refused = sign_in(app.test_client(), "secretary1")
    assert refused.status_code == 429 and "Quá nhiều lần" in refused.get_data(as_text=True)
    with runtime.session_factory() as s:
        assert len(s.scalars(select(LoginAttempt).where(LoginAttempt.key == "u:secretary1")).all()) == USER_LIMIT
    clock.instant += WINDOW + timedelta(minutes=1)
    assert sign_in(app.test_client(), "secretary1").status_code == 302


def test_throttle_is_shared_by_every_process(app, db_url, clock, tmp_path, world):
    """Failures recorded through one app instance throttle the same username in another one (shared table)."""
    from app import TestConfig, create_app

    other = create_app({**{k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()},
                        "DATABASE_URL": db_url, "SECRET_KEY": "other-" + "y" * 40, "CLOCK": clock,
                        "INSTANCE_PATH": str(tmp_path / "other")})
    for _ in range(USER_LIMIT):
        sign_in(app.test_client(), "committee", "wrong password!")
    assert sign_in(other.test_client(), "committee").status_code == 429
    other.extensions["quytrinh.engine"].dispose()


def test_sign_ins_are_audited(app, runtime, world):
    """Both a failed and a successful sign-in leave an audit record with the outcome and address."""
    sign_in(app.test_client(), "officer", "wrong password!")
    sign_in(app.test_client(), "officer")
    with runtime.session_factory() as s:
        rows = s.scalars(select(AuditRecord).where(AuditRecord.action == "login").order_by(AuditRecord.id)).all()
    assert [r.outcome for r in rows] == ["failed", "ok"]
    assert rows[1].user_id == world.users["officer"] and rows[1].remote_addr == "127.0.0.1"


def test_session_is_rotated_at_sign_in(app, world):
    """Nothing of the anonymous session survives sign-in: a new session id and a new CSRF token."""
    client = app.test_client()
    before = csrf_token(client, "/login")
    sign_in(client, "secretary1")
    with client.session_transaction() as session:
        assert "sid" in session and session.get("csrf_token") != before
        first_sid = session["sid"]
    client.post("/logout", data={"csrf_token": csrf_token(client, "/account/preferences")})
    sign_in(client, "secretary1")
    with client.session_transaction() as session:
        assert session["sid"] != first_sid


def test_idle_session_expires_after_thirty_minutes(app, world, clock):
    """31 idle minutes end the session: the next page asks to sign in again."""
    client = app.test_client()
    sign_in(client, "secretary1")
    clock.instant += timedelta(minutes=29)
    assert client.get("/").status_code == 200
    clock.instant += timedelta(minutes=31)
    response = client.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_active_session_still_ends_after_twelve_hours(app, world, clock):
    """Even with activity every 20 minutes, the session ends 12 hours after sign-in."""
    client = app.test_client()
    sign_in(client, "secretary1")
    for _ in range(35):  # 11 h 40 min of activity
        clock.instant += timedelta(minutes=20)
        assert client.get("/account/preferences").status_code == 200
    clock.instant += timedelta(minutes=21)
    assert client.get("/").status_code == 302


def test_logout_ends_the_session(app, world):
    """After signing out, pages need a new sign-in."""
    client = app.test_client()
    sign_in(client, "secretary1")
    assert post(client, "/logout").status_code == 302
    assert client.get("/").status_code == 302


def test_change_password_checks_the_current_one_and_the_rules(app, world):
    """A wrong current password or a common new one is refused beside its field; nothing changes."""
    client = app.test_client()
    sign_in(client, "secretary1")
    wrong = post(client, "/account/password", {"current_password": "nope", "new_password": "a long new phrase",
                                               "confirm": "a long new phrase"}, token_from="/account/password")
    assert wrong.status_code == 400 and "Mật khẩu hiện tại không đúng" in wrong.get_data(as_text=True)
    common = post(client, "/account/password", {"current_password": PASSWORD, "new_password": "password1234",
                                                "confirm": "password1234"}, token_from="/account/password")
    assert common.status_code == 400 and "quá dễ đoán" in common.get_data(as_text=True)
    assert sign_in(app.test_client(), "secretary1").status_code == 302


def test_change_password_keeps_this_session_and_ends_the_others(app, world):
    """After a password change this browser stays signed in; another browser is signed out."""
    mine, other = app.test_client(), app.test_client()
    sign_in(mine, "secretary1")
    sign_in(other, "secretary1")
    response = post(mine, "/account/password", {"current_password": PASSWORD, "new_password": "a brand new long phrase",
                                                "confirm": "a brand new long phrase"}, token_from="/account/password")
    assert response.status_code == 302
    assert mine.get("/").status_code == 200
    assert other.get("/").status_code == 302
    assert sign_in(app.test_client(), "secretary1", "a brand new long phrase").status_code == 302


def test_preferences_language_and_digest_are_remembered(app, runtime, world):
    """Choosing English and the daily digest is saved on the account and used on the next sign-in."""
    client = app.test_client()
    sign_in(client, "secretary1")
    response = post(client, "/account/preferences", {"locale": "en", "digest": "y"}, token_from="/account/preferences")
    assert response.status_code == 302
    with runtime.session_factory() as s:
        user = s.get(User, world.users["secretary1"])
        assert (user.locale, user.digest) == ("en", True)
    fresh = app.test_client()
    sign_in(fresh, "secretary1")
    assert "My work" in fresh.get("/").get_data(as_text=True)


def test_language_switch_works_before_sign_in(app, world):
    """An anonymous visitor can switch the sign-in page to English; the choice stays in the session."""
    client = app.test_client()
    response = post(client, "/language", {"locale": "en", "next": "/login"}, token_from="/login")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    page = client.get("/login").get_data(as_text=True)
    assert 'lang="en"' in page and "Sign in" in page


def test_next_parameter_only_follows_local_paths(app, world):
    """After sign-in the user returns to the page asked for, never to another site."""
    client = app.test_client()
    token = csrf_token(client, "/login?next=/cases/")
    response = client.post("/login", data={"username": "secretary1", "password": PASSWORD, "csrf_token": token,
                                           "next": "//evil.example/"})
    assert response.headers["Location"] == "/"
    client2 = app.test_client()
    token = csrf_token(client2, "/login")
    response = client2.post("/login", data={"username": "secretary1", "password": PASSWORD, "csrf_token": token,
                                            "next": "/cases/"})
    assert response.headers["Location"] == "/cases/"


def test_forms_without_csrf_token_are_refused(app, world):
    """A form posted without its CSRF token is refused and changes nothing."""
    client = app.test_client()
    sign_in(client, "secretary1")
    response = client.post("/account/preferences", data={"locale": "en"})
    assert response.status_code == 400
    assert "Tiếng Việt" in client.get("/").get_data(as_text=True) and 'lang="vi"' in client.get("/").get_data(as_text=True)


def test_session_cookie_is_httponly_and_samesite(app, world):
    """The session cookie is HttpOnly and SameSite=Lax."""
    client = app.test_client()
    response = sign_in(client, "secretary1")
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_language_picked_before_sign_in_is_kept_on_the_account(app, runtime, world):
    """English chosen on the sign-in page stays after signing in, and is saved as the user's language."""
    client = app.test_client()
    post(client, "/language", {"locale": "en", "next": "/login"}, token_from="/login")
    sign_in(client, "secretary1")
    assert "My work" in client.get("/").get_data(as_text=True)
    with runtime.session_factory() as s:
        assert s.get(User, world.users["secretary1"]).locale == "en"
