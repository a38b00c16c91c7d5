"""The public contract of every procedure: canonical names (procedures.md), data fields (api.md), labels, rule sources."""
from __future__ import annotations

import pytest

from workflows.domain.definition import Field
from workflows.domain.rulesets import RULE_SETS
from workflows.engine.machine import machine_for
from workflows.procedures.registry import get_procedure, procedure_names

# procedures.md: canonical states and triggers, which the REST API, reports and tests rely on.
CANONICAL = {
    "probation": ({"on_probation", "under_review", "cell_approved", "strike_off_proposed", "committee_approved",
                   "strike_off_confirmed", "referred_to_superior", "official", "struck_off"},
                  {"submit_review", "cell_vote", "committee_vote", "recognise", "strike_off"}),
    "strike_off": ({"proposed", "self_criticism_done", "cell_approved", "committee_approved", "struck_off", "dismissed"},
                   {"open", "record_self_criticism", "record_refusal", "cell_vote", "committee_vote",
                    "decide_strike_off", "reject_strike_off"}),
    "withdrawal": ({"requested", "cell_approved", "committee_approved", "removed", "rejected", "referred_to_superior"},
                   {"open", "cell_vote", "committee_vote", "decide_withdrawal", "reject_withdrawal"}),
    "discipline": ({"opened", "deferred", "reviewed", "proposed", "in_force", "closed", "dismissed"},
                   {"open", "defer", "resume", "record_self_review", "record_refusal", "cell_vote",
                    "decide_discipline", "close"}),
    "appeal": ({"filed", "under_consideration", "upheld", "amended", "annulled"},
               {"open", "start_consideration", "uphold", "amend", "annul"}),
}

# api.md "Data of the main triggers": the names each trigger's data uses.
API_DATA = {
    ("probation", "submit_review"): {"date"},
    ("probation", "cell_vote"): {"vote", "proposal"},
    ("probation", "recognise"): {"decision_number", "decision_date"},
    ("probation", "strike_off"): {"decision_number", "decision_date"},
    ("strike_off", "open"): {"ground", "evidence", "date"},
    ("strike_off", "record_refusal"): {"date", "requests"},
    ("strike_off", "record_self_criticism"): {"date", "summary"},
    ("strike_off", "cell_vote"): {"vote"},
    ("strike_off", "committee_vote"): {"vote"},
    ("strike_off", "decide_strike_off"): {"decision_number", "decision_date", "received_date"},
    ("withdrawal", "open"): {"date", "reason", "family_hardship"},
    ("withdrawal", "cell_vote"): {"vote"},
    ("withdrawal", "committee_vote"): {"vote"},
    ("withdrawal", "decide_withdrawal"): {"decision_number", "decision_date", "received_date"},
    ("discipline", "open"): {"violation", "violation_date", "proposed_form"},
    ("discipline", "record_self_review"): {"date", "summary", "proposed_form"},
    ("discipline", "record_refusal"): {"date", "requests"},
    ("discipline", "cell_vote"): {"vote", "form"},
    ("discipline", "decide_discipline"): {"decision_number", "decision_date", "form"},
    ("appeal", "open"): {"against_case_id", "received_decision_on", "filed_on", "grounds"},
    ("appeal", "start_consideration"): {"date"},
    ("appeal", "uphold"): {"decision_number", "decision_date"},
    ("appeal", "amend"): {"decision_number", "decision_date", "form"},
    ("appeal", "annul"): {"decision_number", "decision_date"},
    ("admission", "hold_ceremony"): {"ceremony_date", "superior_consent"},
}
ANY_DATA = {"return_for_rework": {"reason"}, "withdraw": {"reason"}, "transfer": {"organisation_id", "date"},
            "revoke": {"decision_number", "decision_date", "reason"}}


def _fields(fields: tuple[Field, ...]):
    for f in fields:
        yield f
        yield from _fields(f.items)


@pytest.mark.parametrize("name", sorted(CANONICAL))
def test_canonical_states_and_triggers_exist(name):
    """Every state and trigger procedures.md names is in the definition, under both rule sets."""
    states, triggers = CANONICAL[name]
    for rule_set in RULE_SETS:
        procedure = get_procedure(name, rule_set)
        assert states <= {s.name for s in procedure.states}
        assert triggers <= set(procedure.triggers)
        assert machine_for(procedure).model_count == 0


@pytest.mark.parametrize(("name", "trigger"), sorted(API_DATA))
def test_api_data_names_are_declared_fields(name, trigger):
    """The data names api.md gives a trigger are fields of every step of that trigger."""
    for step in get_procedure(name, "cpv-2025").steps_for(trigger):
        assert API_DATA[(name, trigger)] <= {f.name for f in step.fields}


@pytest.mark.parametrize("name", sorted(set(procedure_names()) - {"admission"}) + ["admission"])
def test_shared_triggers_carry_their_data_and_every_procedure_has_transfer_and_revoke(name):
    """transfer and revoke exist everywhere (but in the transfer of party activity itself, whose letter is
    cancelled instead); shared triggers declare api.md's names."""
    procedure = get_procedure(name, "cpv-2025")
    if name == "activity_transfer":
        assert {"cancel_letter", "withdraw"} <= set(procedure.triggers)
    else:
        assert {"transfer", "revoke"} <= set(procedure.triggers)
    for trigger, names in ANY_DATA.items():
        for step in procedure.steps_for(trigger):
            assert names <= {f.name for f in step.fields}


@pytest.mark.parametrize("name", procedure_names())
def test_every_field_is_labelled_and_every_rule_has_an_id_and_a_source(name):
    """Forms and API schemas are generated from the fields: each needs Vietnamese and English labels."""
    procedure = get_procedure(name, "cpv-2021")
    for step in (procedure.open_step, *procedure.steps):
        assert step.label_vi and step.label_en and step.legal_basis
        for f in _fields(step.fields):
            assert f.label_vi and f.label_en, (name, step.trigger, f.name)
        for rule in step.rules:
            assert rule.id and rule.source and rule.message_vi and rule.message_en, (name, step.trigger)
