"""The session cookie expires when the server-side session would (issue 14, item 3).

Flask gives a permanent session's cookie `now + PERMANENT_SESSION_LIFETIME` (31 days by default).
Here a signed-in cookie carries the instant its session ends (`exp`: 30 idle minutes after the last
visit, 12 hours after sign-in at the latest), and its Expires is that instant. The instant is on the
application's clock (tests move it), so what is left of the session is added to the wall clock.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from flask import Flask
from flask.sessions import SecureCookieSessionInterface, SessionMixin


class ServerSessionCookie(SecureCookieSessionInterface):
    def get_expiration_time(self, app: Flask, session: SessionMixin) -> datetime | None:
        if not session.permanent:
            return None  # anonymous: a browser-session cookie (CSRF token, language)
        ends = session.get("exp")
        if ends is None:
            return super().get_expiration_time(app, session)
        left = ends - app.extensions["quytrinh"].clock.now().timestamp()
        return datetime.now(timezone.utc) + timedelta(seconds=max(0.0, left))
