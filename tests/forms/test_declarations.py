"""Forms are declared next to the steps: every deciding step of the procedures has one, with a template."""
from __future__ import annotations

import pytest

from workflows.domain.forms import FormSpec
from workflows.domain.rulesets import RULE_SETS
from workflows.forms.fill import TEMPLATE_DIR
from workflows.procedures.registry import get_procedure

# The procedures of this branch; a procedure added later declares its own forms (and its own test).
PROCEDURES = ("admission", "probation", "strike_off", "withdrawal", "discipline", "appeal")


def deciding_steps(definition):
    """Steps that produce a document: a vote or a decision, a refusal or rejection, a revocation, a transfer —
    not the system's own steps (their document is the deciding case's)."""
    for step in definition.steps:
        if step.system:
            continue
        names = {f.name for f in step.fields}
        if step.vote or "decision_number" in names or step.trigger.startswith(("decide_", "refuse_", "reject_")) \
                or step.trigger in ("revoke", "transfer"):
            yield step


@pytest.mark.parametrize("rule_set", sorted(RULE_SETS))
@pytest.mark.parametrize("name", PROCEDURES)
def test_every_deciding_step_has_a_form(name, rule_set):
    """Each vote, decision, refusal, revocation and transfer step of the procedure records a form."""
    definition = get_procedure(name, rule_set)
    without = sorted({s.trigger for s in deciding_steps(definition) if not definition.forms_for(s.trigger)})
    assert without == [], f"{name}: steps without a form: {without}"


@pytest.mark.parametrize("name", PROCEDURES)
def test_every_form_has_an_ascii_id_a_step_and_a_template_file(name):
    """Form ids are ASCII, name a trigger of the procedure, and their versioned template file exists."""
    for rule_set in RULE_SETS:
        definition = get_procedure(name, rule_set)
        for form in definition.forms:
            assert form.id.isascii() and " " not in form.id
            assert definition.steps_for(form.step), form.id
            assert (TEMPLATE_DIR / f"{form.template}.txt").is_file(), form.template
            assert form.template.rsplit(".v", 1)[1].isdigit(), form.template


def test_a_form_with_a_non_ascii_id_or_an_unknown_kind_is_refused():
    """FormSpec refuses «9-KNĐ» (ids are ASCII) and a kind that is not resolution/decision/notice/letter."""
    with pytest.raises(ValueError):
        FormSpec("9-KNĐ", "Quyết định kết nạp đảng viên", "decide_admission")
    with pytest.raises(ValueError):
        FormSpec("X-1", "Biên bản", "decide_admission", kind="minutes")
