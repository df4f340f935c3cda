"""Errors of the PKI, each under the *kind* of failure from :mod:`kyso.errors`::

    PkiError                  (KysoError, 500)
    ├── UnknownAuthority      (NotFound, 404)    no CA of that name
    ├── CertificateNotFound   (NotFound, 404)
    ├── InvalidSubject        (InvalidInput, 400) a subject field breaks the profile
    ├── InvalidValidity       (InvalidInput, 400) validity outside the profile's bounds
    ├── InvalidTransition     (Conflict, 409)    e.g. resume a certificate that is not on hold
    └── NotInitialized        (Conflict, 409)    the CA hierarchy does not exist (``kyso init``)

Malformed OCSP and time-stamp requests are not errors here: the protocols answer them with
their own status (``malformedRequest``, ``badDataFormat``), never with an exception.
"""

from __future__ import annotations

from kyso.errors import Conflict, InvalidInput, KysoError, NotFound

__all__ = [
    "CertificateNotFound",
    "InvalidSubject",
    "InvalidTransition",
    "InvalidValidity",
    "NotInitialized",
    "PkiError",
    "UnknownAuthority",
    "WrongStatus",
]


class PkiError(KysoError):
    code = "pki_error"
    vi = "Lỗi hạ tầng khóa công khai."
    en = "PKI error."


class UnknownAuthority(PkiError, NotFound):
    code = "unknown_authority"
    vi = "Không có CA tên này."
    en = "There is no CA of this name."


class CertificateNotFound(PkiError, NotFound):
    code = "certificate_not_found"
    vi = "Không tìm thấy chứng thư số."
    en = "The certificate was not found."


class InvalidSubject(PkiError, InvalidInput):
    code = "invalid_subject"
    vi = "Thông tin chủ thể chứng thư số không hợp lệ."
    en = "The certificate subject is not valid."


class InvalidValidity(PkiError, InvalidInput):
    code = "invalid_validity"
    vi = "Thời hạn chứng thư số không hợp lệ."
    en = "The certificate validity is not allowed."


class InvalidTransition(PkiError, Conflict):
    code = "invalid_certificate_state"
    vi = "Trạng thái chứng thư số không cho phép thao tác này."
    en = "The certificate's status does not allow this."


class WrongStatus(InvalidTransition):
    """The certificate is in a status the operation does not start from (said in words)."""

    vi = "Chứng thư số đang ở trạng thái {status}; không thể thực hiện thao tác này."
    en = "The certificate is {status}; this is not possible."
    worded = {"status": "certificate_statuses"}  # noqa: RUF012 (a class constant)


class NotInitialized(PkiError, Conflict):
    code = "pki_not_initialized"
    vi = "Chưa khởi tạo CA (chạy kyso init)."
    en = "The CA hierarchy does not exist yet (run kyso init)."
