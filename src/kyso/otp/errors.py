"""Out-of-band code errors::

    InvalidInput ── InvalidOtp
    Gone ── OtpExpired
    TooManyRequests ── ResendTooSoon, SendLimitReached
"""

from __future__ import annotations

from kyso.errors import Gone, InvalidInput, TooManyRequests

__all__ = ["InvalidOtp", "OtpExpired", "ResendTooSoon", "SendLimitReached"]


class InvalidOtp(InvalidInput):
    code = "invalid_otp"
    vi = "Mã OTP không đúng."
    en = "The OTP is wrong."


class OtpExpired(Gone):
    code = "expired_otp"
    vi = "Mã OTP đã hết hạn, đã được dùng hoặc nhập sai quá số lần cho phép. Vui lòng lấy mã mới."
    en = "The OTP has expired, was already used or was entered wrong too often. Request a new one."


class ResendTooSoon(TooManyRequests):
    code = "resend_too_soon"
    vi = "Vui lòng đợi {retry_after} giây trước khi gửi lại mã OTP."
    en = "Wait {retry_after} seconds before requesting another OTP."


class SendLimitReached(TooManyRequests):
    code = "otp_send_limit"
    vi = "Bạn đã yêu cầu quá nhiều mã OTP. Vui lòng thử lại sau {retry_after} giây."
    en = "Too many OTPs requested. Try again in {retry_after} seconds."
