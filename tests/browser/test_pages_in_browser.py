"""The main pages in Chromium on the demo province: they fit a 360 px phone, work from the keyboard,
raise no console error (a CSP violation is one), and are saved as screenshots.

Screenshots go to $QUYTRINH_SCREENSHOTS when set (`docs/screenshots` for the README), else to a
temporary folder.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import select

from models import Case, Organisation, Person
from tests.browser.conftest import Problems
from tests.browser.support import sign_in
from workflows.demo import DEMO_PASSWORD, load_demo

WIDTHS = {"desktop": 1280, "phone": 360}


@pytest.fixture
def demo(runtime):
    """The demo province (every procedure, cases in every state) on the test database."""
    load_demo(runtime)
    with runtime.session_factory() as s:
        def case_in(procedure, state):
            return s.scalars(select(Case.id).where(Case.procedure == procedure, Case.state == state)
                             .order_by(Case.id)).first()
        cell = s.scalars(select(Organisation.id).where(Organisation.name == "Chi bộ thôn Phú Hưng")).one()
        person = s.scalars(select(Person.id).where(Person.organisation_id == cell, Person.membership_status == "none")
                           .order_by(Person.id)).first()
        return {
            "opinions": case_in("admission", "opinions_collected"),
            "approved": case_in("admission", "cell_approved"),
            "cell": cell,
            "person": person,
        }


def _shots_dir(tmp_path) -> Path:
    target = Path(os.environ.get("QUYTRINH_SCREENSHOTS") or tmp_path / "screenshots")
    target.mkdir(parents=True, exist_ok=True)
    return target


def _pages(demo):
    """(name, user, path) of the main pages."""
    return [
        ("01-sign-in", None, "/login"),
        ("02-my-work-secretary", "bithu.phuhung", "/"),
        ("03-case-list", "btv.tanphu", "/cases/?procedure=admission"),
        ("04-case-page-cell-vote", "bithu.truong", f"/cases/{demo['opinions']}"),
        ("05-case-page-decision", "btv.tanphu", f"/cases/{demo['approved']}"),
        ("06-my-work-supervisor", "btv.tanphu", "/"),
        ("07-organisation-members", "bithu.phuhung", f"/organisations/{demo['cell']}"),
        ("08-person", "bithu.phuhung", f"/people/{demo['person']}"),
        ("09-open-case", "bithu.phuhung", f"/people/{demo['person']}/open/admission"),
        ("10-admin-users", "admin", "/admin/users"),
        ("11-admin-holidays", "admin", "/admin/calendar?year=2027"),
        ("12-organisations", "btv.tinh", "/organisations"),
    ]


def test_main_pages_fit_a_phone_and_are_saved(live_server, chromium, demo, tmp_path):
    """Each main page, at desktop and 360 px width: no horizontal scrolling, no console error; PNG saved."""
    base, folder = live_server.url, _shots_dir(tmp_path)
    overflow = []
    for size, width in WIDTHS.items():
        context = chromium.new_context(viewport={"width": width, "height": 800}, locale="vi-VN")
        page = context.new_page()
        problems = Problems(page)
        signed_in_as = None
        for name, user, path in _pages(demo):
            if user != signed_in_as and user is not None:
                context.clear_cookies()
                sign_in(page, base, user, DEMO_PASSWORD)
                signed_in_as = user
            page.goto(base + path)
            assert page.locator("h1").count() >= 1, f"{path}: no heading"
            if name.startswith("04"):  # show the open action form, as a secretary sees it
                page.locator("#action-cell_vote summary").focus()
            scroll_width = page.evaluate("document.documentElement.scrollWidth")
            if scroll_width > width:
                overflow.append(f"{path} at {width}px: {scroll_width}px wide")
            page.screenshot(path=str(folder / f"{name}-{size}.png"), full_page=True)
        assert problems.items == [], problems.items
        context.close()
    assert overflow == []


def test_sign_in_and_act_with_the_keyboard_only(live_server, browser_context, world):
    """Tab reaches the sign-in fields and button; on a case page Tab reaches the action form's button."""
    from tests.support.world import PASSWORD
    from tests.web.support import admission_case

    case_id = admission_case(live_server_runtime(live_server), world, "cell1").id
    base, page = live_server.url, browser_context.new_page()
    page.goto(base + "/login")

    def tab_to(predicate: str, limit: int = 40) -> None:
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate(predicate):
                return
        raise AssertionError(f"Tab never reached: {predicate}")

    tab_to("document.activeElement.id === 'username'")
    page.keyboard.type("secretary1")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(base + "/")
    page.goto(f"{base}/cases/{case_id}")
    tab_to("document.activeElement.tagName === 'SUMMARY' && "
           "document.activeElement.parentElement.id === 'action-submit_application'")
    tab_to("document.activeElement.id === 'act-submit_application-application_date'")
    tab_to("document.activeElement.tagName === 'BUTTON' && "
           "document.activeElement.closest('#action-submit_application') !== null", limit=60)
    page.keyboard.press("Enter")  # an empty form: refused, messages beside the fields, focus on them
    page.wait_for_url(f"{base}/cases/{case_id}/actions/submit_application")
    assert page.locator(".form-errors").first.is_visible()
    assert page.evaluate("document.activeElement.classList.contains('form-errors')")


def live_server_runtime(server):
    """The engine runtime of the app the live server runs (to seed data through the engine)."""
    return server.server.app.extensions["quytrinh"]
