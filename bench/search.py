"""Search at 100,000 persons (issue 13 item 6): accent-free name words, birth year, case and decision number.

    .venv/bin/python bench/search.py                      # SQLite in a temporary folder
    .venv/bin/python bench/search.py postgresql+psycopg://postgres@127.0.0.1:5432/postgres
    .venv/bin/python bench/search.py --persons 20000 --runs 20

Seeds N persons (one open case each, a decision number on every tenth) under one province, with names drawn
from common Vietnamese family, middle and given names — a tenth of them typed in decomposed Unicode — and
indexes them as the application does (workflows.directory.directory.name_index_rows). Then times the case
list's search for a province supervisor (who sees all N) for typical queries, and beside each the scan the
old search amounted to (LIKE '%word%' on every name) as the baseline. Prints p50/p95 in ms and the ratio.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
import unicodedata
from datetime import date, datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from sqlalchemy import insert, text  # noqa: E402

from case_list import database  # noqa: E402
from models import Case, DecisionNumber, Person, PersonNameWord, make_engine, make_session_factory  # noqa: E402
from models import write_transaction  # noqa: E402
from workflows.accounts.accounts import assign_role, create_user, use_fast_hashes_for_tests  # noqa: E402
from workflows.directory.directory import create_organisation, name_index_rows  # noqa: E402
from workflows.domain.text import fold, normalise_text, sort_key  # noqa: E402
from workflows.engine import FixedClock, Runtime  # noqa: E402
from workflows.read.listing import CaseFilter, list_cases  # noqa: E402
from workflows.read.search import parse_query, people_statement  # noqa: E402

FAMILY = ["Nguyễn"] * 8 + ["Trần"] * 3 + ["Lê"] * 3 + ["Phạm", "Hoàng", "Phan", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô"]
MIDDLE = ["Văn", "Thị", "Đức", "Ngọc", "Minh", "Thu", "Quang", "Thanh", "Hữu", "Xuân"]
GIVEN = ["An", "Bình", "Chi", "Dũng", "Giang", "Hải", "Hương", "Khang", "Lan", "Long", "Nam", "Phương", "Quân",
         "Trang", "Tuấn", "Tuyết", "Yến", "Đạt", "Sơn", "Hà", "Thảo", "Hiếu", "Linh", "Mai", "Việt"]


def seed(rt: Runtime, n: int) -> int:
    rng = random.Random(13)
    use_fast_hashes_for_tests()
    with write_transaction(rt.session_factory) as s:
        province = create_organisation(s, name="Tỉnh ủy (bench)", kind="province_committee")
        committee = create_organisation(s, name="Đảng ủy xã", kind="grassroots_committee", parent_id=province.id)
        cells = [create_organisation(s, name=f"Chi bộ {c}", kind="cell", parent_id=committee.id) for c in range(50)]
        cells = [(c.id, c.path) for c in cells]
        supervisor = create_user(s, username="supervisor", password="bench-password-long")
        assign_role(s, user_id=supervisor.id, organisation_id=province.id, role="standing_committee")
        supervisor_id = supervisor.id
    now = datetime(2026, 11, 30, 2, tzinfo=timezone.utc)
    engine = rt.session_factory.kw["bind"]
    with engine.begin() as conn:
        for start in range(0, n, 5000):
            people, words, cases, numbers = [], [], [], []
            for i in range(start, min(start + 5000, n)):
                name = " ".join((rng.choice(FAMILY), rng.choice(MIDDLE), rng.choice(GIVEN)))
                typed = unicodedata.normalize("NFD", name) if i % 10 == 0 else name
                cell_id, path = cells[i % len(cells)]
                person_id = case_id = i + 1
                people.append({"id": person_id, "organisation_id": cell_id, "full_name": normalise_text(typed),
                               "sort_key": sort_key(typed), "birth_date": date(rng.randint(1950, 2005), rng.randint(1, 12), 1),
                               "membership_status": "none", "holds_post": False, "flags": {}, "revision": 0,
                               "created_at": now})
                words.extend(name_index_rows(person_id, typed))
                cases.append({"id": case_id, "procedure": "admission", "rule_set": "cpv-2025", "state": "sympathiser",
                              "revision": 1, "organisation_id": cell_id, "organisation_path": path,
                              "person_id": person_id, "data": {}, "opened_at": now, "closed_at": None})
                if i % 10 == 0:
                    numbers.append({"number_key": fold(f"{i}-QĐ/ĐU"), "case_id": case_id})
            conn.execute(insert(Person), people)
            conn.execute(insert(PersonNameWord), words)
            conn.execute(insert(Case), cases)
            conn.execute(insert(DecisionNumber), numbers)
        if engine.dialect.name == "postgresql":
            for table in ("persons", "cases"):
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"))
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))
    else:
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    return supervisor_id


def timed(fn, runs: int) -> tuple[float, float, object]:
    result = fn()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[max(0, int(len(samples) * 0.95) - 1)], result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("url", nargs="?")
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    url, drop = database(args.url)
    engine = make_engine(url)
    rt = Runtime(session_factory=make_session_factory(engine), clock=FixedClock(datetime(2026, 11, 30, 2, tzinfo=timezone.utc)))
    try:
        started = time.perf_counter()
        supervisor = seed(rt, args.persons)
        print(f"{engine.dialect.name}: {args.persons} persons and cases seeded in {time.perf_counter() - started:.1f} s")
        queries = [
            ("full name, no accents", "vu duc tuan", ["Vũ", "Đức", "Tuấn"]),
            ("full name as written", "Nguyễn Thị Tuyết", ["Nguyễn", "Thị", "Tuyết"]),
            ("given name only", "tuyet", ["Tuyết"]),
            ("name and birth year", "tuan 1990", ["Tuấn"]),
            ("common family + middle", "nguyen van", ["Nguyễn", "Văn"]),
            ("decision number", "1230-qd", None),
            ("case number", "#54321", None),
        ]
        print(f"{'query':<28}{'typed':<22}{'found':>7}{'list p50':>9}{'list p95':>9}{'ids p50':>9}{'scan p50':>10}"
              f"{'ratio':>8}")
        with engine.connect() as conn:
            for title, typed, like_words in queries:
                p50, p95, page = timed(lambda: list_cases(rt, actor_id=supervisor, filt=CaseFilter(search=typed)),
                                       args.runs)
                ids = "—"
                query = parse_query(typed, this_year=2026)
                if query.words or query.years:
                    def people():
                        with rt.session_factory() as s:
                            return list(s.scalars(people_statement(s, query).limit(2001)))
                    ids_p50, _, _ = timed(people, args.runs)
                    ids = f"{ids_p50:.1f}"
                if like_words:
                    where = " AND ".join(f"full_name LIKE '%{w}%'" for w in like_words)
                    base, _, _ = timed(lambda: conn.execute(text(f"SELECT count(*) FROM persons WHERE {where}")).scalar(),
                                       args.runs)
                    scan, ratio = f"{base:.1f}", f"{base / float(ids):.1f}x"
                else:
                    scan, ratio = "—", "—"
                print(f"{title:<28}{typed:<22}{page.total:>7}{p50:>9.1f}{p95:>9.1f}{ids:>9}{scan:>10}{ratio:>8}")
        plain, _, _ = timed(lambda: list_cases(rt, actor_id=supervisor, filt=CaseFilter()), args.runs)
        print(f"the case list without a search (same supervisor, all {args.persons} cases): p50 {plain:.1f} ms")
        print("list: the case list's page (25 rows) for the search; ids: the search itself (the matching people's ids,"
              " up to 2001);\nscan p50: the old search's LIKE '%word%' over every name (it also missed accent-free and"
              " decomposed spellings); ratio = scan / ids.")
    finally:
        engine.dispose()
        drop()


if __name__ == "__main__":
    main()
