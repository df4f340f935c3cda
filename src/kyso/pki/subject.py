"""Subject names, as Vietnamese CAs write them for individuals, and for kyso's own authorities.

A person's subject is ``C=VN, ST=<province>, L=<locality>, CN=<full name>, UID=<ID>``: every
text in UTF8String, normalised to NFC so that ``Nguyễn`` is one sequence of code points
whichever keyboard typed it; ``UID`` (0.9.2342.19200300.100.1.1) carries the identity
document as ``CCCD:<12 digits>``, ``CMND:<9 or 12 digits>`` or ``HC:<passport number>``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from asn1crypto import x509

from kyso.pki.errors import InvalidSubject

__all__ = ["IdKind", "IdentityDocument", "PersonSubject", "authority_name"]

_NUMBERS = {
    "CCCD": re.compile(r"\d{12}"),  # căn cước công dân (citizen identity card)
    "CMND": re.compile(r"\d{9}|\d{12}"),  # chứng minh nhân dân (the older ID card)
    "HC": re.compile(r"[A-Z0-9]{6,20}"),  # hộ chiếu (passport)
}
_LIMITS = {"common_name": 64, "state_or_province_name": 128, "locality_name": 128}


class IdKind(StrEnum):
    CCCD = "CCCD"
    CMND = "CMND"
    HC = "HC"


@dataclass(frozen=True)
class IdentityDocument:
    kind: IdKind
    number: str

    def __post_init__(self) -> None:
        if not _NUMBERS[self.kind.value].fullmatch(self.number):
            raise InvalidSubject(f"{self.kind.value} number {self.number!r} is not valid")

    def __str__(self) -> str:
        return f"{self.kind.value}:{self.number}"

    @classmethod
    def parse(cls, text: str) -> IdentityDocument:
        """``CCCD:001091000001`` (kind case-insensitive, spaces ignored)."""
        kind, sep, number = re.sub(r"\s", "", text).partition(":")
        if not sep or kind.upper() not in IdKind.__members__:
            raise InvalidSubject("an identity is CCCD:<12 digits>, CMND:<9|12 digits> or HC:<no>")
        return cls(IdKind(kind.upper()), number.upper())

    @classmethod
    def from_number(cls, number: str) -> IdentityDocument:
        """The kind an account's bare ID number implies: 12 digits CCCD, 9 digits CMND."""
        kind = IdKind.CCCD if len(number) == 12 else IdKind.CMND
        return cls(kind, number)


@dataclass(frozen=True)
class PersonSubject:
    common_name: str
    province: str
    locality: str
    identity: IdentityDocument

    def __post_init__(self) -> None:
        for attr in ("common_name", "province", "locality"):
            object.__setattr__(self, attr, _clean(attr, getattr(self, attr)))

    @property
    def uid(self) -> str:
        return str(self.identity)

    def name(self) -> x509.Name:
        return _name([
            ("country_name", "VN"),
            ("state_or_province_name", self.province),
            ("locality_name", self.locality),
            ("common_name", self.common_name),
            ("user_id", self.uid),
        ])


def authority_name(organization: str, common_name: str) -> x509.Name:
    """``C=VN, O=<organization>, CN=<common name>`` for kyso's CAs, responder and TSA."""
    return _name([
        ("country_name", "VN"),
        ("organization_name", _clean("organization_name", organization)),
        ("common_name", _clean("common_name", common_name)),
    ])


def _clean(field: str, value: str) -> str:
    text = re.sub(r"\s+", " ", unicodedata.normalize("NFC", value)).strip()
    label = field.replace("_", " ")
    if not text:
        raise InvalidSubject(f"the {label} is empty")
    if len(text) > _LIMITS.get(field, 64):
        raise InvalidSubject(f"the {label} is longer than {_LIMITS.get(field, 64)} characters")
    if any(unicodedata.category(c).startswith("C") for c in text):
        raise InvalidSubject(f"the {label} has control or unassigned characters")
    return text


def _name(attributes: list[tuple[str, str]]) -> x509.Name:
    rdns = []
    for kind, value in attributes:
        choice = "printable_string" if kind == "country_name" else "utf8_string"
        atv = x509.NameTypeAndValue(
            {"type": kind, "value": x509.DirectoryString(name=choice, value=value)}
        )
        rdns.append(x509.RelativeDistinguishedName([atv]))
    return x509.Name(name="", value=x509.RDNSequence(rdns))
