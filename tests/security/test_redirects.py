"""No open redirect after signing in (issue 14, item 4): only a path of this site is followed."""
from __future__ import annotations

from urllib.parse import quote, urlsplit

import pytest

from tests.security.support import client_from, sign_in
from tests.support.world import PASSWORD
from tests.web.support import csrf_token
from web.accounts.redirects import safe_next

# What an attacker puts after ?next= (raw, before URL-encoding); a browser would leave the site for each one
# if it landed in Location as is.
ATTACKS = [
    "/\t/evil.example",  # the reported one: /%09/evil.example → Location: //evil.example
    "/\n/evil.example",
    "/\r\n/evil.example",
    " //evil.example",
    "\t//evil.example",
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "https://evil.example/",
    "http:/evil.example",
    "javascript:alert(1)",
    "/\x00/evil.example",
    "evil.example",
]


def _leaves_the_site(location: str) -> bool:
    """What a browser would do with the Location: strip tab/newline, read backslashes as slashes."""
    seen = location.replace("\t", "").replace("\n", "").replace("\r", "").strip().replace("\\", "/")
    parts = urlsplit(seen)
    return bool(parts.scheme and parts.netloc not in ("", "localhost")) or seen.startswith("//")


@pytest.mark.parametrize("target", ATTACKS)
def test_crafted_next_is_not_followed_after_signing_in(app, world, target):
    """Signing in with a crafted ?next= lands on My work, never on another site."""
    client = client_from(app, "10.0.0.1")
    token = csrf_token(client, "/login?next=" + quote(target, safe=""))
    response = client.post("/login", data={"username": "secretary1", "password": PASSWORD, "csrf_token": token,
                                           "next": target})
    if "\x00" in target:  # the control-character guard refuses the whole form first
        assert response.status_code == 400 and "Location" not in response.headers
        return
    assert response.status_code == 302
    assert not _leaves_the_site(response.headers["Location"]) and response.headers["Location"] == "/"


@pytest.mark.parametrize("target", ATTACKS)
def test_crafted_next_is_not_followed_when_already_signed_in(app, world, target):
    """/login?next=… for a signed-in user redirects to My work, never to another site (the 'after' case)."""
    client = client_from(app, "10.0.0.1")
    sign_in(client, "secretary1")
    response = client.get("/login?next=" + quote(target, safe=""))
    if "\x00" in target:
        assert response.status_code == 400 and "Location" not in response.headers
        return
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_the_reported_request_no_longer_redirects_to_evil(app, world):
    """GET /login?next=/%09/evil.example, signed in: the answer is not Location: //evil.example."""
    client = client_from(app, "10.0.0.1")
    sign_in(client, "secretary1")
    response = client.get("/login?next=/%09/evil.example")
    assert response.headers["Location"] == "/"


def test_local_paths_are_still_followed(app, world):
    """A real path of the site, with its query, is where the user lands after signing in."""
    client = client_from(app, "10.0.0.1")
    token = csrf_token(client, "/login?next=/cases%3Fstate%3Dopen")
    response = client.post("/login", data={"username": "secretary1", "password": PASSWORD, "csrf_token": token,
                                           "next": "/cases?state=open"})
    assert response.headers["Location"] == "/cases?state=open"


def test_safe_next_accepts_paths_and_refuses_everything_else():
    """The normalisation itself: plain paths pass, every attack string gives None."""
    assert safe_next("/cases/12") == "/cases/12" and safe_next("/a?b=c") == "/a?b=c"
    assert [safe_next(t) for t in ATTACKS] == [None] * len(ATTACKS)
