"""Organisations, users with their roles, and persons (api.md, "Resources")."""
from __future__ import annotations

from web.api.blueprint import api_blueprint
from web.api.common import caller_id, documents, remote_addr, runtime
from web.api.schemas import (
    GrantSchema,
    OrganisationInSchema,
    OrganisationSchema,
    PersonInSchema,
    PersonSchema,
    RoleInSchema,
    UserInSchema,
    UserSchema,
)
from workflows.directory import directory_access as directory

ID = "<int(max=2147483647):{}>"

organisations = api_blueprint("api_organisations", __name__, "/organisations", "Organisations (a tree)")
users = api_blueprint("api_users", __name__, "/users", "Users and their roles (administrators)")
persons = api_blueprint("api_persons", __name__, "/persons", "Persons: members, applicants, former members")


@organisations.route("", methods=["POST"])
@organisations.arguments(OrganisationInSchema, error_status_code=400)
@organisations.response(201, OrganisationSchema)
@documents(organisations, 401, 403, 404)
def create_organisation(body):
    """Create an organisation (system administrator, or `admin` role over the parent)."""
    return directory.add_organisation(runtime(), actor_id=caller_id(), **body)


@organisations.route("/" + ID.format("organisation_id"), methods=["GET"])
@organisations.response(200, OrganisationSchema)
@documents(organisations, 401, 404)
def get_organisation(organisation_id: int):
    """An organisation with `parent_id` and `kind` (visible: one's subtree and the chain above it)."""
    return directory.read_organisation(runtime(), actor_id=caller_id(), organisation_id=organisation_id)


@users.route("", methods=["POST"])
@users.arguments(UserInSchema, error_status_code=400)
@users.response(201, UserSchema)
@documents(users, 401, 403)
def create_user(body):
    """Create a user account (system administrators only)."""
    return directory.add_user(runtime(), actor_id=caller_id(), **body)


@users.route("/me", methods=["GET"])
@users.response(200, UserSchema)
@documents(users, 401)
def get_me():
    """The caller's own account and roles."""
    return directory.read_user(runtime(), actor_id=caller_id(), user_id=caller_id())


@users.route("/" + ID.format("user_id"), methods=["GET"])
@users.response(200, UserSchema)
@documents(users, 401, 404)
def get_user(user_id: int):
    """A user account: one's own, or any for an administrator."""
    return directory.read_user(runtime(), actor_id=caller_id(), user_id=user_id)


@users.route("/" + ID.format("user_id") + "/roles", methods=["POST"])
@users.arguments(RoleInSchema, error_status_code=400)
@users.response(201, GrantSchema)
@documents(users, 401, 403, 404)
def add_role(body, user_id: int):
    """Give the user a role at an organisation; it applies to the organisation's subtree (administrators only)."""
    return directory.grant_role(runtime(), actor_id=caller_id(), user_id=user_id, **body)


@persons.route("", methods=["POST"])
@persons.arguments(PersonInSchema, error_status_code=400)
@persons.response(201, PersonSchema)
@documents(persons, 401, 403, 404)
def create_person(body):
    """Register a person in an organisation with their biography and current membership status."""
    return directory.add_person(runtime(), actor_id=caller_id(), **body)


@persons.route("/" + ID.format("person_id"), methods=["GET"])
@persons.response(200, PersonSchema)
@documents(persons, 401, 404)
def get_person(person_id: int):
    """A person's record incl. `membership_status` (the read is audited)."""
    return directory.read_person(runtime(), actor_id=caller_id(), person_id=person_id, remote_addr=remote_addr())
