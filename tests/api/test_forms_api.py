"""The documents of a case over HTTP (api.md «Additions»): the list, 409 before the step, drafts, PDF and Word."""
from __future__ import annotations

import pytest

from tests.api.support import build_province
from tests.api.test_admission_api import new_applicant, open_admission, walk
from tests.forms.reading import docx_text, pdf_text

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture(scope="module")
def province(api):
    return build_province(api)


@pytest.fixture(scope="module")
def voted(api, province):
    """An admission case of «Trần Thị Forms» just past the cell vote."""
    person = new_applicant(api, province, "Trần Thị Forms")
    case, steps = open_admission(api, province, person)
    return walk(api, case, steps, "cell_approved")


def test_the_list_names_every_form_and_which_are_available(api, voted):
    """GET /cases/{id}/forms: every form of admission with its title and step; the cell's resolution available."""
    items = api.ok("GET", f"/cases/{voted['id']}/forms")["items"]
    by_id = {item["id"]: item for item in items}
    assert set(by_id) == {"6-KND", "8-KND", "9-KND", "TB-KKN", "QD-THQD", "GT-CSHD"}
    assert by_id["6-KND"]["available"] is True and by_id["6-KND"]["step"] == "cell_vote"
    assert by_id["9-KND"] == {**by_id["9-KND"], "available": False, "step": "decide_admission"}
    assert all(item["id"].isascii() and item["title"] for item in items)


def test_a_recorded_form_downloads_as_pdf_and_word(api, voted):
    """The cell's resolution as PDF (default) and DOCX: attachment, right type, the person's name inside."""
    pdf = api.request("GET", f"/cases/{voted['id']}/forms/6-KND")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.headers["Content-Disposition"].startswith("attachment; filename=")
    assert "Trần Thị Forms" in pdf_text(pdf.data) and "DỰ THẢO" not in pdf_text(pdf.data)
    word = api.request("GET", f"/cases/{voted['id']}/forms/6-KND?format=docx")
    assert word.status_code == 200 and word.mimetype == DOCX
    assert "Trần Thị Forms" in docx_text(word.data)


def test_before_its_step_a_form_is_409_not_available_unless_draft(api, voted):
    """9-KND before the decision: 409 not_available; with draft=true the draft marked «DỰ THẢO»."""
    api.fails("GET", f"/cases/{voted['id']}/forms/9-KND", 409, "not_available")
    draft = api.request("GET", f"/cases/{voted['id']}/forms/9-KND?draft=true&format=docx")
    assert draft.status_code == 200 and "DỰ THẢO" in docx_text(draft.data)


def test_unknown_forms_formats_and_outsiders_are_refused(api, voted):
    """404 for an unknown form, 400 for an unknown format, 404 for a reader outside the case's subtree."""
    api.fails("GET", f"/cases/{voted['id']}/forms/99-KND?draft=true", 404, "not_found")
    api.fails("GET", f"/cases/{voted['id']}/forms/6-KND?format=odt", 400, "invalid_input")
    api.fails("GET", f"/cases/{voted['id']}/forms/6-KND", 404, "not_found", as_="other_secretary")


def test_a_persons_dossier_is_one_pdf_with_a_table_of_contents(api, voted):
    """GET /persons/{id}/dossier: the person's final documents after a «MỤC LỤC» page."""
    response = api.request("GET", f"/persons/{voted['person_id']}/dossier")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    assert "MỤC LỤC" in text and "Nghị quyết đề nghị kết nạp đảng viên (chi bộ)" in text
