"""Vote thresholds and the Vote record (procedures.md §2)."""

from datetime import date, datetime
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workflows.domain.votes import (
    THRESHOLDS,
    Vote,
    at_least_two_thirds,
    more_than_half,
    passes,
)

# Smallest passing "agree" for each N, worked out by hand from "≥ 2/3 of N",
# not from the formula under test.
TWO_THIRDS_MINIMUM = {1: 1, 2: 2, 3: 2, 4: 3, 5: 4, 6: 4, 7: 5, 8: 6, 9: 6, 10: 7, 11: 8, 12: 8}
# Smallest passing "agree" for "> 1/2 of N": exactly half never passes.
HALF_MINIMUM = {1: 1, 2: 2, 3: 2, 4: 3, 5: 3, 6: 4, 7: 4, 8: 5, 9: 5, 10: 6, 11: 6, 12: 7}


# --- thresholds ----------------------------------------------------------------


@pytest.mark.parametrize(("eligible", "minimum"), TWO_THIRDS_MINIMUM.items())
def test_two_thirds_boundary(eligible, minimum):
    """The minimum agree count passes two thirds and one fewer fails."""
    assert at_least_two_thirds(minimum, eligible)
    assert not at_least_two_thirds(minimum - 1, eligible)


@pytest.mark.parametrize(
    ("agree", "eligible", "expected"),
    [(5, 7, True), (4, 7, False), (2, 3, True), (1, 3, False), (7, 10, True), (6, 10, False)],
)
def test_two_thirds_named_cases(agree, eligible, expected):
    """N = 7 needs 5, N = 3 needs 2, N = 10 needs 7."""
    assert at_least_two_thirds(agree, eligible) is expected


@pytest.mark.parametrize(("eligible", "minimum"), HALF_MINIMUM.items())
def test_more_than_half_boundary(eligible, minimum):
    """The minimum agree count is more than half and one fewer is not."""
    assert more_than_half(minimum, eligible)
    assert not more_than_half(minimum - 1, eligible)


@pytest.mark.parametrize(
    ("agree", "eligible", "expected"),
    [(2, 4, False), (3, 4, True), (3, 5, True), (2, 5, False), (5, 10, False), (6, 10, True)],
)
def test_more_than_half_even_and_odd(agree, eligible, expected):
    """Exactly half of an even N fails; a bare majority of an odd N passes."""
    assert more_than_half(agree, eligible) is expected


@given(eligible=st.integers(min_value=1, max_value=10_000), data=st.data())
def test_thresholds_match_exact_fractions(eligible, data):
    """Integer thresholds agree with exact rational arithmetic for any N."""
    agree = data.draw(st.integers(min_value=0, max_value=eligible))
    assert at_least_two_thirds(agree, eligible) is (Fraction(agree, eligible) >= Fraction(2, 3))
    assert more_than_half(agree, eligible) is (Fraction(agree, eligible) > Fraction(1, 2))


@pytest.mark.parametrize("rule", [at_least_two_thirds, more_than_half])
@pytest.mark.parametrize(
    ("agree", "eligible", "field"),
    [(-1, 5, "agree"), (3, -1, "eligible"), (0, 0, "eligible"), (6, 5, "agree")],
)
def test_threshold_rejects_impossible_counts(rule, agree, eligible, field):
    """Negative counts, an empty body and agree > eligible raise ValueError naming the field."""
    with pytest.raises(ValueError, match=f"^{field}:"):
        rule(agree, eligible)


@pytest.mark.parametrize("rule", [at_least_two_thirds, more_than_half])
@pytest.mark.parametrize(("agree", "eligible"), [(2.0, 3), (2, 3.0), (True, 1), ("2", 3)])
def test_threshold_rejects_non_integers(rule, agree, eligible):
    """Thresholds are integer arithmetic: floats, bools and strings are refused."""
    with pytest.raises(TypeError):
        rule(agree, eligible)


@pytest.mark.parametrize(
    ("threshold", "agree", "eligible", "expected"),
    [("two_thirds", 5, 7, True), ("two_thirds", 4, 7, False), ("half", 4, 7, True), ("half", 2, 4, False)],
)
def test_passes_dispatches_by_name(threshold, agree, eligible, expected):
    """passes() applies the threshold named in a procedure definition."""
    assert passes(threshold, agree, eligible) is expected


def test_thresholds_registry_names():
    """The registry exposes exactly the two thresholds the rules use."""
    assert THRESHOLDS == {"two_thirds": at_least_two_thirds, "half": more_than_half}


