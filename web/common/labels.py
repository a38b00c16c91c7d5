"""Words for the code names the UI shows: procedures, states, steps, roles, choices.

Procedure vocabulary comes from the definitions themselves (label_vi/label_en);
the rest (roles, organisation kinds, enum choices) is translated here.
"""
from __future__ import annotations

from functools import lru_cache

from flask import Flask, current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from web.common.i18n import label
from workflows.domain.definition import DeadlineSpec, Procedure
from workflows.domain.errors import InvalidInput
from workflows.domain.rulesets import RULE_SETS, rule_set_in_force
from workflows.procedures.registry import get_procedure, procedure_names
from workflows.read.casefile import ref_kind

ROLES = {
    "cell_secretary": _l("Cell secretary"),
    "organisation_officer": _l("Organisation officer"),
    "committee_member": _l("Committee member"),
    "standing_committee": _l("Standing committee"),
    "inspection_committee": _l("Inspection committee"),
    "inspector": _l("Inspector (read only)"),
    "admin": _l("Administrator"),
}

ORGANISATION_KINDS = {
    "province_committee": _l("Province committee"),
    "district_committee": _l("District committee"),
    "commune_committee": _l("Commune-level committee"),
    "grassroots_committee": _l("Grassroots committee"),
    "partial_committee": _l("Partial committee"),
    "grassroots_cell": _l("Grassroots cell"),
    "cell": _l("Cell"),
}

MEMBERSHIP = {
    "none": _l("Not a member"),
    "probationary": _l("Probationary member"),
    "official": _l("Official member"),
    "former": _l("Former member"),
}

# Values of enum fields in the procedures (and of the person's fields).
CHOICES = {
    # education, gender
    "primary": _l("Primary school"),
    "lower_secondary": _l("Lower secondary (THCS)"),
    "upper_secondary": _l("Upper secondary (THPT)"),
    "higher": _l("Higher education"),
    "male": _l("Male"),
    "female": _l("Female"),
    "other": _l("Other"),
    # votes
    "secret_ballot": _l("Secret ballot"),
    "show_of_cards": _l("Show of cards"),
    # introducing organisations
    "youth_union": _l("Youth Union"),
    "trade_union": _l("Trade union"),
    # probation proposals
    "recognise": _l("Recognise as official member"),
    "strike_off": _l("Strike off the rolls"),
    # strike-off grounds
    "missed_activities_or_dues": _l("Missed party activities or dues for 3 months in a year"),
    "returned_or_destroyed_card": _l("Returned or destroyed the party card"),
    "no_improvement_after_education": _l("No improvement 12 months after education"),
    "standards_violated_two_years": _l("Did not meet the standards two years running"),
    "political_standard_not_met": _l("Political standard not met"),
    # discipline forms
    "reprimand": _l("Reprimand"),
    "warning": _l("Warning"),
    "removal_from_post": _l("Removal from post"),
    "expulsion": _l("Expulsion"),
    # re-admission bars, violation categories (statute of limitations)
    "corruption": _l("Corruption"),
    "serious_crime": _l("Serious crime"),
    "ordinary": _l("Ordinary violation"),
    "internal_political": _l("Internal political matter"),
    "national_security": _l("Harm to national defence, security or foreign affairs"),
    "illegal_degree": _l("Use of an illegal degree"),
    # decision bodies, appeals, levels
    "province": _l("Province level"),
    "central": _l("Central level"),
    "yes": _l("Yes"),
    "no": _l("No"),
    # who took a discipline decision (issue 12)
    "cell": _l("The cell"),
    "grassroots_committee": _l("The grassroots party committee"),
    "grassroots_inspection": _l("The grassroots inspection commission"),
    "superior_committee": _l("The superior party committee"),
    "superior_inspection": _l("The superior inspection commission"),
    # grounds to defer a discipline case (issue 12)
    "pregnancy": _l("Pregnancy"),
    "maternity_leave": _l("Maternity leave"),
    "raising_child": _l("Raising a child under 12 months"),
    "inpatient_treatment": _l("Serious illness under inpatient treatment"),
    # transfer of party activity (issue 12)
    "official": _l("Official transfer (to a new cell)"),
    "temporary": _l("Temporary transfer"),
    "job_change": _l("Transferred to a new job"),
    "retirement": _l("Retirement, sick leave, leaving the job or demobilisation"),
    "residence_change": _l("Change of residence"),
    "study": _l("Sent to study"),
    # exemption from party work and activities
    "old_age": _l("Old age"),
    "poor_health": _l("Poor health"),
    "old_age_and_poor_health": _l("Old age and poor health"),
    "exempt": _l("Exempt"),
    "reduced": _l("Reduced"),
    # suspension of party activity
    "prosecuted": _l("Prosecuted"),
    "detained": _l("Held in custody"),
    "measure_ended": _l("The prosecution or custody term ended"),
    "charges_dropped": _l("Investigation or prosecution dropped"),
    "acquitted": _l("Found not guilty"),
}

