"""Organisations and people: the directory the procedures run on."""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import delete, insert
from sqlalchemy.orm import Session

from models import (
    EDUCATION_LEVELS,
    GENDERS,
    MEMBERSHIP_STATUSES,
    ORGANISATION_KINDS,
    Organisation,
    Person,
    PersonNameWord,
)
from workflows.domain import field_rules as rules
from workflows.domain.errors import InvalidInput, NotFound
from workflows.domain.field_rules import FieldError
from workflows.domain.text import sort_key, words

# Which kinds may sit under which: a cell never has children, a province has no parent.
ALLOWED_PARENTS = {
    "province_committee": (None,),
    "district_committee": ("province_committee",),
    "commune_committee": ("province_committee",),
    "grassroots_committee": ("province_committee", "district_committee", "commune_committee"),
    "grassroots_cell": ("province_committee", "district_committee", "commune_committee"),
    "partial_committee": ("grassroots_committee",),
    "cell": ("grassroots_committee", "partial_committee"),
}


def create_organisation(session: Session, *, name: str, kind: str, parent_id: int | None = None,
                        admission_authority: bool = False, email: str | None = None) -> Organisation:
    """Add an organisation under its parent, keeping the materialised path."""
    try:
        name = rules.clean_text(name or "", max_length=200)
    except FieldError as exc:
        raise InvalidInput(f"Tên tổ chức chưa hợp lệ: {exc.vi}.", f"Invalid organisation name: {exc.en}.",
                           {"name": exc.en}) from None
    try:
        email = rules.clean_email(email)
    except FieldError as exc:
        raise InvalidInput(f"Thư điện tử của tổ chức chưa hợp lệ: {exc.vi}.", f"Invalid organisation e-mail: {exc.en}.",
                           {"email": exc.en}) from None
    if kind not in ORGANISATION_KINDS:
        raise InvalidInput(f"Loại tổ chức «{kind}» không hợp lệ.", f"Unknown organisation kind '{kind}'.",
                           {"kind": "one of " + ", ".join(ORGANISATION_KINDS)})
    parent = None
    if parent_id is not None:
        parent = session.get(Organisation, parent_id)
        if parent is None:
            raise NotFound("tổ chức", parent_id)
    parent_kind = parent.kind if parent else None
    if parent_kind not in ALLOWED_PARENTS[kind]:
        raise InvalidInput(
            f"Tổ chức loại «{kind}» không thể trực thuộc «{parent_kind or 'không có cấp trên'}».",
            f"An organisation of kind '{kind}' cannot sit under '{parent_kind or 'no parent'}'.",
            {"parent_id": "wrong kind"},
        )
    org = Organisation(name=name, kind=kind, parent_id=parent_id, admission_authority=bool(admission_authority),
                       email=email, path="")
    session.add(org)
    session.flush()
    org.path = (parent.path if parent else "/") + f"{org.id}/"
    session.flush()
    return org


PERSON_FIELDS = ("full_name", "birth_date", "gender", "ethnicity", "religion", "home_address", "education",
                 "occupation", "email", "holds_post")
# The fields' names and what each must be, in Vietnamese (the message names them, never the column).
_FIELD_NAMES_VI = {
    "full_name": "họ và tên", "birth_date": "ngày sinh", "gender": "giới tính", "ethnicity": "dân tộc",
    "religion": "tôn giáo", "home_address": "nơi ở hiện nay", "education": "trình độ học vấn",
    "occupation": "nghề nghiệp", "email": "thư điện tử", "holds_post": "chức vụ trong Đảng",
}
_PROBLEMS_VI = {
    "required, at most 200 characters": "bắt buộc, tối đa 200 ký tự",
    "must be a date YYYY-MM-DD in the past": "phải là một ngày trong quá khứ (từ năm 1900)",
    "a text of at most 400 characters": "tối đa 400 ký tự",
    "an e-mail address": "phải là một địa chỉ thư điện tử",
}


def _problem_vi(key: str, problem: str) -> str:
    if problem.startswith("one of "):
        return "giá trị không nằm trong danh sách cho phép"
    return _PROBLEMS_VI.get(problem, "giá trị không hợp lệ")


TEXT_LIMITS = {"ethnicity": 100, "religion": 100, "home_address": 400, "occupation": 200}


