"""An admission walked through the real pages in Chromium, each step done by the person whose step it is."""
from __future__ import annotations

import re

from tests.browser.conftest import Problems
from tests.browser.support import action, current_step, sign_in, sign_out


def test_admission_from_sympathiser_to_probation(live_server, browser_context, world):
    """Secretary → cell vote, committee member → committee vote, standing committee → decision,
    secretary → ceremony; the probation case appears. Checked only through what the pages show."""
    base, page = live_server.url, browser_context.new_page()
    problems = Problems(page)

    # The secretary finds the applicant in the cell and opens an admission case.
    sign_in(page, base, "secretary1")
    page.get_by_role("link", name="Tổ chức đảng").first.click()
    page.get_by_role("link", name="Chi bộ thôn 1").click()
    page.get_by_role("link", name="cell1_applicant").click()
    page.get_by_label("Mở hồ sơ").select_option("admission")
    page.get_by_role("button", name="Tiếp tục").click()
    page.get_by_label("Ngày nghị quyết chi bộ giới thiệu").fill("03/08/2026")
    page.get_by_label("Đảng viên giúp đỡ").select_option(value=str(world.people["cell1_m1"]))  # «cell1_m1 (year) — Chi bộ thôn 1»
    page.get_by_role("button", name="Mở hồ sơ quần chúng ưu tú").click()
    assert "Quần chúng ưu tú (cảm tình Đảng)" in current_step(page)
    case_url = page.url

    # The application, with two introducers chosen by name.
    form = action(page, "submit_application")
    form.get_by_label("Ngày làm đơn (1-KNĐ)").fill("24/08/2026")
    form.get_by_label("Trình độ học vấn").select_option("upper_secondary")
    form.get_by_label("Số giấy chứng nhận").fill("CN-NTVĐ 118")
    form.get_by_label("Ngày cấp").fill("20/07/2026")
    rows = form.locator("fieldset.group--row")
    rows.nth(0).get_by_label("Đảng viên giới thiệu").select_option(value=str(world.people["cell1_m2"]))  # «cell1_m2 (year) — Chi bộ thôn 1»
    rows.nth(0).get_by_label("Cùng công tác từ ngày").fill("01/03/2021")
    rows.nth(1).get_by_label("Đảng viên giới thiệu").select_option(value=str(world.people["cell1_m3"]))  # «cell1_m3 (year) — Chi bộ thôn 1»
    rows.nth(1).get_by_label("Cùng công tác từ ngày").fill("15/06/2022")
    form.get_by_role("button", name="Nộp đơn, lý lịch và giới thiệu").click()
    assert "Đã nộp đơn xin vào Đảng" in current_step(page)
    assert "Bước tiếp theo: Kết luận thẩm tra lý lịch" in page.content()
    sign_out(page, base)

    # The commune's organisation officer records the background check from My work.
    sign_in(page, base, "officer")
    page.locator("#mine-title").locator("xpath=..").get_by_role("link", name="cell1_applicant").click()
    form = action(page, "verify_background")
    form.get_by_label("Ngày kết luận").fill("14/09/2026")
    form.get_by_label("Kết luận thẩm tra").fill("Lý lịch rõ ràng, gia đình chấp hành tốt chủ trương, pháp luật.")
    form.get_by_role("button", name="Kết luận thẩm tra lý lịch").click()
    assert "Đã thẩm tra lý lịch" in current_step(page)
    sign_out(page, base)

    # The secretary records the opinions and the cell vote.
    sign_in(page, base, "secretary1")
    page.goto(case_url)
    form = action(page, "collect_opinions")
    form.get_by_label("Ngày tổng hợp").fill("24/09/2026")
    form.get_by_label("Tóm tắt ý kiến").fill("Chi ủy nơi cư trú và Đoàn thanh niên nhận xét tốt.")
    form.get_by_role("button", name="Tổng hợp ý kiến nhận xét (5-KNĐ)").click()
    assert "Đã lấy ý kiến nhận xét" in current_step(page)
    form = action(page, "cell_vote")
    assert form.get_by_label("Số có quyền biểu quyết").input_value() == "4"
    form.get_by_label("Ngày biểu quyết").fill("01/10/2026")
    form.get_by_label("Tán thành", exact=True).fill("4")
    form.get_by_label("Không tán thành").fill("0")
    form.get_by_label("Hình thức biểu quyết").select_option("show_of_cards")
    form.get_by_role("button", name="Chi bộ biểu quyết (6-KNĐ)").click()
    assert "Chi bộ đã biểu quyết đề nghị kết nạp" in current_step(page)
    sign_out(page, base)

    # A member of the commune committee records the committee vote.
    sign_in(page, base, "committee")
    page.goto(case_url)
    form = action(page, "committee_vote")
    form.get_by_label("Ngày biểu quyết").fill("08/10/2026")
    form.get_by_label("Số có quyền biểu quyết").fill("7")
    form.get_by_label("Tán thành", exact=True).fill("6")
    form.get_by_label("Không tán thành").fill("1")
    form.get_by_label("Hình thức biểu quyết").select_option("secret_ballot")
    form.get_by_role("button", name="Đảng ủy cơ sở biểu quyết (8-KNĐ)").click()
    assert "Đảng ủy cơ sở đã đề nghị kết nạp" in current_step(page)
    sign_out(page, base)

    # The standing committee of the (delegated) commune decides.
    sign_in(page, base, "standing_commune")
    page.goto(case_url)
    form = action(page, "decide_admission")
    form.get_by_label("Số quyết định").fill("27-QĐ/ĐU")
    form.get_by_label("Ngày quyết định").fill("15/10/2026")
    form.get_by_label("Ngày nhận quyết định").fill("16/10/2026")
    form.get_by_role("button", name="Quyết định kết nạp (9-KNĐ)").click()
    assert "Đã có quyết định kết nạp" in current_step(page)
    sign_out(page, base)

    # The secretary records the ceremony; the probation case appears and opens.
    sign_in(page, base, "secretary1")
    page.goto(case_url)
    form = action(page, "hold_ceremony")
    form.get_by_label("Ngày tổ chức lễ").fill("05/11/2026")
    form.get_by_role("button", name="Tổ chức lễ kết nạp").click()
    assert "Hồ sơ đã kết thúc: Đã tổ chức lễ kết nạp." in current_step(page)
    assert "Đảng viên dự bị" in page.locator(".case-side").inner_text()
    page.get_by_role("link", name=re.compile(r"Dự bị và công nhận đảng viên chính thức")).click()
    assert "Đang trong thời gian dự bị" in current_step(page)
    history = page.locator(".timeline").inner_text()
    assert "Bắt đầu thời gian dự bị" in history and "05/11/2026" in history
    assert "Hạn chi bộ xét công nhận chính thức" in page.locator("#current").inner_text()
    assert problems.items == []
