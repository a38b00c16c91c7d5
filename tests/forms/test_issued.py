"""A final document is kept: its facts' hash is in the event, it is drawn once and served byte for byte
afterwards, whatever template changes later; before its step it is only a draft."""
from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select

from models import Event, IssuedForm
from tests.engine.test_concurrency import START, walk_to
from tests.forms.reading import pdf_text
from workflows.domain.errors import NotAvailable, NotFound
from workflows.domain.forms import digest
from workflows.forms import fill as fill_module
from workflows.forms.issued import case_forms, draw_pending, form_file


def test_the_event_records_the_sha256_of_the_stored_facts(runtime, world):
    """The cell vote's event has forms.6-KND {number, template, sha256}; sha256 is the stored facts' digest."""
    case = walk_to(runtime, world, "cell_approved")
    with runtime.session_factory() as s:
        event = s.scalars(select(Event).where(Event.case_id == case.id, Event.trigger == "cell_vote")).one()
        row = s.scalars(select(IssuedForm).where(IssuedForm.case_id == case.id)).one()
    recorded = event.data["forms"]["6-KND"]
    assert recorded == {"number": "1-NQ/CB", "template": "6-KND.v1", "sha256": row.sha256}
    assert digest(row.facts) == row.sha256 and row.seq == event.seq and row.pdf is None


def test_a_final_document_is_drawn_once_and_kept_byte_for_byte(runtime, world, monkeypatch, tmp_path):
    """Drawn at the first download and stored with its sha256; after the template changes, the download is
    the same bytes, while a draft follows the new template."""
    case = walk_to(runtime, world, "cell_approved")
    admin = world.users["admin"]
    first = form_file(runtime, actor_id=admin, case_id=case.id, form_id="6-KND", fmt="pdf")
    docx = form_file(runtime, actor_id=admin, case_id=case.id, form_id="6-KND", fmt="docx")
    with runtime.session_factory() as s:
        row = s.scalars(select(IssuedForm).where(IssuedForm.case_id == case.id)).one()
        assert row.pdf_sha256 == hashlib.sha256(first.content).hexdigest()
        assert row.docx_sha256 == hashlib.sha256(docx.content).hexdigest()

    changed = tmp_path / "templates"
    changed.mkdir()
    for path in fill_module.TEMPLATE_DIR.glob("*.txt"):
        text = path.read_text(encoding="utf-8").replace("CHI BỘ QUYẾT NGHỊ", "CHI BỘ QUYẾT NGHỊ (MẪU MỚI)")
        (changed / path.name).write_text(text, encoding="utf-8")
    monkeypatch.setattr(fill_module, "TEMPLATE_DIR", changed)
    fill_module.environment.cache_clear()
    try:
        again = form_file(runtime, actor_id=admin, case_id=case.id, form_id="6-KND", fmt="pdf")
        draft = form_file(runtime, actor_id=admin, case_id=case.id, form_id="6-KND", fmt="pdf", draft=True)
    finally:
        fill_module.environment.cache_clear()
    assert again.content == first.content
    assert "MẪU MỚI" in pdf_text(draft.content) and "MẪU MỚI" not in pdf_text(again.content)


def test_before_its_step_a_form_is_not_available_but_its_draft_is(runtime, world):
    """9-KND before decide_admission: NotAvailable (409 not_available) unless draft; the list says available
    only for the recorded 6-KND."""
    case = walk_to(runtime, world, "cell_approved")
    admin = world.users["admin"]
    with pytest.raises(NotAvailable):
        form_file(runtime, actor_id=admin, case_id=case.id, form_id="9-KND")
    assert "DỰ THẢO" in pdf_text(form_file(runtime, actor_id=admin, case_id=case.id, form_id="9-KND",
                                           draft=True).content)
    listed = {f["id"]: f["available"] for f in case_forms(runtime, actor_id=admin, case_id=case.id)}
    assert listed == {"6-KND": True, "8-KND": False, "9-KND": False, "TB-KKN": False, "QD-THQD": False,
                      "GT-CSHD": False}


def test_an_unknown_form_or_an_invisible_case_is_not_found(runtime, world):
    """An unknown form id, and a case outside the reader's subtree, read as not found."""
    case = walk_to(runtime, world, "cell_approved")
    with pytest.raises(NotFound):
        form_file(runtime, actor_id=world.users["admin"], case_id=case.id, form_id="99-KND", draft=True)
    with pytest.raises(NotFound):
        form_file(runtime, actor_id=world.users["secretary3"], case_id=case.id, form_id="6-KND")


def test_draw_pending_draws_each_issued_document_once(runtime, world):
    """The command's use case draws what was issued and not drawn, then finds nothing more to draw."""
    walk_to(runtime, world, "admitted")
    assert draw_pending(runtime) == 3  # 6-KND, 8-KND, 9-KND
    assert draw_pending(runtime) == 0
