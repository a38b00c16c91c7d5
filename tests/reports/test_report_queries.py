"""The report queries' shapes against counts derived here from rows written straight into the tables, for
what the engine's own flows rarely produce: a strike-off decided twice (the latest decision's recorded status
counts), and open cases of one organisation under two paths. Also: the report indexes the models declare are
the ones the migrations create."""
from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import insert, inspect, select

from models import Base, Case, Event, Organisation, Person
from workflows.reports.pipeline import pipeline
from workflows.reports.statistics import live_statistics as statistics
from workflows.reports.statistics import live_summary as summary

AT = datetime(2026, 6, 1, 2, 0, tzinfo=timezone.utc)
YEAR = dict(date_from=date(2026, 1, 1), date_to=date(2026, 12, 31))


def _person(s, org_id: int, status: str) -> int:
    return s.execute(insert(Person).values(organisation_id=org_id, full_name="Người thử", birth_date=date(1990, 1, 1),
                                           membership_status=status, flags={}, revision=0, holds_post=False,
                                           created_at=AT).returning(Person.id)).scalar_one()


def _strike_off(s, org: Organisation, decided: date, statuses: list[str]) -> None:
    """A struck-off case whose strike-off decisions (one per status before, in order) all stand in its events."""
    person = _person(s, org.id, "former")
    case_id = s.execute(insert(Case).values(
        procedure="strike_off", rule_set="cpv-2025", state="struck_off", revision=1 + 2 * len(statuses),
        organisation_id=org.id, organisation_path=org.path, person_id=person, data={}, opened_at=AT, closed_at=AT,
        decided_on=decided).returning(Case.id)).scalar_one()
    events = [dict(seq=1, trigger="open", from_state=None, to_state="proposed", data={})]
    for status in statuses:
        seq = len(events) + 1
        if len(events) > 1:  # a revoked decision reopens the case before the next one
            events.append(dict(seq=seq, trigger="revoke", from_state="struck_off", to_state="committee_approved",
                               data={}))
            seq += 1
        events.append(dict(seq=seq, trigger="decide_strike_off", from_state="committee_approved", to_state="struck_off",
                           data={"decision_date": decided.isoformat(),
                                 "effects": {"person_id": person, "person": {"membership_status": [status, "former"]}}}))
    s.execute(insert(Event), [{**e, "case_id": case_id, "actor_id": None, "at": AT, "comment": None} for e in events])


def _discipline(s, org: Organisation, decided: date, form: str) -> None:
    s.execute(insert(Case).values(
        procedure="discipline", rule_set="cpv-2025", state="in_force", revision=4, organisation_id=org.id,
        organisation_path=org.path, person_id=_person(s, org.id, "official"), data={"form": form}, opened_at=AT,
        closed_at=AT, decided_on=decided))


def test_a_strike_off_decided_twice_counts_by_the_status_its_latest_decision_recorded(runtime, world):
    """Probationary, then (after a revocation) official: not a probationary strike-off; the other way round: one.
    Each breakdown adds up to the same figure, a case of the commune itself included (its own row)."""
    with runtime.session_factory() as s:
        cell1, cell3 = s.get(Organisation, world.orgs["cell1"]), s.get(Organisation, world.orgs["cell3"])
        commune = s.get(Organisation, world.orgs["commune"])
        _strike_off(s, cell1, date(2026, 3, 10), ["probationary", "official"])
        _strike_off(s, cell1, date(2026, 4, 20), ["official", "probationary"])
        _strike_off(s, cell3, date(2026, 4, 21), ["probationary"])
        _strike_off(s, cell3, date(2026, 5, 5), ["official"])
        _strike_off(s, cell3, date(2025, 5, 5), ["probationary"])  # another year
        _strike_off(s, commune, date(2026, 4, 30), ["probationary"])  # the commune's own
        _discipline(s, commune, date(2026, 7, 1), "warning")
        _discipline(s, cell1, date(2026, 7, 31), "warning")
        _discipline(s, cell1, date(2026, 8, 1), "expulsion")
        _discipline(s, cell3, date(2026, 8, 2), "not_a_form")
        s.commit()
    with runtime.session_factory() as s:
        figures = summary(s, organisation_id=world.orgs["province"], **YEAR)
        stats = statistics(s, organisation_id=world.orgs["province"], **YEAR)
        commune_figures = summary(s, organisation_id=world.orgs["commune"], **YEAR)
        commune_stats = statistics(s, organisation_id=world.orgs["commune"], **YEAR)
    assert (figures["struck_off"], figures["struck_off_probationary"]) == (5, 3)
    assert (figures["warning"], figures["expelled"]) == (2, 1)
    assert (commune_figures["struck_off"], commune_figures["struck_off_probationary"]) == (3, 2)
    assert stats.totals == figures and commune_stats.totals == commune_figures
    by_child = {ref.name: (counts["struck_off_probationary"], counts["warning"], counts["expelled"])
                for ref, counts in stats.children}
    assert by_child["Đảng ủy xã Tân Phú"] == (2, 2, 1) and by_child["Đảng ủy phường Đông Hà"] == (1, 0, 0)
    by_month = {ym: (counts["struck_off_probationary"], counts["warning"], counts["expelled"])
                for ym, counts in stats.months}
    assert by_month[(2026, 3)] == (0, 0, 0) and by_month[(2026, 4)] == (3, 0, 0)
    assert by_month[(2026, 7)] == (0, 2, 0) and by_month[(2026, 8)] == (0, 0, 1)
    own, *cells = commune_stats.children
    assert own[0].id == world.orgs["commune"]
    assert (own[1]["struck_off_probationary"], own[1]["warning"]) == (1, 1)
    assert {ref.name: counts["struck_off_probationary"] for ref, counts in cells}["Chi bộ thôn 1"] == 1


