"""Relying-party and SP769 errors::

    InvalidInput ── InvalidSignRequest
    AuthenticationFailed ── InvalidSpCredentials
    NotFound ── UnknownUser, UnknownRequest, NoCredential, UnknownParty, NoConsent
    Conflict ── DuplicateTransaction, SigningFailed
    (a throttled party gets kyso.errors.TooManyRequests, 429 with Retry-After)

A wrong ``sp_password``, an unknown ``sp_id`` and a disabled relying party look the same from
outside (InvalidSpCredentials); the audit record says which it was.
"""

from __future__ import annotations

from kyso.errors import AuthenticationFailed, Conflict, InvalidInput, NotFound

__all__ = [
    "DuplicateTransaction",
    "InvalidSignRequest",
    "InvalidSpCredentials",
    "NoConsent",
    "NoCredential",
    "SigningFailed",
    "UnknownParty",
    "UnknownRequest",
    "UnknownUser",
]


class InvalidSignRequest(InvalidInput):
    code = "invalid_request"
    vi = "Yêu cầu ký số không hợp lệ: {reason}."
    en = "Invalid signing request: {reason}."


class InvalidSpCredentials(AuthenticationFailed):
    code = "invalid_client"
    vi = "Thông tin tài khoản SP (sp_id, sp_password) không hợp lệ."
    en = "Invalid relying-party credentials (sp_id, sp_password)."


class UnknownUser(NotFound):
    code = "user_not_found"
    vi = "Không tìm thấy thuê bao với số giấy tờ (user_id) này."
    en = "No subscriber has this ID number (user_id)."


class NoCredential(NotFound):
    code = "credential_not_found"
    vi = "Thuê bao không có chứng thư số phù hợp để ký."
    en = "The subscriber has no matching certificate to sign with."


class UnknownRequest(NotFound):
    code = "transaction_not_found"
    vi = "Không tìm thấy giao dịch ký số."
    en = "No such signing transaction."


class UnknownParty(NotFound):
    code = "not_found"
    vi = "Không tìm thấy bên tin cậy (relying party) {sp_id}."
    en = "No relying party {sp_id}."


class NoConsent(NotFound):
    code = "not_found"
    vi = "Quý khách chưa cho phép bên tin cậy {sp_id} truy cập."
    en = "You have not given the relying party {sp_id} access."


class DuplicateTransaction(Conflict):
    code = "duplicate_transaction"
    vi = "Mã giao dịch (transaction_id) đã được sử dụng."
    en = "This transaction_id was already used."


class SigningFailed(Conflict):
    code = "signing_failed"
    vi = "Ký số không thành công; yêu cầu đã chuyển sang trạng thái lỗi."
    en = "Signing failed; the request is marked failed."
