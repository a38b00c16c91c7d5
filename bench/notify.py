"""What the new-task fan-out costs a transition (issue «Notifications»: under 10 % of the engine's time).

    .venv/bin/python bench/notify.py [--cases 150] [--pg postgresql+psycopg://postgres@127.0.0.1:5432/postgres]

The transition writes nothing for notifications (scheduler/notify.py reads the event log afterwards), so
the only cost it can pay is contention: the fan-out's reads and writes beside it. The same admission steps
(cell vote, committee vote, decision) are timed on two sets of cases in interleaved chunks: once alone, once
while a scheduler process runs the fan-out every 50 ms. Prints ms per transition each way and the ratio, and
the fan-out's own throughput (events read per second). Never a timed assertion.
"""
from __future__ import annotations

import argparse
import os
import sys
import multiprocessing
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from transition import at_day, build_tree, migrate, prepare, scratch_postgres, scratch_sqlite, timed_steps  # noqa: E402

from models import make_engine, make_session_factory  # noqa: E402
from scheduler.mail import MailSettings  # noqa: E402
from scheduler.notify import fan_out  # noqa: E402
from workflows.engine import Runtime, fire  # noqa: E402


def scheduler(url: str, stop, counts) -> None:
    """A scheduler process: the fan-out every 50 ms, as `flask --app app scheduler` would run it, until stopped."""
    rt = Runtime(session_factory=make_session_factory(make_engine(url)))
    events, seconds = 0, 0.0
    while not stop.is_set():
        started = time.perf_counter()
        events += fan_out(rt, MailSettings(), escalate_after=0).events
        seconds += time.perf_counter() - started
        time.sleep(0.05)
    counts.put((events, seconds))


def run(url: str, cases: int, chunk: int) -> None:
    migrate(url)
    rt = Runtime(session_factory=make_session_factory(make_engine(url)))
    ids = build_tree(rt)
    fan_out(rt, MailSettings(), escalate_after=0)  # the cursor starts at the end of the log
    alone, beside = prepare(rt, ids, cases), prepare(rt, ids, cases)
    fan_out(rt, MailSettings(), escalate_after=0)
    steps = timed_steps(ids)
    runtimes = {day: at_day(rt, day) for _, _, day, _ in steps}
    spent = {"alone": 0.0, "beside": 0.0}
    fanned = {"events": 0, "seconds": 0.0}
    stop = multiprocessing.Event()
    counts = multiprocessing.Queue()

    def walk(chosen) -> float:
        started = time.perf_counter()
        for case_id, revision in chosen:
            for trigger, actor, day, data in steps:
                revision = fire(runtimes[day], case_id=case_id, trigger=trigger, actor_id=actor, data=data,
                                revision=revision).revision
        return time.perf_counter() - started

    for offset in range(0, cases, chunk):
        spent["alone"] += walk(alone[offset: offset + chunk])
        stop.clear()
        process = multiprocessing.Process(target=scheduler, args=(url, stop, counts))
        process.start()
        time.sleep(0.5)  # the scheduler process is up (its imports are not the transition's cost)
        spent["beside"] += walk(beside[offset: offset + chunk])
        stop.set()
        process.join()
        events, seconds = counts.get()
        fanned["events"] += events
        fanned["seconds"] += seconds
    n = cases * len(steps)
    a, b = spent["alone"] / n * 1000, spent["beside"] / n * 1000
    dialect = url.split(":")[0]
    print(f"{dialect}: transition alone {a:.2f} ms, beside the fan-out {b:.2f} ms, ratio={b / a:.3f} "
          f"(goal < 1.10); fan-out read {fanned['events']} events in {fanned['seconds']:.2f} s "
          f"({fanned['events'] / max(fanned['seconds'], 1e-9):.0f} events/s)", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=150)
    parser.add_argument("--chunk", type=int, default=25)
    parser.add_argument("--pg", default=os.environ.get("BENCH_DATABASE_URL"))
    args = parser.parse_args()
    url, cleanup = scratch_sqlite()
    try:
        run(url, args.cases, args.chunk)
    finally:
        cleanup()
    if args.pg:
        url, cleanup = scratch_postgres(args.pg.replace("postgresql://", "postgresql+psycopg://", 1))
        try:
            run(url, args.cases, args.chunk)
        finally:
            cleanup()


if __name__ == "__main__":
    main()
