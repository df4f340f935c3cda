"""Signing errors::

    InvalidInput ── InvalidHashes
    AuthenticationFailed ── InvalidSad
    Conflict ── CredentialUnusable
    Gone ── SadExpired
    TooManyRequests ── (none)
    KysoError ── OutOfSignatures (Conflict)
"""

from __future__ import annotations

from kyso.errors import AuthenticationFailed, Conflict, Gone, InvalidInput

__all__ = ["CredentialUnusable", "InvalidHashes", "InvalidSad", "OutOfSignatures", "SadExpired"]


class InvalidHashes(InvalidInput):
    code = "invalid_request"
    vi = "Giá trị băm không hợp lệ: {reason}."
    en = "Invalid hashes: {reason}."


class InvalidSad(AuthenticationFailed):
    code = "invalid_sad"
    vi = "Dữ liệu kích hoạt chữ ký (SAD) không hợp lệ hoặc không dành cho yêu cầu này."
    en = "The signature activation data (SAD) is invalid or not for this request."


class SadExpired(Gone):
    code = "expired_sad"
    vi = "Dữ liệu kích hoạt chữ ký (SAD) đã hết hạn hoặc đã được sử dụng."
    en = "The signature activation data (SAD) has expired or was already used."


class CredentialUnusable(Conflict):
    code = "credential_unusable"
    vi = "Chứng thư số đang ở trạng thái «{status}», không thể dùng để ký."
    en = "The certificate is {status} and cannot sign."
    worded = {"status": "certificate_statuses"}  # noqa: RUF012 (a class constant)


class OutOfSignatures(Conflict):
    code = "out_of_signatures"
    vi = "Chứng thư số đã hết lượt ký. Vui lòng mua thêm gói lượt ký."
    en = "No signatures left on this certificate. Please buy a signature pack."