def test_open_cases_of_an_organisation_under_two_paths_count_once_per_procedure_and_state(runtime, world):
    """The pipeline groups by the case's path in index order; should an organisation's cases carry two paths,
    each (organisation, procedure, state) still comes once, with the count of every such case."""
    with runtime.session_factory() as s:
        cell1 = s.get(Organisation, world.orgs["cell1"])
        stale = f"{s.get(Organisation, world.orgs['province']).path}99999/"  # sorts after every real path
        for path, procedure, state in [(cell1.path, "discipline", "opened"), (stale, "discipline", "opened"),
                                       (stale, "withdrawal", "requested")]:
            s.execute(insert(Case).values(
                procedure=procedure, rule_set="cpv-2025", state=state, revision=1, organisation_id=cell1.id,
                organisation_path=path, person_id=_person(s, cell1.id, "official"), data={}, opened_at=AT))
        s.commit()
    with runtime.session_factory() as s:
        p = pipeline(s, runtime.calendar(), organisation_id=world.orgs["province"], today=date(2026, 11, 30), **YEAR)
        expected = {}
        for org_id, procedure, state in s.execute(select(Case.organisation_id, Case.procedure, Case.state)
                                                  .where(Case.closed_at.is_(None))):
            expected[(org_id, procedure, state)] = expected.get((org_id, procedure, state), 0) + 1
    got = [(ref.id, procedure, state) for ref, procedure, state, _n in p.open_cases]
    assert len(got) == len(set(got))
    assert {(ref.id, procedure, state): n for ref, procedure, state, n in p.open_cases} == expected
    assert expected[(world.orgs["cell1"], "discipline", "opened")] == 2
    keys = [(ref.path, procedure, state) for ref, procedure, state, _n in p.open_cases]
    assert keys == sorted(keys)


def test_the_report_indexes_of_the_models_are_the_migrated_ones(runtime):
    """Every index the models declare on cases, events and deadlines exists in the migrated database, on the same
    columns, and no other index is there (constraints aside)."""
    engine = runtime.session_factory.kw["bind"]
    found = inspect(engine)
    for table in ("cases", "events", "deadlines"):
        declared = {ix.name: [c.name for c in ix.columns] for ix in Base.metadata.tables[table].indexes}
        migrated = {ix["name"]: ix["column_names"] for ix in found.get_indexes(table)
                    if not ix.get("duplicates_constraint")}  # PostgreSQL: a unique constraint's own index
        assert migrated == declared, table


def test_every_counted_discipline_form_has_its_partial_index():
    """The statistics count each form of DISCIPLINE_FORMS through ix_cases_discipline_<form>; a form without
    one would still count, but by reading the data of every discipline case of the period."""
    from workflows.reports.statistics import DISCIPLINE_FORMS

    names = {ix.name for ix in Base.metadata.tables["cases"].indexes}
    assert {f"ix_cases_discipline_{form}" for form in DISCIPLINE_FORMS} <= names
