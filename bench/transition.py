"""Benchmark: an admission transition through the engine vs a raw-SQL twin (quality.md Performance 1, 2).

    .venv/bin/python bench/transition.py                  # SQLite, and PostgreSQL if BENCH_DATABASE_URL
                                                          # or TEST_DATABASE_URL is set
    .venv/bin/python bench/transition.py --pg postgresql+psycopg://postgres@127.0.0.1:5432/postgres
    .venv/bin/python bench/transition.py --cases 1000 --memory-transitions 100000 --profile

Per dialect, --cases cases are walked (untimed) to `opinions_collected` for each
side; then each side takes every case through cell_vote, committee_vote and
decide_admission, in interleaved chunks: the engine with `fire`, the twin with
the stdlib sqlite3 / psycopg and hand-written SQL doing the same reads (case,
actor and roles, organisation chain, person, open deadlines, introducers) and
the same writes (case with revision check, event, vote, deadlines opened and
met, person, the issued document's register number and facts, the decision
number's search row, audit row; one COMMIT). Prints ratio=<engine/raw> (target ≤ 2.0),
the shared state machine's cost per transition (target ≤ 1 ms), and memory
after 1k vs after --memory-transitions engine transitions (target: flat).
A bench prints figures; it never asserts on time.
"""
from __future__ import annotations

import argparse
import cProfile
import gc
import io
import os
import pstats
import resource
import shutil
import sys
import tempfile
import time
import tracemalloc
import uuid
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, text  # noqa: E402
from transition_twin import TIMED, Twin  # noqa: E402  (bench/: the raw-SQL twin)

from models import make_engine, make_session_factory, write_transaction  # noqa: E402
from workflows.accounts.accounts import (  # noqa: E402
    assign_role,
    create_user,
    use_fast_hashes_for_tests,
)
from workflows.demo.walk import admission_plan, at_day  # noqa: E402
from workflows.directory.directory import create_organisation, create_person  # noqa: E402
from workflows.engine import FixedClock, Runtime, check_cases, fire, open_case  # noqa: E402
from workflows.engine.machine import machine_for  # noqa: E402
from workflows.engine.record_check import check_record  # noqa: E402
from workflows.procedures.registry import get_procedure  # noqa: E402

# The rows both sides must have written alike (counted per side after the run).
SHAPE_TABLES = ("events", "votes", "deadlines", "issued_forms", "form_numbers", "decision_numbers")
START = date(2026, 3, 2)  # the plan's cell resolution; vote +56, committee +63, decision +70


# ---------------------------------------------------------------- setup (untimed)


def migrate(url: str) -> None:
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).resolve().parent.parent / "migrations"))
    cfg.attributes["url"] = url
    command.upgrade(cfg, "heads")


def build_tree(rt: Runtime) -> dict:
    """Province → commune (delegated admission authority) → cell; one user per role; four official members."""
    use_fast_hashes_for_tests()  # users of a bench never log in
    ids: dict = {}
    with write_transaction(rt.session_factory) as s:
        province = create_organisation(s, name="Đảng bộ tỉnh", kind="province_committee")
        commune = create_organisation(s, name="Đảng ủy xã", kind="grassroots_committee", parent_id=province.id,
                                      admission_authority=True)
        cell = create_organisation(s, name="Chi bộ thôn 1", kind="cell", parent_id=commune.id)
        ids["cell"] = cell.id
        for role, org in (("cell_secretary", cell), ("committee_member", commune), ("organisation_officer", commune),
                          ("standing_committee", commune)):
            user = create_user(s, username=role, password="bench password 1", display_name=role, check_policy=False)
            assign_role(s, user_id=user.id, organisation_id=org.id, role=role)
            ids[role] = user.id
        ids["members"] = [create_person(s, organisation_id=cell.id, membership_status="official",
                                        full_name=f"Đảng viên {i}", birth_date=date(1975 + i, 3, 1),
                                        education="higher", joined_on="2010-05-19", official_on="2011-05-19").id
                          for i in range(4)]
    return ids


