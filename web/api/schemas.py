"""marshmallow schemas of the API: they validate the requests and generate the OpenAPI document.

Ids are bounded to the database's integer range and text refuses NUL
characters, so malformed input is a 400, never a database error.
"""
from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from models import (
    EDUCATION_LEVELS,
    GENDERS,
    MEMBERSHIP_STATUSES,
    ORGANISATION_KINDS,
    ROLES,
)

MAX_ID = 2**31 - 1


def _no_nul(value: Any) -> None:
    """PostgreSQL cannot store NUL characters: refuse them anywhere in the input."""
    if isinstance(value, str):
        if "\x00" in value:
            raise ValidationError("Must not contain NUL characters.")
    elif isinstance(value, dict):
        for key, item in value.items():
            _no_nul(key)
            _no_nul(item)
    elif isinstance(value, list):
        for item in value:
            _no_nul(item)


NO_NUL_PATTERN = "^[^\\x00]*$"


def Text(max_length: int = 200, *, min_length: int = 0, **kwargs: Any) -> fields.String:  # noqa: N802
    """A string field with a length bound and no NUL characters."""
    validators = [validate.Length(min=min_length, max=max_length), _no_nul]
    metadata = {"pattern": NO_NUL_PATTERN, **kwargs.pop("metadata", {})}
    return fields.String(validate=validators, metadata=metadata, **kwargs)


def Id(*, strict: bool = True, **kwargs: Any) -> fields.Integer:  # noqa: N802
    """A database id: a positive 32-bit integer (strict in JSON bodies; query strings are text)."""
    return fields.Integer(strict=strict, validate=validate.Range(min=1, max=MAX_ID), **kwargs)


def Choice(choices, **kwargs: Any) -> fields.String:  # noqa: N802
    return fields.String(validate=validate.OneOf(tuple(choices)), **kwargs)


def JsonObject(**kwargs: Any) -> fields.Dict:  # noqa: N802
    # Documented as validated: no key and no string value holds a NUL (the nested fields say it for themselves).
    metadata = {"propertyNames": {"pattern": NO_NUL_PATTERN},
                "additionalProperties": {"not": {"type": "string", "pattern": "\\x00"}},
                **kwargs.pop("metadata", {})}
    return fields.Dict(keys=fields.String(), validate=_no_nul, metadata=metadata, **kwargs)


class StrictSchema(Schema):
    class Meta:
        unknown = RAISE


# ---------------------------------------------------------------- errors


class ErrorBodySchema(Schema):
    code = fields.String(required=True, metadata={"description": "Stable identifier (api.md error table)."})
    message = fields.String(required=True, metadata={"description": "Vietnamese, or English with Accept-Language: en."})
    details = fields.Dict(required=True)


class ErrorSchema(Schema):
    error = fields.Nested(ErrorBodySchema, required=True)


# ---------------------------------------------------------------- organisations, users, people


class OrganisationInSchema(StrictSchema):
    name = Text(200, min_length=1, required=True)
    kind = Choice(ORGANISATION_KINDS, required=True)
    parent_id = Id(allow_none=True, load_default=None)
    admission_authority = fields.Boolean(load_default=False)
    email = Text(254, allow_none=True, load_default=None)


class OrganisationSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True)
    parent_id = fields.Integer(allow_none=True, required=True)
    admission_authority = fields.Boolean(required=True)
    email = fields.String(allow_none=True)
    path = fields.String(metadata={"description": "Materialised path of ids, root first: '/1/4/9/'."})
    youth_union = fields.Boolean(allow_none=True, metadata={
        "description": "Whether the unit has a Youth Union organisation (null: not recorded; issue 12)."})


class UserInSchema(StrictSchema):
    username = Text(80, min_length=1, required=True)
    password = Text(128, required=True, load_only=True)
    display_name = Text(200, load_default="")
    email = Text(254, allow_none=True, load_default=None)
    is_admin = fields.Boolean(load_default=False)
    locale = Choice(("vi", "en"), load_default="vi")


class GrantSchema(Schema):
    id = fields.Integer(required=True)
    user_id = fields.Integer(required=True)
    organisation_id = fields.Integer(required=True)
    role = fields.String(required=True)


class UserSchema(Schema):
    id = fields.Integer(required=True)
    username = fields.String(required=True)
    display_name = fields.String()
    email = fields.String(allow_none=True)
    is_admin = fields.Boolean()
    active = fields.Boolean()
    locale = fields.String()
    roles = fields.List(fields.Nested(GrantSchema))


class RoleInSchema(StrictSchema):
    organisation_id = Id(required=True)
    role = Choice(ROLES, required=True)


class PersonInSchema(StrictSchema):
    full_name = Text(200, min_length=1, required=True)
    birth_date = fields.Date(required=True)
    organisation_id = Id(required=True)
    membership_status = Choice(MEMBERSHIP_STATUSES, load_default="none")
    email = Text(254, allow_none=True, load_default=None)
    education = Choice(EDUCATION_LEVELS, allow_none=True, load_default=None)
    joined_on = fields.Date(allow_none=True, load_default=None)
    official_on = fields.Date(allow_none=True, load_default=None)
    gender = Choice(GENDERS, allow_none=True, load_default=None)
    ethnicity = Text(100, allow_none=True, load_default=None)
    religion = Text(100, allow_none=True, load_default=None)
    home_address = Text(400, allow_none=True, load_default=None)
    occupation = Text(200, allow_none=True, load_default=None)
    holds_post = fields.Boolean(load_default=False)


