"""Errors a Vietnamese page shows are Vietnamese: field names in words, no column names, no English detail."""
from __future__ import annotations

from tests.support.page_text import visible_text
from tests.web.support import post, sign_in


def _client(app, user):
    client = app.test_client()
    assert sign_in(client, user).status_code == 302
    return client


def test_a_future_birth_date_is_refused_in_vietnamese(app, world):
    """The person form names «ngày sinh», never the column `birth_date` (was «… chưa hợp lệ: birth_date»)."""
    client = _client(app, "secretary1")
    url = f"/organisations/{world.orgs['cell1']}/people/new"
    response = post(client, url, {"full_name": "Trần Văn Mới", "birth_date": "01/01/2090",
                                  "membership_status": "none"}, token_from=url)
    text = visible_text(response.get_data(as_text=True))
    assert response.status_code == 400
    assert "birth_date" not in text and "must be a date" not in text
    assert "ngày sinh" in text.lower()


def test_a_short_password_is_refused_in_vietnamese_on_the_admin_page(app, world):
    """Creating a user with a 3-character password says so in Vietnamese beside the field (was English)."""
    client = _client(app, "admin")
    response = post(client, "/admin/users/new", {"username": "moi.nguoi", "display_name": "Người mới",
                                                  "password": "abc"}, token_from="/admin/users/new")
    text = visible_text(response.get_data(as_text=True))
    assert response.status_code in (400, 422)
    assert "the password needs" not in text and "Invalid value" not in text
    assert "ít nhất 12 ký tự" in text  # the policy of workflows/accounts/passwords.py, said in Vietnamese
