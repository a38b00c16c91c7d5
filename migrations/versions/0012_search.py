"""search: folded name words, decision numbers and the Vietnamese sort key of names, with their indexes

Revision ID: 0012_search
Revises: 0009_youth_union

Existing rows are indexed here with the same functions the application writes
them with (workflows.domain.text), so a migrated database finds what a new one does.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from models.online_ddl import create_index_online, drop_index_online

from workflows.domain.text import fold, sort_key, words

revision = "0012_search"
down_revision = "0009_youth_union"
branch_labels = None
depends_on = None

BATCH = 2000


def _key(length: int):
    return sa.String(length).with_variant(sa.String(length, collation="C"), "postgresql")


def upgrade() -> None:
    op.create_table(
        "person_name_words",
        sa.Column("word", _key(60), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["persons.id"], name="fk_person_name_words_person_id_persons"),
        sa.PrimaryKeyConstraint("word", "person_id", name="pk_person_name_words"),
    )
    create_index_online("ix_person_name_words_person_id_word", "person_name_words", ["person_id", "word"])
    op.create_table(
        "decision_numbers",
        sa.Column("number_key", _key(100), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name="fk_decision_numbers_case_id_cases"),
        sa.PrimaryKeyConstraint("number_key", "case_id", name="pk_decision_numbers"),
    )
    create_index_online("ix_decision_numbers_case_id", "decision_numbers", ["case_id"])
    op.add_column("persons", sa.Column("sort_key", _key(400), nullable=True))
    create_index_online("ix_persons_organisation_id_sort_key", "persons", ["organisation_id", "sort_key"])
    create_index_online("ix_persons_birth_date", "persons", ["birth_date"])
    _index_existing_rows()


def _index_existing_rows() -> None:
    conn = op.get_bind()
    persons = sa.table("persons", sa.column("id", sa.Integer), sa.column("full_name", sa.String),
                       sa.column("sort_key", sa.String))
    name_words = sa.table("person_name_words", sa.column("word", sa.String), sa.column("person_id", sa.Integer))
    last = 0
    while True:
        rows = conn.execute(sa.select(persons.c.id, persons.c.full_name).where(persons.c.id > last)
                            .order_by(persons.c.id).limit(BATCH)).all()
        if not rows:
            break
        last = rows[-1][0]
        conn.execute(persons.update().where(persons.c.id == sa.bindparam("pid")).values(sort_key=sa.bindparam("key")),
                     [{"pid": pid, "key": sort_key(name)} for pid, name in rows])
        found = [{"word": w, "person_id": pid} for pid, name in rows for w in dict.fromkeys(words(name))]
        if found:
            conn.execute(name_words.insert(), found)
    cases = sa.table("cases", sa.column("id", sa.Integer), sa.column("data", sa.JSON))
    numbers = sa.table("decision_numbers", sa.column("number_key", sa.String), sa.column("case_id", sa.Integer))
    last = 0
    while True:
        rows = conn.execute(sa.select(cases.c.id, cases.c.data).where(cases.c.id > last)
                            .order_by(cases.c.id).limit(BATCH)).all()
        if not rows:
            break
        last = rows[-1][0]
        found = {(key, cid) for cid, data in rows for key in _decision_keys(data)}
        if found:
            conn.execute(numbers.insert(), [{"number_key": k, "case_id": c} for k, c in sorted(found)])


def _decision_keys(data) -> set[str]:
    keys = set()
    for recorded in (data or {}).values():
        if isinstance(recorded, dict) and isinstance(recorded.get("decision_number"), str):
            key = fold(recorded["decision_number"])[:100]
            if key:
                keys.add(key)
    return keys


def downgrade() -> None:
    drop_index_online("ix_persons_birth_date", "persons")
    drop_index_online("ix_persons_organisation_id_sort_key", "persons")
    with op.batch_alter_table("persons") as batch:
        batch.drop_column("sort_key")
    drop_index_online("ix_decision_numbers_case_id", "decision_numbers")
    op.drop_table("decision_numbers")
    drop_index_online("ix_person_name_words_person_id_word", "person_name_words")
    op.drop_table("person_name_words")
