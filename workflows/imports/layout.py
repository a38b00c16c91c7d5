"""The import workbook's layout (docs/import.md): sheets, headers and the words allowed in its cells.

The headers are Vietnamese, as a committee's office types them; each maps to the
field the code uses. Values such as «Chính thức» or «Chi bộ» map to the codes
stored in the database; the same tables write the export and the template, so a
file exported and imported again reads back the same values.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass

ORGANISATIONS, MEMBERS, CASES = "organisations", "members", "cases"

# Sheet names as written (ASCII, as in docs/import.md); a sheet is also found under its accented name.
SHEET_NAMES = {ORGANISATIONS: "To chuc", MEMBERS: "Dang vien", CASES: "Ho so dang giai quyet"}
CSV_NAMES = {ORGANISATIONS: "to_chuc.csv", MEMBERS: "dang_vien.csv", CASES: "ho_so.csv"}

# header -> field, in the order the template and the export write them.
ORGANISATION_HEADERS = {
    "Mã tổ chức": "code",
    "Tên tổ chức": "name",
    "Loại": "kind",
    "Mã tổ chức cấp trên": "parent_code",
    "Được ủy quyền kết nạp": "admission_authority",
}
MEMBER_HEADERS = {
    "Mã tổ chức": "organisation_code",
    "Họ và tên": "full_name",
    "Ngày sinh": "birth_date",
    "Giới tính": "gender",
    "Số CCCD": "identity_number",
    "Số thẻ đảng viên": "card_number",
    "Trạng thái": "membership_status",
    "Ngày vào Đảng": "joined_on",
    "Ngày chính thức": "official_on",
    "Trình độ học vấn": "education",
    "Email": "email",
    "Điện thoại": "phone",
    "Địa chỉ": "home_address",
    # Written by the export for a person with neither card nor identity number, so that the file
    # re-imports onto the same person; optional, and never needed in a file typed by hand.
    "Mã người": "person_code",
}
# Paper cases in flight: one row per step already taken, the rows of one case sharing its `Mã hồ sơ`.
CASE_HEADERS = {
    "Mã hồ sơ": "case_code",
    "Quy trình": "procedure",
    "Số thẻ đảng viên": "card_number",
    "Số CCCD": "identity_number",
    "Mã tổ chức": "organisation_code",
    "Bước": "step",
    "Ngày": "date",
    "Số văn bản": "number",
    "Số có quyền biểu quyết": "eligible",
    "Số tán thành": "agree",
}
REQUIRED = {
    ORGANISATIONS: ("code", "name", "kind"),
    MEMBERS: ("organisation_code", "full_name", "birth_date", "gender", "membership_status"),
    CASES: ("case_code", "procedure", "organisation_code", "step", "date"),
}
HEADERS = {ORGANISATIONS: ORGANISATION_HEADERS, MEMBERS: MEMBER_HEADERS, CASES: CASE_HEADERS}
COLUMN_OF = {sheet: {field: header for header, field in headers.items()} for sheet, headers in HEADERS.items()}

# Organisation kinds: the Vietnamese names (first one is what the export writes); the API's kind
# names are accepted too. «Đảng ủy cấp trên cơ sở» is the level directly above grassroots
# organisations, which the tree models as the district level.
KIND_WORDS = {
    "province_committee": ("Tỉnh ủy", "Thành ủy"),
    "district_committee": ("Huyện ủy", "Đảng ủy cấp trên cơ sở", "Quận ủy", "Thị ủy"),
    "grassroots_committee": ("Đảng ủy cơ sở",),
    "grassroots_cell": ("Chi bộ cơ sở",),
    "partial_committee": ("Đảng bộ bộ phận",),
    "cell": ("Chi bộ",),
}
STATUS_WORDS = {
    "official": ("Chính thức", "Đảng viên chính thức"),
    "probationary": ("Dự bị", "Đảng viên dự bị"),
    "none": ("Quần chúng",),
    "former": ("Đã ra khỏi Đảng",),
}
GENDER_WORDS = {"male": ("Nam",), "female": ("Nữ",), "other": ("Khác",)}
# The database keeps four levels; «Trung cấp», «Cao đẳng, đại học» and «Sau đại học» are all `higher`.
EDUCATION_WORDS = {
    "primary": ("Tiểu học",),
    "lower_secondary": ("THCS", "Trung học cơ sở"),
    "upper_secondary": ("THPT", "Trung học phổ thông"),
    "higher": ("Cao đẳng, đại học", "Trung cấp", "Sau đại học", "Đại học", "Cao đẳng"),
}
YES_WORDS = ("x", "có", "co", "yes", "true", "1")
# Cells where members' party life is: only these kinds hold members.
MEMBER_KINDS = ("cell", "grassroots_cell")


def fold(text: str) -> str:
    """Lower-case, without accents, spaces collapsed: «Đảng ủy  cơ sở» → «dang uy co so»."""
    text = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    return " ".join(text.lower().split())


def _lookup(words: dict[str, tuple[str, ...]], *, codes_too: bool) -> dict[str, str]:
    table = {fold(w): code for code, choices in words.items() for w in choices}
    if codes_too:
        table.update({fold(code): code for code in words})
    return table


KIND_OF = _lookup(KIND_WORDS, codes_too=True)
STATUS_OF = _lookup(STATUS_WORDS, codes_too=True)
GENDER_OF = _lookup(GENDER_WORDS, codes_too=True)
EDUCATION_OF = _lookup(EDUCATION_WORDS, codes_too=True)


def word_for(words: dict[str, tuple[str, ...]], code: str | None) -> str:
    """The word the export writes for a stored code ('' for none)."""
    if not code:
        return ""
    return words.get(code, (code,))[0]


def choices(words: dict[str, tuple[str, ...]]) -> list[str]:
    """The first word of each code: the drop-down list of the template."""
    return [w[0] for w in words.values()]


@dataclass(frozen=True)
class RowError:
    """One thing wrong in the file: where (sheet, spreadsheet row with the header as row 1, column) and what."""

    sheet: str
    row: int | None
    column: str | None
    code: str
    message: str

    def as_dict(self) -> dict:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "code": self.code,
                "message": self.message}
