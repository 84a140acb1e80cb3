"""Vietnamese names: one spelling-independent key for comparison, the Vietnamese alphabetical
order for lists, and accent-free search."""
import unicodedata

import pytest

from lms.vietnamese import fold, name_key, sort_key


def _sorted(names: list[str]) -> list[str]:
    return sorted(names, key=sort_key)


# --- name_key -------------------------------------------------------------------------------

def test_name_key_is_equal_for_precomposed_and_decomposed_unicode():
    precomposed = unicodedata.normalize("NFC", "Nguyễn Thị Hòa")
    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Hòa")
    assert precomposed != decomposed
    assert name_key(precomposed) == name_key(decomposed)


def test_name_key_is_equal_whichever_vowel_carries_the_tone():
    assert name_key("Hòa") == name_key("Hoà")
    assert name_key("Lê Thị Thủy") == name_key("Lê Thị Thuỷ")


def test_name_key_ignores_case_and_extra_spaces():
    assert name_key("  NGUYỄN   thị  Hòa ") == name_key("Nguyễn Thị Hòa")


@pytest.mark.parametrize("one, other", [
    ("Hòa", "Hóa"),
    ("Hoa", "Hòa"),
    ("Hà", "Hạ"),
    ("Nguyễn Thị Hòa", "Nguyễn Thị Hoa"),
    ("Đức", "Dức"),
    ("Hằng", "Hâng"),
])
def test_name_key_differs_when_tone_or_letter_differs(one, other):
    assert name_key(one) != name_key(other)


# --- sort_key -------------------------------------------------------------------------------

def test_sort_key_orders_by_given_name_first():
    assert _sorted(["Nguyễn Văn Bình", "Trần Văn An"]) == ["Trần Văn An", "Nguyễn Văn Bình"]


def test_sort_key_then_orders_by_family_and_middle_names():
    assert _sorted(["Phạm Thị Lan", "Lê Văn Lan", "Lê Thị Lan"]) == ["Lê Thị Lan", "Lê Văn Lan", "Phạm Thị Lan"]


def test_sort_key_puts_a_before_a_breve_before_a_circumflex():
    # Code-point order would give Hân < Hạnh < Hằng.
    assert _sorted(["Lê Thị Hân", "Lê Thị Hằng", "Lê Thị Hạnh"]) == ["Lê Thị Hạnh", "Lê Thị Hằng", "Lê Thị Hân"]


def test_sort_key_puts_d_before_d_stroke_before_e():
    # Code-point order would put Đ after every plain Latin letter.
    assert _sorted(["Vũ Văn Giang", "Lê Văn Đức", "Trần Văn Dũng", "Hồ Thị Em"]) == [
        "Trần Văn Dũng", "Lê Văn Đức", "Hồ Thị Em", "Vũ Văn Giang"]


def test_sort_key_puts_o_variants_and_u_variants_in_alphabet_order():
    assert _sorted(["A Ơn", "A On", "A Ôn"]) == ["A On", "A Ôn", "A Ơn"]
    assert _sorted(["A Ưng", "A Ung", "A Vinh"]) == ["A Ung", "A Ưng", "A Vinh"]


def test_sort_key_uses_tones_only_to_break_ties():
    # Same letters: the tone decides (no tone < huyền < sắc < hỏi < ngã < nặng).
    assert _sorted(["Lê Thị Hạ", "Lê Thị Hà", "Lê Thị Ha"]) == ["Lê Thị Ha", "Lê Thị Hà", "Lê Thị Hạ"]
    # Different letters: the tone does not matter.
    assert _sorted(["Lê Thị Anh", "Bùi Thị Ánh"]) == ["Bùi Thị Ánh", "Lê Thị Anh"]
    assert _sorted(["Lê Thị Ánh", "Lê Thị Anh"]) == ["Lê Thị Anh", "Lê Thị Ánh"]


def test_sort_key_is_the_same_for_every_spelling_of_a_name():
    assert sort_key(unicodedata.normalize("NFD", "Nguyễn Thị Hòa")) == sort_key("Nguyễn Thị Hoà")


def test_sort_key_is_digits_only_so_any_database_collation_agrees():
    assert sort_key("Đặng Thị Ánh Tuyết").isdigit()


# --- fold -----------------------------------------------------------------------------------

def test_fold_removes_every_diacritic_and_lowers_case():
    assert fold("Điều phối") == "dieu phoi"
    assert fold("ĐẶNG THỊ THỦY") == "dang thi thuy"
    assert fold("Đoàn xã Bát Xát") == "doan xa bat xat"


def test_fold_is_the_same_for_decomposed_text():
    assert fold(unicodedata.normalize("NFD", "Tình nguyện")) == "tinh nguyen"
