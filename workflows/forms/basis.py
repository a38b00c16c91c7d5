"""The «Căn cứ» lines of each rule set: the texts a form is issued under."""
from __future__ import annotations

CHARTER = "Căn cứ Điều lệ Đảng Cộng sản Việt Nam;"
_BY_RULE_SET = {
    "cpv-2021": (
        CHARTER,
        "Căn cứ Quy định số 24-QĐ/TW ngày 30-7-2021 của Ban Chấp hành Trung ương về thi hành Điều lệ Đảng;",
        "Căn cứ Hướng dẫn số 01-HD/TW ngày 28-9-2021 của Ban Bí thư về một số vấn đề cụ thể thi hành Điều lệ Đảng;",
    ),
    "cpv-2025": (
        CHARTER,
        "Căn cứ Quy định số 294-QĐ/TW ngày 26-5-2025 của Ban Chấp hành Trung ương về thi hành Điều lệ Đảng;",
        "Căn cứ Hướng dẫn số 06-HD/TW ngày 09-6-2025 của Ban Bí thư về một số vấn đề cụ thể thi hành Điều lệ Đảng;",
    ),
}
# Discipline and appeals are also issued under the rules on inspection and discipline.
_DISCIPLINE = (
    "Căn cứ Quy định số 22-QĐ/TW ngày 28-7-2021 của Ban Chấp hành Trung ương về công tác kiểm tra, giám sát "
    "và kỷ luật của Đảng;",
    "Căn cứ Quy định số 69-QĐ/TW ngày 06-7-2022 của Bộ Chính trị về kỷ luật tổ chức đảng, đảng viên vi phạm;",
)


def basis_lines(rule_set: str, procedure: str) -> list[str]:
    """The «Căn cứ» lines for a case of a procedure under a rule set."""
    lines = list(_BY_RULE_SET.get(rule_set, _BY_RULE_SET["cpv-2021"]))
    if procedure in ("discipline", "appeal"):
        lines += _DISCIPLINE
    return lines