def prepare(rt: Runtime, ids: dict, count: int) -> list[tuple[int, int]]:
    """`count` cases walked by the engine to opinions_collected: [(case id, revision)]."""
    with write_transaction(rt.session_factory) as s:
        people = [create_person(s, organisation_id=ids["cell"], full_name=f"Quần chúng {i}",
                                birth_date=date(1995, 1, 1) + timedelta(days=i % 3000), education="higher").id
                  for i in range(count)]
    plan = admission_plan(ids["members"][0], (ids["members"][1], ids["members"][2]), START)
    runtimes = {day: at_day(rt, day) for _, _, day, _ in plan}
    cases = []
    for person in people:
        case = None
        for trigger, role, day, data in plan[:4]:
            if trigger == "open":
                case = open_case(runtimes[day], procedure="admission", person_id=person, organisation_id=ids["cell"],
                                 actor_id=ids[role], data=data)
            else:
                case = fire(runtimes[day], case_id=case.id, trigger=trigger, actor_id=ids[role], data=data,
                            revision=case.revision)
        cases.append((case.id, case.revision))
    return cases


def timed_steps(ids: dict) -> list[tuple[str, int, date, dict]]:
    plan = admission_plan(ids["members"][0], (ids["members"][1], ids["members"][2]), START)
    return [(t, ids[role], day, data) for t, role, day, data in plan if t in TIMED]


# ---------------------------------------------------------------- measurements


def compare(rt: Runtime, url: str, ids: dict, cases: int, chunk: int, profile: bool) -> dict:
    """Engine and twin over the same number of transitions, interleaved in chunks; seconds per side."""
    engine_cases = prepare(rt, ids, cases)
    twin_cases = prepare(rt, ids, cases)
    steps = timed_steps(ids)
    runtimes = {day: at_day(rt, day) for _, _, day, _ in steps}
    with rt.session_factory() as s:
        if s.bind.dialect.name == "sqlite":
            columns = {row[1] for row in s.execute(text("PRAGMA table_info(deadlines)"))}
        else:
            columns = set(s.execute(text("SELECT column_name FROM information_schema.columns "
                                         "WHERE table_name = 'deadlines'")).scalars())
    calendar = rt.calendar()
    calendar.add_working_days(START, 500)  # load the years both sides touch before the clock starts
    twin = Twin(url, calendar, columns)
    spent = {"engine": 0.0, "raw": 0.0, "engine_cpu": 0.0, "raw_cpu": 0.0}
    profiler = cProfile.Profile() if profile else None
    for offset in range(0, cases, chunk):
        started, cpu = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        for case_id, revision in engine_cases[offset: offset + chunk]:
            for trigger, actor, day, data in steps:
                revision = fire(runtimes[day], case_id=case_id, trigger=trigger, actor_id=actor, data=data,
                                revision=revision).revision
        if profiler:
            profiler.disable()
        spent["engine"] += time.perf_counter() - started
        spent["engine_cpu"] += time.process_time() - cpu
        started, cpu = time.perf_counter(), time.process_time()
        for case_id, revision in twin_cases[offset: offset + chunk]:
            for trigger, actor, day, data in steps:
                revision = twin.fire(case_id, trigger, actor, data, revision, day)
        spent["raw"] += time.perf_counter() - started
        spent["raw_cpu"] += time.process_time() - cpu
    twin.conn.close()
    with rt.session_factory() as s:
        mismatches = list(check_cases(s))
        mismatches += check_record(s)[0]  # both sides' rows link into the record's chains (models/record.py)
        shapes = {}
        for side, chosen in (("engine", engine_cases), ("raw", twin_cases)):
            id_list = ",".join(str(c) for c, _ in chosen)
            shapes[side] = tuple(s.execute(text(f"SELECT count(*) FROM {table} WHERE case_id IN ({id_list})")).scalar()
                                 for table in SHAPE_TABLES)
    if mismatches or shapes["engine"] != shapes["raw"]:
        raise SystemExit(f"the twin does not write what the engine writes: {mismatches[:3]} {shapes}")
    result = {**spent, "transitions": cases * len(steps), "rows": shapes["engine"]}
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(os.environ.get("BENCH_PROFILE_SORT", "cumulative")).print_stats(int(os.environ.get("BENCH_PROFILE_LINES", "35")))
        result["profile"] = out.getvalue()
    return result


