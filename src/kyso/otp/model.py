"""Out-of-band one-time codes (SMS and email)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from kyso.notify.model import Channel

__all__ = ["OtpCode", "Purpose", "SentCode"]


class Purpose(StrEnum):
    """Why a code is sent; a code for one purpose never serves another."""

    SMARTOTP_REGISTER = "SMARTOTP_REGISTER"
    PIN_RESET = "PIN_RESET"
    PIN_CHANGE = "PIN_CHANGE"
    CONTACT_CHANGE = "CONTACT_CHANGE"
    METHOD_CHANGE = "METHOD_CHANGE"
    SIGN = "SIGN"
    ACTIVATION = "ACTIVATION"
    SIGNUP_PHONE = "SIGNUP_PHONE"
    SIGNUP_EMAIL = "SIGNUP_EMAIL"
    PASSWORD_RESET = "PASSWORD_RESET"  # noqa: S105  (a purpose name, not a secret)
    ACCOUNT_PIN_RESET = "ACCOUNT_PIN_RESET"
    IDENTITY_RECOVERY = "IDENTITY_RECOVERY"  # both secrets lost: the phone proven first

    @property
    def vi(self) -> str:
        return _VI[self]

    @property
    def en(self) -> str:
        return _EN[self]


_VI = {
    Purpose.SMARTOTP_REGISTER: "đăng ký SmartOTP",
    Purpose.PIN_RESET: "đặt lại PIN SmartOTP",
    Purpose.PIN_CHANGE: "đổi mã PIN tài khoản",
    Purpose.CONTACT_CHANGE: "thay đổi thông tin liên hệ",
    Purpose.METHOD_CHANGE: "thay đổi phương thức nhận OTP",
    Purpose.SIGN: "xác nhận ký số",
    Purpose.ACTIVATION: "kích hoạt tài khoản",
    Purpose.SIGNUP_PHONE: "xác minh số điện thoại đăng ký tài khoản",
    Purpose.SIGNUP_EMAIL: "xác minh email đăng ký tài khoản",
    Purpose.PASSWORD_RESET: "đặt lại mật khẩu",
    Purpose.ACCOUNT_PIN_RESET: "đặt lại mã PIN tài khoản",
    Purpose.IDENTITY_RECOVERY: "khôi phục tài khoản bằng giấy tờ tùy thân",
}
_EN = {
    Purpose.SMARTOTP_REGISTER: "register SmartOTP",
    Purpose.PIN_RESET: "reset your SmartOTP PIN",
    Purpose.PIN_CHANGE: "change your account PIN",
    Purpose.CONTACT_CHANGE: "change your contact details",
    Purpose.METHOD_CHANGE: "change how you receive OTPs",
    Purpose.SIGN: "confirm a digital signature",
    Purpose.ACTIVATION: "activate your account",
    Purpose.SIGNUP_PHONE: "verify the phone number of your new account",
    Purpose.SIGNUP_EMAIL: "verify the email of your new account",
    Purpose.PASSWORD_RESET: "reset your password",
    Purpose.ACCOUNT_PIN_RESET: "reset your account PIN",
    Purpose.IDENTITY_RECOVERY: "recover your account with your ID card",
}


@dataclass(frozen=True)
class OtpCode:
    """One code sent. Only an HMAC of the code is kept (``code_mac``)."""

    id: str
    account_id: str
    purpose: Purpose
    channel: Channel
    code_mac: str
    created_at: datetime
    expires_at: datetime
    attempts: int = 0
    consumed_at: datetime | None = None
    superseded: bool = False

    def usable(self, now: datetime, max_attempts: int) -> bool:
        return (
            self.consumed_at is None
            and not self.superseded
            and now < self.expires_at
            and self.attempts < max_attempts
        )


@dataclass(frozen=True)
class SentCode:
    """What the caller may tell the person: never the code itself."""

    purpose: Purpose
    channel: Channel
    destination: str
    expires_at: datetime
    resend_at: datetime
