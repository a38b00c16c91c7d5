"""record: hash chains over events (per case) and the audit log (per lane), signed heads, stricter guards

Revision ID: 0013_record_chains
Revises: 0012_search

Adds events.hash; cases.event_head/event_mac (the case chain's signed head); audit_log.lane/seq/hash
(unique per lane); chain_heads (one signed head per audit lane: 1 on SQLite, 8 on PostgreSQL).
Existing rows are linked here; their heads are signed when the migration runs through
`flask --app app init-db` (which hands it the secret key), else left unsigned for `check` to report.
Guards: SQLite refuses an INSERT on an existing id (INSERT OR REPLACE would delete the old row without
firing the DELETE trigger); PostgreSQL refuses TRUNCATE; chain_heads refuses DELETE and a head moved back.
Plain ALTER TABLE / CREATE INDEX only: a batch rebuild would drop the append-only triggers.
"""
from alembic import context, op

from models.online_ddl import create_index_online, drop_index_online
import sqlalchemy as sa


revision = "0013_record_chains"
down_revision = "0012_search"
branch_labels = None
depends_on = None

LANES = {"sqlite": 1, "postgresql": 8}
APPEND_ONLY = ("events", "audit_log")


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.add_column("events", sa.Column("hash", sa.String(length=64), nullable=True))
    op.add_column("cases", sa.Column("event_head", sa.String(length=64), nullable=True))
    op.add_column("cases", sa.Column("event_mac", sa.String(length=64), nullable=True))
    op.add_column("audit_log", sa.Column("object_ids", sa.Text(), nullable=True))
    op.add_column("audit_log", sa.Column("lane", sa.Integer(), nullable=True))
    op.add_column("audit_log", sa.Column("seq", sa.Integer(), nullable=True))
    op.add_column("audit_log", sa.Column("hash", sa.String(length=64), nullable=True))
    create_index_online("uq_audit_log_lane_seq", "audit_log", ["lane", "seq"], unique=True)
    heads = op.create_table(
        "chain_heads",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("mac", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_chain_heads")),
    )
    op.bulk_insert(heads, [{"name": f"audit/{i}", "seq": 0, "hash": "0" * 64, "mac": None}
                           for i in range(LANES.get(dialect, 1))])
    _link_existing_rows(dialect)
    if dialect == "sqlite":
        _sqlite_guards()
    elif dialect == "postgresql":
        _postgresql_guards()


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for name in ("events_no_replace", "events_no_replace_seq", "audit_log_no_replace",
                     "chain_heads_no_delete", "chain_heads_forward"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    elif dialect == "postgresql":
        for table in APPEND_ONLY:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        op.execute("DROP TRIGGER IF EXISTS chain_heads_forward ON chain_heads")
        op.execute("DROP TRIGGER IF EXISTS chain_heads_no_truncate ON chain_heads")
        op.execute("DROP FUNCTION IF EXISTS chain_heads_forward()")
    op.drop_table("chain_heads")
    drop_index_online("uq_audit_log_lane_seq", "audit_log")
    # SQLite >= 3.35 drops a column in place (no rebuild), keeping the triggers.
    for table, column in (("audit_log", "hash"), ("audit_log", "seq"), ("audit_log", "lane"),
                          ("audit_log", "object_ids"), ("cases", "event_mac"), ("cases", "event_head"), ("events", "hash")):
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")


def _sqlite_guards() -> None:
    # INSERT OR REPLACE deletes the conflicting row without firing DELETE triggers (recursive_triggers
    # is off), so a BEFORE INSERT trigger refuses any insert that would meet an existing row.
    op.execute("CREATE TRIGGER events_no_replace BEFORE INSERT ON events "
               "WHEN NEW.id IS NOT NULL AND EXISTS (SELECT 1 FROM events WHERE id = NEW.id) "
               "BEGIN SELECT RAISE(ABORT, 'events is append-only'); END")
    op.execute("CREATE TRIGGER events_no_replace_seq BEFORE INSERT ON events "
               "WHEN EXISTS (SELECT 1 FROM events WHERE case_id = NEW.case_id AND seq = NEW.seq) "
               "BEGIN SELECT RAISE(ABORT, 'events is append-only'); END")
    op.execute("CREATE TRIGGER audit_log_no_replace BEFORE INSERT ON audit_log "
               "WHEN (NEW.id IS NOT NULL AND EXISTS (SELECT 1 FROM audit_log WHERE id = NEW.id)) "
               "OR EXISTS (SELECT 1 FROM audit_log WHERE lane = NEW.lane AND seq = NEW.seq) "
               "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END")
    op.execute("CREATE TRIGGER chain_heads_no_delete BEFORE DELETE ON chain_heads "
               "BEGIN SELECT RAISE(ABORT, 'chain heads only move forward'); END")
    op.execute("CREATE TRIGGER chain_heads_forward BEFORE UPDATE ON chain_heads "
               "WHEN NEW.seq < OLD.seq OR NEW.name <> OLD.name "
               "BEGIN SELECT RAISE(ABORT, 'chain heads only move forward'); END")


def _postgresql_guards() -> None:
    for table in APPEND_ONLY:
        op.execute(f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                   f"FOR EACH STATEMENT EXECUTE FUNCTION {table}_append_only()")
    op.execute("CREATE FUNCTION chain_heads_forward() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
               "IF TG_OP <> 'UPDATE' OR NEW.seq < OLD.seq OR NEW.name <> OLD.name THEN "
               "RAISE EXCEPTION 'chain heads only move forward'; END IF; RETURN NEW; END $$")
    op.execute("CREATE TRIGGER chain_heads_forward BEFORE UPDATE OR DELETE ON chain_heads "
               "FOR EACH ROW EXECUTE FUNCTION chain_heads_forward()")
    op.execute("CREATE TRIGGER chain_heads_no_truncate BEFORE TRUNCATE ON chain_heads "
               "FOR EACH STATEMENT EXECUTE FUNCTION chain_heads_forward()")


def _link_existing_rows(dialect: str) -> None:
    """Chain the rows written before this migration (a fresh database has none)."""
    from models.record import GENESIS, audit_hash, case_chain, derive_key, event_hash, sign

    bind = op.get_bind()
    has_events = bind.execute(sa.text("SELECT 1 FROM events LIMIT 1")).first() is not None
    has_audit = bind.execute(sa.text("SELECT 1 FROM audit_log LIMIT 1")).first() is not None
    if not (has_events or has_audit):
        return
    secret = context.config.attributes.get("record_secret")
    key = derive_key(secret) if secret else None
    events_t = sa.table("events", sa.column("id"), sa.column("case_id"), sa.column("seq"), sa.column("trigger"),
                        sa.column("from_state"), sa.column("to_state"), sa.column("actor_id"),
                        sa.column("at", _UTC()), sa.column("data", sa.JSON()), sa.column("comment"),
                        sa.column("hash"))
    audit_t = sa.table("audit_log", sa.column("id"), sa.column("at", _UTC()), sa.column("user_id"),
                       sa.column("action"), sa.column("object_type"), sa.column("object_id"), sa.column("outcome"),
                       sa.column("remote_addr"), sa.column("detail"), sa.column("object_ids"), sa.column("lane"), sa.column("seq"),
                       sa.column("hash"))
    _unguard(dialect)
    heads: dict[int, tuple[int, str]] = {}
    for row in bind.execute(sa.select(events_t).order_by(events_t.c.case_id, events_t.c.seq)).all():
        prev = heads.get(row.case_id, (0, GENESIS))[1]
        digest = event_hash(prev, row.case_id, row.seq, row.trigger, row.from_state, row.to_state, row.actor_id,
                            row.at, row.data, row.comment)
        bind.execute(sa.update(events_t).where(events_t.c.id == row.id).values(hash=digest))
        heads[row.case_id] = (row.seq, digest)
    for case_id, (seq, digest) in heads.items():
        mac = sign(key, case_chain(case_id), seq, digest) if key else None
        bind.execute(sa.text("UPDATE cases SET event_head = :h, event_mac = :m WHERE id = :id"),
                     {"h": digest, "m": mac, "id": case_id})
    prev, seq = GENESIS, 0
    for row in bind.execute(sa.select(audit_t).order_by(audit_t.c.id)).all():
        seq += 1
        prev = audit_hash(prev, 0, seq, row.at, row.user_id, row.action, row.object_type, row.object_id,
                          row.outcome, row.remote_addr, row.detail, row.object_ids)
        bind.execute(sa.update(audit_t).where(audit_t.c.id == row.id).values(lane=0, seq=seq, hash=prev))
    if seq:
        mac = sign(key, "audit/0", seq, prev) if key else None
        bind.execute(sa.text("UPDATE chain_heads SET seq = :s, hash = :h, mac = :m WHERE name = 'audit/0'"),
                     {"s": seq, "h": prev, "m": mac})
    _reguard(dialect)


def _UTC():
    from models.base import UTCDateTime

    return UTCDateTime()


def _unguard(dialect: str) -> None:
    if dialect == "sqlite":
        for table in APPEND_ONLY:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
    else:
        for table in APPEND_ONLY:
            op.execute(f"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only")


def _reguard(dialect: str) -> None:
    if dialect == "sqlite":
        for table in APPEND_ONLY:
            op.execute(f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
                       f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END")
    else:
        for table in APPEND_ONLY:
            op.execute(f"ALTER TABLE {table} ENABLE TRIGGER {table}_append_only")
