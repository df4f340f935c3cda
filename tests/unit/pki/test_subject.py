"""Subjects as Vietnamese CAs write them: NFC UTF8String, UID with the identity document."""

from __future__ import annotations

import unicodedata

import pytest

from kyso.errors import InvalidInput
from kyso.pki.errors import InvalidSubject
from kyso.pki.subject import IdentityDocument, IdKind, PersonSubject, authority_name


@pytest.mark.parametrize(
    ("text", "kind", "number"),
    [
        ("CCCD:001091000001", IdKind.CCCD, "001091000001"),
        ("cccd: 001091000001", IdKind.CCCD, "001091000001"),
        ("CMND:012345678", IdKind.CMND, "012345678"),
        ("CMND:001091000001", IdKind.CMND, "001091000001"),
        ("HC:c1234567", IdKind.HC, "C1234567"),
    ],
)
def test_identity_forms(text: str, kind: IdKind, number: str) -> None:
    identity = IdentityDocument.parse(text)
    assert (identity.kind, identity.number) == (kind, number)
    assert str(identity) == f"{kind.value}:{number}"


@pytest.mark.parametrize(
    "text",
    ["001091000001", "CCCD:00109100000", "CCCD:0010910000012", "CCCD:00109100000A",
     "CMND:0123456789", "HC:C12", "HC:C123-4567", "PASSPORT:C1234567", "CCCD:", ":1"],
)
def test_bad_identities_are_invalid_input(text: str) -> None:
    with pytest.raises(InvalidSubject) as caught:
        IdentityDocument.parse(text)
    assert isinstance(caught.value, InvalidInput)


def test_bare_account_numbers() -> None:
    assert IdentityDocument.from_number("001091000001").kind is IdKind.CCCD
    assert IdentityDocument.from_number("012345678").kind is IdKind.CMND
    with pytest.raises(InvalidSubject):
        IdentityDocument.from_number("12345")


def test_person_name_is_nfc_utf8_in_order() -> None:
    decomposed = unicodedata.normalize("NFD", "Nguyễn  Văn An ")
    subject = PersonSubject(decomposed, "Hà Nội", "Cầu Giấy",
                            IdentityDocument.parse("CCCD:001091000001"))
    assert subject.common_name == "Nguyễn Văn An"
    assert unicodedata.is_normalized("NFC", subject.common_name)
    name = subject.name()
    kinds = [rdn[0]["type"].native for rdn in name.chosen]
    assert kinds == ["country_name", "state_or_province_name", "locality_name",
                     "common_name", "user_id"]
    choices = [rdn[0]["value"].name for rdn in name.chosen]
    assert choices == ["printable_string"] + ["utf8_string"] * 4
    assert name.native["user_id"] == "CCCD:001091000001"


@pytest.mark.parametrize(
    ("field", "value"),
    [("common_name", ""), ("common_name", "   "), ("common_name", "A" * 65),
     ("province", "Hà\x00Nội"), ("locality", "Cầu\u200bGiấy"), ("province", "x" * 129)],
)
def test_bad_subject_fields(field: str, value: str) -> None:
    values = {"common_name": "Nguyễn Văn An", "province": "Hà Nội", "locality": "Cầu Giấy"}
    values[field] = value
    with pytest.raises(InvalidSubject):
        PersonSubject(**values, identity=IdentityDocument.parse("HC:C1234567"))


def test_authority_name() -> None:
    name = authority_name("Công ty Ký số", "Công ty Ký số Root CA")
    assert name.native == {"country_name": "VN", "organization_name": "Công ty Ký số",
                           "common_name": "Công ty Ký số Root CA"}
