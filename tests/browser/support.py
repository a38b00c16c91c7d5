"""Steps a person does in the browser: sign in, sign out, open a case's action form and fill it."""
from __future__ import annotations

from tests.support.world import PASSWORD


def sign_in(page, base: str, username: str, password: str = PASSWORD) -> None:
    page.goto(base + "/login")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(base + "/")


def sign_out(page, base: str) -> None:
    page.locator("details.account-menu summary").click()
    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_url(base + "/login")


def action(page, trigger: str):
    """The action's form on the case page, opened."""
    details = page.locator(f"#action-{trigger}")
    if details.get_attribute("open") is None:
        details.locator("summary").click()
    return details


def current_step(page) -> str:
    return page.locator(".current-step").inner_text()
