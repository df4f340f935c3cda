"""Names exactly as on the card: NFC, marks where they were typed; compared without them."""

from __future__ import annotations

import unicodedata

import pytest

from kyso.onboarding.errors import InvalidField
from kyso.onboarding.names import fold, normalize_name


def test_decomposed_input_becomes_nfc() -> None:
    typed = unicodedata.normalize("NFD", "Nguyễn Văn Đức")
    assert typed != "Nguyễn Văn Đức"
    assert normalize_name(typed) == "Nguyễn Văn Đức"
    assert unicodedata.is_normalized("NFC", normalize_name(typed))


def test_the_position_of_a_tone_mark_is_kept() -> None:
    old_style, new_style = "Nguyễn Thị Hoà", "Nguyễn Thị Hòa"
    assert normalize_name(old_style) == old_style
    assert normalize_name(new_style) == new_style
    assert normalize_name(old_style) != normalize_name(new_style)
    assert fold(old_style) == fold(new_style) == "NGUYEN THI HOA"


def test_spaces_are_collapsed() -> None:
    assert normalize_name("  Trần\tThị   Bích ") == "Trần Thị Bích"


@pytest.mark.parametrize("bad", ["", "   ", "Nguyen Van 2", "An <script>", "A" * 65])
def test_bad_names_are_refused(bad: str) -> None:
    with pytest.raises(InvalidField):
        normalize_name(bad)


def test_fold_removes_every_mark_and_the_stroke_of_d() -> None:
    assert fold("Đặng Thị Ngọc Ánh") == "DANG THI NGOC ANH"
    assert fold("đỗ  ưng") == "DO UNG"
