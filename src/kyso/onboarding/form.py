"""The registration form: what the customer types, checked into an owner and a contact.

Every rule of the card is applied here (name in NFC, the ID number against the date of
birth and sex, the card's dates, and the optional MRZ from the back of a chip card, whose
data must match the form — names compared without diacritics).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date

from kyso.accounts.identifiers import InvalidIdentifier, normalize_email, normalize_phone
from kyso.errors import Text
from kyso.onboarding.errors import InvalidField, MrzMismatch
from kyso.onboarding.identity import (
    IdDocument,
    IdType,
    Sex,
    check_id_number,
    check_validity,
)
from kyso.onboarding.model import Contact, Owner
from kyso.onboarding.mrz import Td1, parse_td1
from kyso.onboarding.names import fold, normalize_name

__all__ = ["RegistrationForm", "checked", "printable"]


@dataclass(frozen=True)
class RegistrationForm:
    full_name: str
    birth_date: date
    sex: Sex
    id_type: IdType
    id_number: str
    issue_date: date
    expiry_date: date | None
    email: str
    phone: str
    address: str
    province: str
    locality: str
    package: str
    device_id: str
    mrz: str | None = None


def checked(form: RegistrationForm, today: date) -> tuple[Owner, Contact, str | None]:
    """The owner, the contact and the MRZ (normalized), or the first broken rule."""
    name = normalize_name(form.full_name)
    number = check_id_number(form.id_type, form.id_number, form.birth_date, form.sex)
    check_validity(form.birth_date, form.issue_date, form.expiry_date, today)
    owner = Owner(name, form.birth_date, form.sex,
                  IdDocument(form.id_type, number, form.issue_date, form.expiry_date))
    mrz = None
    if form.mrz and form.mrz.strip():
        td1 = parse_td1(form.mrz)
        _match(td1, owner)
        mrz = "\n".join(line.strip() for line in form.mrz.strip().upper().splitlines())
    return owner, _contact(form), mrz


def _contact(form: RegistrationForm) -> Contact:
    try:
        email, phone = normalize_email(form.email), normalize_phone(form.phone)
    except InvalidIdentifier as exc:
        raise InvalidField(field="contact", reason=Text(exc.describe("vi").rstrip("."),
                                                  exc.describe("en").rstrip("."))) from None
    texts = {"address": form.address, "province": form.province, "locality": form.locality}
    for field, value in texts.items():
        if not value.strip() or len(value) > 128:
            raise InvalidField(field=field, reason=Text("từ 1 đến 128 ký tự", "1..128 characters"))
        printable(field, value)
    return Contact(email, phone, _clean(form.address), _clean(form.province),
                   _clean(form.locality))


def _clean(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def _match(td1: Td1, owner: Owner) -> None:
    doc = owner.document
    number = td1.document_number
    if not (number == doc.number or (len(doc.number) == 12 and doc.number.endswith(number)
                                     and doc.number in td1.optional1)):
        raise MrzMismatch(field="id_number")
    if td1.birth_date != owner.birth_date.strftime("%y%m%d"):
        raise MrzMismatch(field="birth_date")
    if td1.sex != owner.sex.value:
        raise MrzMismatch(field="sex")
    expiry = doc.expires.strftime("%y%m%d") if doc.expires else None
    if expiry is not None and td1.expiry_date != expiry:
        raise MrzMismatch(field="expiry_date")
    if not _same_name(td1, owner.full_name):
        raise MrzMismatch(field="full_name")
    if doc.kind is IdType.CCCD and td1.issuing_state != "VNM":
        raise MrzMismatch(field="issuing_state")


def _same_name(td1: Td1, full_name: str) -> bool:
    """Compared without diacritics; a name cut short by the 30-character line matches its
    beginning."""
    expected, got = fold(full_name).replace("-", " ").replace("'", ""), td1.name
    truncated = len("<<".join(["<".join(td1.primary), "<".join(td1.secondary)])) >= 29
    return got == expected or (truncated and expected.startswith(got))


def printable(field: str, value: str) -> None:
    """Refuse control and format characters (NUL, bidi overrides…): these texts go into the
    contract and the certificate's subject."""
    if any(unicodedata.category(c).startswith("C") for c in value):
        raise InvalidField(field=field, reason=Text("có ký tự điều khiển hoặc ký tự ẩn",
                                                    "control or invisible characters"))
