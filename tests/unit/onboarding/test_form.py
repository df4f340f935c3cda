"""The form as a whole: the card's rules, and an MRZ whose data must match what was typed
(names compared without diacritics)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from kyso.onboarding.errors import CardExpired, InvalidField, InvalidIdNumber, MrzMismatch
from kyso.onboarding.form import RegistrationForm, checked
from kyso.onboarding.identity import IdType, Sex
from kyso.onboarding.mrz import check_digit

TODAY = date(2026, 11, 22)
FORM = RegistrationForm(
    full_name="Nguyễn Văn Đức", birth_date=date(1991, 3, 4), sex=Sex.MALE,
    id_type=IdType.CCCD, id_number="001091000001", issue_date=date(2021, 5, 1),
    expiry_date=date(2031, 3, 4), email="duc@example.vn", phone="0912345678",
    address="12 Trần Duy Hưng", province="Hà Nội", locality="Cầu Giấy",
    package="citizen-free-1y", device_id="device-1")


def mrz(number: str = "001091000001", born: str = "910304", sex: str = "M",
        expires: str = "310304", names: str = "NGUYEN<<VAN<DUC") -> str:
    """A chip card's TD1 zone as Vietnamese cards write it: the last 9 digits as the
    document number, the full 12 in the optional data."""
    short = number[-9:]
    one = f"IDVNM{short}{check_digit(short)}{number}".ljust(30, "<")[:30]
    two = f"{born}{check_digit(born)}{sex}{expires}{check_digit(expires)}VNM".ljust(29, "<")
    two += check_digit(one[5:30] + two[0:7] + two[8:15] + two[18:29])
    return "\n".join([one, two, names.ljust(30, "<")])


def test_a_valid_form_with_its_mrz() -> None:
    owner, contact, zone = checked(replace(FORM, mrz=mrz()), TODAY)
    assert owner.full_name == "Nguyễn Văn Đức" and owner.document.uid == "CCCD:001091000001"
    assert contact.phone == "+84912345678" and zone is not None and zone.startswith("IDVNM")


@pytest.mark.parametrize(("zone", "field"), [
    (mrz(number="001091000002"), "id_number"),
    (mrz(born="910305"), "birth_date"),
    (mrz(sex="F"), "sex"),
    (mrz(expires="320304"), "expiry_date"),
    (mrz(names="NGUYEN<<VAN<DUNG"), "full_name"),
    (mrz(names="TRAN<<VAN<DUC"), "full_name"),
])
def test_an_mrz_that_differs_from_the_form_is_refused(zone: str, field: str) -> None:
    with pytest.raises(MrzMismatch) as caught:
        checked(replace(FORM, mrz=zone), TODAY)
    assert caught.value.params["field"] == field


def test_the_name_is_compared_without_diacritics_whatever_the_marks() -> None:
    decomposed = "Nguye\u0302\u0303n Va\u0306n \u0110u\u031b\u0301c"  # NFD, another spelling
    owner, _, _ = checked(replace(FORM, full_name=decomposed, mrz=mrz(names="NGUYEN<<VAN<DUC")),
                          TODAY)
    assert owner.full_name == "Nguyễn Văn Đức"


def test_each_rule_of_the_card_applies() -> None:
    with pytest.raises(InvalidIdNumber):
        checked(replace(FORM, sex=Sex.FEMALE), TODAY)
    with pytest.raises(CardExpired):
        checked(replace(FORM, expiry_date=date(2026, 11, 21)), TODAY)
    with pytest.raises(InvalidField):
        checked(replace(FORM, phone="12"), TODAY)
    with pytest.raises(InvalidField):
        checked(replace(FORM, province="  "), TODAY)


@pytest.mark.parametrize(("form", "vi", "en"), [
    (replace(FORM, expiry_date=None),
     "Thông tin không hợp lệ: Ngày hết hạn (bắt buộc với thẻ cấp trước 60 tuổi).",
     "Invalid field: Expiry date (required before the age of 60)."),
    (replace(FORM, phone="12"), "Thông tin không hợp lệ: Số điện thoại hoặc email (", None),
    (replace(FORM, address=" "), "Thông tin không hợp lệ: Địa chỉ (từ 1 đến 128 ký tự).",
     "Invalid field: Address (1..128 characters)."),
    (replace(FORM, mrz=mrz(names="TRAN<<VAN<DUC")),
     "Thông tin trên vùng MRZ không khớp với thông tin đã nhập: Họ và tên.",
     "The machine-readable zone does not match the form: Full name."),
])
def test_a_refused_field_is_named_by_its_label_in_the_reader_s_language(
        form: RegistrationForm, vi: str, en: str | None) -> None:
    """What the customer reads names the field as the form does, never its API name; a
    program still finds the name in ``params``."""
    with pytest.raises((InvalidField, MrzMismatch)) as caught:
        checked(form, TODAY)
    said = caught.value.describe("vi")
    assert said.startswith(vi), said
    assert "_" not in said and " phone" not in said.lower() and "invalid" not in said.lower()
    if en is not None:
        assert caught.value.describe("en") == en
    assert caught.value.params["field"] in {"expiry_date", "contact", "address", "full_name"}
