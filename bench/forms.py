"""Rendering the generated documents (issue 15): p50/p95 per format for a one-page decision, and a batch of
200 one-page decisions (a month's decisions of a province) with the process's memory along the way.

Run by hand (never in the suite): `.venv/bin/python bench/forms.py [--runs 60] [--batch 200]`.
It loads the demo province into a scratch SQLite database for real facts, then draws documents from the
stored facts exactly as a download does (workflows/forms/render.py). Goal (issue 15): one-page PDF p95
under 300 ms on this machine, memory flat over the batch.
"""
from __future__ import annotations

import argparse
import copy
import gc
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from models import IssuedForm, make_engine, make_session_factory  # noqa: E402
from workflows.demo import load_demo  # noqa: E402
from workflows.engine import Runtime  # noqa: E402
from workflows.forms.dossier import draw_dossier  # noqa: E402
from workflows.forms.render import render  # noqa: E402


def migrate(url: str) -> None:
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    cfg.attributes["url"] = url
    command.upgrade(cfg, "heads")


def rss_mib() -> float:
    """Resident memory of this process (Linux /proc)."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def demo_facts() -> list[dict]:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'forms-bench.db'}"
        migrate(url)
        engine = make_engine(url)
        rt = Runtime(session_factory=make_session_factory(engine))
        load_demo(rt)
        with rt.session_factory() as s:
            facts = list(s.scalars(select(IssuedForm.facts).order_by(IssuedForm.id)))
        engine.dispose()
    return facts


def one_page(facts: dict, fmt: str, runs: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU milliseconds per render. On a shared machine the wall time grows with the others'
    load; the process's CPU time is what one render costs, i.e. its wall time on an idle core."""
    render(facts, fmt)  # warm: templates compiled, faces parsed once per process
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        render(facts, fmt)
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return wall, cpu


def batch(decisions: list[dict], size: int, fmt: str) -> tuple[float, list[float]]:
    """`size` documents drawn one after another (each its own file, as issuing them does); RSS every quarter."""
    memory = [rss_mib()]
    start, start_cpu = time.perf_counter(), time.process_time()
    for i in range(size):
        facts = copy.deepcopy(decisions[i % len(decisions)])
        facts["number"] = f"{i + 1}-QĐ/TU"
        render(facts, fmt)
        if (i + 1) % max(1, size // 4) == 0:
            gc.collect()
            memory.append(rss_mib())
    return time.perf_counter() - start, time.process_time() - start_cpu, memory


def transition_cost(cases: int, chunk: int = 10) -> None:
    """The register and the stored facts inside the transition: bench/transition.py's three timed admission
    steps (cell vote, committee vote, decision — each issues a form) with issuing on and off, interleaved."""
    sys.path.insert(0, str(ROOT / "bench"))
    import transition as tb  # noqa: E402  (bench/transition.py: its tree, cases and steps)
    from workflows.demo.walk import at_day
    from workflows.engine import fire
    from workflows.engine import transitions

    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'transition-forms.db'}"
        migrate(url)
        engine = make_engine(url)
        rt = Runtime(session_factory=make_session_factory(engine),
                     clock=tb.FixedClock(tb.datetime(2026, 11, 30, 2, 0, tzinfo=tb.timezone.utc)))
        ids = tb.build_tree(rt)
        with_forms, without = tb.prepare(rt, ids, cases), tb.prepare(rt, ids, cases)
        steps = tb.timed_steps(ids)
        runtimes = {day: at_day(rt, day) for _, _, day, _ in steps}
        take = transitions.issuing.take_numbers
        spent = {True: [0.0, 0.0], False: [0.0, 0.0]}
        for offset in range(0, cases, chunk):
            for issuing, batch_cases in ((True, with_forms), (False, without)):
                transitions.issuing.take_numbers = take if issuing else (lambda *a, **k: [])
                started, cpu = time.perf_counter(), time.process_time()
                for case_id, revision in batch_cases[offset: offset + chunk]:
                    for trigger, actor, day, data in steps:
                        revision = fire(runtimes[day], case_id=case_id, trigger=trigger, actor_id=actor, data=data,
                                        revision=revision).revision
                spent[issuing][0] += time.perf_counter() - started
                spent[issuing][1] += time.process_time() - cpu
        transitions.issuing.take_numbers = take
        engine.dispose()
    n = cases * len(steps)
    on, off = spent[True], spent[False]
    print(f"transition (SQLite, {n} each way): with the documents' numbers and facts {on[0] / n * 1000:.2f} ms wall "
          f"{on[1] / n * 1000:.2f} ms cpu; without {off[0] / n * 1000:.2f} ms wall {off[1] / n * 1000:.2f} ms cpu; "
          f"ratio (cpu) {on[1] / off[1]:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=60, help="renders per format for the one-page figures")
    parser.add_argument("--batch", type=int, default=200, help="documents in the batch")
    parser.add_argument("--transitions", type=int, default=100, help="cases per side for the transition's cost "
                                                                     "(0 skips)")
    args = parser.parse_args()
    if args.transitions:
        transition_cost(args.transitions)
    facts = demo_facts()
    decision = next(f for f in facts if f["form"] == "9-KND")
    decisions = [f for f in facts if f["kind"] == "decision"]
    print(f"demo: {len(facts)} issued documents, {len(decisions)} decisions; load average {os.getloadavg()[0]:.1f}")
    print("one-page decision (9-KND), ms:")
    for fmt in ("pdf", "docx"):
        wall, cpu = one_page(decision, fmt, args.runs)
        size = len(render(decision, fmt))
        print(f"  {fmt:4}  wall p50 {statistics.median(wall):6.1f}  p95 {percentile(wall, 95):6.1f} | "
              f"cpu p50 {statistics.median(cpu):6.1f}  p95 {percentile(cpu, 95):6.1f}  ({args.runs} runs, {size // 1024} KiB)")
    for fmt in ("pdf", "docx"):
        seconds, cpu, memory = batch(decisions, args.batch, fmt)
        print(f"batch of {args.batch} one-page decisions, {fmt}: {seconds:.1f} s wall, {cpu:.1f} s cpu "
              f"({cpu / args.batch * 1000:.0f} ms cpu each); RSS MiB at 0/25/50/75/100%: "
              + " ".join(f"{m:.0f}" for m in memory))
    start, start_cpu = time.perf_counter(), time.process_time()
    pages = [dict(decisions[i % len(decisions)], number=f"{i + 1}-QĐ/TU") for i in range(args.batch)]
    content = draw_dossier("Lô quyết định của tháng", pages)
    print(f"the same {args.batch} decisions as one PDF with a table of contents: "
          f"{time.perf_counter() - start:.1f} s wall, {time.process_time() - start_cpu:.1f} s cpu, "
          f"{len(content) // 1024} KiB")


if __name__ == "__main__":
    main()
