"""Vietnamese words the Party's documents write: dates in the long form, figures in words.

"Tân Phú, ngày 05 tháng 12 năm 2026" (HD 36-HD/VPTW §II.1.4: a day below 10 and the months
January and February take a leading zero) and "7 (bảy) đồng chí" where the forms of HD 12-HD/BTCTW
write a vote's figures in words.
"""
from __future__ import annotations

from datetime import date

_DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")


def long_date(day: date) -> str:
    """«ngày 05 tháng 12 năm 2026»: leading zero for days 1–9 and for months 1 and 2."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def _below_thousand(n: int, full: bool) -> str:
    """Words for 0 < n < 1000; `full` when a higher group precedes (so «không trăm», «lẻ» are said)."""
    hundreds, rest = divmod(n, 100)
    tens, units = divmod(rest, 10)
    words: list[str] = []
    if hundreds or full:
        words += [_DIGITS[hundreds], "trăm"]
    if tens == 0:
        if units and (hundreds or full):
            words.append("lẻ")
    elif tens == 1:
        words.append("mười")
    else:
        words += [_DIGITS[tens], "mươi"]
    if units:
        if units == 1 and tens >= 2:
            words.append("mốt")
        elif units == 5 and tens >= 1:
            words.append("lăm")
        elif units == 4 and tens >= 2:
            words.append("tư")
        else:
            words.append(_DIGITS[units])
    return " ".join(words)


def in_words(n: int) -> str:
    """A whole number in Vietnamese words: 0 → «không», 21 → «hai mươi mốt», 105 → «một trăm lẻ năm»."""
    if n < 0:
        return "âm " + in_words(-n)
    if n == 0:
        return "không"
    groups = []
    while n:
        n, group = divmod(n, 1000)
        groups.append(group)
    names = ("", "nghìn", "triệu", "tỷ")
    words: list[str] = []
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            continue
        full = index < len(groups) - 1
        words.append(_below_thousand(group, full))
        if names[index % 4]:
            words.append(names[index % 4])
    return " ".join(words)


def figure(n: int | None) -> str:
    """«7 (bảy)»: a figure followed by its words, as the forms write vote figures."""
    return f"{n} ({in_words(n)})"


def percent(part: int, whole: int) -> str:
    """«77,8%»: a share with one decimal and the Vietnamese decimal comma."""
    if not whole:
        return "0%"
    return f"{part * 100 / whole:.1f}".replace(".", ",") + "%"
