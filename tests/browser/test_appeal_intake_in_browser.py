"""Appeal intake in Chromium on the demo: the inspection commission opens «Khiếu nại kỷ luật, xóa tên» from the
disciplined member's page and records the appeal; the form fits a 360 px phone. Screenshots are saved.

Screenshots go to $QUYTRINH_SCREENSHOTS when set (`docs/screenshots`), else to a temporary folder.
"""
from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import select

from models import Case
from tests.browser.conftest import Problems
from tests.browser.support import current_step, sign_in
from workflows.demo import DEMO_PASSWORD, load_demo

WIDTHS = {"desktop": 1280, "phone": 360}


def test_the_inspection_commission_records_an_appeal_from_the_persons_page(live_server, chromium, runtime,
                                                                          tmp_path):
    """ubkt.tinh: person page → «Mở hồ sơ: Khiếu nại kỷ luật, xóa tên» → the intake form (was 403) → recorded."""
    load_demo(runtime)
    with runtime.session_factory() as s:
        decided = s.scalars(select(Case).where(Case.procedure == "discipline", Case.state == "in_force")
                            .order_by(Case.id)).first()
        person_id, case_id = decided.person_id, decided.id
    folder = Path(os.environ.get("QUYTRINH_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    base = live_server.url
    for size, width in WIDTHS.items():
        context = chromium.new_context(viewport={"width": width, "height": 800}, locale="vi-VN")
        page = context.new_page()
        problems = Problems(page)
        sign_in(page, base, "ubkt.tinh", DEMO_PASSWORD)
        page.goto(f"{base}/people/{person_id}")
        page.get_by_label("Mở hồ sơ").select_option(label="Khiếu nại kỷ luật, xóa tên")
        page.get_by_role("button", name="Tiếp tục").click()
        assert page.url.endswith(f"/people/{person_id}/open/appeal")
        assert page.locator("h1").count() == 1
        page.get_by_label("Hồ sơ có quyết định bị khiếu nại").select_option(str(case_id))
        page.get_by_label("Ngày nhận quyết định").fill("22/11/2026")
        page.get_by_label("Ngày gửi đơn khiếu nại").fill("28/11/2026")
        page.get_by_label("Nội dung khiếu nại").fill("Đảng viên cho rằng hình thức cảnh cáo nặng so với vi phạm.")
        assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{size}: wider than the screen"
        page.screenshot(path=str(folder / f"13-appeal-intake-{size}.png"), full_page=True)
        if size == "desktop":
            page.get_by_role("button", name="Nhận đơn khiếu nại").click()
            assert "Đã nhận đơn khiếu nại" in current_step(page)
        assert problems.items == [], problems.items
        context.close()
