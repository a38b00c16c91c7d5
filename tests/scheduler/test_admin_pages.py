"""The admin pages of the outbox and incidents, and the retry service behind their button."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from models import AuditRecord
from scheduler.smtp import SmtpSettings
from tests.scheduler.support import (
    DUE_AFTER_TET,
    FAST_RETRY,
    SmtpServer,
    add_deadline,
    deliver,
    local,
    open_case,
    outbox,
    scan,
)
from tests.web.support import post, sign_in
from workflows.accounts.outbox import incidents_page, outbox_page, retry_incident
from workflows.domain.errors import Forbidden, InvalidInput

DAY = date(2027, 2, 22)


def _failed_mails(runtime, world):
    """Two overdue reminders that failed every try (SMTP down): two incidents."""
    case = open_case(runtime, world)
    add_deadline(runtime, case.id, due=DUE_AFTER_TET, role="cell_secretary", organisation_id=world.orgs["cell1"])
    scan(runtime, DAY)
    down = SmtpServer()
    when = local(DAY, 9)
    for _ in range(FAST_RETRY.max_attempts):
        deliver(runtime, when, down.settings())
        when += timedelta(hours=1)
    return case


def test_admin_sees_the_outbox_with_status_attempts_and_last_error(app, runtime, world):
    """The outbox page lists each mail with its status, attempts and last error, filtered by status."""
    _failed_mails(runtime, world)
    client = app.test_client()
    sign_in(client, "admin")
    html = client.get("/admin/outbox?status=failed").get_data(as_text=True)
    assert "secretary1@example.test" in html and "officer@example.test" in html
    assert "ConnectionRefusedError" in html
    assert f'<td data-label="#">{outbox(runtime)[0].id}</td>' in html
    empty = client.get("/admin/outbox?status=sent").get_data(as_text=True)
    assert "secretary1@example.test" not in empty


def test_held_mail_is_shown_not_lost(app, runtime, world):
    """Without SMTP the reminders appear on the outbox page as held."""
    case = open_case(runtime, world)
    add_deadline(runtime, case.id, due=DUE_AFTER_TET, role="cell_secretary", organisation_id=world.orgs["cell1"])
    scan(runtime, date(2027, 2, 3))
    deliver(runtime, local(date(2027, 2, 3), 9), SmtpSettings())
    client = app.test_client()
    sign_in(client, "admin")
    response = client.get("/admin/outbox?status=held")
    assert response.status_code == 200
    assert "secretary1@example.test" in response.get_data(as_text=True)
    assert f"/cases/{case.id}" in response.get_data(as_text=True)


def test_retry_button_requeues_the_mail_and_it_is_then_delivered(app, runtime, world, smtp):
    """Retry (POST with CSRF) resolves the incident and queues the mail again; the next delivery sends it."""
    _failed_mails(runtime, world)
    incident = incidents_page(runtime, actor_id=world.users["admin"]).rows[0]
    client = app.test_client()
    sign_in(client, "admin")
    page = client.get("/admin/incidents").get_data(as_text=True)
    assert f'name="incident_id" value="{incident.id}"' in page
    response = post(client, "/admin/incidents/retry", {"incident_id": incident.id}, token_from="/admin/incidents")
    assert response.status_code == 302
    row = [r for r in outbox(runtime) if r.id == incident.outbox.id][0]
    assert (row.status, row.attempts) == ("queued", 0)
    assert deliver(runtime, local(DAY + timedelta(days=1), 9), smtp.settings()).sent == 1
    assert len(smtp.messages) == 1
    with runtime.session_factory() as s:
        assert s.query(AuditRecord).filter_by(action="outbox.retry", object_id=str(incident.id)).count() == 1
    assert incidents_page(runtime, actor_id=world.users["admin"]).total == 1  # the other one is still open


def test_retry_without_csrf_token_is_refused(app, runtime, world):
    """A retry POST without the CSRF token is refused and changes nothing."""
    _failed_mails(runtime, world)
    incident = incidents_page(runtime, actor_id=world.users["admin"]).rows[0]
    client = app.test_client()
    sign_in(client, "admin")
    response = client.post("/admin/incidents/retry", data={"incident_id": incident.id})
    assert response.status_code == 400
    assert {r.status for r in outbox(runtime)} == {"failed"}


def test_retry_twice_says_it_was_dealt_with(app, runtime, world):
    """A second retry of the same incident is refused with a clear message; the mail is queued once."""
    _failed_mails(runtime, world)
    incident = incidents_page(runtime, actor_id=world.users["admin"]).rows[0]
    retry_incident(runtime, actor_id=world.users["admin"], incident_id=incident.id)
    with pytest.raises(InvalidInput):
        retry_incident(runtime, actor_id=world.users["admin"], incident_id=incident.id)
    client = app.test_client()
    sign_in(client, "admin")
    response = post(client, "/admin/incidents/retry", {"incident_id": incident.id}, token_from="/admin/incidents")
    assert response.status_code == 400
    assert "đã được xử lý" in response.get_data(as_text=True)


def test_only_admins_read_the_outbox(runtime, world):
    """The outbox and incident services refuse anyone but a system administrator."""
    with pytest.raises(Forbidden):
        outbox_page(runtime, actor_id=world.users["officer"])
    with pytest.raises(Forbidden):
        incidents_page(runtime, actor_id=world.users["standing_province"])
    with pytest.raises(Forbidden):
        retry_incident(runtime, actor_id=world.users["secretary1"], incident_id=1)
