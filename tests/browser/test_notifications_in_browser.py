"""The bell in a real browser: the count shows and fits at desktop and at 360 px, and leads to the list."""
from __future__ import annotations

import os
from pathlib import Path

from scheduler.notify import fan_out
from tests.browser.conftest import Problems
from tests.browser.support import sign_in
from tests.notifications.test_notify import MONDAY, _walk
from tests.scheduler.support import MAIL, at


def test_the_bell_shows_new_work_and_fits_a_phone(live_server, chromium, app, world, tmp_path):
    """A committee member sees «1» on the bell, at 1280 and at 360 px without sideways scrolling; it opens the
    list with the case's message; screenshots are saved."""
    runtime = app.extensions["quytrinh"]
    fan_out(at(runtime, MONDAY), MAIL)
    case = _walk(runtime, world, "application_submitted")
    fan_out(at(runtime, MONDAY), MAIL)
    folder = Path(os.environ.get("QUYTRINH_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    for size, width in (("desktop", 1280), ("phone", 360)):
        context = chromium.new_context(viewport={"width": width, "height": 800}, locale="vi-VN")
        page = context.new_page()
        problems = Problems(page)
        sign_in(page, live_server.url, "committee")
        bell = page.locator("a.bell")
        assert bell.locator(".bell__count").inner_text() == "1"
        box = bell.bounding_box()
        assert box is not None and box["x"] + box["width"] <= width
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.screenshot(path=str(folder / f"13-bell-{size}.png"))
        bell.click()
        page.wait_for_url("**/notifications")
        assert f"(#{case.id})" in page.inner_text("main")
        page.screenshot(path=str(folder / f"14-notifications-{size}.png"), full_page=True)
        assert problems.items == []
        context.close()
