"""What an officer types into the console's search, as the server reads it."""

from __future__ import annotations

import pytest

from kyso.onboarding.search import CaseQuery, name_key


def test_names_are_keyed_without_case_diacritics_or_punctuation() -> None:
    assert name_key("  Đặng  THỊ Huệ-Anh ") == "dang thi hue anh"
    assert name_key("Nguyễn Văn Ân") == name_key("nguyen van an")


@pytest.mark.parametrize(("typed", "id_part", "whole"), [
    ("079300000123", "079300000123", True),  # a CCCD: the uid index
    ("B1234567", "B1234567", True),  # a passport
    ("300000123", "300000123", False),  # nine digits may be part of a CCCD
    ("0793 0000", "07930000", False),
    ("Trần Thị", None, False),  # a name part only
])
def test_a_query_is_a_name_part_and_maybe_an_id_part(typed: str, id_part: str | None,
                                                     whole: bool) -> None:
    query = CaseQuery.parse(typed)
    assert query is not None and (query.id_part, query.whole_id) == (id_part, whole)


def test_an_empty_or_too_long_query() -> None:
    assert CaseQuery.parse("") is None and CaseQuery.parse(" %_ ") is None
    with pytest.raises(ValueError, match="64"):
        CaseQuery.parse("x" * 65)
