"""Search (issue 13 item 6): accent-insensitive, Unicode-normalised, by name, birth year, case number and
decision number, through the folded indexed columns of migration 0012 — on SQLite and PostgreSQL."""
from __future__ import annotations

import unicodedata
from datetime import date

from sqlalchemy import select, text

from models import Person, PersonNameWord, write_transaction
from tests.web.support import admission_case
from workflows.directory.directory import create_person, update_person
from workflows.read.listing import CaseFilter, list_cases
from workflows.read.search import parse_query, people_statement


def _found(runtime, world, query, user="admin", status="open"):
    page = list_cases(runtime, actor_id=world.users[user], filt=CaseFilter(search=query, status=status))
    return [row.id for row in page.items]


def _rename(runtime, world, key, name, born=None):
    with write_transaction(runtime.session_factory) as s:
        values = {"full_name": name, **({"birth_date": born} if born else {})}
        update_person(s, s.get(Person, world.people[key]), values)


def test_search_ignores_accents_and_unicode_form(runtime, world):
    """«vu duc tuan», «Vũ Đức Tuấn», its decomposed spelling and the given name alone find the same case;
    a name typed decomposed is stored NFC."""
    case = admission_case(runtime, world, "cell1")
    admission_case(runtime, world, "cell2")
    _rename(runtime, world, "cell1_applicant", unicodedata.normalize("NFD", "Vũ Đức Tuấn"))
    with runtime.session_factory() as s:
        stored = s.get(Person, world.people["cell1_applicant"]).full_name
    assert stored == "Vũ Đức Tuấn" and unicodedata.is_normalized("NFC", stored)
    for query in ("vu duc tuan", "Vũ Đức Tuấn", unicodedata.normalize("NFD", "Vũ Đức Tuấn"), "tuan", "TUẤN vũ",
                  "vu tu"):
        assert _found(runtime, world, query) == [case.id], query
    assert _found(runtime, world, "vu duc lan") == []


def test_decomposed_tuyet_finds_the_person_typed_either_way(runtime, world):
    """«Tuyết» typed precomposed or decomposed, at creation or in the search box, finds the same person."""
    case = admission_case(runtime, world, "cell1")
    _rename(runtime, world, "cell1_applicant", "Lê Thị Tuyết")
    assert _found(runtime, world, unicodedata.normalize("NFD", "Tuyết")) == [case.id]
    with write_transaction(runtime.session_factory) as s:
        person = create_person(s, organisation_id=world.orgs["cell2"], full_name=unicodedata.normalize("NFD", "Đào Tuyết"),
                               birth_date="1990-01-01")
        assert person.full_name == "Đào Tuyết"
    with runtime.session_factory() as s:
        ids = set(s.scalars(people_statement(s, parse_query("tuyet", this_year=2026))))
    assert ids == {world.people["cell1_applicant"], person.id}


def test_search_by_birth_year_case_number_and_decision_number(runtime, world):
    """A birth year narrows a name; «#id» or the bare number finds the case; a decision number (folded,
    «15-qd» for «15-QĐ/ĐU») finds the case that recorded it."""
    decided = admission_case(runtime, world, "cell1", until="completed")
    other = admission_case(runtime, world, "cell2")
    _rename(runtime, world, "cell1_applicant", "Hồ Hữu Hải", born="1990-05-01")
    _rename(runtime, world, "cell2_applicant", "Hồ Văn Hải", born="1992-05-01")
    assert len(_found(runtime, world, "hai")) == 2  # the probation case opened by the decision, and `other`
    assert _found(runtime, world, "hai 1990", status="closed") == [decided.id]
    assert _found(runtime, world, "hai 1992") == [other.id]
    assert _found(runtime, world, f"#{other.id}") == [other.id]
    assert _found(runtime, world, str(other.id)) == [other.id]
    number = decided.data["decide_admission"]["decision_number"]  # e.g. «0109-QĐ/ĐU»
    assert _found(runtime, world, number, status="all") == [decided.id]
    assert _found(runtime, world, number.lower().replace("đ", "d")[:7], status="all") == [decided.id]


def test_search_respects_what_the_user_may_see(runtime, world):
    """A secretary's search finds only cases of their own cell."""
    admission_case(runtime, world, "cell2")
    _rename(runtime, world, "cell2_applicant", "Vũ Đức Tuấn")
    assert _found(runtime, world, "tuan", user="secretary1") == []


def test_name_search_is_an_index_range_not_a_scan(runtime, world, dialect):
    """The words of names are looked up through the primary key of person_name_words (SQLite's plan shows a
    SEARCH, never a SCAN of persons or of the words); on PostgreSQL the word column compares as "C"."""
    with runtime.session_factory() as s:
        statement = people_statement(s, parse_query("nguyen tuan 1990", this_year=2026))
        compiled = statement.compile(s.get_bind(), compile_kwargs={"literal_binds": True})
        if dialect == "sqlite":
            plan = " | ".join(row[3] for row in s.execute(text(f"EXPLAIN QUERY PLAN {compiled}")))
            assert "SCAN persons" not in plan and "SCAN person_name_words" not in plan, plan
            assert "person_name_words USING" in plan and "persons USING INTEGER PRIMARY KEY" in plan, plan
        else:
            collation = s.scalar(text("SELECT collation_name FROM information_schema.columns "
                                      "WHERE table_name = 'person_name_words' AND column_name = 'word'"))
            assert collation == "C"
        assert s.scalar(select(PersonNameWord.word).where(PersonNameWord.person_id == world.people["cell1_applicant"])
                        .limit(1)) is not None


def test_models_declare_what_migration_0012_creates(runtime):
    """person_name_words, decision_numbers and the persons' search columns and indexes are the same in the
    models and in the migrated database."""
    from sqlalchemy import inspect

    from models import Base

    found = inspect(runtime.session_factory.kw["bind"])
    for table in ("person_name_words", "decision_numbers", "persons"):
        declared = Base.metadata.tables[table]
        assert {c["name"] for c in found.get_columns(table)} == {c.name for c in declared.columns}, table
        migrated = {ix["name"]: ix["column_names"] for ix in found.get_indexes(table)
                    if not ix.get("duplicates_constraint")}
        assert migrated == {ix.name: [c.name for c in ix.columns] for ix in declared.indexes}, table
        assert found.get_pk_constraint(table)["constrained_columns"] == [c.name for c in declared.primary_key]
