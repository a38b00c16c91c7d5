"""Benchmark: the reminder scan over 1,000,000 open deadlines (quality.md Performance 3, issue 5).

    .venv/bin/python bench/deadline_scan.py                      # SQLite (temp file): 100k and 1M deadlines
    .venv/bin/python bench/deadline_scan.py postgresql+psycopg://postgres@127.0.0.1:5432/postgres
    BENCH_DATABASE_URL=postgresql+psycopg://… .venv/bin/python bench/deadline_scan.py --sizes 100000,1000000

The data (bulk-inserted: executemany on SQLite, COPY on PostgreSQL) is a province
of 1,000 cells; N open deadlines (4 per case) due from 60 days ago to three years
ahead, in the steady state a scheduler leaves behind: every deadline whose first
stage has passed is planned (`next_reminder_on`) as yesterday's scan left it.

Timed, as of 08:00 today, in the same run and on the same data:
- scan:  `scheduler.scan.scan_deadlines` — the day's first scan: its one indexed
         query (in batches), the stages, recipients, subjects and payloads of the
         outbox rows (bodies are written at delivery) and the new plans, committed;
- bare:  the same query as bare SQL text through the driver, and the same writes
         (the same number of outbox rows, with fixed text, and plan updates) by
         executemany — the floor for this work;
- idle:  the scan again when nothing is due (every scan of the day but the first),
         against the bare query returning no row: shows the query does not read
         the million deadlines.
Prints `ratio=` (scan / bare, best of --runs; target ≤ 1.5) and the scan's peak
Python memory (tracemalloc) per size: it must not grow with the number of deadlines.
Never a timed assertion.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
import tracemalloc
import uuid
from datetime import date, datetime, timedelta, timezone
from datetime import time as dtime
from pathlib import Path

from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from models import make_engine, make_session_factory  # noqa: E402
from models.db import WRITE_OPTION  # noqa: E402
from scheduler.mail import MailSettings  # noqa: E402
from scheduler.scan import candidates, scan_deadlines  # noqa: E402
from scheduler.stages import ReminderPolicy, StagePlanner  # noqa: E402
from workflows.domain.calendar import WorkingCalendar  # noqa: E402
from workflows.engine import LOCAL_ZONE, FixedClock, Runtime  # noqa: E402

TODAY = date(2026, 11, 30)
NOW = datetime.combine(TODAY, dtime(8, 0), tzinfo=LOCAL_ZONE)
UTC = timezone.utc
MAIL = MailSettings(base_url="https://quytrinh.example.vn", mail_from="nhac-han@quytrinh.example.vn")
MEMORY_BATCH = 1000
DISTRICTS, COMMUNES, CELLS = 10, 10, 10  # per parent: 10 districts, 100 communes, 1,000 cells


# ---------------------------------------------------------------- databases


def migrate(url: str) -> None:
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).resolve().parent.parent / "migrations"))
    cfg.attributes["url"] = url
    command.upgrade(cfg, "heads")


class Database:
    """A fresh database for one size: a temp SQLite file, or a new PostgreSQL database on the server."""

    def __init__(self, server_url: str | None, tmp: Path):
        self.server_url = server_url
        if server_url is None:
            self.url = f"sqlite:///{tmp / f'scan-{uuid.uuid4().hex[:6]}.db'}"
        else:
            self.name = f"qt_bench_scan_{os.getpid()}_{uuid.uuid4().hex[:6]}"
            admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{self.name}"'))
            admin.dispose()
            self.url = server_url.rsplit("/", 1)[0] + "/" + self.name
        migrate(self.url)
        self.dialect = "sqlite" if self.url.startswith("sqlite") else "postgresql"

    def drop(self) -> None:
        if self.server_url is None:
            Path(self.url.removeprefix("sqlite:///")).unlink(missing_ok=True)
            return
        admin = create_engine(self.server_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        admin.dispose()


# ---------------------------------------------------------------- data


def populate(engine, dialect: str, n: int, planner_yesterday: StagePlanner, rng: random.Random) -> None:
    """Organisations, users and roles, n/4 persons and cases, n deadlines in yesterday's steady state."""
    created = "2026-01-01 00:00:00"
    orgs, users, roles = [], [], []
    org_id = user_id = 0

    def org(name, kind, parent, parent_path):
        nonlocal org_id
        org_id += 1
        orgs.append((org_id, parent, name, kind, False, None, f"{parent_path}{org_id}/", created))
        return org_id, f"{parent_path}{org_id}/"

    def holder(role, at):
        nonlocal user_id
        user_id += 1
        users.append((user_id, f"u{user_id}", f"Đồng chí {user_id}", f"u{user_id}@example.vn", "x", "vi", False,
                      False, True, created))
        roles.append((user_id, user_id, at, role, created))

    province, ppath = org("Tỉnh ủy", "province_committee", None, "/")
    cells = []  # (cell id, commune id)
    for d in range(DISTRICTS):
        district, dpath = org(f"Huyện ủy {d}", "district_committee", province, ppath)
        holder("organisation_officer", district)
        for c in range(COMMUNES):
            commune, cpath = org(f"Đảng ủy xã {d}.{c}", "grassroots_committee", district, dpath)
            holder("standing_committee", commune)
            holder("organisation_officer", commune)
            for k in range(CELLS):
                cell, _ = org(f"Chi bộ {d}.{c}.{k}", "cell", commune, cpath)
                holder("cell_secretary", cell)
                cells.append((cell, commune, f"{cpath}{cell}/"))

    cases = n // 4
    case_cells = [rng.choice(cells) for _ in range(cases)]
    persons = [(i + 1, case_cells[i][0], f"Người {i + 1}", "1990-01-01", "none", False, "{}", 0, created)
               for i in range(cases)]
    case_rows = [(i + 1, "admission", "cpv-2021", "cell_approved", 1, case_cells[i][0], case_cells[i][2], i + 1, "{}",
                  created) for i in range(cases)]
    horizon = planner_yesterday.horizon(TODAY - timedelta(days=1))
    plans: dict[date, date | None] = {}
    deadlines = []
    for i in range(n):
        cell, commune, _ = case_cells[i // 4]
        due = TODAY + timedelta(days=rng.randint(-60, 1095))
        if due not in plans:
            plans[due] = planner_yesterday.reached(due, TODAY - timedelta(days=1)).next_on if due <= horizon else None
        secretary = i % 4 != 3
        deadlines.append((i + 1, i // 4 + 1, "ceremony" if secretary else "admission_decision", due.isoformat(),
                          "cell_secretary" if secretary else "standing_committee", cell if secretary else commune,
                          "open", created, "QĐ 24-QĐ/TW", plans[due] and plans[due].isoformat()))

    tables = [
        ("organisations", "id, parent_id, name, kind, admission_authority, email, path, created_at", orgs),
        ("users", "id, username, display_name, email, password_hash, locale, digest, is_admin, active, created_at",
         users),
        ("role_assignments", "id, user_id, organisation_id, role, created_at", roles),
        ("persons", "id, organisation_id, full_name, birth_date, membership_status, holds_post, flags, revision, "
                    "created_at", persons),
        ("cases", "id, procedure, rule_set, state, revision, organisation_id, organisation_path, person_id, data, "
                  "opened_at", case_rows),
        ("deadlines", "id, case_id, kind, due_date, role, organisation_id, status, opened_at, legal_basis, "
                      "next_reminder_on", deadlines),
    ]
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        if dialect == "sqlite":
            cur.execute("BEGIN")  # the engine's connections are in autocommit mode: one transaction, not one per row
        for table, columns, rows in tables:
            if dialect == "postgresql":
                with cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {len(rows)})")
            else:
                marks = ", ".join("?" for _ in columns.split(","))
                cur.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})",
                                [tuple(int(v) if isinstance(v, bool) else v for v in row) for row in rows])
        raw.commit()
        cur.execute("ANALYZE")
        raw.commit()
    finally:
        raw.close()


