"""Identity documents and their numbers, checked as the issuing rules define them.

CCCD (căn cước công dân, 12 digits; Circular 07/2016/TT-BCA, Circular 59/2021/TT-BCA)::

    PPP  G  YY  NNNNNN
    │    │  │   └ random
    │    │  └ the last two digits of the year of birth
    │    └ century and sex: 0/1 born 1900-1999 male/female, 2/3 2000-2099, 4/5 2100-2199 …
    └ the province of birth registration (001-096, see ``provinces.py``), or 101-295 abroad

CMND (chứng minh nhân dân, the older card): 9 digits, or 12 digits laid out as a CCCD.
Passport (hộ chiếu): one or two letters then seven digits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from kyso.errors import Text
from kyso.onboarding.errors import CardExpired, InvalidField, InvalidIdNumber
from kyso.onboarding.provinces import PROVINCES

__all__ = ["IdDocument", "IdType", "Sex", "check_id_number", "check_validity"]

_TWELVE = re.compile(r"\d{12}")
_NINE = re.compile(r"\d{9}")
_PASSPORT = re.compile(r"[A-Z]{1,2}\d{7}")
ABROAD = range(101, 296)


class IdType(StrEnum):
    CCCD = "CCCD"
    CMND = "CMND"
    PASSPORT = "HC"  # hộ chiếu; the certificate's UID says HC:…


class Sex(StrEnum):
    MALE = "M"
    FEMALE = "F"


def check_id_number(kind: IdType, number: str, born: date, sex: Sex) -> str:
    """The number, cleaned of spaces, if it is valid for ``kind`` and agrees with the
    holder's date of birth and sex; otherwise :class:`InvalidIdNumber`."""
    number = re.sub(r"\s", "", number).upper()
    if kind is IdType.PASSPORT:
        if not _PASSPORT.fullmatch(number):
            raise InvalidIdNumber(reason=Text("số hộ chiếu gồm 1–2 chữ cái và 7 chữ số",
                                              "a passport number is 1-2 letters then 7 digits"))
        return number
    if kind is IdType.CMND and _NINE.fullmatch(number):
        return number
    if not _TWELVE.fullmatch(number):
        reason = (Text("12 chữ số", "12 digits") if kind is IdType.CCCD
                  else Text("9 hoặc 12 chữ số", "9 or 12 digits"))
        raise InvalidIdNumber(reason=reason)
    _check_twelve(number, born, sex)
    return number


def _check_twelve(number: str, born: date, sex: Sex) -> None:
    place = int(number[:3])
    if f"{place:03d}" not in PROVINCES and place not in ABROAD:
        raise InvalidIdNumber(reason=Text(
            f"{number[:3]} không phải mã tỉnh/thành phố hoặc quốc gia",
            f"{number[:3]} is not a province or country code"))
    gene = int(number[3])
    century = 1900 + 100 * (gene // 2)
    if born.year // 100 * 100 != century:
        raise InvalidIdNumber(reason=Text("chữ số thế kỷ không khớp với ngày sinh",
                                          "the century digit does not match the date of birth"))
    if (gene % 2 == 1) != (sex is Sex.FEMALE):
        raise InvalidIdNumber(reason=Text("chữ số giới tính không khớp với giới tính",
                                          "the sex digit does not match the sex"))
    if number[4:6] != f"{born.year % 100:02d}":
        raise InvalidIdNumber(reason=Text("hai chữ số năm sinh không khớp với ngày sinh",
                                          "the year digits do not match the date of birth"))


def check_validity(born: date, issued: date, expires: date | None, today: date) -> None:
    """Born before the card was issued, issued by today, not expired. A CCCD issued at
    60 or later has no expiry date (``expires`` None)."""
    if not born < issued <= today:
        raise InvalidField(field="issue_date", reason=Text(
            "phải sau ngày sinh và không ở tương lai",
            "after the birth date and not in the future"))
    if expires is None:
        if _age(born, issued) < 60:
            raise InvalidField(field="expiry_date", reason=Text(
                "bắt buộc với thẻ cấp trước 60 tuổi", "required before the age of 60"))
        return
    if expires <= issued:
        raise InvalidField(field="expiry_date", reason=Text("phải sau ngày cấp",
                                                            "after the issue date"))
    if expires < today:
        raise CardExpired()


def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


@dataclass(frozen=True)
class IdDocument:
    kind: IdType
    number: str
    issued: date
    expires: date | None

    @property
    def uid(self) -> str:
        """As the certificate's UID writes it: ``CCCD:…``, ``CMND:…``, ``HC:…``."""
        return f"{self.kind.value}:{self.number}"
