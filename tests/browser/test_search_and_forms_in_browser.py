"""Search, forgiving forms and the case page after a decision, in Chromium (issue 13 items 6–8, 12, 13):
screenshots at desktop and 360 px go to $QUYTRINH_SCREENSHOTS (docs/screenshots) when set."""
from __future__ import annotations

import os
import unicodedata
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from models import Case, Person
from tests.browser.conftest import Problems
from tests.browser.support import action, sign_in
from tests.support.world import PASSWORD
from tests.web.support import admission_case
from workflows.demo import DEMO_PASSWORD, load_demo
from workflows.domain.text import fold

WIDTHS = {"desktop": 1280, "phone": 360}


def _shots(tmp_path) -> Path:
    target = Path(os.environ.get("QUYTRINH_SCREENSHOTS") or tmp_path / "screenshots")
    target.mkdir(parents=True, exist_ok=True)
    return target


@pytest.fixture
def demo(runtime):
    load_demo(runtime)
    with runtime.session_factory() as s:
        discipline = s.scalars(select(Case).where(Case.procedure == "discipline", Case.state == "in_force")
                               .order_by(Case.id)).first()
        person = s.get(Person, s.scalars(select(Case.person_id).where(Case.procedure == "admission")
                                         .order_by(Case.id)).first())
        return {"discipline": discipline.id, "appeal_until": discipline.data["appeal_until"],
                "name": person.full_name}


def test_search_and_the_case_after_a_discipline_decision_fit_a_phone(live_server, chromium, demo, tmp_path):
    """The case list found by a name typed without accents (and decomposed), and a discipline case in force
    showing its appeal window with a diagram that fits 360 px: no horizontal scroll, no console error."""
    base, folder = live_server.url, _shots(tmp_path)
    typed = fold(demo["name"])
    assert typed != demo["name"]
    for size, width in WIDTHS.items():
        context = chromium.new_context(viewport={"width": width, "height": 800}, locale="vi-VN")
        page = context.new_page()
        problems = Problems(page)
        sign_in(page, base, "btv.tinh", DEMO_PASSWORD)
        page.goto(base + "/cases/?status=all")
        page.locator('input[name="q"]').fill(unicodedata.normalize("NFD", typed))
        page.locator('input[name="q"]').press("Enter")
        page.wait_for_load_state()
        assert demo["name"] in page.locator("main").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.screenshot(path=str(folder / f"13-search-{size}.png"), full_page=True)
        page.goto(f"{base}/cases/{demo['discipline']}")
        ends = date.fromisoformat(demo["appeal_until"]).strftime("%d/%m/%Y")
        assert f"Có thể khiếu nại quyết định này đến hết ngày {ends}" in page.locator("#current").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        box = page.locator("svg.diagram").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width
        page.screenshot(path=str(folder / f"14-case-after-discipline-decision-{size}.png"), full_page=True)
        assert problems.items == [], problems.items
        context.close()


def test_expired_session_fills_the_form_in_again_after_signing_in(live_server, browser_context, world, clock):
    """Typed a vote, 31 idle minutes, «Ghi»: the sign-in page says the session expired; after signing in the
    form is open again with the numbers typed, and says so; nothing was recorded."""
    rt = live_server.server.app.extensions["quytrinh"]
    case = admission_case(rt, world, "cell1", until="opinions_collected", start=date(2026, 8, 3))
    base, page = live_server.url, browser_context.new_page()
    sign_in(page, base, "secretary1", PASSWORD)
    page.goto(f"{base}/cases/{case.id}")
    form = action(page, "cell_vote")
    form.locator('input[name="d.vote.date"]').fill("01.10.2026")
    form.locator('input[name="d.vote.agree"]').fill("3")
    form.locator('input[name="d.vote.disagree"]').fill("1")
    form.locator('select[name="d.vote.method"]').select_option("show_of_cards")
    clock.instant += timedelta(minutes=31)
    form.locator('button[type="submit"]').click()
    page.wait_for_load_state()
    assert "/login" in page.url, (page.url, page.locator("main").inner_text()[:500])
    assert "Phiên làm việc đã hết hạn" in page.locator("main").inner_text()
    page.get_by_label("Tên đăng nhập").fill("secretary1")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{base}/cases/{case.id}?act=cell_vote*")
    restored = page.locator("#action-cell_vote")
    assert restored.get_attribute("open") is not None
    assert restored.locator('input[name="d.vote.agree"]').input_value() == "3"
    assert restored.locator('input[name="d.vote.date"]').input_value() == "01.10.2026"
    assert "đã được điền lại" in restored.inner_text()
    with rt.session_factory() as s:
        assert s.get(Case, case.id).state == "opinions_collected"


def test_idle_warning_a_minute_before_and_keep_working(live_server, browser_context, world):
    """With a 62-second idle timeout the page warns after two seconds; «Tiếp tục làm việc» keeps the session."""
    live_server.server.app.config["IDLE_SECONDS"] = 62
    base, page = live_server.url, browser_context.new_page()
    sign_in(page, base, "secretary1", PASSWORD)
    warning = page.locator(".idle-warning")
    warning.wait_for(state="visible", timeout=10_000)
    assert "một phút" in warning.inner_text()
    page.get_by_role("button", name="Tiếp tục làm việc").click()
    warning.wait_for(state="detached", timeout=10_000)


def test_pickers_search_and_dates_show_day_first_in_an_english_browser(live_server, chromium, world):
    """In a browser set to en-US: typing «m2» without accents narrows the helper picker; the report's date
    filters are text inputs showing dd/mm/yyyy (no locale-dependent date widget)."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    page = context.new_page()
    base = live_server.url
    sign_in(page, base, "secretary1", PASSWORD)
    page.goto(f"{base}/people/{world.people['cell1_applicant']}/open/admission")
    search = page.locator("input.picker__search").first
    search.fill("M2")
    visible = page.evaluate("""() => Array.from(document.querySelector('select[data-search]').options)
                                    .filter(o => o.value && !o.hidden).map(o => o.textContent)""")
    assert visible and all("m2" in text for text in visible)
    page.goto(f"{base}/reports/{world.orgs['cell1']}/statistics?from=05-03-2026&to=30.11.2026")
    assert page.locator("#from").get_attribute("type") == "text"
    assert page.locator("#from").input_value() == "05/03/2026" and page.locator("#to").input_value() == "30/11/2026"
    context.close()
