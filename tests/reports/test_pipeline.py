"""The pipeline: open cases per organisation, procedure and state; overdue deadlines by the unit that must act;
working days each deadline-bound step took, against the allowed."""
from __future__ import annotations

from datetime import date, timedelta

from tests.support.flows import add_person
from workflows.demo.walk import admission_plan, walk
from workflows.reports.pipeline import percentile, pipeline, pipeline_tables

TODAY = date(2026, 11, 30)
YEAR = dict(date_from=date(2026, 1, 1), date_to=date(2026, 11, 30))


def admit(runtime, world, key, cell, start, until):
    add_person(runtime, world, key, cell, status="none", born=date(1996, 1, 1))
    plan = admission_plan(world.people[f"{cell}_m1"], (world.people[f"{cell}_m2"], world.people[f"{cell}_m3"]), start)
    return walk(runtime, plan, person_id=world.people[key], organisation_id=world.orgs[cell],
                actor_for=world.actor_for(cell), procedure="admission", until=until)


def test_percentile_is_nearest_rank():
    """Nearest-rank percentiles over a value → count histogram."""
    assert percentile({1: 1, 2: 1, 3: 1, 4: 1}, 50) == 2
    assert percentile({1: 1, 2: 1, 3: 1, 4: 1}, 90) == 4
    assert percentile({7: 10}, 90) == 7


def test_pipeline_counts_open_cases_overdue_deadlines_and_step_timings(runtime, world):
    """Three decided admissions give the decision timings computed independently; a stuck case is overdue at the
    committee that must decide, an undone ceremony at the cell."""
    starts = [date(2026, 1, 12), date(2026, 2, 9), date(2026, 4, 6)]
    for i, start in enumerate(starts):
        admit(runtime, world, f"a{i}", "cell1", start, "completed")
    admit(runtime, world, "stuck", "cell2", date(2026, 3, 2), "cell_approved")  # decision due long ago
    admit(runtime, world, "nocer", "cell1", date(2026, 5, 4), "admitted")  # ceremony due long ago
    cal = runtime.calendar()
    taken = sorted(cal.working_days_between(s + timedelta(days=56), s + timedelta(days=70)) for s in starts + [date(2026, 5, 4)])
    allowed = [60] * 4
    with runtime.session_factory() as s:
        p = pipeline(s, cal, organisation_id=world.orgs["commune"], today=TODAY, **YEAR)
    timing = {t.kind: t for t in p.timings}["admission_decision"]
    assert (timing.count, timing.median, timing.p90, timing.allowed_median, timing.late) == (
        4, taken[1], taken[3], allowed[0], 0)
    ceremony = {t.kind: t for t in p.timings}["ceremony"]
    assert ceremony.count == 3 and ceremony.median == cal.working_days_between(starts[0] + timedelta(days=70),
                                                                                 starts[0] + timedelta(days=80))
    overdue = {(o.name, kind): n for o, kind, n in p.overdue}
    assert overdue == {("Đảng ủy xã Tân Phú", "admission_decision"): 1, ("Chi bộ thôn 1", "ceremony"): 1}
    open_cases = {(o.name, proc, state): n for o, proc, state, n in p.open_cases}
    assert open_cases[("Chi bộ thôn 2", "admission", "cell_approved")] == 1
    assert open_cases[("Chi bộ thôn 1", "admission", "admitted")] == 1
    assert open_cases[("Chi bộ thôn 1", "probation", "on_probation")] == 3  # opened by the ceremonies
    tables = {t.key: t for t in pipeline_tables(p)}
    assert tables["timings"].headers[0] == "Bước (thời hạn)" and len(tables["timings"].rows) == 2


def test_a_cell_sees_its_own_deadlines_not_the_committee_s(runtime, world):
    """In a cell's pipeline the overdue decision belongs to the commune, so only the cell's ceremony counts."""
    admit(runtime, world, "stuck", "cell1", date(2026, 3, 2), "cell_approved")
    admit(runtime, world, "nocer", "cell1", date(2026, 5, 4), "admitted")
    with runtime.session_factory() as s:
        p = pipeline(s, runtime.calendar(), organisation_id=world.orgs["cell1"], today=TODAY, **YEAR)
    assert [(o.name, kind, n) for o, kind, n in p.overdue] == [("Chi bộ thôn 1", "ceremony", 1)]
    assert {(proc, state) for _o, proc, state, _n in p.open_cases} == {("admission", "cell_approved"),
                                                                       ("admission", "admitted")}