# ---------------------------------------------------------------- the two sides


def bare_sql(dialect: str, today: date, horizon: date) -> str:
    """The scan's query as plain SQL text (no batching, no locking)."""
    from sqlalchemy.dialects import postgresql, sqlite

    stmt = candidates(today, horizon, 10**9, dialect)
    compiled = stmt.compile(dialect=postgresql.dialect() if dialect == "postgresql" else sqlite.dialect(),
                            compile_kwargs={"literal_binds": True})
    return str(compiled).replace(" FOR UPDATE SKIP LOCKED", "")  # the bare query locks nothing


# The scan stores a subject and a payload of about this size per reminder (the body is written at delivery).
SUBJECT = "Nhắc hạn: " + "x" * 110
PAYLOAD = json.dumps({"k": "x" * 700})


def bare_twin(engine, dialect: str, today: date, horizon: date) -> int:
    """The same reads and writes as the scan, by hand: the query, role holders, outbox rows, plans."""
    sql = bare_sql(dialect, today, horizon)
    now = NOW.astimezone(UTC)
    stamp = now.replace(tzinfo=None).isoformat(" ") if dialect == "sqlite" else now
    with engine.connect().execution_options(**{WRITE_OPTION: True}) as conn, conn.begin():
        rows = conn.exec_driver_sql(sql).fetchall()
        holders: dict[tuple[int, str], list[tuple[int, str]]] = {}
        for org, role, uid, email in conn.exec_driver_sql(
                "SELECT ra.organisation_id, ra.role, u.id, u.email FROM role_assignments ra "
                "JOIN users u ON u.id = ra.user_id WHERE u.active"):
            holders.setdefault((org, role), []).append((uid, email))
        parent = dict(conn.exec_driver_sql("SELECT id, parent_id FROM organisations").fetchall())
        outbox, plans = [], []
        for r in rows:
            did, case_id, kind, due, role = r[0], r[1], r[2], r[3], r[4]
            due = date.fromisoformat(due) if isinstance(due, str) else due
            org_id = int(r[8].strip("/").split("/")[-1])
            recipients = list(holders.get((org_id, role), []))
            if (today - due).days >= 7:
                recipients += holders.get((parent[org_id], "organisation_officer"), [])
            for uid, email in recipients:
                outbox.append((f"twin:{did}:{uid}:{today}", "reminder", uid, did, "stage", email, SUBJECT,
                               "", None, f"<twin.{did}.{uid}@x>", "queued", 0, stamp, stamp, PAYLOAD))
            plans.append((today + timedelta(days=1), did))
        mark = "%s" if dialect == "postgresql" else "?"
        conn.exec_driver_sql(
            "INSERT INTO outbox (dedupe_key, kind, user_id, deadline_id, stage, to_address, subject, body_text, "
            "body_html, message_id, status, attempts, next_attempt_at, created_at, payload) VALUES ("
            + ", ".join([mark] * 15) + ") ON CONFLICT (dedupe_key) DO NOTHING", outbox)
        conn.exec_driver_sql(f"UPDATE deadlines SET next_reminder_on = {mark} WHERE id = {mark}",
                             [(p.isoformat() if dialect == "sqlite" else p, d) for p, d in plans])
    return len(outbox)


