"""Statistics over a generated year of cases equal the counts derived independently; exports carry the same numbers."""
from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import date

import pytest
from openpyxl import load_workbook

from tests.reports.year import generate_year
from workflows.reports.exports import to_csv, to_xlsx
from workflows.reports.statistics import CATEGORIES, CATEGORY_LABELS_VI, statistics_tables
from workflows.reports.tallied import statistics, summary

YEAR_2026 = (date(2026, 1, 1), date(2026, 11, 30))
FIRST_HALF = (date(2026, 1, 1), date(2026, 6, 30))


@pytest.fixture
def year(runtime, world):
    return generate_year(runtime, world)


def as_counter(counts: dict[str, int]) -> Counter:
    return Counter({k: v for k, v in counts.items() if v})


def test_statistics_equal_the_independent_count(runtime, world, year):
    """Totals, the breakdown by child organisation and by month equal what the generator says it decided."""
    assert year.uncounted  # revoked, refused and annulled decisions exist and must not show up
    with runtime.session_factory() as s:
        stats = statistics(s, organisation_id=world.orgs["province"], date_from=YEAR_2026[0], date_to=YEAR_2026[1])
    assert as_counter(stats.totals) == year.totals(*YEAR_2026)
    expected_children = year.by_child(*YEAR_2026)
    names = {world.orgs[k]: k for k in ("commune", "ward", "gcell")}
    got_children = {names[ref.id]: as_counter(c) for ref, c in stats.children if any(c.values())}
    assert got_children == expected_children
    expected_months = year.by_month(*YEAR_2026)
    assert len(stats.months) == 11
    assert {ym: as_counter(c) for ym, c in stats.months if any(c.values())} == expected_months
    # The seed's figures: every main category occurs in the generated year.
    assert all(stats.totals[c] > 0 for c in ("admitted", "recognised", "struck_off", "struck_off_probationary",
                                             "expelled", "withdrawn", "reprimand", "warning", "removal_from_post"))


def test_summary_follows_the_period_and_the_subtree(runtime, world, year):
    """The summary for the first half-year and for one commune equal the independent counts."""
    with runtime.session_factory() as s:
        half = summary(s, organisation_id=world.orgs["province"], date_from=FIRST_HALF[0], date_to=FIRST_HALF[1])
        commune = summary(s, organisation_id=world.orgs["commune"], date_from=YEAR_2026[0], date_to=YEAR_2026[1])
        cell3 = summary(s, organisation_id=world.orgs["cell3"], date_from=YEAR_2026[0], date_to=YEAR_2026[1])
    assert as_counter(half) == year.totals(*FIRST_HALF)
    assert as_counter(commune) == year.by_child(*YEAR_2026).get("commune", Counter())
    expected_cell3 = Counter(c for cell, c, d in year.figures if cell == "cell3" and YEAR_2026[0] <= d <= YEAR_2026[1])
    assert as_counter(cell3) == expected_cell3
    assert set(half) == set(CATEGORIES)


def test_excel_export_opens_and_carries_the_same_numbers(runtime, world, year):
    """The Excel workbook opens with openpyxl; its summary, children and months sheets hold the page's numbers."""
    with runtime.session_factory() as s:
        stats = statistics(s, organisation_id=world.orgs["province"], date_from=YEAR_2026[0], date_to=YEAR_2026[1])
    tables = statistics_tables(stats)
    book = load_workbook(io.BytesIO(to_xlsx(tables, title="Thống kê", subtitle="Đảng bộ tỉnh")), read_only=True)
    assert book.sheetnames == ["Tổng hợp", "Theo tổ chức trực thuộc", "Theo tháng"]
    summary_rows = {row[0]: row[1] for row in book["Tổng hợp"].iter_rows(values_only=True) if row and row[0]}
    for category in CATEGORIES:
        assert summary_rows[CATEGORY_LABELS_VI[category]] == stats.totals[category]
    children = [row for row in book["Theo tổ chức trực thuộc"].iter_rows(values_only=True)]
    header_index = next(i for i, row in enumerate(children) if row[0] == "Tổ chức")
    assert children[header_index][1:] == tuple(CATEGORY_LABELS_VI[c] for c in CATEGORIES)
    total_row = next(row for row in children if row[0] == "Cộng")
    assert list(total_row[1:]) == [stats.totals[c] for c in CATEGORIES]
    months = [row for row in book["Theo tháng"].iter_rows(values_only=True) if row and row[0] and row[0][:2].isdigit()]
    by_label = {row[0]: list(row[1:]) for row in months}
    for (y, m), counts in stats.months:
        assert by_label[f"{m:02d}/{y}"] == [counts[c] for c in CATEGORIES]


def test_csv_export_has_vietnamese_headers_and_the_same_numbers(runtime, world, year):
    """Each table as CSV: UTF-8 with BOM, Vietnamese header row, the same numbers."""
    with runtime.session_factory() as s:
        stats = statistics(s, organisation_id=world.orgs["province"], date_from=YEAR_2026[0], date_to=YEAR_2026[1])
    by_month = statistics_tables(stats)[2]
    raw = to_csv(by_month)
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == ["Tháng", *(CATEGORY_LABELS_VI[c] for c in CATEGORIES)]
    assert rows[-1] == ["Cộng", *(str(stats.totals[c]) for c in CATEGORIES)]
