"""The generated procedure reference (docs/procedures/) stays true to the definitions."""
from __future__ import annotations

from web.cli.reference import DOCS, generated, stale_files
from workflows.domain.rulesets import RULE_SETS
from workflows.procedures.registry import get_procedure, procedure_names


def test_checked_in_reference_matches_the_definitions():
    """docs/procedures/ is what `flask --app app procedures-reference` writes today (re-run it after a change)."""
    assert stale_files(DOCS) == []


def test_a_stale_or_extra_file_is_reported(tmp_path):
    """The staleness check can fail: an edited page, a missing diagram and a leftover file are each named."""
    for path, text in generated().items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text, encoding="utf-8")
    assert stale_files(tmp_path) == []
    (tmp_path / "cpv-2021/admission.md").write_text("edited by hand", encoding="utf-8")
    (tmp_path / "cpv-2025/probation.svg").unlink()
    (tmp_path / "cpv-2025/gone.md").write_text("a procedure that no longer exists", encoding="utf-8")
    assert stale_files(tmp_path) == ["cpv-2021/admission.md", "cpv-2025/gone.md", "cpv-2025/probation.svg"]


def test_every_rule_of_every_procedure_is_listed_with_its_source():
    """Each rule id of each step appears in its procedure's page beside its legal source."""
    pages = generated()
    for rule_set in RULE_SETS:
        for name in procedure_names():
            page = pages[f"{rule_set}/{name}.md"]
            definition = get_procedure(name, rule_set)
            for step in (definition.open_step, *definition.steps):
                for rule in step.rules:
                    source = rule.source.replace("|", "\\|")
                    rows = [line for line in page.splitlines()
                            if line.startswith(f"| `{rule.id}` |") and source in line]
                    assert rows, f"{rule_set}/{name}: rule {rule.id} ({rule.source}) missing"
