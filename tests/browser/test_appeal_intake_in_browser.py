"""Appeal intake in Chromium on the demo: the commune's standing committee, which hears a cell's reprimand, opens
«Khiếu nại kỷ luật, xóa tên» from the disciplined member's page and records the appeal; the form fits a 360 px
phone. Screenshots are saved.

Screenshots go to $QUYTRINH_SCREENSHOTS when set (`docs/screenshots`), else to a temporary folder.
"""
from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select

from models import Case, Organisation
from tests.browser.conftest import Problems
from tests.browser.support import current_step, sign_in
from workflows.demo import DEMO_PASSWORD, load_demo

WIDTHS = {"phone": 360, "desktop": 1280}  # the phone only looks; the desktop then records it
CELL = 2  # chain index of a cell under a commune: province (0) → commune (1) → cell (2)


def _cell_decision_in_tan_phu(runtime) -> tuple[int, int, date]:
    """(person, case, decision date) of a reprimand or warning a cell of xã Tân Phú decided, never appealed."""
    with runtime.session_factory() as s:
        commune = s.scalars(select(Organisation).where(Organisation.name == "Đảng ủy xã Tân Phú")).one()
        appealed = {(c.data.get("open") or {}).get("against_case_id")
                    for c in s.scalars(select(Case).where(Case.procedure == "appeal"))}
        for case in s.scalars(select(Case).where(Case.procedure == "discipline", Case.state == "in_force",
                                                 Case.organisation_path.startswith(commune.path))
                              .order_by(Case.id)):
            if case.data.get("decider_index") == CELL and case.id not in appealed:
                decided = date.fromisoformat(case.data["decide_discipline"]["decision_date"])
                return case.person_id, case.id, decided
    raise AssertionError("the demo has no unappealed cell decision in xã Tân Phú")


def test_the_commune_committee_records_an_appeal_against_a_cells_reprimand(live_server, chromium, runtime, clock,
                                                                           tmp_path):
    """btv.tanphu: person page → «Mở hồ sơ: Khiếu nại kỷ luật, xóa tên» → the intake form (was 403) → recorded."""
    load_demo(runtime)
    person_id, case_id, decided = _cell_decision_in_tan_phu(runtime)
    received, filed = decided + timedelta(days=2), decided + timedelta(days=10)
    folder = Path(os.environ.get("QUYTRINH_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    base = live_server.url
    for size, width in WIDTHS.items():
        context = chromium.new_context(viewport={"width": width, "height": 800}, locale="vi-VN")
        page = context.new_page()
        problems = Problems(page)
        sign_in(page, base, "btv.tanphu", DEMO_PASSWORD)
        page.goto(f"{base}/people/{person_id}")
        page.get_by_label("Mở hồ sơ").select_option(label="Khiếu nại kỷ luật, xóa tên")
        page.get_by_role("button", name="Tiếp tục").click()
        assert page.url.endswith(f"/people/{person_id}/open/appeal")
        assert page.locator("h1").count() == 1
        page.get_by_label("Hồ sơ có quyết định bị khiếu nại").select_option(str(case_id))
        page.get_by_label("Ngày nhận quyết định").fill(f"{received:%d/%m/%Y}")
        page.get_by_label("Ngày gửi đơn khiếu nại").fill(f"{filed:%d/%m/%Y}")
        page.get_by_label("Nội dung khiếu nại").fill("Đảng viên cho rằng hình thức kỷ luật nặng so với vi phạm.")
        assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{size}: wider than the screen"
        page.screenshot(path=str(folder / f"13-appeal-intake-{size}.png"), full_page=True)
        if size == "desktop":
            page.get_by_role("button", name="Nhận đơn khiếu nại").click()
            assert "Đã nhận đơn khiếu nại" in current_step(page)
        assert problems.items == [], problems.items
        context.close()