def machine_cost(iterations: int, cold: bool = True) -> tuple[float, int]:
    """Mean seconds of one machine call and the models left attached afterwards.

    cold: `machine.fire` (a token bound to the shared `transitions` machine, fired and unbound: what the
    first call for a (state, trigger, outcome) costs); else `machine_for(definition).next_state(...)` as
    the engine calls it (the machine's remembered answer after the first call).
    """
    definition = get_procedure("admission", "cpv-2025")
    calls = [("opinions_collected", "cell_vote", "passed"), ("cell_approved", "committee_vote", "failed"),
             ("committee_approved", "decide_admission", None), ("admitted", "hold_ceremony", None)]

    def call(state, trigger, outcome):
        machine = machine_for(definition)
        return machine.fire(state, trigger, outcome) if cold else machine.next_state(state, trigger, outcome)

    for state, trigger, outcome in calls * 100:  # warm up
        call(state, trigger, outcome)
    started = time.perf_counter()
    for i in range(iterations):
        state, trigger, outcome = calls[i % len(calls)]
        call(state, trigger, outcome)
    return (time.perf_counter() - started) / iterations, machine_for(definition).model_count


def rss_kib() -> tuple[int, int]:
    """(current, lifetime peak) resident set size in KiB."""
    with open("/proc/self/statm") as f:
        current = int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024
    return current, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def memory(rt: Runtime, ids: dict, transitions: int, pool: int, trace: bool) -> dict:
    """Engine transitions cycling verify_background / return_for_rework over `pool` cases.

    Sampled after 1k and after `transitions`: RSS (current and peak), the number of objects the garbage
    collector tracks, traced Python memory when `trace`, and the models attached to the shared machine.
    """
    with write_transaction(rt.session_factory) as s:
        people = [create_person(s, organisation_id=ids["cell"], full_name=f"Người {i}", birth_date=date(1990, 1, 1),
                                education="higher").id for i in range(pool)]
    plan = admission_plan(ids["members"][0], (ids["members"][1], ids["members"][2]), START)
    cases = []
    for person in people:
        case = open_case(at_day(rt, plan[0][2]), procedure="admission", person_id=person, organisation_id=ids["cell"],
                         actor_id=ids["cell_secretary"], data=plan[0][3])
        case = fire(at_day(rt, plan[1][2]), case_id=case.id, trigger="submit_application",
                    actor_id=ids["cell_secretary"], data=plan[1][3])
        cases.append([case.id, case.revision])
    forward = ("verify_background", ids["organisation_officer"], plan[2][3])
    back = ("return_for_rework", ids["cell_secretary"], {"reason": "Bổ sung lý lịch."})
    rt_day = at_day(rt, plan[2][2])
    machine = machine_for(get_procedure("admission", "cpv-2025"))
    samples = {}
    if trace:
        tracemalloc.start()
    done, started = 0, time.perf_counter()
    while done < transitions:
        for entry in cases:
            trigger, actor, data = forward if entry[1] % 2 == 0 else back
            entry[1] = fire(rt_day, case_id=entry[0], trigger=trigger, actor_id=actor, data=data,
                            revision=entry[1]).revision
            done += 1
            if done in (1000, transitions):
                gc.collect()
                rss, peak = rss_kib()
                samples[done] = {"rss": rss, "peak": peak, "objects": len(gc.get_objects()), "models": machine.model_count,
                                 "traced": tracemalloc.get_traced_memory() if trace else None}
                if trace:
                    tracemalloc.reset_peak()  # the second sample's peak is the peak since the first
            if done >= transitions:
                break
    if trace:
        tracemalloc.stop()
    return {"samples": samples, "seconds": time.perf_counter() - started}


# ---------------------------------------------------------------- databases and main


def scratch_sqlite() -> tuple[str, callable]:
    folder = tempfile.mkdtemp(prefix="bench-transition-")
    return f"sqlite:///{Path(folder) / 'bench.db'}", lambda: shutil.rmtree(folder, ignore_errors=True)


def scratch_postgres(server: str) -> tuple[str, callable]:
    server = server.replace("postgresql://", "postgresql+psycopg://", 1)
    name = f"bench_transition_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as conn:
            conn.execute(text(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}' "
                              "AND pid <> pg_backend_pid()"))
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()

    return server.rsplit("/", 1)[0] + "/" + name, drop