def test_passes_rejects_unknown_threshold():
    """An unknown threshold name is a ValueError, not a KeyError."""
    with pytest.raises(ValueError, match="^threshold:"):
        passes("three_quarters", 3, 4)


# --- Vote ----------------------------------------------------------------------

VALID = {"date": "2026-03-04", "eligible": 9, "agree": 7, "disagree": 1, "method": "secret_ballot"}


def test_parse_valid_vote():
    """A well-formed payload becomes a Vote with a real date."""
    vote = Vote.parse(VALID)
    assert vote == Vote(date(2026, 3, 4), 9, 7, 1, "secret_ballot")


def test_parse_accepts_date_object_and_ignores_other_fields():
    """A date object is accepted, and unrelated payload fields are ignored."""
    vote = Vote.parse({**VALID, "date": date(2026, 3, 4), "comment": "ok"})
    assert vote.date == date(2026, 3, 4)


@pytest.mark.parametrize("method", ["secret_ballot", "show_of_cards"])
def test_as_dict_round_trips(method):
    """as_dict() is JSON-friendly and parse(as_dict()) gives the same Vote back."""
    vote = Vote.parse({**VALID, "method": method})
    raw = vote.as_dict()
    assert raw == {**VALID, "method": method}
    assert Vote.parse(raw) == vote


def test_vote_passes_uses_its_own_counts():
    """A Vote applies a named threshold to its agree and eligible counts."""
    vote = Vote.parse(VALID)
    assert vote.passes("two_thirds")
    assert not Vote.parse({**VALID, "agree": 5}).passes("two_thirds")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"date": "2026-02-30"}, "date"),
        ({"date": "04/03/2026"}, "date"),
        ({"date": "20260304"}, "date"),
        ({"date": datetime(2026, 3, 4, 9, 0)}, "date"),
        ({"date": 20260304}, "date"),
        ({"eligible": 0, "agree": 0, "disagree": 0}, "eligible"),
        ({"eligible": -1}, "eligible"),
        ({"eligible": "9"}, "eligible"),
        ({"agree": -1}, "agree"),
        ({"agree": 7.0}, "agree"),
        ({"agree": True}, "agree"),
        ({"disagree": False}, "disagree"),
        ({"disagree": None}, "disagree"),
        ({"agree": 8, "disagree": 2}, "agree"),  # 10 votes from 9 members
        ({"method": "raised_hands"}, "method"),
        ({"method": None}, "method"),
    ],
)
def test_parse_rejects_bad_field(change, field):
    """Each invalid field raises ValueError whose message starts with the field name."""
    with pytest.raises(ValueError, match=f"^{field}:"):
        Vote.parse({**VALID, **change})


@pytest.mark.parametrize("missing", sorted(VALID))
def test_parse_requires_every_field(missing):
    """A payload missing a field names that field."""
    raw = {k: v for k, v in VALID.items() if k != missing}
    with pytest.raises(ValueError, match=f"^{missing}:"):
        Vote.parse(raw)


def test_agree_message_is_the_documented_one():
    """A negative count reads 'agree: must be an integer ≥ 0'."""
    with pytest.raises(ValueError, match="^agree: must be an integer ≥ 0$"):
        Vote.parse({**VALID, "agree": -3})


def test_direct_construction_is_validated_too():
    """No invalid Vote can be built, even bypassing parse()."""
    with pytest.raises(ValueError, match="^eligible:"):
        Vote(date(2026, 3, 4), 0, 0, 0, "secret_ballot")


def test_vote_is_immutable():
    """A recorded vote cannot be altered after the fact."""
    vote = Vote.parse(VALID)
    with pytest.raises(AttributeError):
        vote.agree = 9  # type: ignore[misc]


ANYTHING = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-5, max_value=50),
    st.floats(allow_nan=True),
    st.text(max_size=12),
    st.dates(),
    st.sampled_from(["secret_ballot", "show_of_cards", "2026-03-04"]),
)


@given(st.fixed_dictionaries({k: ANYTHING for k in VALID}))
def test_parse_never_fails_with_anything_but_a_named_value_error(raw):
    """Any payload either parses into a consistent Vote or raises ValueError naming a field."""
    try:
        vote = Vote.parse(raw)
    except ValueError as error:
        assert str(error).split(":", 1)[0] in VALID
    else:
        assert 1 <= vote.eligible
        assert vote.agree + vote.disagree <= vote.eligible