def snapshot(engine, dialect: str, today: date, horizon: date) -> list[tuple]:
    """(next_reminder_on, id) of the deadlines the scan will touch, to put the data back afterwards."""
    with engine.connect() as conn:
        return [(r[1], r[0]) for r in conn.exec_driver_sql(
            f"SELECT d.id, d.next_reminder_on FROM ({bare_sql(dialect, today, horizon)}) s "
            "JOIN deadlines d ON d.id = s.id")]


def restore(engine, dialect: str, saved: list[tuple]) -> None:
    """Put the deadlines' plans back and empty the outbox; on PostgreSQL also vacuum, as autovacuum
    would between two days' scans (otherwise each run leaves dead index entries for the next to skip)."""
    mark = "%s" if dialect == "postgresql" else "?"
    with engine.connect().execution_options(**{WRITE_OPTION: True}) as conn, conn.begin():
        conn.exec_driver_sql("DELETE FROM outbox")
        conn.exec_driver_sql(f"UPDATE deadlines SET next_reminder_on = {mark} WHERE id = {mark}", saved)
    vacuum(engine, dialect)


def vacuum(engine, dialect: str) -> None:
    if dialect == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM (ANALYZE) deadlines, outbox")


def timed(fn):
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


# ---------------------------------------------------------------- one size


