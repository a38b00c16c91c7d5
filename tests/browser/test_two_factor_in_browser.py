"""Two-step sign-in end to end in Chromium (issue 14, item 9): forced enrolment of an administrator under
QUYTRINH_REQUIRE_2FA=true, the QR code, signing in with the app's code, then with a recovery code."""
from __future__ import annotations

from datetime import timedelta

import pyotp

from tests.browser.conftest import LiveServer, Problems
from tests.browser.support import sign_out
from tests.security.support import make_app
from tests.support.world import PASSWORD


def _password_step(page, base: str, username: str) -> None:
    page.goto(base + "/login")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()


def test_admin_enrols_then_signs_in_with_a_code_and_with_a_recovery_code(db_url, clock, tmp_path, world,
                                                                         browser_context):
    """The whole path a person takes, in the browser, with no console error (CSP included)."""
    app = make_app(db_url, clock, tmp_path, REQUIRE_2FA="true")
    page = browser_context.new_page()
    problems = Problems(page)
    with LiveServer(app) as server:
        base = server.url
        # The password is right, but the role requires two-step sign-in: enrolment comes first.
        _password_step(page, base, "admin")
        page.wait_for_url(base + "/account/two-factor")
        assert "bắt buộc dùng xác thực hai bước" in page.content()
        page.goto(base + "/cases/")
        page.wait_for_url(base + "/account/two-factor")
        page.get_by_role("button", name="Thiết lập xác thực hai bước").click()
        qr = page.get_by_role("img", name="Mã QR cho ứng dụng xác thực")
        assert qr.evaluate("img => img.complete && img.naturalWidth > 0")
        secret = page.locator(".totp-secret").inner_text().strip()
        page.get_by_label("Mã xác thực").fill(pyotp.TOTP(secret).at(clock.now()))
        page.get_by_role("button", name="Bật", exact=True).click()
        codes = page.locator(".recovery-codes__list code").all_inner_texts()
        assert len(codes) == 10
        page.goto(base + "/")
        assert page.url == base + "/"
        sign_out(page, base)

        # Password, then the app's code.
        clock.instant += timedelta(seconds=30)
        _password_step(page, base, "admin")
        page.wait_for_url(base + "/login/code")
        page.get_by_label("Mã xác thực").fill(pyotp.TOTP(secret).at(clock.now()))
        page.get_by_role("button", name="Xác nhận").click()
        page.wait_for_url(base + "/")
        sign_out(page, base)

        # Phone lost: a recovery code, once.
        _password_step(page, base, "admin")
        page.wait_for_url(base + "/login/code")
        page.get_by_label("Mã xác thực").fill(codes[0])
        page.get_by_role("button", name="Xác nhận").click()
        page.wait_for_url(base + "/")
        assert "mã khôi phục" in page.content()
        sign_out(page, base)
        _password_step(page, base, "admin")
        page.wait_for_url(base + "/login/code")
        page.get_by_label("Mã xác thực").fill(codes[0])
        page.get_by_role("button", name="Xác nhận").click()
        assert "Mã xác thực không đúng" in page.content() and page.url == base + "/login/code"
    # The refused code's page answers 400, which Chromium logs; nothing else (no CSP violation, no failed asset).
    assert [p for p in problems.items if "status of 400" not in p] == []
    app.extensions["quytrinh.engine"].dispose()
