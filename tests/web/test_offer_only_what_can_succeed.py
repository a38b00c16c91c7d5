"""Offer only what can succeed (issue 13 item 11): options a step's own rules would refuse are not offered,
and a zero-day extension is refused."""
from __future__ import annotations

import re
from datetime import date

from tests.support.flows import walk_plan
from tests.web.support import admission_case, post, sign_in
from workflows.demo.plans import discipline_plan


def _client(app, user):
    client = app.test_client()
    assert sign_in(client, user).status_code == 302
    return client


def _options(html: str, name: str) -> list[str]:
    select = re.search(r'<select[^>]+name="%s"[^>]*>(.*?)</select>' % re.escape(name), html, re.S)
    assert select, name
    return [v for v in re.findall(r'<option value="([^"]*)"', select.group(1)) if v]


def test_a_secret_ballot_step_offers_no_show_of_cards_and_no_removal_without_a_post(app, runtime, world):
    """The discipline cell vote (secret ballot by rule) offers only «phiếu kín»; a member holding no post is
    not offered «cách chức»."""
    plan = discipline_plan(date(2026, 10, 26), violation_date=date(2026, 10, 1))
    case = walk_plan(runtime, world, plan, "cell1_m4", "discipline", until="reviewed")
    html = _client(app, "secretary1").get(f"/cases/{case.id}").get_data(as_text=True)
    form = html.split('id="action-cell_vote"')[1].split("</details>")[0]
    assert _options(form, "d.vote.method") == ["secret_ballot"]
    assert "removal_from_post" not in _options(form, "d.form") and "reprimand" in _options(form, "d.form")


def test_the_open_form_offers_removal_only_to_a_post_holder(app, world):
    """Opening a discipline case: «cách chức» is offered for no one holding no post."""
    html = _client(app, "secretary1").get(f"/people/{world.people['cell1_m4']}/open/discipline").get_data(as_text=True)
    assert "removal_from_post" not in _options(html, "d.proposed_form")


def test_a_zero_day_extension_is_refused(app, runtime, world):
    """An extension of 0 working days is refused beside its field; nothing is written."""
    case = admission_case(runtime, world, "cell1", until="committee_approved", start=date(2026, 8, 3))
    client = _client(app, "standing_commune")
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    revision = re.search(r'name="revision" value="(\d+)"', page).group(1)
    answer = post(client, f"/cases/{case.id}/actions/extend_deadline",
                  {"d.days": "0", "d.reason": "Cần thêm thời gian", "revision": revision}, token_from=f"/cases/{case.id}")
    assert answer.status_code == 400
    assert "0" in answer.get_data(as_text=True)


def test_the_person_page_offers_no_admission_for_a_member(app, world):
    """A member's page does not offer an admission case (the engine would refuse it); an applicant's does."""
    client = _client(app, "secretary1")
    member = client.get(f"/people/{world.people['cell1_m2']}").get_data(as_text=True)
    applicant = client.get(f"/people/{world.people['cell1_applicant']}").get_data(as_text=True)
    assert "admission" not in _options(member, "procedure") and "discipline" in _options(member, "procedure")
    assert "admission" in _options(applicant, "procedure") and "discipline" not in _options(applicant, "procedure")


def test_report_tabs_that_would_answer_403_are_not_offered(app, world):
    """A cell secretary's report pages show no «Kiểm tra tuân thủ» tab (the page answers 403 for them); a
    standing committee sees it."""
    secretary = _client(app, "secretary1").get(f"/reports/{world.orgs['cell1']}/statistics").get_data(as_text=True)
    assert f"/reports/{world.orgs['cell1']}/compliance" not in secretary
    assert _client(app, "secretary1").get(f"/reports/{world.orgs['cell1']}/compliance").status_code == 403
    standing = _client(app, "standing_commune").get(f"/reports/{world.orgs['cell1']}/statistics").get_data(as_text=True)
    assert f"/reports/{world.orgs['cell1']}/compliance" in standing


def test_the_recognition_review_is_announced_from_its_date_not_offered_before(app, runtime, world):
    """On probation until next year: no «Nộp hồ sơ xét công nhận» form, but «… từ ngày <probation end>»."""
    from models import Case

    admission_case(runtime, world, "cell1", until="completed")
    with runtime.session_factory() as s:
        probation = s.query(Case).filter(Case.procedure == "probation").one()
        ends = date.fromisoformat(probation.data["probation_end"])
    html = _client(app, "secretary1").get(f"/cases/{probation.id}").get_data(as_text=True)
    assert 'id="action-submit_review"' not in html
    note = re.search(r'id="not-yet-submit_review">([^<]*)<', html).group(1)
    assert "Nộp hồ sơ xét công nhận" in note and f"từ ngày {ends:%d/%m/%Y}" in note
