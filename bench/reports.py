"""Benchmark: statistics and pipeline for a subtree of 100,000 cases (quality.md Performance 4, issue 7).

    .venv/bin/python bench/reports.py                       # SQLite (temp file), and PostgreSQL if
                                                            # BENCH_DATABASE_URL or TEST_DATABASE_URL is set
    .venv/bin/python bench/reports.py --pg postgresql+psycopg://postgres@127.0.0.1:5432/postgres
    .venv/bin/python bench/reports.py --cases 20000 --runs 10

The data is bulk-inserted (a bench, not a test): a province of 500 cells holding
--cases cases with their events, votes and deadlines in the shapes the engine
writes, plus a second province of 10% more cases outside the subtree. Decisions
are spread over two years; the period asked is the last one. Prints p50/p95 per
service call and the target (p95 < 150 ms). Never a timed assertion.
"""
from __future__ import annotations

import argparse
import gc
import os
import random
import statistics as stats
import sys
import tempfile
import time
import uuid
from datetime import date, datetime, timedelta, timezone
from datetime import time as dtime
from pathlib import Path

from sqlalchemy import create_engine, insert, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from models import (  # noqa: E402
    Case,
    Deadline,
    Event,
    Organisation,
    Person,
    Vote,
    make_engine,
    make_session_factory,
)
from workflows.domain.calendar import WorkingCalendar  # noqa: E402
from workflows.engine.runtime import CalendarSource  # noqa: E402
from workflows.reports.pipeline import pipeline  # noqa: E402
from workflows.engine.tallies import rebuild  # noqa: E402
from workflows.reports.tallied import statistics, summary  # noqa: E402

TARGET_MS = 150
PERIOD = (date(2026, 1, 1), date(2026, 12, 31))
TODAY = date(2026, 11, 30)
UTC = timezone.utc


def migrate(url: str) -> None:
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).resolve().parent.parent / "migrations"))
    cfg.attributes["url"] = url
    command.upgrade(cfg, "heads")


def at(day: date) -> datetime:
    """09:00 in Hanoi on that day, in UTC."""
    return datetime.combine(day, dtime(2, 0), tzinfo=UTC)


def vote(day: date, n: int, agree: int | None = None) -> dict:
    agree = n if agree is None else agree
    return {"date": day.isoformat(), "eligible": n, "agree": agree, "disagree": n - agree, "method": "show_of_cards"}


# procedure -> (final state, steps: (trigger, to_state, day offset, data builder, opens kind, closes kind))
def plan(procedure: str, start: date, rng: random.Random):
    d = lambda k: start + timedelta(days=k)  # noqa: E731
    decision = lambda k, **extra: {"decision_number": f"{k}-QĐ", "decision_date": d(k).isoformat(), **extra}  # noqa: E731
    if procedure == "admission":
        late = rng.random() < 0.1
        decide_at = 56 + (95 if late else rng.randint(7, 60))
        return [
            ("open", "sympathiser", 0, {"resolution_date": d(0).isoformat(), "helper_id": 1}, None, None),
            ("submit_application", "application_submitted", 20, {"application_date": d(20).isoformat()}, None, None),
            ("verify_background", "background_verified", 40, {"date": d(40).isoformat(), "conclusion": "ok"}, None, None),
            ("collect_opinions", "opinions_collected", 50, {"date": d(50).isoformat(), "summary": "ok"}, None, None),
            ("cell_vote", "cell_approved", 56, {"vote": vote(d(56), 9), "outcome": "passed"}, "admission_decision", None),
            ("committee_vote", "committee_approved", 63, {"vote": vote(d(63), 7), "outcome": "passed"}, None, None),
            ("decide_admission", "admitted", decide_at, decision(decide_at), "ceremony", "admission_decision"),
            ("hold_ceremony", "completed", decide_at + 12, {"ceremony_date": d(decide_at + 12).isoformat()}, None, "ceremony"),
        ]
    if procedure == "probation":
        outcome = "official" if rng.random() < 0.9 else "struck_off"
        trigger = "recognise" if outcome == "official" else "strike_off"
        return [
            ("open", "on_probation", 0, {"ceremony_date": d(0).isoformat()}, None, None),
            ("submit_review", "under_review", 366, {"date": d(366).isoformat()}, None, None),
            ("cell_vote", "cell_approved", 380, {"vote": vote(d(380), 9), "proposal": "recognise"}, "recognition_decision", None),
            (trigger, outcome, 380 + rng.randint(5, 40), decision(380 + 20), None, "recognition_decision"),
        ]
    if procedure == "discipline":
        form = rng.choice(["reprimand", "reprimand", "warning", "removal_from_post", "expulsion"])
        return [
            ("open", "opened", 0, {"violation": "x", "violation_date": d(-30).isoformat(), "proposed_form": form}, None, None),
            ("record_self_review", "reviewed", 10, {"date": d(10).isoformat(), "summary": "x"}, None, None),
            ("cell_vote", "proposed", 20, {"vote": vote(d(20), 9, 7), "form": form}, None, None),
            ("decide_discipline", "in_force", 40, decision(40, form=form), None, None),
        ]
    final = {"strike_off": ("decide_strike_off", "struck_off"), "withdrawal": ("decide_withdrawal", "removed")}[procedure]
    return [
        ("open", "proposed" if procedure == "strike_off" else "requested", 0, {"date": d(0).isoformat()}, None, None),
        ("cell_vote", "cell_approved", 15, {"vote": vote(d(15), 9)}, None, None),
        ("committee_vote", "committee_approved", 25, {"vote": vote(d(25), 7)}, None, None),
        (final[0], final[1], 35, decision(35), None, None),
    ]


