import pytest

from kyso.accounts.errors import WeakPassword, WeakPin
from kyso.accounts.identifiers import (
    InvalidIdentifier,
    normalize_email,
    normalize_login,
    normalize_phone,
)
from kyso.accounts.rules import SecretHasher, check_password, check_pin, is_weak_digit_pattern


@pytest.mark.parametrize("pin", ["123456", "654321", "000000", "999999", "789012", "210987",
                                 "345678"])
def test_weak_pins(pin: str) -> None:
    assert is_weak_digit_pattern(pin)
    with pytest.raises(WeakPin):
        check_pin(pin)


@pytest.mark.parametrize("pin", ["246813", "135792", "112233", "123457", "975310"])
def test_acceptable_pins(pin: str) -> None:
    check_pin(pin)


@pytest.mark.parametrize("pin", ["12345", "1234567", "12a456", "١٢٣٤٥٧", " 24681"])
def test_malformed_pins(pin: str) -> None:
    with pytest.raises(WeakPin):
        check_pin(pin)


def test_password_rules() -> None:
    check_password("Matkhau2026!")
    check_password("mật khẩu 2026")  # Vietnamese letters count as letters
    for bad in ("a1", "x" * 129 + "1", "onlyletters", "1234567890", "Password1",
                "aaaa1111"):
        with pytest.raises(WeakPassword):
            check_password(bad)
    with pytest.raises(WeakPassword):
        check_password("an0912345678", personal=("912345678",))


def test_hasher_argon2id() -> None:
    hasher = SecretHasher(time_cost=1, memory_kib=1024, parallelism=1)
    encoded = hasher.hash("246813")
    assert encoded.startswith("$argon2id$") and "246813" not in encoded
    assert hasher.verify(encoded, "246813") and not hasher.verify(encoded, "246814")
    assert not hasher.verify("not-a-hash", "246813")


@pytest.mark.parametrize(("raw", "e164"), [("0912345678", "+84912345678"),
                                           ("0912 345 678", "+84912345678"),
                                           ("84912345678", "+84912345678"),
                                           ("+84 912-345-678", "+84912345678")])
def test_phone_normalization(raw: str, e164: str) -> None:
    assert normalize_phone(raw) == e164


@pytest.mark.parametrize("raw", ["", "123", "09123abc78", "++84912345678"])
def test_bad_phone(raw: str) -> None:
    with pytest.raises(InvalidIdentifier):
        normalize_phone(raw)


def test_email_and_login() -> None:
    assert normalize_email(" An.Nguyen@Example.VN ") == "an.nguyen@example.vn"
    assert normalize_login("0912345678") == "+84912345678"
    assert normalize_login("001091000001") == "001091000001"  # a CCCD number, not a phone
    assert normalize_login("KhachHang") == "khachhang"
    for bad in ("bad email@", "x@", "@example.vn"):
        with pytest.raises(InvalidIdentifier):
            normalize_email(bad)
