"""`flask render-form CASE_ID FORM_ID --format pdf|docx [--draft] -o FILE` and `flask draw-forms`."""
from __future__ import annotations

from tests.engine.test_concurrency import walk_to
from tests.forms.reading import docx_text, pdf_text


def test_render_form_writes_the_final_pdf_and_a_word_draft(app, runtime, world, tmp_path):
    """The recorded resolution as PDF; the pending decision as a Word draft; not available without --draft: exit 1."""
    case = walk_to(runtime, world, "cell_approved")
    cli = app.test_cli_runner()
    final = tmp_path / "6-KND.pdf"
    done = cli.invoke(args=["render-form", str(case.id), "6-KND", "-o", str(final)])
    assert done.exit_code == 0, done.output
    assert "NGHỊ QUYẾT" in pdf_text(final.read_bytes()) and "DỰ THẢO" not in pdf_text(final.read_bytes())
    draft = tmp_path / "9-KND.docx"
    done = cli.invoke(args=["render-form", str(case.id), "9-KND", "--format", "docx", "--draft", "-o", str(draft)])
    assert done.exit_code == 0 and "DỰ THẢO" in docx_text(draft.read_bytes())
    refused = cli.invoke(args=["render-form", str(case.id), "9-KND", "-o", str(tmp_path / "x.pdf")])
    assert refused.exit_code == 1 and "not available" in refused.output
    assert not (tmp_path / "x.pdf").exists()


def test_draw_forms_draws_what_was_issued(app, runtime, world):
    """draw-forms reports how many documents it drew: the cell's resolution, then nothing more."""
    walk_to(runtime, world, "cell_approved")
    cli = app.test_cli_runner()
    assert cli.invoke(args=["draw-forms"]).output.strip() == "drawn=1"
    assert cli.invoke(args=["draw-forms"]).output.strip() == "drawn=0"
