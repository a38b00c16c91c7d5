"""Two-step sign-in with TOTP and recovery codes (issue 14, item 9), through the web pages."""
from __future__ import annotations

import re
from datetime import timedelta

import pyotp
import pytest

from tests.security.support import client_from, make_app, sign_in
from tests.support.world import PASSWORD
from tests.web.support import csrf_token, post

_SECRET = re.compile(r'class="totp-secret">([A-Z2-7]+)<')
_CODES = re.compile(r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>")


def enrol(client, clock) -> tuple[str, list[str]]:
    """Turn two-step sign-in on from the settings page; returns the secret and the recovery codes."""
    post(client, "/account/two-factor/start", token_from="/account/two-factor")
    page = client.get("/account/two-factor").get_data(as_text=True)
    assert 'src="data:image/svg+xml' in page  # the QR code, inline
    secret = _SECRET.search(page).group(1)
    done = post(client, "/account/two-factor/confirm", {"code": pyotp.TOTP(secret).at(clock.now())},
                token_from="/account/two-factor")
    codes = _CODES.findall(done.get_data(as_text=True))
    assert done.status_code == 200 and len(codes) == 10
    return secret, codes


def second_step(client, code: str):
    return client.post("/login/code", data={"code": code, "csrf_token": csrf_token(client, "/login/code")})


def test_with_two_step_on_the_password_alone_does_not_sign_in(app, world, clock):
    """After enrolment, the right password leads to the code page; only a right code signs in."""
    client = client_from(app, "192.0.2.1")
    sign_in(client, "secretary1")
    secret, _ = enrol(client, clock)
    post(client, "/logout")
    response = sign_in(client, "secretary1")
    assert response.status_code == 302 and response.headers["Location"].endswith("/login/code")
    assert client.get("/").headers["Location"].startswith("/login")  # not signed in yet
    wrong = second_step(client, "000000" if pyotp.TOTP(secret).at(clock.now()) != "000000" else "111111")
    assert wrong.status_code == 400 and "Mã xác thực không đúng" in wrong.get_data(as_text=True)
    clock.instant += timedelta(seconds=30)
    assert second_step(client, pyotp.TOTP(secret).at(clock.now())).status_code == 302
    assert client.get("/").status_code == 200


def test_a_code_is_accepted_once(app, world, clock):
    """A code seen over someone's shoulder (already used) does not sign a second browser in."""
    first = client_from(app, "192.0.2.1")
    sign_in(first, "officer")
    secret, _ = enrol(first, clock)
    post(first, "/logout")
    clock.instant += timedelta(seconds=30)
    code = pyotp.TOTP(secret).at(clock.now())
    sign_in(first, "officer")
    assert second_step(first, code).status_code == 302
    second = client_from(app, "192.0.2.2")
    sign_in(second, "officer")
    assert second_step(second, code).status_code == 400


def test_a_recovery_code_signs_in_once(app, world, clock):
    """A recovery code stands in for the app, once; the same code a second time is refused."""
    client = client_from(app, "192.0.2.1")
    sign_in(client, "committee")
    _, codes = enrol(client, clock)
    post(client, "/logout")
    sign_in(client, "committee")
    answer = second_step(client, codes[3].upper().replace("-", " "))  # typed loosely from paper
    assert answer.status_code == 302
    post(client, "/logout")
    sign_in(client, "committee")
    assert second_step(client, codes[3]).status_code == 400


def test_wrong_codes_are_throttled(app, world, clock):
    """Five wrong codes in a row: the sixth attempt, even a right code, waits (the password must be given again)."""
    client = client_from(app, "192.0.2.1")
    sign_in(client, "inspector")
    secret, _ = enrol(client, clock)
    post(client, "/logout")
    sign_in(client, "inspector")
    for n in range(5):
        second_step(client, f"{n:06d}" if f"{n:06d}" != pyotp.TOTP(secret).at(clock.now()) else "999999")
    clock.instant += timedelta(seconds=30)
    refused = second_step(client, pyotp.TOTP(secret).at(clock.now()))
    assert refused.status_code == 429


def test_the_code_page_needs_the_password_first(app, world):
    """/login/code without a right password just before is the sign-in page."""
    client = client_from(app, "192.0.2.1")
    assert client.get("/login/code").headers["Location"].endswith("/login")


def test_turning_off_needs_the_password_and_a_code(app, world, clock):
    """Two-step sign-in is turned off only with the password and a current code; then the password alone signs in."""
    client = client_from(app, "192.0.2.1")
    sign_in(client, "secretary2")
    secret, _ = enrol(client, clock)
    clock.instant += timedelta(seconds=30)
    refused = post(client, "/account/two-factor/disable", {"off-password": "not the password", "off-code": "123456"},
                   token_from="/account/two-factor")
    assert refused.status_code == 400
    off = post(client, "/account/two-factor/disable",
               {"off-password": PASSWORD, "off-code": pyotp.TOTP(secret).at(clock.now())}, token_from="/account/two-factor")
    assert off.status_code == 302
    post(client, "/logout")
    assert sign_in(client, "secretary2").headers["Location"] == "/"


@pytest.mark.parametrize("user,required", [("admin", True), ("standing_commune", True), ("inspection", True),
                                           ("secretary1", False), ("officer", False)])
def test_required_for_admin_standing_and_inspection_roles(db_url, clock, tmp_path, world, user, required):
    """With QUYTRINH_REQUIRE_2FA=true those roles are sent to enrolment before anything else; others are not."""
    strict = make_app(db_url, clock, tmp_path, REQUIRE_2FA="true")
    client = client_from(strict, "192.0.2.1")
    sign_in(client, user)
    answer = client.get("/")
    if required:
        assert answer.status_code == 302 and answer.headers["Location"].endswith("/account/two-factor")
        page = client.get("/account/two-factor").get_data(as_text=True)
        assert "Vai trò của bạn bắt buộc dùng xác thực hai bước" in page
        enrol(client, clock)
        assert client.get("/").status_code == 200
        # Required: it cannot be turned off.
        assert "Tắt xác thực hai bước" not in client.get("/account/two-factor").get_data(as_text=True)
    else:
        assert answer.status_code == 200
    strict.extensions["quytrinh.engine"].dispose()


def test_new_recovery_codes_replace_the_old_ones(app, world, clock):
    """Making new recovery codes (with a current code) makes the old ones stop working."""
    client = client_from(app, "192.0.2.1")
    sign_in(client, "standing_commune")
    secret, old = enrol(client, clock)
    clock.instant += timedelta(seconds=30)
    made = post(client, "/account/two-factor/recovery-codes", {"code": pyotp.TOTP(secret).at(clock.now())},
                token_from="/account/two-factor")
    new = _CODES.findall(made.get_data(as_text=True))
    assert made.status_code == 200 and len(new) == 10 and not set(new) & set(old)
    post(client, "/logout")
    sign_in(client, "standing_commune")
    assert second_step(client, old[0]).status_code == 400
    assert second_step(client, new[0]).status_code == 302
