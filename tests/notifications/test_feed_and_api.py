"""The personal calendar feed and the notifications API (api.md «Additions»), parsed back with icalendar."""
from __future__ import annotations

from datetime import date

from icalendar import Calendar

from models import write_transaction
from scheduler.notify import fan_out
from tests.notifications.test_notify import MONDAY, _walk
from tests.scheduler.support import MAIL, at
from tests.web.support import sign_in
from workflows.accounts.accounts import issue_token
from workflows.demo.walk import admission_plan
from workflows.engine import fire


def _token(runtime, user_id: int) -> str:
    with write_transaction(runtime.session_factory) as s:
        return issue_token(s, user_id=user_id, name="test")


def _events(body: bytes) -> dict[str, dict]:
    calendar = Calendar.from_ical(body)
    return {str(e["uid"]): {"summary": str(e["summary"]), "start": e.decoded("dtstart"), "url": str(e["url"])}
            for e in calendar.walk("VEVENT")}


def test_the_feed_lists_the_deadlines_one_may_act_on_and_changes_when_one_is_met(app, runtime, world):
    """POST /me/calendar-feed gives an address under BASE_URL; its events parse, keep their UIDs, and the
    decision deadline leaves the feed once the decision is recorded."""
    app.config["BASE_URL"] = "https://quytrinh.example.test"
    case = _walk(runtime, world, "committee_approved")
    client = app.test_client()
    headers = {"Authorization": f"Bearer {_token(runtime, world.users['standing_commune'])}"}
    created = client.post("/api/v1/me/calendar-feed", headers=headers)
    assert created.status_code == 201
    url = created.get_json()["url"]
    assert url.startswith("https://quytrinh.example.test/feeds/") and url.endswith(".ics")
    path = url.removeprefix("https://quytrinh.example.test")
    first = client.get(path)
    assert first.status_code == 200 and first.mimetype == "text/calendar"
    events = _events(first.data)
    assert len(events) == 1
    [(uid, event)] = events.items()
    assert "Nguyễn" in event["summary"] or f"#{case.id}" in event["summary"]
    assert event["url"] == f"https://quytrinh.example.test/cases/{case.id}" and isinstance(event["start"], date)
    assert _events(client.get(path).data).keys() == {uid}  # stable across fetches
    plan = admission_plan(world.people["cell1_m1"], (world.people["cell1_m2"], world.people["cell1_m3"]),
                          date(2026, 3, 2))
    [(_, _, day, data)] = [step for step in plan if step[0] == "decide_admission"]
    fire(at(runtime, day), case_id=case.id, trigger="decide_admission", actor_id=world.users["standing_commune"],
         data=data)
    assert uid not in _events(client.get(path).data)


def test_rotating_or_deleting_the_feed_ends_the_old_address(app, runtime, world):
    """A second POST rotates the address (the old one answers 404); DELETE ends it."""
    client = app.test_client()
    headers = {"Authorization": f"Bearer {_token(runtime, world.users['secretary1'])}"}
    old = client.post("/api/v1/me/calendar-feed", headers=headers).get_json()["url"].split("/feeds/")[1]
    new = client.post("/api/v1/me/calendar-feed", headers=headers).get_json()["url"].split("/feeds/")[1]
    assert client.get(f"/feeds/{old}").status_code == 404 and client.get(f"/feeds/{new}").status_code == 200
    assert client.delete("/api/v1/me/calendar-feed", headers=headers).status_code == 204
    assert client.get(f"/feeds/{new}").status_code == 404


def test_the_notifications_api_lists_and_marks_read_only_ones_own(app, runtime, world):
    """GET /me/notifications lists the caller's, newest first; marking read works; another's is 404."""
    fan_out(at(runtime, MONDAY), MAIL)
    case = _walk(runtime, world, "application_submitted")
    fan_out(at(runtime, MONDAY), MAIL)
    client = app.test_client()
    mine = {"Authorization": f"Bearer {_token(runtime, world.users['committee'])}"}
    other = {"Authorization": f"Bearer {_token(runtime, world.users['officer'])}"}
    [item] = client.get("/api/v1/me/notifications", headers=mine).get_json()["items"]
    assert item["case_id"] == case.id and item["kind"] == "new_task" and item["read"] is False
    assert client.post(f"/api/v1/me/notifications/{item['id']}/read", headers=other).status_code == 404
    assert client.post(f"/api/v1/me/notifications/{item['id']}/read", headers=mine).status_code == 204
    assert client.get("/api/v1/me/notifications?unread=true", headers=mine).get_json()["items"] == []


def test_the_bell_counts_unread_and_the_list_links_to_the_case(app, runtime, world):
    """The header's bell shows the unread count; the list shows the message; «mark all» empties the count."""
    fan_out(at(runtime, MONDAY), MAIL)
    case = _walk(runtime, world, "application_submitted")
    fan_out(at(runtime, MONDAY), MAIL)
    client = app.test_client()
    sign_in(client, "committee")
    home = client.get("/").get_data(as_text=True)
    assert '<span class="bell__count">1</span>' in home
    page = client.get("/notifications").get_data(as_text=True)
    assert f"(#{case.id})" in page and "Việc mới" in page
    from tests.web.support import post

    post(client, "/notifications/read-all", {}, token_from="/notifications")
    assert "bell__count" not in client.get("/").get_data(as_text=True)


def test_the_account_page_saves_choices_and_refuses_an_unknown_one(app, runtime, world):
    """Choices are saved; an unknown channel is a 400 with a Vietnamese message and changes nothing."""
    from tests.web.support import post
    from workflows.notifications.preferences import preferences

    client = app.test_client()
    sign_in(client, "officer")
    good = post(client, "/account/notifications", {"new_task": "digest", "escalation": "in_app", "any_time": "on"},
                token_from="/account/notifications")
    assert good.status_code == 302
    saved = preferences(runtime, user_id=world.users["officer"])
    assert (saved.new_task, saved.escalation, saved.any_time) == ("digest", "in_app", True)
    bad = post(client, "/account/notifications", {"new_task": "fax", "escalation": "digest"},
               token_from="/account/notifications")
    assert bad.status_code == 400 and "Xin chọn cách nhận" in bad.get_data(as_text=True)
    assert preferences(runtime, user_id=world.users["officer"]) == saved
