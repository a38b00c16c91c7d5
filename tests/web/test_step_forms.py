"""The action forms are generated from each step's Field declarations: they work for every procedure."""
from __future__ import annotations

import re
from datetime import date

import pytest
from werkzeug.datastructures import MultiDict

from web.cases.stepforms import StepFormView, parse_date_text, parse_step_form
from workflows.domain.definition import Field, Step
from workflows.domain.fields import parse_data
from workflows.domain.rulesets import RULE_SETS
from workflows.procedures.registry import get_procedure, procedure_names


def _steps():
    for rule_set in RULE_SETS:
        for name in procedure_names():
            definition = get_procedure(name, rule_set)
            seen = set()
            for step in (definition.open_step, *definition.steps):
                if getattr(step, "system", False) or (step.trigger, step.fields) in seen:
                    continue
                seen.add((step.trigger, step.fields))
                yield pytest.param(step, id=f"{rule_set}-{name}-{step.trigger}-{len(seen)}")


STEPS = list(_steps())


def sample(f: Field, index: int = 0):
    """A valid value of a field, as the engine's JSON shape."""
    if f.kind == "date":
        return date(2026, 3, 2 + index).isoformat()
    if f.kind in ("int", "ref"):
        return 3 + index
    if f.kind in ("str", "text"):
        return f"{f.name} {index}"
    if f.kind == "bool":
        return True
    if f.kind == "enum":
        return f.choices[index % len(f.choices)]
    if f.kind == "vote":
        return {"date": "2026-03-05", "eligible": 7, "agree": 5, "disagree": 2, "method": "secret_ballot"}
    if f.kind == "object":
        return {i.name: sample(i, index) for i in f.items}
    if f.kind == "list":
        return [{i.name: sample(i, n) for i in f.items} for n in range(2)]
    raise AssertionError(f.kind)


def to_form(fields, data, prefix="d") -> MultiDict:
    """What a browser posts for that data (dates typed as dd/mm/yyyy, numbers as text)."""
    form = MultiDict()

    def put(f: Field, value, name: str):
        if f.kind in ("object", "vote"):
            items = f.items if f.kind == "object" else tuple(Field(k, "str") for k in value)
            for item in items:
                if item.name in value:
                    put(item if f.kind == "object" else Field(item.name, "date" if item.name == "date" else "str"),
                        value[item.name], f"{name}.{item.name}")
        elif f.kind == "list":
            for i, row in enumerate(value):
                for item in f.items:
                    if item.name in row:
                        put(item, row[item.name], f"{name}.{i}.{item.name}")
        elif f.kind == "bool":
            if value:
                form.add(name, "1")
        elif f.kind == "date":
            form.add(name, date.fromisoformat(value).strftime("%d/%m/%Y"))
        else:
            form.add(name, str(value))

    for f in fields:
        if f.name in data:
            put(f, data[f.name], f"{prefix}.{f.name}")
    return form


@pytest.mark.parametrize("step", STEPS)
def test_posted_form_gives_the_data_the_engine_accepts(step: Step):
    """Whatever the procedure, a form filled with valid values parses into data parse_data accepts unchanged."""
    data = {f.name: sample(f) for f in step.fields}
    parsed, errors = parse_step_form(step, to_form(step.fields, data))
    assert not errors, errors.by_field
    assert parse_data(step.fields, parsed) == parse_data(step.fields, data)


@pytest.mark.parametrize("step", STEPS)
def test_empty_form_names_each_required_field(step: Step):
    """An empty form reports every required field beside its own input, and nothing else."""
    _data, errors = parse_step_form(step, MultiDict())
    required = {f.name for f in step.fields if f.required and f.kind != "bool"}
    assert set(errors.by_field) == required


def test_every_input_of_every_form_has_a_label(app):
    """The rendered form of any step of any procedure labels every input (a <label for>), with CSRF and revision."""
    with app.test_request_context("/"):
        template = app.jinja_env.get_template("cases/_step_form.html")
        for param in STEPS:
            step = param.values[0]
            view = StepFormView(step, "act-x", ref_options={})
            html = str(template.module.step_form(view, "/cases/1/actions/x", 1))
            ids = re.findall(r'<(?:input|select|textarea)[^>]*\bid="([^"]+)"', html)
            assert ids, f"{param.id}: a form without inputs"
            for ident in ids:
                assert f'for="{ident}"' in html, f"{param.id}: no label for {ident}"
            assert len(re.findall(r'<input type="hidden"', html)) == 2, param.id  # CSRF token and revision


def test_malformed_values_are_reported_beside_their_input():
    """A bad date, a word for a number and an impossible vote are each reported beside their input."""
    step = get_procedure("admission", "cpv-2025").steps_for("cell_vote")[0]
    form = MultiDict({"d.vote.date": "31/02/2026", "d.vote.eligible": "bảy", "d.vote.agree": "5",
                      "d.vote.disagree": "1", "d.vote.method": "show_of_cards"})
    _data, errors = parse_step_form(step, form)
    assert set(errors.by_field) == {"vote.date", "vote.eligible"}
    _data, errors = parse_step_form(step, MultiDict({"d.vote.date": "2026-03-02", "d.vote.eligible": "5",
                                                     "d.vote.agree": "5", "d.vote.disagree": "1",
                                                     "d.vote.method": "secret_ballot"}))
    assert list(errors.by_field) == ["vote"]


def test_empty_list_rows_are_ignored():
    """The list offers spare rows; rows left empty are not recorded."""
    step = get_procedure("admission", "cpv-2025").steps_for("submit_application")[0]
    introducers = next(f for f in step.fields if f.name == "introducers")
    form = to_form((introducers,), {"introducers": [{"person_id": 4, "known_since": "2024-01-02"}]})
    form.add("d.introducers.1.person_id", "")
    form.add("d.introducers.1.known_since", "")
    data, _errors = parse_step_form(step, form)
    assert data["introducers"] == [{"person_id": 4, "known_since": "2024-01-02"}]


@pytest.mark.parametrize("text, expected", [
    ("07/05/2026", "2026-05-07"), ("7/5/2026", "2026-05-07"), ("2026-05-07", "2026-05-07"),
    ("29/02/2027", None), ("2026-5-7", None), ("hôm nay", None),
])
def test_dates_are_read_as_day_month_year(text, expected):
    """Dates are typed dd/mm/yyyy (or come ISO from a date input); impossible dates are refused."""
    assert parse_date_text(text) == expected


def test_every_enum_choice_has_a_label(app):
    """Every choice a step offers has a Vietnamese and English label, not the raw code."""
    from web.common.labels import CHOICES

    missing = set()
    for step in (p.values[0] for p in STEPS):
        stack = list(step.fields)
        while stack:
            f = stack.pop()
            stack.extend(f.items)
            missing.update(c for c in f.choices if c not in CHOICES)
    assert not missing, f"add labels in web/common/labels.py CHOICES for {sorted(missing)}"
