"""The TD1 machine-readable zone (ICAO Doc 9303 Part 5): three lines of 30 characters on
the back of a chip ID card.

    line 1: document code (2), issuing state (3), document number (9), check digit,
            optional data (15) — a longer number continues here, ended by its check digit
    line 2: birth date YYMMDD, check digit, sex, expiry YYMMDD, check digit,
            nationality (3), optional data (11), composite check digit
    line 3: primary identifier << secondary identifier, '<' between name parts

Every check digit (Part 3, 4.9: weights 7, 3, 1; digits as themselves, A-Z as 10-35,
'<' as 0) is verified; a wrong one is refused, naming the field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kyso.errors import Text
from kyso.onboarding.errors import InvalidMrz

__all__ = ["Td1", "check_digit", "parse_td1"]

_LINE = re.compile(r"[A-Z0-9<]{30}")
_WEIGHTS = (7, 3, 1)


def _value(char: str) -> int:
    if char.isdigit():
        return int(char)
    if char == "<":
        return 0
    return ord(char) - ord("A") + 10


def check_digit(field: str) -> str:
    return str(sum(_value(c) * _WEIGHTS[i % 3] for i, c in enumerate(field)) % 10)


@dataclass(frozen=True)
class Td1:
    document_code: str
    issuing_state: str
    document_number: str
    optional1: str
    birth_date: str  # YYMMDD
    sex: str  # M, F or <
    expiry_date: str  # YYMMDD
    nationality: str
    optional2: str
    primary: tuple[str, ...]
    secondary: tuple[str, ...]

    @property
    def name(self) -> str:
        return " ".join(self.primary + self.secondary)


def _verify(field: str, digit: str, name: str) -> None:
    if check_digit(field) != digit:
        raise InvalidMrz(reason=Text(f"chữ số kiểm tra của {name} sai",
                                     f"the check digit of the {name} is wrong"))


def parse_td1(text: str) -> Td1:
    lines = [line.strip() for line in text.strip().upper().splitlines() if line.strip()]
    if len(lines) != 3 or not all(_LINE.fullmatch(line) for line in lines):
        raise InvalidMrz(reason=Text("ba dòng, mỗi dòng 30 ký tự A-Z, 0-9 và <",
                                     "three lines of 30 characters A-Z, 0-9 and <"))
    one, two, three = lines
    number, optional1 = _number(one)
    _verify(two[0:6], two[6], "birth date")
    _verify(two[8:14], two[14], "expiry date")
    _verify(one[5:30] + two[0:7] + two[8:15] + two[18:29], two[29], "composite")
    if two[7] not in "MF<":
        raise InvalidMrz(reason=Text("giới tính là M, F hoặc <", "the sex is M, F or <"))
    _date(two[0:6], "birth date")
    _date(two[8:14], "expiry date")
    primary, _, secondary = three.partition("<<")
    return Td1(one[0:2].rstrip("<"), one[2:5].rstrip("<"), number, optional1, two[0:6], two[7],
               two[8:14], two[15:18].rstrip("<"), two[18:29].rstrip("<"), _parts(primary),
               _parts(secondary))


def _number(one: str) -> tuple[str, str]:
    """The document number and line 1's optional data (Part 5, 4.2.4: a number longer
    than 9 characters continues in the optional data, followed by its check digit)."""
    head, digit, optional = one[5:14], one[14], one[15:30]
    if digit != "<":
        _verify(head, digit, "document number")
        return head.rstrip("<"), optional.rstrip("<")
    tail, _, rest = optional.partition("<")
    if len(tail) < 2:
        raise InvalidMrz(reason=Text("số giấy tờ dài thiếu chữ số kiểm tra",
                                     "the long document number has no check digit"))
    number = head + tail[:-1]
    _verify(number, tail[-1], "document number")
    return number, rest.strip("<")


def _date(text: str, name: str) -> None:
    if not (text.isdigit() and 1 <= int(text[2:4]) <= 12 and 1 <= int(text[4:6]) <= 31):
        raise InvalidMrz(reason=Text(f"{name} không phải ngày hợp lệ", f"the {name} is not a date"))


def _parts(text: str) -> tuple[str, ...]:
    return tuple(part for part in text.split("<") if part)
