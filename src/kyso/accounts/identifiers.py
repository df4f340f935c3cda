"""Normalizing the identifiers a person types: phone numbers, emails, login names."""

from __future__ import annotations

import re
import unicodedata

from kyso.errors import InvalidInput

__all__ = ["InvalidIdentifier", "normalize_email", "normalize_login", "normalize_phone"]

_EMAIL = re.compile(
    r"^[^@\s]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9-]{1,63})+$"
)
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@+-]{2,63}$")


class InvalidIdentifier(InvalidInput):
    code = "invalid_identifier"
    vi = "{field_vi} không hợp lệ."
    en = "The {field_en} is not valid."


def normalize_phone(value: str) -> str:
    """Vietnamese numbers to E.164: ``0912 345 678`` → ``+84912345678``."""
    digits = re.sub(r"[\s.()-]", "", value)
    if digits.startswith("0") and len(digits) == 10:
        digits = "+84" + digits[1:]
    elif digits.startswith("84") and len(digits) == 11:
        digits = "+" + digits
    if not re.fullmatch(r"\+[1-9]\d{7,14}", digits):
        raise InvalidIdentifier(field_vi="Số điện thoại", field_en="phone number")
    return digits


def normalize_email(value: str) -> str:
    email = value.strip()
    if not _EMAIL.match(email) or len(email) > 254:
        raise InvalidIdentifier(field_vi="Địa chỉ email", field_en="email address")
    return email.lower()


def normalize_login(value: str) -> str:
    """A login name as stored: phone numbers in E.164, everything else NFC lower-case."""
    text = unicodedata.normalize("NFC", value.strip())
    if re.fullmatch(r"\+?[\d\s.()-]{9,16}", text) and not re.fullmatch(r"\d{9}|\d{12}", text):
        try:
            return normalize_phone(text)
        except InvalidIdentifier:
            pass
    text = text.lower()
    if not _USERNAME.match(text):
        raise InvalidIdentifier(field_vi="Tên đăng nhập", field_en="login name")
    return text
