"""National scale on PostgreSQL (issue 18): a generated nation against a 100k-case province, in one invocation.

    .venv/bin/python bench/national.py --pg postgresql+psycopg://postgres@127.0.0.1:5432/postgres            # nation
    .venv/bin/python bench/national.py --pg … --scale 0.1                                                 # 1/10
    .venv/bin/python bench/national.py --pg … --keep                     # leave both databases for EXPLAIN

The generator loads through COPY (psycopg) into the migrated schema: 34 provinces → commune-level
committees → grassroots organisations → cells (the 2025 structure; sizes from --scale), their persons, and
five years of cases — closed ones decided over the years, open ones with their open deadlines — each with
its events, votes and audit rows, then VACUUM ANALYZE as autovacuum would. The province dataset is one
province of the same shape holding 100,000 cases.

Timed on both datasets, p50/p95 over --runs calls after two warm-ups:
- a cell secretary's «Việc của tôi» (read.dashboard.my_work) and case list (read.listing.list_cases);
- a province standing committee's «Việc của tôi» and case list;
- a year's statistics for a province (reports.tallied.summary and .statistics: the tallies the transition
  keeps), and for the nation (root) — and the nation's counted live from the cases, for comparison;
- a transition (engine.fire: cell_vote, committee_vote, decide_admission on fresh admission cases).
It prints each figure with its goal and the ratio national / province. Never a timed assertion.
The deadline scan at 10 million deadlines is bench/deadline_scan.py --sizes 10000000.
"""
from __future__ import annotations

import argparse
import gc
import os
import random
import statistics as stats
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import psycopg  # noqa: E402
from psycopg.types.json import Jsonb  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

from models import make_engine, make_session_factory, write_transaction  # noqa: E402
from transition import at_day, build_tree, migrate, prepare, timed_steps  # noqa: E402
from workflows.accounts.accounts import assign_role, create_user, use_fast_hashes_for_tests  # noqa: E402
from workflows.engine import FixedClock, Runtime, fire  # noqa: E402
from workflows.read.dashboard import my_work  # noqa: E402
from workflows.read.listing import CaseFilter, list_cases  # noqa: E402
from workflows.engine.tallies import rebuild  # noqa: E402
from workflows.reports.statistics import live_statistics  # noqa: E402
from workflows.reports.tallied import statistics, summary  # noqa: E402

TODAY = date(2026, 11, 30)
NOW = datetime(2026, 11, 30, 2, tzinfo=timezone.utc)
YEAR = (date(2026, 1, 1), date(2026, 12, 31))
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý"]
GIVEN = ["An", "Bình", "Chi", "Dũng", "Giang", "Hải", "Hương", "Khang", "Lan", "Long", "Nam", "Phương", "Quân"]

# Closed cases: (procedure, final state, decision's to_state, share). Open ones: (procedure, state, share).
CLOSED = [("admission", "completed", 0.40), ("probation", "official", 0.40), ("strike_off", "struck_off", 0.05),
          ("withdrawal", "removed", 0.03), ("discipline", "closed", 0.07), ("admission", "rejected", 0.05)]
OPEN = [("admission", "opinions_collected", 0.35), ("admission", "cell_approved", 0.10),
        ("probation", "on_probation", 0.45), ("strike_off", "proposed", 0.05), ("discipline", "opened", 0.05)]
DISCIPLINE_FORMS = ("reprimand", "warning", "removal_from_post", "expulsion")


@dataclass(frozen=True)
class Shape:
    provinces: int
    communes: int          # commune-level committees per province
    grassroots: int        # grassroots organisations per commune
    cells: int             # cells per grassroots organisation
    persons: int           # persons per cell
    closed: float          # closed cases per cell
    open: float            # open cases per cell

    @property
    def n_cells(self) -> int:
        return self.provinces * self.communes * self.grassroots * self.cells


def nation(scale: float) -> Shape:
    """34 provinces; ~3,300 communes, ~55,000 grassroots organisations, ~250,000 cells, 5.6M persons,
    1M closed and 150k open cases at scale 1 (fewer communes per province below it)."""
    return Shape(34, max(1, round(98 * scale)), 16, 5, 22, 4.0, 0.6)


PROVINCE = Shape(1, 50, 16, 5, 22, 4.0 * 100_000 / (4.6 * 4000), 0.6 * 100_000 / (4.6 * 4000))  # 100k cases


def _pick(rng: random.Random, table: list[tuple]) -> tuple:
    roll, total = rng.random(), 0.0
    for row in table:
        total += row[-1]
        if roll < total:
            return row
    return table[-1]


