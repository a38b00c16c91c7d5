"""Taking steps through the case page's forms: success, rule violations beside their field, nothing written."""
from __future__ import annotations

import re
from datetime import date

from sqlalchemy import func, select

from models import Case, Event
from tests.web.support import admission_case, post, sign_in


def _client(app, user):
    client = app.test_client()
    assert sign_in(client, user).status_code == 302
    return client


def act(client, case_id: int, trigger: str, data: dict, revision: int | None = None):
    """Post an action form the way the case page does (token and revision taken from the page)."""
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    if revision is None:
        revision = int(re.search(r'name="revision" value="(\d+)"', page).group(1))
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    return client.post(f"/cases/{case_id}/actions/{trigger}", data={**data, "csrf_token": token,
                                                                    "revision": str(revision)})


def _state(runtime, case_id):
    with runtime.session_factory() as s:
        case = s.get(Case, case_id)
        events = s.scalar(select(func.count(Event.id)).where(Event.case_id == case_id))
        return case.state, case.revision, events


def test_open_a_case_from_the_person_page(app, runtime, world):
    """The secretary opens an admission case for an applicant with the procedure's own open form."""
    client = _client(app, "secretary1")
    person = world.people["cell1_applicant"]
    form = client.get(f"/people/{person}/open/admission").get_data(as_text=True)
    assert 'name="d.resolution_date"' in form and 'name="d.helper_id"' in form
    assert f'<option value="{world.people["cell1_m1"]}">' in form  # helpers offered by name
    response = post(client, f"/people/{person}/open/admission",
                    {"d.resolution_date": "02/11/2026", "d.helper_id": str(world.people["cell1_m1"])},
                    token_from=f"/people/{person}/open/admission")
    assert response.status_code == 302
    case_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert _state(runtime, case_id) == ("sympathiser", 1, 1)


def test_opening_for_a_member_shows_the_rule_and_writes_nothing(app, runtime, world):
    """Opening an admission case for an official member is refused with the rule's message and source."""
    client = _client(app, "secretary1")
    member = world.people["cell1_m2"]
    response = post(client, f"/people/{member}/open/admission",
                    {"d.resolution_date": "02/11/2026", "d.helper_id": str(world.people["cell1_m1"])},
                    token_from=f"/people/{member}/open/admission")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Người này đang là đảng viên" in html and "Điều lệ Đảng, Điều 4" in html
    with runtime.session_factory() as s:
        assert s.scalar(select(func.count(Case.id))) == 0


def test_submit_application_through_the_form(app, runtime, world):
    """The application form records introducers chosen by name, the certificate and the education."""
    case = admission_case(runtime, world, "cell1", start=date(2026, 9, 1))
    client = _client(app, "secretary1")
    response = act(client, case.id, "submit_application", {
        "d.application_date": "2026-09-21", "d.education": "upper_secondary",
        "d.certificate.number": "CN-01", "d.certificate.issued_on": "2026-08-01",
        "d.introducers.0.person_id": str(world.people["cell1_m2"]), "d.introducers.0.known_since": "2020-01-01",
        "d.introducers.1.person_id": str(world.people["cell1_m3"]), "d.introducers.1.known_since": "2021-01-01",
        "d.introducers.2.person_id": "", "d.introducers.2.known_since": "",
        "comment": "Hồ sơ đầy đủ.",
    })
    assert response.status_code == 302
    assert _state(runtime, case.id) == ("application_submitted", 2, 2)
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "cell1_m2" in page and "21/09/2026" in page and "Hồ sơ đầy đủ." in page


def test_rule_violation_is_shown_beside_its_field_and_nothing_is_written(app, runtime, world):
    """Introducers known for less than 12 months: the rule's message and legal source sit beside the
    introducers; the case is unchanged."""
    case = admission_case(runtime, world, "cell1", start=date(2026, 9, 1))
    response = act(_client(app, "secretary1"), case.id, "submit_application", {
        "d.application_date": "2026-09-21", "d.education": "upper_secondary",
        "d.certificate.number": "CN-01", "d.certificate.issued_on": "2026-08-01",
        "d.introducers.0.person_id": str(world.people["cell1_m2"]), "d.introducers.0.known_since": "2026-05-01",
        "d.introducers.1.person_id": str(world.people["cell1_m3"]), "d.introducers.1.known_since": "2021-01-01",
    })
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    errors = html.split('id="act-submit_application-introducers-error"')[1].split("</ul>")[0]
    assert "Cần hai đảng viên chính thức giới thiệu" in errors
    assert "Căn cứ: Điều lệ Đảng, Điều 4.1; QĐ 24-QĐ/TW §3.2" in errors
    assert 'value="01/05/2026"' in html  # what was typed is kept (shown dd/mm/yyyy)
    assert _state(runtime, case.id) == ("sympathiser", 1, 1)


