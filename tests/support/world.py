"""A small province for tests: every organisation kind, a user for every role, members and applicants."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from models import write_transaction
from workflows.accounts.accounts import assign_role, create_user
from workflows.directory.directory import create_organisation, create_person
from workflows.engine import Runtime

PASSWORD = "correct horse battery staple"


@dataclass
class World:
    orgs: dict[str, int] = field(default_factory=dict)
    users: dict[str, int] = field(default_factory=dict)
    people: dict[str, int] = field(default_factory=dict)

    def actor_for(self, cell: str = "cell1"):
        """A role -> user-id function for cases of the given cell."""
        mapping = {
            "cell1": {"cell_secretary": "secretary1", "committee_member": "committee", "organisation_officer": "officer",
                      "standing_committee": "standing_commune"},
            "cell2": {"cell_secretary": "secretary2", "committee_member": "committee", "organisation_officer": "officer",
                      "standing_committee": "standing_commune"},
            "cell3": {"cell_secretary": "secretary3", "committee_member": "committee_ward",
                      "organisation_officer": "officer_ward", "standing_committee": "standing_province"},
            "gcell": {"cell_secretary": "secretary_g", "committee_member": "committee", "organisation_officer": "officer_g",
                      "standing_committee": "standing_province"},
        }[cell]
        common = {"inspection_committee": "inspection", "admin": "admin",
                  "province_standing_committee": "standing_province"}
        return lambda role: self.users[mapping.get(role) or common[role]]


def build_world(rt: Runtime) -> World:
    """Province → commune (delegated authority) → cells 1, 2; ward (no authority) → cell 3; grassroots cell."""
    w = World()
    with write_transaction(rt.session_factory) as s:
        def org(key, name, kind, parent=None, authority=False):
            w.orgs[key] = create_organisation(s, name=name, kind=kind, parent_id=w.orgs.get(parent),
                                              admission_authority=authority).id

        org("province", "Đảng bộ tỉnh Quảng Trị", "province_committee")
        org("commune", "Đảng ủy xã Tân Phú", "grassroots_committee", "province", authority=True)
        org("cell1", "Chi bộ thôn 1", "cell", "commune")
        org("cell2", "Chi bộ thôn 2", "cell", "commune")
        org("ward", "Đảng ủy phường Đông Hà", "grassroots_committee", "province")
        org("cell3", "Chi bộ khu phố 3", "cell", "ward")
        org("gcell", "Chi bộ cơ sở Công ty Nam Việt", "grassroots_cell", "province")

        def user(key, role=None, at=None, admin=False):
            u = create_user(s, username=key, password=PASSWORD, display_name=key, email=f"{key}@example.test",
                            is_admin=admin)
            w.users[key] = u.id
            if role:
                assign_role(s, user_id=u.id, organisation_id=w.orgs[at], role=role)

        user("secretary1", "cell_secretary", "cell1")
        user("secretary2", "cell_secretary", "cell2")
        user("secretary3", "cell_secretary", "cell3")
        user("secretary_g", "cell_secretary", "gcell")
        user("committee", "committee_member", "commune")
        user("committee_ward", "committee_member", "ward")
        user("officer", "organisation_officer", "commune")
        user("officer_ward", "organisation_officer", "ward")
        user("officer_g", "organisation_officer", "gcell")
        user("standing_commune", "standing_committee", "commune")
        user("standing_ward", "standing_committee", "ward")
        user("standing_province", "standing_committee", "province")
        user("inspection", "inspection_committee", "province")
        user("inspector", "inspector", "province")
        user("outsider")
        user("admin", admin=True)

        def person(key, cell, status, born, **extra):
            if status in ("official", "probationary"):
                extra.setdefault("joined_on", "2012-05-19")
            if status == "official":
                extra.setdefault("official_on", "2013-05-19")
            w.people[key] = create_person(s, organisation_id=w.orgs[cell], membership_status=status,
                                          full_name=extra.pop("name", key), birth_date=born,
                                          education=extra.pop("education", "upper_secondary"), **extra).id

        for cell in ("cell1", "cell2", "cell3", "gcell"):
            for i in range(1, 5):
                person(f"{cell}_m{i}", cell, "official", date(1975 + i, 3, 1 + i), gender="male" if i % 2 else "female")
            person(f"{cell}_applicant", cell, "none", date(2000, 5, 10), gender="female",
                   email=f"applicant.{cell}@example.test")
    return w
