"""ID numbers and card dates: the CCCD layout (province, century and sex, year), CMND,
passports, expiry."""

from __future__ import annotations

from datetime import date

import pytest

from kyso.onboarding.errors import CardExpired, InvalidField, InvalidIdNumber
from kyso.onboarding.identity import IdType, Sex, check_id_number, check_validity
from kyso.onboarding.provinces import PROVINCES

M, F = Sex.MALE, Sex.FEMALE


@pytest.mark.parametrize(("number", "born", "sex"), [
    ("001091000001", date(1991, 3, 4), M),   # Hà Nội, male, 20th century
    ("079191234567", date(1991, 12, 1), F),  # Hồ Chí Minh, female, 20th century
    ("096205000123", date(2005, 1, 1), M),   # Cà Mau, male, 21st century
    ("048300999999", date(2000, 6, 30), F),  # Đà Nẵng, female, born 2000
    ("101085000001", date(1985, 5, 5), M),   # born abroad (101-295)
    ("295185000001", date(1985, 5, 5), F),
])
def test_valid_cccd_numbers(number: str, born: date, sex: Sex) -> None:
    assert check_id_number(IdType.CCCD, number, born, sex) == number


@pytest.mark.parametrize(("number", "born", "sex", "reason"), [
    ("003091000001", date(1991, 1, 1), M, "province"),  # 003 is not a province
    ("000091000001", date(1991, 1, 1), M, "province"),
    ("097091000001", date(1991, 1, 1), M, "province"),  # past Cà Mau (096)
    ("100091000001", date(1991, 1, 1), M, "province"),
    ("296091000001", date(1991, 1, 1), M, "province"),  # past the last abroad code
    ("001291000001", date(1991, 1, 1), M, "century"),   # 2 = 21st century
    ("001191000001", date(1991, 1, 1), M, "sex"),       # 1 = female
    ("001090000001", date(1991, 1, 1), M, "year"),      # 90 ≠ 91
    ("00109100000", date(1991, 1, 1), M, "12 digits"),
    ("00109100000A", date(1991, 1, 1), M, "12 digits"),
])
def test_invalid_cccd_numbers(number: str, born: date, sex: Sex, reason: str) -> None:
    with pytest.raises(InvalidIdNumber, match=reason):
        check_id_number(IdType.CCCD, number, born, sex)


def test_every_listed_province_is_accepted_and_codes_between_are_not() -> None:
    assert len(PROVINCES) == 63
    for code in range(1, 97):
        number = f"{code:03d}091000001"
        if f"{code:03d}" in PROVINCES:
            check_id_number(IdType.CCCD, number, date(1991, 1, 1), M)
        else:
            with pytest.raises(InvalidIdNumber):
                check_id_number(IdType.CCCD, number, date(1991, 1, 1), M)


def test_cmnd_has_nine_or_twelve_digits() -> None:
    assert check_id_number(IdType.CMND, "012 345 678", date(1980, 1, 1), M) == "012345678"
    assert check_id_number(IdType.CMND, "001080000001", date(1980, 1, 1), M)
    for bad in ("12345678", "1234567890", "001180000001"):
        with pytest.raises(InvalidIdNumber):
            check_id_number(IdType.CMND, bad, date(1980, 1, 1), M)


def test_passport_numbers() -> None:
    assert check_id_number(IdType.PASSPORT, "c1234567", date(1980, 1, 1), F) == "C1234567"
    for bad in ("1234567", "C123456", "ABC1234567", "C12345678"):
        with pytest.raises(InvalidIdNumber):
            check_id_number(IdType.PASSPORT, bad, date(1980, 1, 1), F)


TODAY = date(2026, 11, 22)


def test_a_valid_card() -> None:
    check_validity(date(1991, 3, 4), date(2021, 5, 1), date(2031, 3, 4), TODAY)
    check_validity(date(1991, 3, 4), date(2021, 5, 1), TODAY, TODAY)  # last valid day


def test_an_expired_card_is_refused() -> None:
    with pytest.raises(CardExpired):
        check_validity(date(1991, 3, 4), date(2016, 5, 1), date(2026, 11, 21), TODAY)


@pytest.mark.parametrize(("born", "issued", "expires"), [
    (date(1991, 3, 4), date(2027, 1, 1), date(2031, 3, 4)),  # issued in the future
    (date(1991, 3, 4), date(1990, 1, 1), date(2031, 3, 4)),  # issued before birth
    (date(1991, 3, 4), date(2021, 5, 1), date(2021, 5, 1)),  # expires when issued
    (date(1991, 3, 4), date(2021, 5, 1), None),              # no expiry before 60
])
def test_inconsistent_dates_are_refused(born: date, issued: date, expires: date | None) -> None:
    with pytest.raises(InvalidField):
        check_validity(born, issued, expires, TODAY)


def test_a_card_issued_at_sixty_has_no_expiry() -> None:
    check_validity(date(1950, 1, 1), date(2021, 5, 1), None, TODAY)
