"""Server-side sessions (issue 14, item 3): a copied cookie stops working the moment its session ends."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

from sqlalchemy import select

from models import User, WebSession
from tests.security.support import client_from, session_cookie, sign_in, with_cookie
from tests.support.world import PASSWORD
from tests.web.support import post
from workflows.accounts.admin import update_user


def _signed_in(client) -> bool:
    """The dashboard opens (200) rather than sending the browser to the sign-in page."""
    return client.get("/").status_code == 200


def test_copied_cookie_stops_working_after_sign_out(app, world):
    """The attack of issue 14: a session cookie copied before POST /logout is refused right after it."""
    victim = client_from(app, "10.0.0.1")
    assert sign_in(victim, "secretary1").status_code == 302
    thief = with_cookie(app, session_cookie(victim), "10.0.0.66")
    assert _signed_in(thief)
    post(victim, "/logout", token_from="/account/preferences")
    answer = thief.get("/")
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]
    assert thief.get("/account/preferences").status_code == 302


def test_password_change_ends_copied_cookies_but_keeps_this_browser(app, world):
    """After a password change, a copy of the old cookie (another browser) is signed out; this one is not."""
    mine = client_from(app, "10.0.0.1")
    sign_in(mine, "officer")
    other = client_from(app, "10.0.0.2")
    sign_in(other, "officer")
    thief = with_cookie(app, session_cookie(other))
    response = post(mine, "/account/password", {"current_password": PASSWORD, "new_password": "a brand new long phrase",
                                                "confirm": "a brand new long phrase"}, token_from="/account/password")
    assert response.status_code == 302
    assert _signed_in(mine)
    assert not _signed_in(other) and not _signed_in(thief)


def test_deactivation_ends_the_sessions_at_once(app, runtime, world):
    """An administrator disabling an account signs out every browser of it on the next request."""
    client = client_from(app, "10.0.0.1")
    sign_in(client, "secretary2")
    assert _signed_in(client)
    with runtime.session_factory() as s:
        user = s.get(User, world.users["secretary2"])
    update_user(runtime, actor_id=world.users["admin"], user_id=user.id, display_name=user.display_name,
                email=user.email, active=False, is_admin=False)
    assert not _signed_in(client)
    with runtime.session_factory() as s:
        reasons = s.scalars(select(WebSession.ended_reason).where(WebSession.user_id == user.id)).all()
    assert reasons == ["deactivated"]


def test_sign_out_everywhere_ends_every_session(app, runtime, world):
    """«Sign out everywhere» ends this browser's session and every other one of the account."""
    browsers = [client_from(app, f"10.0.0.{n}") for n in (1, 2, 3)]
    for browser in browsers:
        sign_in(browser, "committee")
    page = browsers[0].get("/account/sessions").get_data(as_text=True)
    assert page.count("10.0.0.") == 3 and "Đăng xuất khỏi mọi nơi" in page
    response = post(browsers[0], "/account/sessions/end-all", token_from="/account/sessions")
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    assert not any(_signed_in(b) for b in browsers)
    with runtime.session_factory() as s:
        assert s.scalar(select(WebSession).where(WebSession.user_id == world.users["committee"],
                                                 WebSession.ended_at.is_(None))) is None


def test_cookie_expires_with_the_session_not_after_31_days(app, world, clock):
    """The signed-in cookie's Expires is at most 30 idle minutes away (was 31 days), and never past 12 hours."""
    client = client_from(app, "10.0.0.1")
    response = sign_in(client, "secretary1")
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    expires = parsedate_to_datetime(cookie.split("Expires=")[1].split(";")[0])
    left = expires - datetime.now(timezone.utc)
    assert timedelta(minutes=29) < left <= timedelta(minutes=30, seconds=5)
    # Active all day: the cookie never outlives the 12-hour limit of the session.
    for _ in range(23):
        clock.instant += timedelta(minutes=29)
        assert _signed_in(client)
    later = client.get("/")
    cookie = next(h for h in later.headers.getlist("Set-Cookie") if h.startswith("session="))
    expires = parsedate_to_datetime(cookie.split("Expires=")[1].split(";")[0])
    assert expires - datetime.now(timezone.utc) <= timedelta(hours=12) - timedelta(minutes=29 * 23) + timedelta(seconds=5)


def test_the_table_keeps_only_a_digest_of_the_session_id(app, runtime, world):
    """Reading web_sessions signs nobody in: the row's key is the SHA-256 of the id in the cookie."""
    client = client_from(app, "10.0.0.1")
    sign_in(client, "secretary1")
    sid = app.session_interface.get_signing_serializer(app).loads(session_cookie(client))["sid"]
    with runtime.session_factory() as s:
        ids = s.scalars(select(WebSession.id)).all()
    assert sid not in ids and len(ids) == 1 and len(ids[0]) == 64
