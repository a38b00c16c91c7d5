"""Benchmark: importing members from a workbook (issue 16, quality.md Performance 5).

    .venv/bin/python bench/import.py                      # 10,000 and 100,000 on SQLite (temp file), and on
                                                          # PostgreSQL if BENCH_DATABASE_URL or TEST_DATABASE_URL is set
    .venv/bin/python bench/import.py --sizes 10000 --pg postgresql+psycopg://postgres@127.0.0.1:5432/postgres

For each size: a generated .xlsx (a province → grassroots committees → cells, three levels, 200 members a cell)
is imported into an empty database through the use case the CLI, the API and the page call (reading, checking
every row, writing, audit); then the same file again (every row unchanged); then, for the ratio, a bare bulk
insert of the same person rows (Core executemany in one transaction, no reading, no checks). Prints seconds,
rows per second, the ratio import / bare insert, and the resident memory at 10 %, 50 % and 100 % of the rows
(flat: no ORM object per row). Targets: 10,000 < 10 s, 100,000 < 60 s, re-import faster than the first.
Never a timed assertion.
"""
from __future__ import annotations

import argparse
import io
import os
import resource
import sys
import tempfile
import time
import uuid
from datetime import date, datetime, timezone
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy import create_engine, delete, insert, select, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from models import Organisation, Person, User, make_engine, make_session_factory  # noqa: E402
from workflows.engine.runtime import FixedClock, Runtime  # noqa: E402
from workflows.imports import run_import  # noqa: E402
from workflows.imports.layout import MEMBER_HEADERS, ORGANISATION_HEADERS  # noqa: E402

TARGETS = {10_000: 10.0, 100_000: 60.0}
PER_CELL = 200
NOW = datetime(2026, 11, 30, 2, 0, tzinfo=timezone.utc)


def rss_mb() -> float:
    """Current resident memory (Linux /proc), in MB."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1048576


def workbook(n: int) -> bytes:
    """n members in cells of PER_CELL, 25 cells per grassroots committee, under one province."""
    book = Workbook(write_only=True)
    orgs = book.create_sheet("To chuc")
    orgs.append(list(ORGANISATION_HEADERS))
    orgs.append(["T", "Đảng bộ tỉnh", "Tỉnh ủy", None, None])
    cells = max(1, n // PER_CELL)
    for c in range(cells):
        if c % 25 == 0:
            orgs.append([f"G{c // 25}", f"Đảng bộ xã {c // 25}", "Đảng ủy cơ sở", "T", "x"])
        orgs.append([f"C{c}", f"Chi bộ thôn {c}", "Chi bộ", f"G{c // 25}", None])
    members = book.create_sheet("Dang vien")
    members.append(list(MEMBER_HEADERS)[:13])
    for i in range(n):
        official = i % 5 != 0
        members.append([f"C{i % cells}", f"Nguyễn Văn Thành {i}", f"{1 + i % 28:02d}/{1 + i % 12:02d}/{1950 + i % 50}",
                        "Nam" if i % 2 else "Nữ", f"{i:012d}", f"{10_000_000 + i}",
                        "Chính thức" if official else "Dự bị", "02/09/2024" if not official else "03/02/2005",
                        "03/02/2006" if official else None, "THPT", f"dv{i}@example.vn", "0912 345 678",
                        f"Số {i} đường Trần Hưng Đạo"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def migrate(url: str) -> None:
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).resolve().parent.parent / "migrations"))
    cfg.attributes["url"] = url
    command.upgrade(cfg, "heads")


class Database:
    """A fresh migrated database: a SQLite temp file, or a PostgreSQL database of its own."""

    def __init__(self, server: str | None):
        self.server, self.name, self.tmp = server, None, None
        if server is None:
            self.tmp = tempfile.TemporaryDirectory()
            self.url = f"sqlite:///{self.tmp.name}/bench.db"
        else:
            self.name = f"qt_bench_import_{uuid.uuid4().hex[:8]}"
            with create_engine(server, isolation_level="AUTOCOMMIT").connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{self.name}"'))
            self.url = server.rsplit("/", 1)[0] + "/" + self.name
        migrate(self.url)

    def drop(self) -> None:
        if self.name:
            with create_engine(self.server, isolation_level="AUTOCOMMIT").connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        if self.tmp:
            self.tmp.cleanup()


def measure(server: str | None, n: int, data: bytes) -> None:
    db = Database(server)
    engine = make_engine(db.url)
    rt = Runtime(session_factory=make_session_factory(engine), clock=FixedClock(NOW))
    try:
        with engine.begin() as conn:
            admin = conn.execute(insert(User.__table__).values(
                username="admin", display_name="", password_hash="", locale="vi", digest=False, is_admin=True,
                active=True, created_at=NOW).returning(User.__table__.c.id)).scalar_one()
        samples: dict[int, float] = {}

        def progress(done: int, total: int) -> None:
            for pct in (10, 50, 100):
                if pct not in samples and done * 100 >= pct * total:
                    samples[pct] = rss_mb()

        start = time.perf_counter()
        first = run_import(rt, actor_id=admin, data=data, filename="bench.xlsx", progress=progress)
        t_first = time.perf_counter() - start
        start = time.perf_counter()
        again = run_import(rt, actor_id=admin, data=data, filename="bench.xlsx")
        t_again = time.perf_counter() - start
        # The bare insert of the same person rows (values already clean), for the ratio.
        people = Person.__table__
        with engine.connect() as conn:
            rows = [dict(r) for r in conn.execute(select(*(c for c in people.c if c.name != "id"))).mappings()]
        with engine.begin() as conn:
            conn.execute(delete(people))
        start = time.perf_counter()
        with engine.begin() as conn:
            for i in range(0, len(rows), 2000):
                conn.execute(insert(people), rows[i:i + 2000])
        t_bare = time.perf_counter() - start
        del rows
        kind = "PostgreSQL" if server else "SQLite"
        target = TARGETS.get(n)
        verdict = "" if target is None else (" (target < %.0f s: %s)" % (target, "met" if t_first < target else "MISSED"))
        print(f"{kind:10} {n:>7,} members  first import {t_first:6.2f} s ({n / t_first:,.0f} rows/s){verdict}")
        print(f"{'':10} {'':>7}          {first.summary()}")
        print(f"{'':10} {'':>7}          re-import unchanged {t_again:6.2f} s ({again.summary()}) — "
              f"{'faster' if t_again < t_first else 'NOT faster'} than the first ({t_again / t_first:.2f}×)")
        print(f"{'':10} {'':>7}          bare bulk insert {t_bare:6.2f} s → ratio import / bare insert "
              f"{t_first / t_bare:.1f}")
        print(f"{'':10} {'':>7}          memory (RSS) at 10/50/100 % of rows: "
              + " / ".join(f"{samples.get(p, 0):.0f}" for p in (10, 50, 100)) + " MB")
    finally:
        engine.dispose()
        db.drop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--pg", default=os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL"))
    parser.add_argument("--sqlite-only", action="store_true")
    args = parser.parse_args()
    servers = [None] + ([args.pg.replace("postgresql://", "postgresql+psycopg://", 1)] if args.pg and not args.sqlite_only else [])
    for n in (int(s) for s in args.sizes.split(",")):
        start = time.perf_counter()
        data = workbook(n)
        print(f"workbook of {n:,} members: {len(data) / 1048576:.1f} MB, written in {time.perf_counter() - start:.1f} s "
              f"(load average {os.getloadavg()[0]:.1f})")
        for server in servers:
            measure(server, n, data)


if __name__ == "__main__":
    main()