def clean_person_fields(values: dict[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """Validate biography fields by the field rules (workflows.domain.field_rules) every door shares:
    NFC printable text, a real e-mail address, a birth date in the past; `partial` for an edit."""
    clean: dict[str, Any] = {}
    errors_vi: dict[str, str] = {}
    errors: dict[str, str] = {}

    def check(key: str, rule) -> None:
        try:
            clean[key] = rule()
        except FieldError as exc:
            errors_vi[key], errors[key] = exc.vi, exc.en

    if "full_name" in values or not partial:
        check("full_name", lambda: rules.clean_text(values.get("full_name") or "", max_length=200))
    if "birth_date" in values or not partial:
        check("birth_date", lambda: _birth_date(values.get("birth_date")))
    for key, choices in (("gender", GENDERS), ("education", EDUCATION_LEVELS)):
        if values.get(key) not in (None, ""):
            if values[key] not in choices:
                errors_vi[key] = errors[key] = "one of " + ", ".join(choices)
            clean[key] = values[key]
    for key, limit in TEXT_LIMITS.items():
        if values.get(key) not in (None, ""):
            check(key, lambda key=key, limit=limit: rules.clean_text(values[key], max_length=limit,
                                                                     multiline=key == "home_address"))
    if values.get("email") not in (None, ""):
        check("email", lambda: rules.clean_email(values["email"]))
    if "holds_post" in values:
        clean["holds_post"] = bool(values["holds_post"])
    if errors:
        fields_vi = {key: f"{_FIELD_NAMES_VI.get(key, key).capitalize()}: {_problem_vi(key, problem)}."
                     for key, problem in errors.items()}
        names_vi = ", ".join(_FIELD_NAMES_VI.get(k, k) for k in errors)
        raise InvalidInput(f"Thông tin cá nhân chưa hợp lệ: {names_vi}.",
                           "Invalid person data: " + ", ".join(errors), errors, fields_vi)
    return clean


def _birth_date(value: Any):
    born = rules.parse_date(value)
    if born > date.today():
        raise FieldError("phải là một ngày đã qua", "must be a date in the past")
    return born


def create_person(session: Session, *, organisation_id: int, membership_status: str = "none",
                  joined_on: Any = None, official_on: Any = None, **values: Any) -> Person:
    """Register a person in an organisation with their biography and current status.

    The status given here is the starting record (a member already on the
    rolls when the system is adopted); afterwards only decisions change it.
    """
    if session.get(Organisation, organisation_id) is None:
        raise NotFound("tổ chức", organisation_id)
    if membership_status not in MEMBERSHIP_STATUSES:
        raise InvalidInput(f"Trạng thái đảng viên «{membership_status}» không hợp lệ.",
                           f"Unknown membership_status '{membership_status}'.",
                           {"membership_status": "one of " + ", ".join(MEMBERSHIP_STATUSES)})
    clean = clean_person_fields(values)
    dates = {}
    for key, value in (("joined_on", joined_on), ("official_on", official_on)):
        if value not in (None, ""):
            try:
                # Nobody joined the Party before it was founded (3 February 1930).
                dates[key] = rules.parse_date(value, earliest=rules.PARTY_FOUNDED)
            except FieldError as exc:
                raise InvalidInput(f"{key}: {exc.vi}", f"{key}: {exc.en}", {key: exc.en}) from None
    person = Person(organisation_id=organisation_id, membership_status=membership_status, flags={},
                    sort_key=sort_key(clean["full_name"]), **clean, **dates)
    session.add(person)
    session.flush()
    index_name(session, person.id, person.full_name, new=True)
    return person


def update_person(session: Session, person: Person, values: dict[str, Any]) -> Person:
    """Edit a person's biography (never their membership status: only decisions change that)."""
    clean = clean_person_fields({k: v for k, v in values.items() if k in PERSON_FIELDS}, partial=True)
    renamed = "full_name" in clean and clean["full_name"] != person.full_name
    for key, value in clean.items():
        setattr(person, key, value)
    if renamed:
        person.sort_key = sort_key(person.full_name)
    session.flush()
    if renamed:
        index_name(session, person.id, person.full_name)
    return person


def index_name(session: Session, person_id: int, full_name: str, *, new: bool = False) -> None:
    """Write the folded words of a person's name (the search index); the import calls it for its rows too."""
    if not new:
        session.execute(delete(PersonNameWord).where(PersonNameWord.person_id == person_id))
    rows = name_index_rows(person_id, full_name)
    if rows:
        session.execute(insert(PersonNameWord), rows)


def name_index_rows(person_id: int, full_name: str) -> list[dict[str, Any]]:
    """The person_name_words rows of a name, for writers that insert people in bulk (import, benchmarks);
    their persons rows take `sort_key(full_name)` and the name as `normalise_text(full_name)`."""
    return [{"word": w, "person_id": person_id} for w in dict.fromkeys(words(full_name))]