FINAL = {"admission": "completed", "probation": None, "discipline": "in_force", "strike_off": "struck_off",
         "withdrawal": "removed"}
DECIDING = {"decide_admission", "recognise", "strike_off", "decide_discipline", "decide_strike_off", "decide_withdrawal"}
MIX = [("admission", 40), ("probation", 35), ("discipline", 8), ("strike_off", 10), ("withdrawal", 7)]


def generate(url: str, cases: int, seed: int = 7) -> int:
    """Insert the data; return the subtree's root organisation id."""
    rng = random.Random(seed)
    calendar = WorkingCalendar()
    engine = create_engine(url)
    orgs, cells = [], {}
    next_id = 1
    for province in range(2):
        pid = next_id
        next_id += 1
        orgs.append({"id": pid, "parent_id": None, "name": f"Tỉnh {province}", "kind": "province_committee",
                     "admission_authority": False, "path": f"/{pid}/"})
        cells[province] = []
        for g in range(20):
            gid = next_id
            next_id += 1
            orgs.append({"id": gid, "parent_id": pid, "name": f"Đảng ủy {province}.{g}", "kind": "grassroots_committee",
                         "admission_authority": g % 2 == 0, "path": f"/{pid}/{gid}/"})
            for c in range(25):
                cid = next_id
                next_id += 1
                orgs.append({"id": cid, "parent_id": gid, "name": f"Chi bộ {province}.{g}.{c}", "kind": "cell",
                             "admission_authority": False, "path": f"/{pid}/{gid}/{cid}/"})
                cells[province].append((cid, f"/{pid}/{gid}/{cid}/", gid))
    now = datetime(2026, 11, 30, 2, tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(insert(Organisation), [{**o, "created_at": now} for o in orgs])
    weights = [w for _p, w in MIX]
    procedures = [p for p, _w in MIX]
    counts = [(0, cases), (1, cases // 10)]
    person_id = case_id = event_id = 0
    for province, total in counts:
        batch_p, batch_c, batch_e, batch_d, batch_v = [], [], [], [], []

        def flush():
            with engine.begin() as conn:
                for table, rows in ((Person, batch_p), (Case, batch_c), (Event, batch_e), (Deadline, batch_d),
                                    (Vote, batch_v)):
                    if rows:
                        conn.execute(insert(table), rows)
                        rows.clear()

        for _ in range(total):
            person_id += 1
            case_id += 1
            cell, path, grassroots = rng.choice(cells[province])
            procedure = rng.choices(procedures, weights)[0]
            start = date(2024, 9, 1) + timedelta(days=rng.randint(0, 700))
            steps = plan(procedure, start, rng)
            # 15% stay open somewhere along the way.
            if rng.random() < 0.15:
                steps = steps[: rng.randint(1, len(steps) - 1)]
            batch_p.append({"id": person_id, "organisation_id": cell, "full_name": f"Người {person_id}",
                            "birth_date": date(1990, 1, 1), "membership_status": "official", "flags": {},
                            "revision": 0, "holds_post": False, "created_at": now})
            deadlines, decided_on, state, closed_at = {}, None, None, None
            for seq, (trigger, to_state, offset, data, opens, closes) in enumerate(steps, start=1):
                day = start + timedelta(days=offset)
                event_id += 1
                batch_e.append({"id": event_id, "case_id": case_id, "seq": seq, "trigger": trigger,
                                "from_state": state, "to_state": to_state, "actor_id": None, "at": at(day),
                                "data": data, "comment": None})
                if "vote" in data:
                    v = data["vote"]
                    batch_v.append({"case_id": case_id, "event_seq": seq, "body": "cell", "held_on": day,
                                    "eligible": v["eligible"], "agree": v["agree"], "disagree": v["disagree"],
                                    "method": v["method"], "threshold": "two_thirds", "passed": True})
                if trigger in ("decide_strike_off",):
                    before = "probationary" if rng.random() < 0.2 else "official"
                    data = {**data, "effects": {"person_id": person_id,
                                                "person": {"membership_status": [before, "former"]}}}
                    batch_e[-1]["data"] = data
                if closes and closes in deadlines:
                    row = deadlines[closes]
                    # What the engine records when a step meets a deadline (effects._record_timing).
                    row.update(status="met", closed_at=at(day), met_on=day,
                               working_days_taken=calendar.working_days_between(row["started_on"], day),
                               working_days_allowed=calendar.working_days_between(row["started_on"], row["due_date"]))
                if opens:
                    days = 60 if opens == "admission_decision" else 30
                    deadlines[opens] = {"case_id": case_id, "kind": opens, "due_date": calendar.add_working_days(day, days),
                                        "role": "standing_committee", "status": "open",
                                        # The unit that must act: the cell holds the ceremony, the committee decides.
                                        "organisation_id": cell if opens == "ceremony" else grassroots,
                                        "opened_at": at(day), "closed_at": None, "legal_basis": "QĐ 24",
                                        "started_on": day, "met_on": None, "working_days_taken": None,
                                        "working_days_allowed": None}
                if trigger in DECIDING:
                    decided_on = date.fromisoformat(data["decision_date"])
                state = to_state
            final = FINAL.get(procedure) or ("official" if state == "official" else "struck_off")
            if state in (final, "admitted", "official", "struck_off"):
                closed_at = at(start + timedelta(days=steps[-1][2]))
                if state == "admitted":
                    closed_at = None
            batch_d.extend(deadlines.values())
            batch_c.append({"id": case_id, "procedure": procedure, "rule_set": "cpv-2025", "state": state,
                            "revision": len(steps), "organisation_id": cell, "organisation_path": path,
                            "person_id": person_id, "parent_case_id": None,
                            "data": {**{s[0]: s[3] for s in steps},
                                     **({"form": steps[-1][3]["form"]} if procedure == "discipline" and
                                        state == "in_force" else {})},
                            "opened_at": at(start),
                            "closed_at": closed_at, "decided_on": decided_on})
            if len(batch_c) >= 5000:
                flush()
        flush()
    with engine.begin() as conn:  # the inserts bypassed the engine: count the tallies the reports read
        rebuild(conn)
    engine.dispose()
    return 1


def measure(url: str, root: int, runs: int) -> dict[str, list[float]]:
    engine = make_engine(url)
    factory = make_session_factory(engine)
    calendar = CalendarSource(factory).get()
    calls = {
        "summary": lambda s: summary(s, organisation_id=root, date_from=PERIOD[0], date_to=PERIOD[1]),
        "statistics": lambda s: statistics(s, organisation_id=root, date_from=PERIOD[0], date_to=PERIOD[1]),
        "pipeline": lambda s: pipeline(s, calendar, organisation_id=root, today=TODAY, date_from=PERIOD[0],
                                       date_to=PERIOD[1]),
    }
    timings: dict[str, list[float]] = {name: [] for name in calls}
    cpu: dict[str, list[float]] = {name: [] for name in calls}
    full_gcs: dict[str, int] = {name: 0 for name in calls}
    current = [None]

    def count_full_gc(phase, info):  # Python's full collections: tens of ms each, they make the p95
        if phase == "start" and info["generation"] == 2 and current[0]:
            full_gcs[current[0]] += 1

    gc.callbacks.append(count_full_gc)
    try:
        for name, call in calls.items():
            for i in range(runs + 2):
                current[0] = name if i >= 2 else None  # two warm-up runs
                with factory() as session:
                    started, cpu_started = time.perf_counter(), time.process_time()
                    result = call(session)
                    elapsed = (time.perf_counter() - started) * 1000
                    cpu_ms = (time.process_time() - cpu_started) * 1000
                current[0] = None
                if i >= 2:
                    timings[name].append(elapsed)
                    cpu[name].append(cpu_ms)
            if name == "summary":
                print(f"    figures: {result}")
    finally:
        gc.callbacks.remove(count_full_gc)
    engine.dispose()
    return {name: (timings[name], cpu[name], full_gcs[name]) for name in calls}


def report(label: str, results: dict[str, tuple[list[float], list[float], int]], load_before: float) -> None:
    """Wall p50/p95, this process's CPU p50 (SQLite runs in-process: its CPU is the query's cost,
    whatever else loads the machine; for PostgreSQL it is only the client's share), and how many of
    the runs Python's full garbage collection fell into."""
    print(f"  (load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after, on {os.cpu_count()} cores)")
    for name, (values, cpu, full_gcs) in results.items():
        values = sorted(values)
        p95 = values[max(0, int(round(0.95 * len(values))) - 1)]
        verdict = "ok" if p95 < TARGET_MS else "OVER TARGET"
        print(f"  {label:10s} {name:10s} p50 {stats.median(values):7.1f} ms   p95 {p95:7.1f} ms   "
              f"cpu p50 {stats.median(cpu):6.1f} ms   full GCs {full_gcs:2d}/{len(values)}   "
              f"(target p95 < {TARGET_MS} ms: {verdict})")


def measure_and_report(label: str, url: str, root: int, runs: int) -> None:
    load_before = os.getloadavg()[0]
    report(label, measure(url, root, runs), load_before)


def run(label: str, url: str, cases: int, runs: int) -> None:
    print(f"{label}: migrating and generating {cases} cases (+{cases // 10} outside the subtree)…", flush=True)
    migrate(url)
    started = time.perf_counter()
    root = generate(url, cases)
    print(f"  generated in {time.perf_counter() - started:.1f} s", flush=True)
    # Statistics and a visibility map, as autovacuum would leave them (PostgreSQL needs VACUUM for
    # index-only scans of freshly loaded rows).
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"))
    engine.dispose()
    measure_and_report(label, url, root, runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--pg", default=os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL"),
                        help="PostgreSQL server URL (a scratch database is created on it and dropped)")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--sqlite-file", help="keep the SQLite database in this file; reuse it when it exists")
    parser.add_argument("--pg-keep", metavar="NAME", help="keep the PostgreSQL database NAME; reuse it when it exists")
    args = parser.parse_args()
    if args.sqlite_file and Path(args.sqlite_file).exists():
        url = f"sqlite:///{args.sqlite_file}"
        migrate(url)
        measure_and_report("sqlite", url, 1, args.runs)
    elif args.sqlite_file:
        run("sqlite", f"sqlite:///{args.sqlite_file}", args.cases, args.runs)
    elif not args.no_sqlite:
        with tempfile.TemporaryDirectory() as folder:
            run("sqlite", f"sqlite:///{folder}/bench.db", args.cases, args.runs)
    if args.pg:
        server = args.pg.replace("postgresql://", "postgresql+psycopg://", 1)
        name = args.pg_keep or f"qt_bench_reports_{uuid.uuid4().hex[:8]}"
        url = server.rsplit("/", 1)[0] + "/" + name
        admin = create_engine(server, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first()
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            if exists:
                migrate(url)
                measure_and_report("postgresql", url, 1, args.runs)
            else:
                run("postgresql", url, args.cases, args.runs)
        finally:
            if not args.pg_keep:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    else:
        print("postgresql: skipped (set BENCH_DATABASE_URL or pass --pg URL)")


if __name__ == "__main__":
    main()