# A person's membership fields, as a decision's effects name them on the case page.
PERSON_FIELDS = {
    "membership_status": _l("Membership"),
    "joined_on": _l("Admitted on"),
    "official_on": _l("Official member from"),
    "left_on": _l("Left on"),
    "left_reason": _l("Reason for leaving"),
    "holds_post": _l("Holds a post"),
    "organisation_id": _l("Party organisation"),
    "flags": _l("Notes on the record"),
}

# How a person left the party (Person.left_reason); a strike-off's reason is "struck_off:<ground>".
LEFT_REASONS = {
    "withdrawal": _l("Left at their own request"),
    "withdrawal_family_hardship": _l("Left at their own request (family hardship)"),
    "expelled": _l("Expelled"),
    "struck_off:probation_review": _l("Struck off at the end of probation"),
}

DEADLINE_STATUS = {"open": _l("open"), "met": _l("met"), "cancelled": _l("cancelled")}


def current_rule_set() -> str:
    """The rule set in force today (by the engine's clock)."""
    return rule_set_in_force(current_app.extensions["quytrinh"].clock.today()).name


def definition(procedure: str, rule_set: str | None = None) -> Procedure | None:
    try:
        return get_procedure(procedure, rule_set or current_rule_set())
    except (InvalidInput, KeyError):
        return None


def procedure_label(procedure: str, rule_set: str | None = None) -> str:
    found = definition(procedure, rule_set)
    return label(found) if found else procedure


def state_label(procedure: str, rule_set: str | None, state: str | None) -> str:
    found = definition(procedure, rule_set)
    if found is None or state is None:
        return state or ""
    try:
        return label(found.state(state))
    except KeyError:
        return state


def trigger_label(procedure: str, rule_set: str | None, trigger: str) -> str:
    found = definition(procedure, rule_set)
    steps = found.steps_for(trigger) if found else []
    return label(steps[0]) if steps else trigger


@lru_cache(maxsize=None)
def _deadline_specs(procedure: str, rule_set: str) -> dict[str, DeadlineSpec]:
    found = definition(procedure, rule_set)
    specs: dict[str, DeadlineSpec] = {}
    for step in (found.open_step, *found.steps) if found else ():
        for spec in step.opens:
            specs.setdefault(spec.kind, spec)
    return specs


def deadline_label(procedure: str, rule_set: str | None, kind: str) -> str:
    spec = _deadline_specs(procedure, rule_set or current_rule_set()).get(kind)
    return label(spec) if spec and (spec.label_vi or spec.label_en) else kind.replace("_", " ")


def role_label(role: str) -> str:
    return str(ROLES.get(role, role))


def kind_label(kind: str) -> str:
    return str(ORGANISATION_KINDS.get(kind, kind))


def membership_label(status: str | None) -> str:
    return str(MEMBERSHIP.get(status or "none", status))


def person_field_label(name: str) -> str:
    return str(PERSON_FIELDS.get(name, name.replace("_", " ")))


def left_reason_label(reason: str | None) -> str:
    """Why a person left, in words: «Xóa tên: …» with the strike-off's ground."""
    if not reason:
        return ""
    if reason in LEFT_REASONS:
        return str(LEFT_REASONS[reason])
    if reason.startswith("struck_off:"):
        return _("Struck off: %(ground)s", ground=choice_label(reason.partition(":")[2]))
    return choice_label(reason)


def choice_label(value) -> str:
    if value is None:
        return ""
    text = CHOICES.get(str(value))
    return str(text) if text is not None else str(value).replace("_", " ")


def all_procedures() -> list[tuple[str, str]]:
    """(name, label) of every registered procedure under the rule set in force."""
    return [(name, procedure_label(name)) for name in procedure_names()]


def rule_set_label(name: str) -> str:
    found = RULE_SETS.get(name)
    return found.label if found else name


def rule_sets() -> list[tuple[str, str]]:
    return [(name, rs.label) for name, rs in RULE_SETS.items()]


# What a picker's search box says to type, by what the reference points at (workflows/read/casefile.ref_kind).
_PICKER_HINTS = {
    "person": _l("Type part of a name or a birth year"),
    "organisation": _l("Type part of the cell's name"),
    "destination": _l("Type part of the cell's name"),
    "case": _l("Type the case number or the procedure"),
}


def picker_hint(field_name: str) -> str:
    return str(_PICKER_HINTS.get(ref_kind(field_name) or "person"))


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        procedure_label=procedure_label, state_label=state_label, trigger_label=trigger_label,
        deadline_label=deadline_label, role_label=role_label, kind_label=kind_label,
        membership_label=membership_label, choice_label=choice_label, rule_set_label=rule_set_label,
        left_reason_label=left_reason_label, picker_hint=picker_hint,
    )
