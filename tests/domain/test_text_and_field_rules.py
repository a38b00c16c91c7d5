"""The text helpers and field rules every door (web, API, import) shares: NFC, folding, Vietnamese order,
printable text, e-mail shape, dates as written, bounded counts."""
from __future__ import annotations

import unicodedata
from datetime import date

import pytest

from workflows.domain import field_rules as rules
from workflows.domain.field_rules import FieldError
from workflows.domain.text import fold, normalise_text, sort_key, words


def test_fold_drops_tones_marks_case_and_d_stroke_in_either_unicode_form():
    """«Vũ Đức Tuấn» precomposed, decomposed (Unikey «Unicode tổ hợp», macOS) and «vu duc tuan» fold alike."""
    decomposed = unicodedata.normalize("NFD", "Vũ Đức Tuấn")
    assert decomposed != "Vũ Đức Tuấn"
    assert fold("Vũ Đức Tuấn") == fold(decomposed) == fold("vu  duc TUAN") == "vu duc tuan"
    assert words("Nguyễn Thị Tuyết-Mai") == ["nguyen", "thi", "tuyet", "mai"]


def test_normalise_text_stores_nfc():
    """Text typed decomposed is stored precomposed (NFC), trimmed, with single spaces."""
    typed = "  " + unicodedata.normalize("NFD", "Tuyết") + "   Lan "
    assert normalise_text(typed) == "Tuyết Lan"
    assert unicodedata.is_normalized("NFC", normalise_text(typed))


def test_sort_key_orders_by_given_name_then_family_name_vietnamese_alphabet_and_tones():
    """Given name first, then family name; Đ after D (not after Z); tones ngang, huyền, hỏi, ngã, sắc, nặng."""
    names = ["Trần Văn Đức", "Lê Dũng", "Nguyễn Bá", "Hà Bạ", "Hà Bà", "Hà Bả", "Hà Bã", "Hà Bá", "Lê Anh",
             "Phạm Ánh", "Vũ Ăn", "Zoe Ba", "Đỗ Anh", "Ngô Zung"]
    ordered = sorted(names, key=sort_key)
    assert ordered == ["Đỗ Anh", "Lê Anh", "Phạm Ánh", "Vũ Ăn", "Zoe Ba", "Hà Bà", "Hà Bả", "Hà Bã", "Hà Bá",
                       "Nguyễn Bá", "Hà Bạ", "Lê Dũng", "Trần Văn Đức", "Ngô Zung"]
    assert sorted(["Nguyễn Ba", "Nguyễn Bà", "Nguyễn Ba"], key=sort_key) == ["Nguyễn Ba", "Nguyễn Ba", "Nguyễn Bà"]


@pytest.mark.parametrize("text", ["05/03/2001", "05-03-2001", "05.03.2001", "5/3/2001", "2001-03-05"])
def test_dates_are_accepted_as_people_write_them(text):
    """Day first with slashes, hyphens or dots, or ISO: all read as 5 March 2001."""
    assert rules.parse_date(text) == date(2001, 3, 5)


@pytest.mark.parametrize("text", ["0001-01-01", "9999-12-31", "31/02/2001", "05-03/2001", "2001/03/05", "", "hôm qua"])
def test_implausible_or_malformed_dates_are_refused(text):
    """Dates outside 1900–2199, impossible days and mixed separators are refused with a message."""
    with pytest.raises(FieldError):
        rules.parse_date(text)


@pytest.mark.parametrize("text", ["Lan\x07", "ok\ud800", "a\u202eb", "x\x00y", "tab\tin a name"])
def test_unprintable_text_is_refused(text):
    """Control characters, lone surrogates, bidirectional overrides are refused in one-line text."""
    with pytest.raises(FieldError):
        rules.clean_text(text, max_length=100)


def test_multiline_text_keeps_line_breaks_and_tabs():
    """A reason may hold line breaks and tabs (Windows line ends become '\\n')."""
    assert rules.clean_text("một\r\nhai\tba", max_length=100, multiline=True) == "một\nhai\tba"


@pytest.mark.parametrize("address", ["<script>@x", "a@b", "a b@c.vn", "x@-a.vn", "@b.vn", "a@b.c", "a..b@c.vn"])
def test_e_mail_addresses_must_have_a_deliverable_shape(address):
    """An address is name@domain.tld with usual characters; no DNS look-up is made."""
    with pytest.raises(FieldError):
        rules.clean_email(address)
    assert rules.clean_email("nguyen.van.a@tinhuy.quangtri.vn") == "nguyen.van.a@tinhuy.quangtri.vn"


@pytest.mark.parametrize("value", [2147483648, 2**62, 100_001, -1, True, "12a"])
def test_counts_are_bounded(value):
    """Counts are whole numbers in 0..100000 (no database integer can overflow)."""
    with pytest.raises(FieldError):
        rules.clean_count(value)
    assert rules.clean_count("42") == 42
