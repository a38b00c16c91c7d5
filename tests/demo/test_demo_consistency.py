"""The demo says one thing once: what a case records agrees with the person, and the README names its real users."""
from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import select

from models import Case, Event, Person
from workflows.demo import load_demo
from workflows.demo.tree import USERS

README = Path(__file__).resolve().parents[2] / "README.md"


def test_an_application_states_the_education_on_the_persons_record(runtime):
    """Every demo application's «Trình độ học vấn» is the person's own (no THPT case for a «Cao đẳng, đại học» person)."""
    load_demo(runtime)
    with runtime.session_factory() as s:
        rows = s.execute(select(Event.data, Person.education, Person.full_name).join(Case, Case.id == Event.case_id)
                         .join(Person, Person.id == Case.person_id)
                         .where(Event.trigger == "submit_application")).all()
        addresses = list(s.scalars(select(Person.home_address).where(Person.home_address.is_not(None))))
    assert rows
    assert [(name, data["education"], education) for data, education, name in rows
            if data.get("education") != education] == []
    # A member lives in a village or quarter, never at the school or company of their cell.
    assert [a for a in addresses if "Trường" in a or "Công ty" in a] == []


def _readme_users() -> set[str]:
    table = README.read_text(encoding="utf-8").split("### Demo accounts", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `([a-z0-9.]+)` \|", table, flags=re.M))


def test_the_readme_documents_every_demo_user_and_names_only_real_ones(runtime):
    """The accounts table lists all demo users; every account the README mentions exists in the demo."""
    demo_users = {username for username, *_ in USERS}
    assert _readme_users() == demo_users
    mentioned = set(re.findall(r"`((?:bithu|capuy|tochuc|btv|ubkt)\.[a-z0-9]+|thanhtra|admin)`",
                               README.read_text(encoding="utf-8")))
    assert mentioned <= demo_users, mentioned - demo_users