def run_dialect(label: str, url: str, drop, args) -> None:
    try:
        migrate(url)
        engine = make_engine(url)
        rt = Runtime(session_factory=make_session_factory(engine),
                     clock=FixedClock(datetime(2026, 11, 30, 2, 0, tzinfo=timezone.utc)))
        ids = build_tree(rt)
        r = compare(rt, url, ids, args.cases, args.chunk, args.profile)
        per = {side: r[side] / r["transitions"] * 1000 for side in ("engine", "raw", "engine_cpu", "raw_cpu")}
        print(f"{label}: {r['transitions']} transitions per side (cell_vote, committee_vote, decide_admission; "
              f"rows {'/'.join(SHAPE_TABLES)} {r['rows']} each side)")
        print(f"{label}: engine {per['engine']:.3f} ms/transition (CPU {per['engine_cpu']:.3f}), "
              f"raw twin {per['raw']:.3f} ms/transition (CPU {per['raw_cpu']:.3f})")
        print(f"{label}: ratio={r['engine'] / r['raw']:.2f}  (target ≤ 2.0; CPU-time ratio "
              f"{r['engine_cpu'] / r['raw_cpu']:.2f})")
        if args.profile:
            print(f"{label}: cProfile of the engine side, by cumulative time:\n{r['profile']}")
        if label == args.memory_on and args.memory_transitions:
            m = memory(rt, ids, args.memory_transitions, args.pool, args.tracemalloc)
            n = max(m["samples"])
            for done in sorted(m["samples"]):
                x = m["samples"][done]
                traced = (f", traced {x['traced'][0] / 1024:.0f} KiB (peak {x['traced'][1] / 1024:.0f} KiB)"
                          if x["traced"] is not None else "")
                print(f"{label}: memory after {done} engine transitions: RSS {x['rss']} KiB (peak {x['peak']} KiB), "
                      f"gc objects {x['objects']}{traced}; models attached {x['models']}")
            first, last = m["samples"][min(m["samples"])], m["samples"][n]
            print(f"{label}: growth from 1k to {n}: RSS {last['rss'] - first['rss']:+d} KiB, peak RSS "
                  f"{last['peak'] - first['peak']:+d} KiB, "
                  f"gc objects {last['objects'] - first['objects']:+d} ({m['seconds']:.0f} s)")
            assert last["models"] == 0, "models left attached to the shared machine"
        engine.dispose()
    finally:
        drop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=250, help="cases per side (3 timed transitions each)")
    parser.add_argument("--chunk", type=int, default=25, help="cases per interleaved chunk")
    parser.add_argument("--pg", default=os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL"),
                        help="PostgreSQL server URL (a scratch database is created and dropped)")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--machine-iterations", type=int, default=20_000, help="timed next_state calls")
    parser.add_argument("--machine-memory-calls", type=int, default=100_000,
                        help="next_state calls between the two memory samples (traced)")
    parser.add_argument("--memory-transitions", type=int, default=3000,
                        help="engine transitions for the memory check (100000 for the full figure; 0 skips)")
    parser.add_argument("--tracemalloc", action="store_true", help="also trace Python allocations (about 2x slower)")
    parser.add_argument("--memory-on", default="sqlite", choices=("sqlite", "postgresql"))
    parser.add_argument("--pool", type=int, default=300, help="cases the memory check cycles over")
    parser.add_argument("--profile", action="store_true", help="cProfile the engine side")
    args = parser.parse_args()
    print("load average at start: %.1f %.1f %.1f on %d CPUs (figures are side by side; ratios, not absolutes)"
          % (*os.getloadavg(), os.cpu_count()))
    per_call, attached = machine_cost(args.machine_iterations)
    warm, _ = machine_cost(args.machine_iterations, cold=False)
    print(f"machine: a transition through the shared machine (token bound, fired, unbound) {per_call * 1000:.4f} ms "
          f"over {args.machine_iterations} calls (target ≤ 1 ms); as the engine calls it (next_state, the "
          f"machine's remembered answer) {warm * 1000:.4f} ms; models attached afterwards: {attached}")
    assert attached == 0, "models left attached to the shared machine"
    tracemalloc.start()
    machine_cost(1000)
    gc.collect()
    after_1k = tracemalloc.get_traced_memory()[0]
    machine_cost(args.machine_memory_calls)
    gc.collect()
    after_n, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"machine: traced memory after 1k transitions {after_1k / 1024:.1f} KiB, after {args.machine_memory_calls} "
          f"more {after_n / 1024:.1f} KiB (peak {peak / 1024:.1f} KiB); models attached: "
          f"{machine_for(get_procedure('admission', 'cpv-2025')).model_count}")
    if not args.no_sqlite:
        run_dialect("sqlite", *scratch_sqlite(), args)
    if args.pg:
        run_dialect("postgresql", *scratch_postgres(args.pg), args)
    else:
        print("postgresql: skipped (pass --pg URL or set BENCH_DATABASE_URL)")


if __name__ == "__main__":
    main()
