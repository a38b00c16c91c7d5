"""What a decided case counts as in the yearly statistics (procedures.md §9) — the one place for this rule.

A case counts on its decision date (`Case.decided_on`) by the final state the decision put it in:
admission → admitted, probation → recognised or struck off (always a probationary member), strike-off →
struck off (and, when the member was probationary before the decision, among the probationary ones),
withdrawal → withdrawn, discipline → its decided form (`Case.data.form`, which an amending appeal
updates). A revoked decision or an annulling appeal moves the case out of these states, and out of the
count. Both the live queries (workflows/reports/statistics.py) and the tallies the transition keeps
(workflows/engine/tallies.py) read these tables.
"""
from __future__ import annotations

# The figures, in the order the province reports them.
CATEGORIES = (
    "admitted", "recognised", "struck_off", "struck_off_probationary", "expelled", "withdrawn",
    "reprimand", "warning", "removal_from_post",
)

# (procedure, state a decision leads to) -> what it counts as.
OUTCOMES: dict[tuple[str, str], str] = {
    ("admission", "admitted"): "admitted",
    ("admission", "completed"): "admitted",
    ("probation", "official"): "recognised",
    ("probation", "struck_off"): "struck_off",
    ("strike_off", "struck_off"): "struck_off",
    ("withdrawal", "removed"): "withdrawn",
}
DISCIPLINE_STATES = ("in_force", "closed")
DISCIPLINE_FORMS = {"expulsion": "expelled", "reprimand": "reprimand", "warning": "warning",
                    "removal_from_post": "removal_from_post"}


def counted_as(procedure: str, state: str | None, form: str | None, probationary_before: bool) -> tuple[str, ...]:
    """The categories a decided case in `state` counts in (none: it is not a counted decision).

    `form` is the discipline case's decided form; `probationary_before` whether the member was probationary
    before the strike-off decision (only read for a strike_off case in `struck_off`).
    """
    if procedure == "discipline":
        category = DISCIPLINE_FORMS.get(form or "") if state in DISCIPLINE_STATES else None
        return (category,) if category else ()
    category = OUTCOMES.get((procedure, state or ""))
    if category is None:
        return ()
    if (procedure, state) == ("probation", "struck_off") or (category == "struck_off" and probationary_before):
        return category, "struck_off_probationary"
    return (category,)