def run_size(server_url: str | None, n: int, runs: int, tmp: Path) -> dict:
    db = Database(server_url, tmp)
    # No JIT on PostgreSQL: the bare query, unbatched, costs enough to be JIT-compiled (~50 ms of
    # compilation) where the scan's batches do not; that would flatter the ratio.
    engine = make_engine(db.url, connect_args={"options": "-c jit=off"}) if db.dialect == "postgresql" \
        else make_engine(db.url)
    try:
        calendar = WorkingCalendar()
        policy = ReminderPolicy()
        t_load, _ = timed(lambda: populate(engine, db.dialect, n, StagePlanner(policy, calendar), random.Random(n)))
        rt = Runtime(session_factory=make_session_factory(engine), clock=FixedClock(NOW))
        horizon = StagePlanner(policy, rt.calendar()).horizon(TODAY)
        saved = snapshot(engine, db.dialect, TODAY, horizon)
        scan_times, bare_times, written = [], [], 0
        for _ in range(runs):
            t, twin_rows = timed(lambda: bare_twin(engine, db.dialect, TODAY, horizon))
            bare_times.append(t)
            restore(engine, db.dialect, saved)
            t, result = timed(lambda: scan_deadlines(rt, policy=policy, mail=MAIL))
            scan_times.append(t)
            written = result.reminders
            restore(engine, db.dialect, saved)
        # Memory is bounded by the batch: measured with batches of MEMORY_BATCH deadlines, which every
        # size fills, so the figures compare like with like (the default batch is larger).
        tracemalloc.start()
        scan_deadlines(rt, policy=policy, mail=MAIL, batch_size=MEMORY_BATCH)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        vacuum(engine, db.dialect)
        # Idle: the day's later scans find nothing; the bare query returns no row.
        idle_scan = min(timed(lambda: scan_deadlines(rt, policy=policy, mail=MAIL))[0] for _ in range(runs))
        sql = bare_sql(db.dialect, TODAY, horizon)

        def bare_idle():
            with engine.connect() as conn:
                return conn.exec_driver_sql(sql).fetchall()

        idle_bare = min(timed(bare_idle)[0] for _ in range(runs))
        return {"n": n, "dialect": db.dialect, "load": t_load, "due": len(saved), "rows": written,
                "twin_rows": twin_rows, "scan": min(scan_times), "bare": min(bare_times), "peak": peak,
                "idle_scan": idle_scan, "idle_bare": idle_bare}
    finally:
        engine.dispose()
        db.drop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("url", nargs="?", default=os.environ.get("BENCH_DATABASE_URL"),
                        help="PostgreSQL server URL (a database is created and dropped); default: SQLite temp file")
    parser.add_argument("--sizes", default="100000,1000000", help="numbers of open deadlines")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    url = args.url.replace("postgresql://", "postgresql+psycopg://", 1) if args.url else None
    with tempfile.TemporaryDirectory() as tmp:
        for n in (int(s) for s in args.sizes.split(",")):
            r = run_size(url, n, args.runs, Path(tmp))
            print(f"{r['dialect']} deadlines={r['n']:,} (loaded in {r['load']:.1f} s): due today={r['due']:,} "
                  f"→ reminders={r['rows']:,} (bare twin rows={r['twin_rows']:,})")
            print(f"  scan={r['scan'] * 1000:.0f} ms  bare={r['bare'] * 1000:.0f} ms  ratio={r['scan'] / r['bare']:.2f}"
                  f"  (target ≤ 1.5)")
            print(f"  idle scan={r['idle_scan'] * 1000:.1f} ms  idle bare query={r['idle_bare'] * 1000:.1f} ms")
            print(f"  peak_memory={r['peak'] / 1024:.0f} KiB (tracemalloc, a scan in batches of {MEMORY_BATCH})",
                  flush=True)


if __name__ == "__main__":
    main()