class Loader:
    """COPY rows into the tables in the order of their foreign keys, counting them."""

    def __init__(self, conninfo: str):
        self.conn = psycopg.connect(conninfo)
        self.counts: dict[str, int] = {}

    def copy(self, table: str, columns: tuple[str, ...], rows) -> None:
        n = 0
        with self.conn.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                n += 1
        self.counts[table] = self.counts.get(table, 0) + n

    def next_id(self, table: str) -> int:
        return self.conn.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}").fetchone()[0]

    def finish(self) -> None:
        for table in ("organisations", "persons", "cases", "events", "deadlines", "votes", "audit_log"):
            self.conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                              f"(SELECT COALESCE(MAX(id), 1) FROM {table}))")
        self.conn.commit()
        self.conn.close()


def generate(conninfo: str, shape: Shape, seed: int = 11) -> tuple[dict, dict[str, int], float]:
    """Load a dataset of `shape`; ids of the organisations the measurements use, row counts, seconds."""
    rng = random.Random(seed)
    started = time.perf_counter()
    load = Loader(conninfo)
    org_id = load.next_id("organisations")
    orgs, cells = [], []   # cells: (id, path)
    provinces, communes_of = [], {}
    root = org_id
    orgs.append((root, None, "Ban Chấp hành Trung ương (bench)", "province_committee", False, f"/{root}/", NOW))
    org_id += 1
    for p in range(shape.provinces):
        pid, ppath = org_id, f"/{root}/{org_id}/"
        org_id += 1
        provinces.append(pid)
        orgs.append((pid, root, f"Tỉnh ủy {p + 1}", "province_committee", False, ppath, NOW))
        for c in range(shape.communes):
            cid, cpath = org_id, f"{ppath}{org_id}/"
            org_id += 1
            communes_of.setdefault(pid, []).append(cid)
            orgs.append((cid, pid, f"Đảng ủy xã {p + 1}-{c + 1}", "district_committee", False, cpath, NOW))
            for g in range(shape.grassroots):
                gid, gpath = org_id, f"{cpath}{org_id}/"
                org_id += 1
                orgs.append((gid, cid, f"Đảng bộ cơ sở {gid}", "grassroots_committee", g % 3 == 0, gpath, NOW))
                for k in range(shape.cells):
                    kid = org_id
                    org_id += 1
                    orgs.append((kid, gid, f"Chi bộ {kid}", "cell", False, f"{gpath}{kid}/", NOW))
                    cells.append((kid, f"{gpath}{kid}/"))
    load.copy("organisations", ("id", "parent_id", "name", "kind", "admission_authority", "path", "created_at"),
              orgs)
    del orgs

    person_id = load.next_id("persons")
    first_person = person_id

    def persons():
        nonlocal person_id
        for cell_id, _ in cells:
            for _ in range(shape.persons):
                status = "official" if rng.random() < 0.9 else "probationary"
                yield (person_id, cell_id, f"{rng.choice(FAMILY)} Văn {rng.choice(GIVEN)}",
                       date(1950 + rng.randrange(55), 1 + rng.randrange(12), 1 + rng.randrange(28)), "higher",
                       status, date(1990 + rng.randrange(35), 5, 19), False, Jsonb({}), 0, NOW)
                person_id += 1

    load.copy("persons", ("id", "organisation_id", "full_name", "birth_date", "education", "membership_status",
                          "joined_on", "holds_post", "flags", "revision", "created_at"), persons())

    case_id, event_id, deadline_id = load.next_id("cases"), load.next_id("events"), load.next_id("deadlines")
    cases, events, deadlines, votes, audits = [], [], [], [], []
    flush_every = 50_000

    def flush() -> None:
        load.copy("cases", ("id", "procedure", "rule_set", "state", "revision", "organisation_id",
                            "organisation_path", "person_id", "data", "opened_at", "closed_at", "decided_on"), cases)
        load.copy("events", ("id", "case_id", "seq", "trigger", "from_state", "to_state", "actor_id", "at", "data"),
                  events)
        load.copy("deadlines", ("id", "case_id", "kind", "due_date", "role", "organisation_id", "status",
                                "opened_at", "closed_at", "legal_basis", "next_reminder_on", "started_on", "met_on",
                                "working_days_taken", "working_days_allowed"), deadlines)
        load.copy("votes", ("case_id", "event_seq", "body", "held_on", "eligible", "agree", "disagree", "method",
                            "threshold", "passed"), votes)
        load.copy("audit_log", ("at", "user_id", "action", "object_type", "object_id", "outcome", "detail"), audits)
        for rows in (cases, events, deadlines, votes, audits):
            rows.clear()

    n_persons = person_id - first_person
    for index, (cell_id, path) in enumerate(cells):
        n_closed = int(shape.closed) + (rng.random() < shape.closed % 1)
        n_open = int(shape.open) + (rng.random() < shape.open % 1)
        for i in range(n_closed + n_open):
            closed = i < n_closed
            # An open case per person and procedure at most (uq_cases_open_person_procedure): the cell's
            # j-th open case is its j-th person's; closed ones fall on anyone.
            slot = rng.randrange(shape.persons) if closed else (i - n_closed) % shape.persons
            person = first_person + (index * shape.persons + slot) % n_persons
            opened = TODAY - timedelta(days=rng.randrange(5 * 365 if closed else 300))
            at = datetime.combine(opened, datetime.min.time(), timezone.utc)
            if closed:
                procedure, state, _ = _pick(rng, CLOSED)
                decided = min(TODAY, opened + timedelta(days=30 + rng.randrange(120)))
                data = {"form": rng.choice(DISCIPLINE_FORMS)} if procedure == "discipline" else {}
                effects = {"person": {"membership_status": ["probationary" if rng.random() < 0.3 else "official",
                                                            "former"]}} if state == "struck_off" else {}
                steps = [("open", None, "opened"), ("cell_vote", "opened", "cell_approved"),
                         ("decide", "cell_approved", state)]
            else:
                procedure, state, _ = _pick(rng, OPEN)
                decided, data, effects = None, {}, {}
                steps = [("open", None, state)]
            cases.append((case_id, procedure, "cpv-2025", state, len(steps), cell_id, path, person, Jsonb(data),
                          at, at + timedelta(days=60) if closed else None, decided))
            for seq, (trigger, source, dest) in enumerate(steps, start=1):
                extra = {"effects": effects} if seq == len(steps) and effects else {}
                events.append((event_id, case_id, seq, trigger, source, dest, None, at + timedelta(days=seq),
                               Jsonb(extra)))
                audits.append((at + timedelta(days=seq), None, f"case.{trigger}", "case", str(case_id), "ok",
                               f"{source or '-'} -> {dest}"))
                event_id += 1
            if closed:
                votes.append((case_id, 2, "cell", opened + timedelta(days=2), 20, 18, 2, "secret_ballot",
                              "two_thirds", True))
                deadlines.append((deadline_id, case_id, "decision", opened + timedelta(days=80), "standing_committee",
                                  cell_id, "met", at, at + timedelta(days=3), "bench", None, opened,
                                  opened + timedelta(days=3), 3, 60))
            else:
                due = TODAY + timedelta(days=rng.randrange(-60, 240))
                deadlines.append((deadline_id, case_id, "decision", due, rng.choice(
                    ("cell_secretary", "committee_member", "standing_committee")), cell_id, "open", at, None,
                    "bench", due - timedelta(days=14), opened, None, None, 60))
            deadline_id += 1
            case_id += 1
        if len(cases) >= flush_every:
            flush()
    flush()
    load.finish()
    # The COPY bypassed the engine: count the yearly statistics' tallies from the cases, as
    # `flask --app app tallies-rebuild` does after any bulk load (the transitions keep them from then on).
    tallies_started = time.perf_counter()
    engine = make_engine(conninfo.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        tally_rows = rebuild(conn)
    engine.dispose()
    print(f"  tallies recounted from the cases: {tally_rows:,} rows in {time.perf_counter() - tallies_started:.0f} s",
          flush=True)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    ids = {"root": root, "province": provinces[0], "cell": cells[0][0], "commune": communes_of[provinces[0]][0]}
    return ids, load.counts, time.perf_counter() - started


def users(rt: Runtime, ids: dict) -> dict:
    use_fast_hashes_for_tests()
    with write_transaction(rt.session_factory) as s:
        for key, role, org in (("secretary", "cell_secretary", ids["cell"]),
                               ("province", "standing_committee", ids["province"])):
            user = create_user(s, username=f"bench_{key}_{uuid.uuid4().hex[:6]}", password="bench password long")
            assign_role(s, user_id=user.id, organisation_id=org, role=role)
            ids[f"user_{key}"] = user.id
    return ids


def timed(call, runs: int) -> list[float]:
    samples = []
    for i in range(runs + 2):
        gc.collect()
        started = time.perf_counter()
        call()
        if i >= 2:
            samples.append((time.perf_counter() - started) * 1000)
    return samples


def p(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def measure(url: str, ids: dict, runs: int, transitions: int) -> dict[str, list[float]]:
    engine = make_engine(url)
    rt = Runtime(session_factory=make_session_factory(engine), clock=FixedClock(NOW))
    users(rt, ids)
    factory = rt.session_factory
    results = {
        "secretary: my work": timed(lambda: my_work(rt, actor_id=ids["user_secretary"]), runs),
        "secretary: case list": timed(lambda: list_cases(rt, actor_id=ids["user_secretary"], filt=CaseFilter()),
                                      runs),
        "province: my work": timed(lambda: my_work(rt, actor_id=ids["user_province"]), runs),
        "province: case list": timed(lambda: list_cases(rt, actor_id=ids["user_province"], filt=CaseFilter()), runs),
    }

    def report(org, fn):
        with factory() as s:
            fn(s, organisation_id=org, date_from=YEAR[0], date_to=YEAR[1])

    results["province: year summary"] = timed(lambda: report(ids["province"], summary), runs)
    results["province: year statistics"] = timed(lambda: report(ids["province"], statistics), runs)
    results["root: year summary"] = timed(lambda: report(ids["root"], summary), runs)
    results["root: year statistics"] = timed(lambda: report(ids["root"], statistics), runs)
    # What the tallies save: the same figures counted from the cases (a few runs: seconds each at scale 1).
    results["root: year statistics, live"] = timed(lambda: report(ids["root"], live_statistics), max(3, runs // 4))
    # Transitions on fresh admission cases of a small subtree added to this dataset (bench/transition.py's plan).
    tree = build_tree(rt)
    cases = prepare(rt, tree, transitions)
    steps = timed_steps(tree)
    runtimes = {day: at_day(rt, day) for _, _, day, _ in steps}
    samples = []
    for case_id, revision in cases:
        for trigger, actor, day, data in steps:
            started = time.perf_counter()
            revision = fire(runtimes[day], case_id=case_id, trigger=trigger, actor_id=actor, data=data,
                            revision=revision).revision
            samples.append((time.perf_counter() - started) * 1000)
    results["transition (engine.fire)"] = samples
    engine.dispose()
    return results


GOALS = {"secretary: my work": 50, "secretary: case list": 50, "province: my work": 150,
         "province: case list": 150, "province: year summary": 150, "province: year statistics": 150,
         "root: year summary": 1000, "root: year statistics": 1000}


def scratch(server: str, label: str) -> tuple[str, str]:
    name = f"qt_national_{label}_{os.getpid()}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return server.rsplit("/", 1)[0] + "/" + name, name


def drop(server: str, name: str) -> None:
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}' "
                          "AND pid <> pg_backend_pid()"))
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


def size_of(url: str) -> str:
    with create_engine(url).connect() as conn:
        return conn.execute(text("SELECT pg_size_pretty(pg_database_size(current_database()))")).scalar()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pg", default=os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL"),
                        required=False, help="PostgreSQL server URL (databases are created and dropped)")
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = the nation (5.6M persons, 1.15M cases)")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--transitions", type=int, default=60, help="admission cases taken through 3 steps each")
    parser.add_argument("--keep", action="store_true", help="keep both databases (for EXPLAIN)")
    args = parser.parse_args()
    if not args.pg:
        raise SystemExit("national scale is measured on PostgreSQL: --pg postgresql+psycopg://…")
    server = args.pg.replace("postgresql://", "postgresql+psycopg://", 1)
    figures = {}
    for label, shape in (("province", PROVINCE), ("nation", nation(args.scale))):
        url, name = scratch(server, label)
        try:
            migrate(url)
            ids, counts, seconds = generate(url.replace("postgresql+psycopg://", "postgresql://", 1), shape)
            print(f"{label}: loaded in {seconds:.0f} s, {size_of(url)} on disk — " +
                  ", ".join(f"{t} {n:,}" for t, n in counts.items()), flush=True)
            figures[label] = measure(url, ids, args.runs, args.transitions)
            for what, samples in figures[label].items():
                goal = GOALS.get(what)
                print(f"  {what:28s} p50 {p(samples, .5):8.1f} ms  p95 {p(samples, .95):8.1f} ms"
                      + (f"  (goal p95 < {goal} ms: {'met' if p(samples, .95) < goal else 'MISSED'})" if goal else ""),
                      flush=True)
        finally:
            if args.keep:
                print(f"  kept database {name}")
            else:
                drop(server, name)
    print("ratios nation / province (p50, p95):")
    for what in figures["nation"]:
        a, b = figures["nation"][what], figures["province"][what]
        print(f"  {what:28s} {p(a, .5) / p(b, .5):5.2f}  {p(a, .95) / p(b, .95):5.2f}"
              + ("   (goal: transition within 1.2×)" if what.startswith("transition") else ""))
    print(f"transition mean: nation {stats.mean(figures['nation']['transition (engine.fire)']):.2f} ms, "
          f"province {stats.mean(figures['province']['transition (engine.fire)']):.2f} ms")


if __name__ == "__main__":
    main()
