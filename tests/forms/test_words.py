"""Vietnamese dates in the long form and figures in words, as the documents write them."""
from __future__ import annotations

from datetime import date

import pytest

from workflows.forms.words import figure, in_words, long_date, percent


@pytest.mark.parametrize(("day", "text"), [
    (date(2026, 12, 5), "ngày 05 tháng 12 năm 2026"),
    (date(2026, 2, 15), "ngày 15 tháng 02 năm 2026"),
    (date(2026, 1, 9), "ngày 09 tháng 01 năm 2026"),
    (date(2025, 9, 20), "ngày 20 tháng 9 năm 2025"),
])
def test_long_date_pads_days_below_ten_and_january_february(day, text):
    """HD 36-HD/VPTW: «ngày 05 tháng 12 năm 2026»; months 1 and 2 take a leading zero, the others do not."""
    assert long_date(day) == text


@pytest.mark.parametrize(("n", "text"), [
    (0, "không"), (1, "một"), (10, "mười"), (11, "mười một"), (15, "mười lăm"), (21, "hai mươi mốt"),
    (24, "hai mươi tư"), (55, "năm mươi lăm"), (101, "một trăm lẻ một"), (110, "một trăm mười"),
    (1005, "một nghìn không trăm lẻ năm"), (100000, "một trăm nghìn"),
])
def test_numbers_in_vietnamese_words(n, text):
    """mốt, tư, lăm, lẻ and «không trăm» where Vietnamese says them."""
    assert in_words(n) == text


def test_a_vote_figure_and_its_share():
    """«7 (bảy)» and 7 of 9 as «77,8%» with the decimal comma."""
    assert figure(7) == "7 (bảy)" and percent(7, 9) == "77,8%" and percent(0, 0) == "0%"
