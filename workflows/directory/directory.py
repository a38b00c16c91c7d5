"""Organisations and people: the directory the procedures run on."""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from models import (
    EDUCATION_LEVELS,
    GENDERS,
    MEMBERSHIP_STATUSES,
    ORGANISATION_KINDS,
    Organisation,
    Person,
)
from workflows.domain.errors import InvalidInput, NotFound
from workflows.domain.fields import parse_date

# Which kinds may sit under which: a cell never has children, a province has no parent.
ALLOWED_PARENTS = {
    "province_committee": (None,),
    "district_committee": ("province_committee",),
    "grassroots_committee": ("province_committee", "district_committee"),
    "grassroots_cell": ("province_committee", "district_committee"),
    "partial_committee": ("grassroots_committee",),
    "cell": ("grassroots_committee", "partial_committee"),
}


def create_organisation(session: Session, *, name: str, kind: str, parent_id: int | None = None,
                        admission_authority: bool = False, email: str | None = None) -> Organisation:
    """Add an organisation under its parent, keeping the materialised path."""
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise InvalidInput("Tên tổ chức phải có từ 1 đến 200 ký tự.", "name must be 1 to 200 characters.",
                           {"name": "invalid"})
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


def clean_person_fields(values: dict[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """Validate biography fields; `partial` for an edit that changes only some of them."""
    clean: dict[str, Any] = {}
    errors: dict[str, str] = {}
    if "full_name" in values or not partial:
        name = (values.get("full_name") or "").strip()
        if not name or len(name) > 200:
            errors["full_name"] = "required, at most 200 characters"
        clean["full_name"] = name
    if "birth_date" in values or not partial:
        try:
            born = parse_date(values.get("birth_date"))
            if born > date.today() or born.year < 1900:
                raise ValueError
            clean["birth_date"] = born
        except Exception:
            errors["birth_date"] = "must be a date YYYY-MM-DD in the past"
    for key, choices in (("gender", GENDERS), ("education", EDUCATION_LEVELS)):
        if values.get(key) not in (None, ""):
            if values[key] not in choices:
                errors[key] = "one of " + ", ".join(choices)
            clean[key] = values[key]
    for key in ("ethnicity", "religion", "home_address", "occupation", "email"):
        if values.get(key) not in (None, ""):
            text = values[key]
            if not isinstance(text, str) or len(text) > 400:
                errors[key] = "a text of at most 400 characters"
            elif key == "email" and ("@" not in text or " " in text.strip()):
                errors[key] = "an e-mail address"
            else:
                clean[key] = text.strip()
    if "holds_post" in values:
        clean["holds_post"] = bool(values["holds_post"])
    if errors:
        fields_vi = {key: f"{_FIELD_NAMES_VI.get(key, key).capitalize()}: {_problem_vi(key, problem)}."
                     for key, problem in errors.items()}
        names_vi = ", ".join(_FIELD_NAMES_VI.get(k, k) for k in errors)
        raise InvalidInput(f"Thông tin cá nhân chưa hợp lệ: {names_vi}.",
                           "Invalid person data: " + ", ".join(errors), errors, fields_vi)
    return clean


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
                dates[key] = parse_date(value)
            except Exception:
                raise InvalidInput(f"{key}: ngày không hợp lệ", f"{key} must be a date YYYY-MM-DD", {key: "date"}) from None
    person = Person(organisation_id=organisation_id, membership_status=membership_status, flags={}, **clean, **dates)
    session.add(person)
    session.flush()
    return person


def update_person(session: Session, person: Person, values: dict[str, Any]) -> Person:
    """Edit a person's biography (never their membership status: only decisions change that)."""
    clean = clean_person_fields({k: v for k, v in values.items() if k in PERSON_FIELDS}, partial=True)
    for key, value in clean.items():
        setattr(person, key, value)
    session.flush()
    return person
