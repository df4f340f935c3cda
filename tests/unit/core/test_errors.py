"""Error descriptions: a bilingual parameter is rendered in the description's language."""

from __future__ import annotations

from kyso.errors import InvalidInput, Text


class Refused(InvalidInput):
    code = "refused"
    vi = "Bị từ chối: {reason}."
    en = "Refused: {reason}."


def test_a_text_parameter_follows_the_language() -> None:
    error = Refused(reason=Text("thiết bị đã được kích hoạt", "the device was activated"))
    assert error.describe("vi") == "Bị từ chối: thiết bị đã được kích hoạt."
    assert error.describe("en") == "Refused: the device was activated."
    assert str(error) == "Refused: the device was activated."  # logs read English


def test_plain_parameters_are_unchanged() -> None:
    assert Refused(reason="42").describe("vi") == "Bị từ chối: 42."
