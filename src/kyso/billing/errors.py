"""Billing errors::

    InvalidInput ── InvalidQuantity
    NotFound ── UnknownCredential, UnknownReservation

Running out of signatures is :class:`kyso.signing.errors.OutOfSignatures` (a Conflict): the
signing path raises it, and every API maps it to its own error shape.
"""

from __future__ import annotations

from kyso.errors import InvalidInput, NotFound

__all__ = ["InvalidQuantity", "UnknownCredential", "UnknownReservation"]


class InvalidQuantity(InvalidInput):
    code = "invalid_request"
    vi = "Số lượt ký không hợp lệ: {reason}."
    en = "Invalid number of signatures: {reason}."


class UnknownCredential(NotFound):
    code = "not_found"
    vi = "Không tìm thấy chứng thư số {credential}."
    en = "No certificate {credential}."


class UnknownReservation(NotFound):
    code = "not_found"
    vi = "Không tìm thấy lượt ký đã giữ chỗ."
    en = "No such signature reservation."
