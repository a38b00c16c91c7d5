"""An expired session forgives (issue 13 item 8): the form sent after it says the session expired (not «form
expired»), nothing is written, signing in returns to the form, and the page asks the browser to fill it in again."""
from __future__ import annotations

import re
from datetime import date, timedelta

from tests.support.world import PASSWORD
from tests.web.support import admission_case, sign_in

VOTE = {"d.vote.date": "01/10/2026", "d.vote.eligible": "4", "d.vote.agree": "4", "d.vote.disagree": "0",
        "d.vote.method": "show_of_cards"}


def _form(client, case_id):
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    return {"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', page).group(1),
            "revision": re.search(r'name="revision" value="(\d+)"', page).group(1)}


def test_a_form_sent_after_the_idle_timeout_returns_to_the_form_after_signing_in(app, runtime, world, clock):
    """31 idle minutes, then «Ghi»: the sign-in page says the session expired and that what was typed is kept;
    nothing is written; after signing in the user lands on the case with that form open, and the page carries
    the instruction to fill it in again (data-restore-drafts)."""
    case = admission_case(runtime, world, "cell1", until="opinions_collected", start=date(2026, 8, 3))
    client = app.test_client()
    assert sign_in(client, "secretary1").status_code == 302
    form = _form(client, case.id)
    clock.instant += timedelta(minutes=31)
    sent = client.post(f"/cases/{case.id}/actions/cell_vote", data={**form, **VOTE})
    assert sent.status_code == 302 and "/login?next=" in sent.headers["Location"]
    login = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert "Phiên làm việc đã hết hạn" in login and "vẫn được giữ" in login
    assert "Biểu mẫu đã hết hạn" not in login
    with runtime.session_factory() as s:
        from models import Case

        assert s.get(Case, case.id).state == "opinions_collected"
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', login).group(1)
    next_path = re.search(r'name="next"[^>]*value="([^"]+)"', login).group(1)
    back = client.post("/login", data={"username": "secretary1", "password": PASSWORD, "csrf_token": token,
                                       "next": next_path})
    assert back.status_code == 302 and back.headers["Location"].endswith(f"/cases/{case.id}/actions/cell_vote")
    page = client.get(back.headers["Location"], follow_redirects=True).get_data(as_text=True)
    assert re.search(r'<details[^>]+id="action-cell_vote"[^>]* open', page)
    assert "data-restore-drafts=" in page
    assert "data-restore-drafts=" not in client.get(f"/cases/{case.id}").get_data(as_text=True)  # once only


def test_a_form_of_an_earlier_session_is_not_called_expired_form(app, runtime, world):
    """Signed out and in again (another tab): the old tab's form is not saved, the answer returns to the form
    and says what happened in words, not «Biểu mẫu đã hết hạn…»."""
    case = admission_case(runtime, world, "cell1", until="opinions_collected", start=date(2026, 8, 3))
    client = app.test_client()
    assert sign_in(client, "secretary1").status_code == 302
    form = _form(client, case.id)
    with client.session_transaction() as session:
        session["csrf_token"] = "another-session"
    sent = client.post(f"/cases/{case.id}/actions/cell_vote", data={**form, **VOTE})
    assert sent.status_code == 302
    page = client.get(sent.headers["Location"], follow_redirects=True).get_data(as_text=True)
    assert "phiên làm việc trước" in page and "Biểu mẫu đã hết hạn" not in page and "data-restore-drafts=" in page


def test_pages_carry_the_idle_timeout_for_the_warning(app, world):
    """Every signed-in page tells the script the idle timeout (it warns a minute before) and where to keep the
    session alive; the keep-alive answers 200."""
    client = app.test_client()
    assert sign_in(client, "secretary1").status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert 'data-idle-seconds="1800"' in page and 'data-keepalive="/session/keepalive"' in page
    assert "Tiếp tục làm việc" in page
    assert client.get("/session/keepalive").status_code == 200
