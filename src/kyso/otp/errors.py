"""OTP errors (out-of-band codes, SmartOTP, transactions)::

    InvalidInput ── InvalidOtp, WeakSmartOtpPin, TermsNotAccepted, InvalidActivationCode,
                    ResyncFailed
    Conflict ── NoActiveToken, TransactionClosed
    Gone ── OtpExpired, ActivationExpired, TransactionExpired
    Locked ── TokenLocked, MethodLocked
    PermissionDenied ── AuthenticatorAppsDisabled
    TooManyRequests ── ResendTooSoon, SendLimitReached
"""

from __future__ import annotations

from kyso.errors import Conflict, Gone, InvalidInput, Locked, PermissionDenied, TooManyRequests

__all__ = [
    "ActivationExpired",
    "AuthenticatorAppsDisabled",
    "InvalidActivationCode",
    "InvalidOtp",
    "MethodLocked",
    "NoActiveToken",
    "OtpExpired",
    "OtpReplayed",
    "ResendTooSoon",
    "ResyncFailed",
    "SendLimitReached",
    "TermsNotAccepted",
    "TokenLocked",
    "TransactionClosed",
    "TransactionExpired",
    "WeakSmartOtpPin",
]


class InvalidOtp(InvalidInput):
    code = "invalid_otp"
    vi = "Mã OTP không đúng."
    en = "The OTP is wrong."


class OtpReplayed(InvalidOtp):
    """A right code already used (its time step is spent): not a wrong code, not counted."""

    code = "otp_replayed"
    vi = "Mã OTP này đã được sử dụng. Vui lòng đợi mã mới trên ứng dụng rồi nhập lại."
    en = "This OTP was already used. Wait for a new code in the app and enter it."


class OtpExpired(Gone):
    code = "expired_otp"
    vi = "Mã OTP đã hết hạn, đã được dùng hoặc nhập sai quá số lần cho phép. Vui lòng lấy mã mới."
    en = "The OTP has expired, was already used or was entered wrong too often. Request a new one."


class ResendTooSoon(TooManyRequests):
    code = "resend_too_soon"
    vi = "Vui lòng đợi {wait} trước khi gửi lại mã OTP."
    en = "Wait {wait} before requesting another OTP."


class SendLimitReached(TooManyRequests):
    code = "otp_send_limit"
    vi = "Quý khách đã yêu cầu quá nhiều mã OTP. Vui lòng thử lại sau {wait}."
    en = "Too many OTPs requested. Try again in {wait}."


class WeakSmartOtpPin(InvalidInput):
    code = "weak_pin"
    vi = ("PIN SmartOTP phải có từ 6 đến 12 chữ số, không gồm các số giống nhau "
          "hoặc liên tiếp (như 123456).")
    en = "The SmartOTP PIN must be 6 to 12 digits, not all the same and not a run like 123456."


class NoActiveToken(Conflict):
    code = "no_active_token"
    vi = "Quý khách chưa đăng ký SmartOTP hoặc SmartOTP đã bị hủy. Vui lòng đăng ký SmartOTP."
    en = "No active SmartOTP token. Please register SmartOTP."


class TokenLocked(Locked):
    code = "locked"
    vi = ("SmartOTP đã bị khóa do nhập sai nhiều lần. Vui lòng liên hệ {desk} "
          "hoặc đặt lại PIN SmartOTP.")
    en = "SmartOTP is locked after too many wrong codes. Contact {desk} or reset your SmartOTP PIN."


class MethodLocked(Locked):
    code = "method_locked"
    vi = "Phương thức nhận OTP {method} đang bị tạm khóa. Vui lòng liên hệ {desk}."
    en = "The OTP method {method} is temporarily locked. Please contact {desk}."


class TermsNotAccepted(InvalidInput):
    code = "terms_not_accepted"
    vi = "Quý khách cần đồng ý với điều khoản sử dụng SmartOTP phiên bản hiện hành ({version})."
    en = "You must accept the current SmartOTP terms ({version})."


class InvalidActivationCode(InvalidInput):
    code = "invalid_activation_code"
    vi = "Mã kích hoạt không đúng."
    en = "The activation code is wrong."


class ActivationExpired(Gone):
    code = "expired_activation_code"
    vi = ("Mã kích hoạt đã hết hạn, đã được dùng hoặc nhập sai quá số lần cho phép. "
          "Vui lòng đăng ký SmartOTP lại.")
    en = "The activation code has expired, was used or was entered wrong too often. Register again."


class TransactionExpired(Gone):
    code = "transaction_expired"
    vi = "Giao dịch đã hết thời gian xác nhận."
    en = "The transaction has expired."


class TransactionClosed(Conflict):
    code = "transaction_closed"
    vi = "Giao dịch đã được xử lý trước đó."
    en = "The transaction has already been handled."


class ResyncFailed(InvalidInput):
    code = "resync_failed"
    vi = ("Không thể đồng bộ: hai mã OTP không liên tiếp hoặc không đúng. "
          "Vui lòng kiểm tra giờ trên thiết bị và thử lại.")
    en = "Could not resynchronise: the two codes are wrong or not consecutive."


class AuthenticatorAppsDisabled(PermissionDenied):
    code = "authenticator_apps_disabled"
    vi = "Dịch vụ không cho phép dùng ứng dụng xác thực khác."
    en = "This service does not allow authenticator apps."
