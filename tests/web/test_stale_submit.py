"""A stale or repeated submit is explained in words with a link to the case (issue 13 item 9)."""
from __future__ import annotations

import re
from datetime import date

from tests.web.support import admission_case, sign_in

VOTE = {"d.vote.date": "01/10/2026", "d.vote.eligible": "4", "d.vote.agree": "4", "d.vote.disagree": "0",
        "d.vote.method": "show_of_cards"}


def _client(app, user):
    client = app.test_client()
    assert sign_in(client, user).status_code == 302
    return client


def _form(client, case_id):
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    return {"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', page).group(1),
            "revision": re.search(r'name="revision" value="(\d+)"', page).group(1)}


def test_a_double_submit_says_who_recorded_the_step_and_when_and_links_the_case(app, runtime, world):
    """The same cell-vote form sent twice: the second answer says «Bước «…» đã được … ghi lúc …», names no
    internal state or step id, and links to the case."""
    case = admission_case(runtime, world, "cell1", until="opinions_collected", start=date(2026, 8, 3))
    client = _client(app, "secretary1")
    form = {**_form(client, case.id), **VOTE}
    assert client.post(f"/cases/{case.id}/actions/cell_vote", data=form).status_code == 302
    again = client.post(f"/cases/{case.id}/actions/cell_vote", data=form)
    html = again.get_data(as_text=True)
    assert again.status_code == 409
    main = html.split("<main")[1].split("</main>")[0]
    assert re.search(r"Bước «[^»]+» đã được secretary1 ghi lúc \d\d:\d\d ngày \d\d/\d\d/\d{4}", main), main
    assert f'href="/cases/{case.id}"' in main
    for internal in ("cell_vote", "cell_approved", "opinions_collected"):
        assert internal not in main.replace(f"/cases/{case.id}", "")


def test_a_form_sent_after_someone_else_moved_the_case_says_what_they_recorded(app, runtime, world):
    """A withdrawal form opened before the cell vote was recorded: the answer says the vote was recorded, by
    whom and when, keeps the typed reason, and nothing else is written."""
    case = admission_case(runtime, world, "cell1", until="opinions_collected", start=date(2026, 8, 3))
    client = _client(app, "secretary1")
    stale = _form(client, case.id)
    other = _client(app, "secretary1")
    assert other.post(f"/cases/{case.id}/actions/cell_vote", data={**_form(other, case.id), **VOTE}).status_code == 302
    answer = client.post(f"/cases/{case.id}/actions/withdraw", data={**stale, "d.reason": "Người xin rút đơn"})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 409
    assert "ghi lúc" in html and "Người xin rút đơn" in html
