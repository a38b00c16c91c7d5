"""Comments on a case: free text by anyone who works on it (not the read-only inspector)."""
from __future__ import annotations

from models import Comment, write_transaction
from workflows.domain.errors import InvalidInput
from workflows.engine.runtime import Runtime
from workflows.read.casefile import visible_case

MAX_LENGTH = 4000


def add_comment(rt: Runtime, *, actor_id: int, case_id: int, body: str, remote_addr: str | None = None) -> Comment:
    """Append a comment to a case the actor works on."""
    visible_case(rt, actor_id=actor_id, case_id=case_id, action="comment.add", remote_addr=remote_addr, write=True)
    body = (body or "").strip()
    if not body:
        raise InvalidInput("Nội dung bình luận không được để trống.", "The comment is empty.", {"body": "is required"})
    if len(body) > MAX_LENGTH:
        raise InvalidInput(f"Bình luận dài tối đa {MAX_LENGTH} ký tự.", f"A comment has at most {MAX_LENGTH} characters.",
                           {"body": "too long"})
    with write_transaction(rt.session_factory) as session:
        comment = Comment(case_id=case_id, author_id=actor_id, at=rt.clock.now(), body=body)
        session.add(comment)
        session.flush()
        return comment