def test_malformed_vote_is_refused_before_the_engine(app, runtime, world):
    """More votes than members: refused beside the vote, nothing written."""
    case = admission_case(runtime, world, "cell1", until="opinions_collected", start=date(2026, 8, 3))
    response = act(_client(app, "secretary1"), case.id, "cell_vote", {
        "d.vote.date": "2026-10-01", "d.vote.eligible": "4", "d.vote.agree": "4", "d.vote.disagree": "2",
        "d.vote.method": "show_of_cards"})
    assert response.status_code == 400
    assert "không được vượt quá số đảng viên có quyền biểu quyết" in response.get_data(as_text=True)
    assert _state(runtime, case.id)[0] == "opinions_collected"


def test_cell_vote_form_suggests_the_number_of_official_members(app, runtime, world):
    """The cell vote form starts with the cell's official members as the number entitled to vote."""
    case = admission_case(runtime, world, "cell1", until="opinions_collected", start=date(2026, 8, 3))
    html = _client(app, "secretary1").get(f"/cases/{case.id}").get_data(as_text=True)
    assert 'name="d.vote.eligible" value="4"' in html


def test_stale_form_is_a_conflict(app, runtime, world):
    """A form loaded before someone else's change is refused as a conflict (409); nothing written."""
    case = admission_case(runtime, world, "cell1", until="opinions_collected", start=date(2026, 8, 3))
    response = act(_client(app, "secretary1"), case.id, "cell_vote", {
        "d.vote.date": "2026-10-01", "d.vote.eligible": "4", "d.vote.agree": "4", "d.vote.disagree": "0",
        "d.vote.method": "show_of_cards"}, revision=case.revision - 1)
    assert response.status_code == 409
    assert "vừa được người khác cập nhật" in response.get_data(as_text=True)
    assert _state(runtime, case.id)[0] == "opinions_collected"


def test_return_for_rework_needs_a_reason(app, runtime, world):
    """The committee returns a cell-approved case only with a reason; then it is back at the previous step."""
    case = admission_case(runtime, world, "cell1", until="cell_approved", start=date(2026, 8, 3))
    client = _client(app, "committee")
    refused = act(client, case.id, "return_for_rework", {"d.reason": ""})
    assert refused.status_code == 400 and "Ô này bắt buộc phải nhập" in refused.get_data(as_text=True)
    assert _state(runtime, case.id)[0] == "cell_approved"
    done = act(client, case.id, "return_for_rework", {"d.reason": "Thiếu nhận xét của Đoàn thanh niên."})
    assert done.status_code == 302
    assert _state(runtime, case.id)[0] == "opinions_collected"
    assert "Thiếu nhận xét của Đoàn thanh niên." in client.get(f"/cases/{case.id}").get_data(as_text=True)


def test_refused_actions_answer_403_409_404(app, runtime, world):
    """Someone else's step is 403, a step of another state 409, an unknown step 404; nothing written."""
    case = admission_case(runtime, world, "cell1", until="cell_approved", start=date(2026, 8, 3))
    secretary = _client(app, "secretary1")
    assert act(secretary, case.id, "committee_vote", {}).status_code == 403
    assert act(secretary, case.id, "hold_ceremony", {}).status_code == 409
    assert act(secretary, case.id, "fly_to_the_moon", {}).status_code == 404
    assert _state(runtime, case.id)[0] == "cell_approved"


def test_decision_and_ceremony_open_the_probation_case(app, runtime, world):
    """The standing committee decides, the secretary records the ceremony, and the probation case appears."""
    case = admission_case(runtime, world, "cell1", until="committee_approved", start=date(2026, 8, 3))
    standing = _client(app, "standing_commune")
    decided = act(standing, case.id, "decide_admission", {
        "d.decision_number": "15-QĐ/ĐU", "d.decision_date": "12/11/2026", "d.received_date": "13/11/2026",
        "d.vote.date": "12/11/2026", "d.vote.eligible": "9", "d.vote.agree": "8", "d.vote.disagree": "1",
        "d.vote.method": "secret_ballot"})
    assert decided.status_code == 302, decided.get_data(as_text=True)
    secretary = _client(app, "secretary1")
    held = act(secretary, case.id, "hold_ceremony", {"d.ceremony_date": "20/11/2026"})
    assert held.status_code == 302
    page = secretary.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Hồ sơ đã kết thúc: Đã tổ chức lễ kết nạp." in page
    with runtime.session_factory() as s:
        probation = s.scalars(select(Case).where(Case.parent_case_id == case.id)).one()
    assert probation.procedure == "probation"
    assert f'href="/cases/{probation.id}"' in page
    assert "Đảng viên dự bị" in page
