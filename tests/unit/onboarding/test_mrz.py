"""TD1 machine-readable zones: the ICAO 9303 specimen drives the tests; every check digit
is verified."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kyso.onboarding.errors import InvalidMrz
from kyso.onboarding.mrz import check_digit, parse_td1

VECTORS = json.loads((Path(__file__).parents[2] / "vectors" / "icao9303_td1.json").read_text())
SPECIMEN = VECTORS["valid"][0]
LINES = SPECIMEN["mrz"]


@pytest.mark.parametrize(("field", "digit"), VECTORS["check_digits"])
def test_check_digits_match_icao(field: str, digit: str) -> None:
    assert check_digit(field) == digit


@pytest.mark.parametrize("vector", VECTORS["valid"])
def test_specimen_parses(vector: dict[str, object]) -> None:
    td1 = parse_td1("\n".join(vector["mrz"]))  # type: ignore[arg-type]  # JSON list of str
    assert td1.document_number == vector["document_number"]
    assert (td1.birth_date, td1.sex, td1.expiry_date) == (
        vector["birth_date"], vector["sex"], vector["expiry_date"])
    assert td1.nationality == vector["nationality"]
    assert td1.primary == tuple(vector["primary"])  # type: ignore[arg-type]
    assert td1.secondary == tuple(vector["secondary"])  # type: ignore[arg-type]
    assert td1.name == "ERIKSSON ANNA MARIA"


def test_a_long_document_number_continues_in_the_optional_data() -> None:
    line1 = VECTORS["long_number"]["line1"]
    composite = check_digit(line1[5:30] + LINES[1][0:7] + LINES[1][8:15] + LINES[1][18:29])
    td1 = parse_td1("\n".join([line1, LINES[1][:29] + composite, LINES[2]]))
    assert td1.document_number == VECTORS["long_number"]["document_number"]


def _with(line: int, at: int, char: str) -> str:
    lines = list(LINES)
    lines[line] = lines[line][:at] + char + lines[line][at + 1:]
    return "\n".join(lines)


@pytest.mark.parametrize(("line", "at", "name"), [
    (0, 14, "document number"), (1, 6, "birth date"), (1, 14, "expiry date"),
    (1, 29, "composite")])
def test_each_wrong_check_digit_is_refused_by_name(line: int, at: int, name: str) -> None:
    wrong = str((int(LINES[line][at]) + 1) % 10)
    with pytest.raises(InvalidMrz) as caught:
        parse_td1(_with(line, at, wrong))
    assert name in caught.value.describe("en")


def test_a_changed_optional_field_breaks_the_composite_digit() -> None:
    with pytest.raises(InvalidMrz, match="composite"):
        parse_td1(_with(0, 20, "X"))


@pytest.mark.parametrize("text", ["", "I<UTO", "\n".join(LINES[:2]),
                                  "\n".join([LINES[0], LINES[1], LINES[2][:29]]),
                                  "\n".join([LINES[0], LINES[1].replace("<", "-"), LINES[2]])])
def test_malformed_zones_are_refused(text: str) -> None:
    with pytest.raises(InvalidMrz):
        parse_td1(text)
