"""Outbox writing shared by the scan and the digest: statuses and the duplicate-proof insert."""
from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from models import OutboxMessage

OUTBOX = OutboxMessage.__table__

# Outbox statuses besides queued|sending|sent|failed|held: a digest user's items wait for the
# day's digest ("digest_wait") and are then "digested" into it (the digest row lists their ids).
DIGEST_WAIT = "digest_wait"
DIGESTED = "digested"


def insert_ignoring_duplicates(session: Session):
    """INSERT … ON CONFLICT (dedupe_key) DO NOTHING for the session's dialect, returning the new ids.

    The unique dedupe key, not any lock, is what makes a second scan or a second
    scheduler write nothing twice.
    """
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    return insert(OUTBOX).on_conflict_do_nothing(index_elements=["dedupe_key"]).returning(OUTBOX.c.id)
