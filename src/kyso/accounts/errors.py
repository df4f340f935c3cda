"""Account errors::

    InvalidInput ── WeakPassword, WeakPin, IdentifierTaken
    AuthenticationFailed ── InvalidCredentials, InvalidSession ── SessionExpired
    Locked ── SecretLocked, AccountPending, AccountUnavailable
    PermissionDenied ── DirectSignUpClosed
"""

from __future__ import annotations

from kyso.errors import AuthenticationFailed, Conflict, InvalidInput, Locked, PermissionDenied

__all__ = [
    "AccountPending",
    "AccountUnavailable",
    "DirectSignUpClosed",
    "IdentifierTaken",
    "InvalidCredentials",
    "InvalidSession",
    "SecretLocked",
    "SessionExpired",
    "WeakPassword",
    "WeakPin",
    "WrongPin",
]


class WeakPassword(InvalidInput):
    code = "weak_password"
    vi = "Mật khẩu chưa đủ mạnh: {reason_vi}."
    en = "The password is too weak: {reason_en}."


class WeakPin(InvalidInput):
    code = "weak_pin"
    vi = "Mã PIN phải gồm {digits} chữ số, không gồm các số giống nhau hoặc liên tiếp (như 123456)."
    en = "The PIN must be {digits} digits, not all the same and not a run such as 123456."


class IdentifierTaken(Conflict):
    code = "already_registered"
    vi = "Thông tin đã được đăng ký cho tài khoản khác: {fields}."
    en = "Already registered to another account: {fields}."


class InvalidCredentials(AuthenticationFailed):
    code = "invalid_credentials"
    vi = "Tên đăng nhập hoặc mật khẩu không đúng."
    en = "Wrong login name or password."


class WrongPin(AuthenticationFailed):
    code = "invalid_pin"
    vi = "Mã PIN tài khoản không đúng."
    en = "Wrong account PIN."


class InvalidSession(AuthenticationFailed):
    code = "invalid_token"
    vi = "Phiên đăng nhập không hợp lệ hoặc đã hết hạn. Vui lòng đăng nhập lại."
    en = "The session is invalid or has expired. Please log in again."


class SessionExpired(InvalidSession):
    """A session that was valid and has timed out (idle or absolute lifetime)."""

    code = "expired_token"
    vi = "Phiên đăng nhập đã hết hạn. Vui lòng đăng nhập lại."
    en = "The session has expired. Please log in again."


class SecretLocked(Locked):
    code = "locked"
    vi = "{what_vi} bị tạm khóa do nhập sai nhiều lần. Vui lòng thử lại sau {wait}."
    en = "{what_en} is locked after too many wrong attempts. Try again in {wait}."


class DirectSignUpClosed(PermissionDenied):
    code = "signup_with_codes"
    vi = "Vui lòng đăng ký tài khoản với mã xác minh gửi tới số điện thoại và email."
    en = "Sign up with the codes sent to your phone and email."


class AccountPending(Locked):
    code = "account_pending"
    vi = ("Tài khoản chưa được kích hoạt: số điện thoại và email chưa được xác minh. "
          "Vui lòng đăng ký lại để nhận mã mới.")
    en = ("The account is not active yet: its phone and email are not verified. "
          "Sign up again to receive new codes.")


class AccountUnavailable(Locked):
    code = "account_locked"
    vi = "Tài khoản đang bị khóa hoặc đã đóng. Vui lòng liên hệ {desk}."
    en = "The account is locked or closed. Please contact {desk}."
