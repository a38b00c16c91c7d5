"""Generated documents in the web UI: links per recorded step, drafts for pending steps, a print view, a dossier."""
from __future__ import annotations

from tests.engine.test_concurrency import walk_to
from tests.forms.reading import docx_text, pdf_text
from tests.web.support import sign_in


def _client(app, user):
    client = app.test_client()
    assert sign_in(client, user).status_code == 302
    return client


def test_the_case_page_links_recorded_documents_and_drafts_of_pending_ones(app, runtime, world):
    """After the cell vote: Word/PDF of 6-KND under the step and in the list; 9-KND offered as a draft."""
    case = walk_to(runtime, world, "cell_approved")
    page = _client(app, "secretary1").get(f"/cases/{case.id}").get_data(as_text=True)
    assert f"/cases/{case.id}/forms/6-KND.docx" in page and f"/cases/{case.id}/forms/6-KND.pdf" in page
    assert f"/cases/{case.id}/forms/9-KND.pdf?draft=1" in page
    assert "Văn bản (nghị quyết, quyết định)" in page and "Số 1-NQ/CB" in page
    assert f"/cases/{case.id}/print" in page


def test_the_links_download_the_final_word_file_and_the_pdf_draft(app, runtime, world):
    """6-KND.docx is the final resolution; 9-KND.pdf?draft=1 is marked «DỰ THẢO»; 9-KND.pdf alone is 409."""
    case = walk_to(runtime, world, "cell_approved")
    client = _client(app, "secretary1")
    word = client.get(f"/cases/{case.id}/forms/6-KND.docx")
    assert word.status_code == 200 and "NGHỊ QUYẾT" in docx_text(word.data)
    draft = client.get(f"/cases/{case.id}/forms/9-KND.pdf?draft=1")
    assert draft.status_code == 200 and "DỰ THẢO" in pdf_text(draft.data)
    refused = client.get(f"/cases/{case.id}/forms/9-KND.pdf")
    assert refused.status_code == 409 and "chưa có" in refused.get_data(as_text=True)


def test_the_print_view_lists_every_step_oldest_first_with_its_documents(app, runtime, world):
    """The print view: a table of the steps in order (open first), the resolution's number, no navigation."""
    case = walk_to(runtime, world, "cell_approved")
    page = _client(app, "secretary1").get(f"/cases/{case.id}/print").get_data(as_text=True)
    assert "Diễn biến hồ sơ" in page and "@page" in page and "<nav" not in page
    assert page.index("Mở hồ sơ quần chúng ưu tú") < page.index("Chi bộ biểu quyết")
    assert "Nghị quyết đề nghị kết nạp đảng viên (chi bộ) — Số 1-NQ/CB" in page


def test_the_person_page_offers_the_dossier(app, runtime, world):
    """The person page links the dossier; it is a PDF with the table of contents and the resolution."""
    case = walk_to(runtime, world, "cell_approved")
    client = _client(app, "secretary1")
    page = client.get(f"/people/{case.person_id}").get_data(as_text=True)
    assert f"/people/{case.person_id}/dossier.pdf" in page
    dossier = client.get(f"/people/{case.person_id}/dossier.pdf")
    text = pdf_text(dossier.data)
    assert dossier.mimetype == "application/pdf" and "MỤC LỤC" in text and "NGHỊ QUYẾT" in text
