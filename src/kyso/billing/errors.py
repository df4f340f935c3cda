"""Billing errors::

    InvalidInput ── InvalidQuantity, InvalidSource
    NotFound ── UnknownCredential, UnknownReservation

Running out of signatures is :class:`kyso.signing.errors.OutOfSignatures` (a Conflict): the
signing path raises it, and every API maps it to its own error shape.
"""

from __future__ import annotations

from kyso.errors import InvalidInput, NotFound

__all__ = ["InvalidQuantity", "InvalidSource", "UnknownCredential", "UnknownReservation"]


class InvalidQuantity(InvalidInput):
    code = "invalid_request"
    vi = "Số lượt ký không hợp lệ: {reason}."
    en = "Invalid number of signatures: {reason}."


class InvalidSource(InvalidInput):
    code = "invalid_request"
    vi = "Nguồn cộng lượt ký phải có từ 1 đến 120 ký tự in được."
    en = "The source of a credit must be 1 to 120 printable characters."


class UnknownCredential(NotFound):
    code = "not_found"
    vi = "Không tìm thấy chứng thư số {credential}."
    en = "No certificate {credential}."


class UnknownReservation(NotFound):
    code = "not_found"
    vi = "Không tìm thấy lượt ký đã giữ chỗ."
    en = "No such signature reservation."
