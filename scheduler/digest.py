"""The daily digest: a user who chose it gets one mail a day grouping their waiting reminder items.

Items of a digest user are written by the scan like any reminder (same dedupe
key), but wait in status `digest_wait`. At each scan, every such user whose
digest of the day (local date) is not written yet gets one: the digest row's
dedupe key is (user, day), so there is never a second one that day — items
arriving after it wait for tomorrow's.
"""
from __future__ import annotations

from sqlalchemy import select, update

from models import User, write_transaction
from models.db import read_session
from scheduler.mail import MailSettings, digest_message_id, render_digest
from scheduler.rows import DIGEST_WAIT, DIGESTED, OUTBOX, insert_ignoring_duplicates
from workflows.engine import LOCAL_ZONE, Runtime


def compose_digests(rt: Runtime, *, mail: MailSettings) -> int:
    """Write today's digest for each user with waiting items; return how many were written."""
    now = rt.clock.now()
    today = now.astimezone(LOCAL_ZONE).date()
    with read_session(rt.session_factory) as session:
        user_ids = session.scalars(
            select(OUTBOX.c.user_id).where(OUTBOX.c.status == DIGEST_WAIT).distinct()).all()
    written = 0
    for user_id in user_ids:
        with write_transaction(rt.session_factory) as session:
            query = (select(OUTBOX.c.id, OUTBOX.c.to_address, OUTBOX.c.payload)
                     .where(OUTBOX.c.status == DIGEST_WAIT, OUTBOX.c.user_id == user_id).order_by(OUTBOX.c.id))
            if session.get_bind().dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            items = session.execute(query).all()
            if not items:
                continue  # another scheduler is digesting them right now
            user = session.get(User, user_id)
            locale = "en" if user is not None and user.locale == "en" else "vi"
            name = (user.display_name or user.username) if user is not None else items[0].to_address
            rendered = render_digest([row.payload for row in items], name, locale, today)
            ids = [row.id for row in items]
            new = session.execute(insert_ignoring_duplicates(session), [{
                "dedupe_key": f"digest:{user_id}:{today:%Y%m%d}", "kind": "digest", "user_id": user_id,
                "deadline_id": None, "stage": None,
                "to_address": (user.email if user is not None and user.email else items[0].to_address),
                "subject": rendered.subject[:300], "body_text": rendered.text, "body_html": rendered.html,
                "message_id": digest_message_id(mail, user_id, today), "status": "queued", "attempts": 0,
                "next_attempt_at": now, "created_at": now, "payload": {"day": today.isoformat(), "items": ids},
            }]).all()
            if not new:
                continue  # today's digest is written already: these items wait for tomorrow's
            session.execute(update(OUTBOX).where(OUTBOX.c.id.in_(ids)).values(status=DIGESTED))
            written += 1
    return written
