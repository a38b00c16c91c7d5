"""The import page in Chromium: the file goes up, the progress bar moves, the report lists the bad rows.

The screenshot of the report goes to $QUYTRINH_SCREENSHOTS when set (docs/screenshots), else to a temporary folder.
"""
from __future__ import annotations

import os
from pathlib import Path

from tests.browser.conftest import Problems
from tests.browser.support import sign_in
from tests.imports.support import counts, member, workbook


def test_an_import_with_errors_is_reported_row_by_row_in_the_browser(live_server, browser_context, runtime, world,
                                                                     tmp_path):
    """An officer uploads 1,200 members with two bad rows: the progress bar shows, the report names both rows."""
    rows = [member(n, "CB-MOI") for n in range(1, 1201)]
    rows[40] = member(41, "CB-MOI", **{"Ngày sinh": "31/04/1980"})
    rows[700] = member(701, "CB-MOI", **{"Số CCCD": "0010800007011"})
    path = tmp_path / "dang-vien-xa-tan-phu.xlsx"
    path.write_bytes(workbook(world.orgs["province"], rows,
                              [["CB-MOI", "Chi bộ thôn Mới", "Chi bộ", f"TC-{world.orgs['commune']}", ""]]))
    before = counts(runtime)
    page = browser_context.new_page()
    problems = Problems(page)
    sign_in(page, live_server.url, "officer")
    page.get_by_role("link", name="Nhập dữ liệu").click()
    page.get_by_label("Tệp (.xlsx, .csv hoặc .zip, tối đa 20 MB)").set_input_files(str(path))
    page.get_by_role("button", name="Nhập dữ liệu").click()
    page.locator("#import-progress").wait_for(state="visible")
    page.locator("#import-report").wait_for(timeout=60_000)
    report = page.locator("#import-report")
    assert "Chưa nhập: tệp có lỗi" in report.inner_text()
    cells = report.locator("tbody tr").all_inner_texts()
    assert len(cells) == 2
    assert "42" in cells[0] and "Ngày «31/04/1980» không có thật." in cells[0]
    assert "702" in cells[1] and "12 chữ số" in cells[1]
    assert counts(runtime) == before
    assert not problems.items, problems.items
    target = Path(os.environ.get("QUYTRINH_SCREENSHOTS") or tmp_path / "screenshots")
    target.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(target / "13-import-report-desktop.png"), full_page=True)
