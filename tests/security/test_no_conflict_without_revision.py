"""409 `conflict` is for a stale revision only (issue 14 item 10): racing API calls without one never get it.

Twelve clients fire the same step of one case at once through the API, none sending `revision`: one
step is applied, the others are told the step does not apply in the state they find (409
`transition_not_allowed`), never `conflict`. With the stale revision a client did send, `conflict` stays.
"""
from __future__ import annotations

import threading
from datetime import timedelta

from models import write_transaction
from tests.security.conftest import START, walk_case
from workflows.accounts.accounts import issue_token

CLIENTS = 12


def _token(runtime, user_id: int) -> str:
    with write_transaction(runtime.session_factory) as s:
        return issue_token(s, user_id=user_id, name="race")


def test_racing_api_calls_without_a_revision_never_get_conflict(app, runtime, world):
    """One of twelve concurrent POSTs without `revision` applies the step; the rest get transition_not_allowed."""
    case = walk_case(runtime, world, "application_submitted")
    headers = {"Authorization": f"Bearer {_token(runtime, world.users['officer'])}"}
    body = {"data": {"date": (START + timedelta(days=40)).isoformat(), "conclusion": "Lý lịch rõ ràng."}}
    barrier, answers = threading.Barrier(CLIENTS, timeout=60), [None] * CLIENTS

    def call(i: int) -> None:
        client = app.test_client()
        barrier.wait()
        response = client.post(f"/api/v1/cases/{case.id}/actions/verify_background", json=body, headers=headers)
        answers[i] = (response.status_code, (response.get_json() or {}).get("error", {}).get("code"))

    threads = [threading.Thread(target=call, args=(i,)) for i in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)

    assert sorted(answers, key=str).count((200, None)) == 1, answers
    assert all(answer == (409, "transition_not_allowed") for answer in answers if answer != (200, None)), answers


def test_a_stale_revision_still_gets_conflict(app, runtime, world):
    """A client that sends the revision it saw, after someone else moved the case, gets 409 conflict."""
    case = walk_case(runtime, world, "application_submitted")
    headers = {"Authorization": f"Bearer {_token(runtime, world.users['officer'])}"}
    body = {"data": {"date": (START + timedelta(days=40)).isoformat(), "conclusion": "Lý lịch rõ ràng."},
            "revision": case.revision - 1}

    response = app.test_client().post(f"/api/v1/cases/{case.id}/actions/verify_background", json=body,
                                      headers=headers)

    assert response.status_code == 409 and response.get_json()["error"]["code"] == "conflict"