class PersonSchema(Schema):
    id = fields.Integer(required=True)
    full_name = fields.String(required=True)
    birth_date = fields.Date(required=True)
    organisation_id = fields.Integer(required=True)
    membership_status = fields.String(required=True)
    email = fields.String(allow_none=True)
    education = fields.String(allow_none=True)
    gender = fields.String(allow_none=True)
    ethnicity = fields.String(allow_none=True)
    religion = fields.String(allow_none=True)
    home_address = fields.String(allow_none=True)
    occupation = fields.String(allow_none=True)
    joined_on = fields.Date(allow_none=True)
    official_on = fields.Date(allow_none=True)
    left_on = fields.Date(allow_none=True)
    left_reason = fields.String(allow_none=True)
    holds_post = fields.Boolean()


# ---------------------------------------------------------------- tokens


class TokenInSchema(StrictSchema):
    name = Text(100, load_default="api")
    user_id = Id(allow_none=True, load_default=None,
                 metadata={"description": "Administrators only: issue for another user."})
    days = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1, max=366),
                          metadata={"description": "Days until the token expires (default 90)."})


class TokenSchema(Schema):
    id = fields.Integer(required=True)
    user_id = fields.Integer(required=True)
    name = fields.String()
    created_at = fields.DateTime(allow_none=True)
    expires_at = fields.DateTime(allow_none=True)
    last_used_at = fields.DateTime(allow_none=True)
    revoked_at = fields.DateTime(allow_none=True)


class NewTokenSchema(TokenSchema):
    token = fields.String(required=True, metadata={"description": "The bearer token; shown only this once."})


# ---------------------------------------------------------------- cases


class DeadlineSchema(Schema):
    id = fields.Integer()
    kind = fields.String(required=True)
    due_date = fields.Date(required=True)
    status = fields.String(required=True, metadata={"description": "open, met or cancelled"})
    role = fields.String()
    organisation_id = fields.Integer()
    legal_basis = fields.String()


class CaseSchema(Schema):
    id = fields.Integer(required=True)
    procedure = fields.String(required=True)
    rule_set = fields.String(required=True)
    state = fields.String(required=True)
    state_label_vi = fields.String()
    state_label_en = fields.String()
    final = fields.Boolean()
    person_id = fields.Integer(required=True)
    organisation_id = fields.Integer(required=True)
    revision = fields.Integer(required=True)
    parent_case_id = fields.Integer(allow_none=True)
    allowed_actions = fields.List(fields.String(), required=True,
                                  metadata={"description": "The triggers the caller may fire now."})
    deadlines = fields.List(fields.Nested(DeadlineSchema), required=True)
    data = fields.Dict(required=True, metadata={"description": "What each step recorded, by trigger."})
    opened_at = fields.DateTime(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    decided_on = fields.Date(allow_none=True)


class CasePageSchema(Schema):
    items = fields.List(fields.Nested(CaseSchema), required=True)
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)


class CaseQuerySchema(StrictSchema):
    procedure = Text(32)
    state = Text(40)
    organisation_id = Id(strict=False, metadata={"description": "The organisation's whole subtree."})
    person_id = Id(strict=False)
    overdue = fields.Boolean(metadata={"description": "true: an open deadline is past due; false: none is."})
    page = fields.Integer(strict=False, load_default=1, validate=validate.Range(min=1, max=100000))
    per_page = fields.Integer(strict=False, load_default=20, validate=validate.Range(min=1, max=100))


class EventSchema(Schema):
    seq = fields.Integer(required=True)
    trigger = fields.String(required=True)
    from_state = fields.String(allow_none=True, required=True)
    to_state = fields.String(required=True)
    actor = fields.String(allow_none=True, required=True, metadata={"description": "Username of the actor."})
    actor_id = fields.Integer(allow_none=True)
    at = fields.DateTime(required=True)
    data = fields.Dict(required=True)
    comment = fields.String(allow_none=True, required=True)


# ---------------------------------------------------------------- calendar and reports

EARLIEST_YEAR, LATEST_YEAR = 1900, 2199
YEAR_PATTERN = "^(19|20|21)[0-9]{2}-"


def _sane_date(value) -> None:
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValidationError(f"Must be between {EARLIEST_YEAR} and {LATEST_YEAR}.")


def SaneDate(**kwargs: Any) -> fields.Date:  # noqa: N802
    """A calendar date in the years 1900–2199 (working-day arithmetic far outside it is meaningless)."""
    return fields.Date(validate=_sane_date, metadata={"pattern": YEAR_PATTERN}, **kwargs)


class WorkingDaysQuerySchema(StrictSchema):
    start = SaneDate(required=True)
    days = fields.Integer(strict=False, required=True, validate=validate.Range(min=0, max=3650))


class DateSchema(Schema):
    date = fields.Date(required=True)


class SummaryQuerySchema(StrictSchema):
    organisation_id = Id(strict=False, required=True)
    from_ = SaneDate(required=True, data_key="from")
    to = SaneDate(required=True)


class SummarySchema(Schema):
    admitted = fields.Integer(required=True)
    recognised = fields.Integer(required=True)
    struck_off = fields.Integer(required=True)
    struck_off_probationary = fields.Integer(required=True)
    expelled = fields.Integer(required=True)
    withdrawn = fields.Integer(required=True)
    reprimand = fields.Integer()
    warning = fields.Integer()
    removal_from_post = fields.Integer()
