"""The SmartOTP terms of use the customer accepts when registering (the version is recorded)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["TERMS", "Terms"]


@dataclass(frozen=True)
class Terms:
    version: str
    text_vi: str
    text_en: str


TERMS = Terms(
    version="2026-11",
    text_vi=(
        "ĐIỀU KHOẢN SỬ DỤNG SMARTOTP\n"
        "1. SmartOTP là phương thức xác thực giao dịch và chữ ký số bằng mã OTP sinh trên "
        "thiết bị đã đăng ký của Quý khách.\n"
        "2. Mỗi tài khoản chỉ kích hoạt SmartOTP trên một thiết bị; đăng ký trên thiết bị mới "
        "sẽ hủy thiết bị cũ.\n"
        "3. Quý khách tự bảo mật mã PIN SmartOTP, không chia sẻ mã PIN và mã OTP cho bất kỳ ai, "
        "kể cả nhân viên của nhà cung cấp dịch vụ.\n"
        "4. Nhập sai mã OTP nhiều lần liên tiếp, SmartOTP sẽ bị khóa để bảo vệ tài khoản.\n"
        "5. Khi mất thiết bị hoặc nghi ngờ lộ mã PIN, Quý khách cần tạm khóa SmartOTP ngay và "
        "liên hệ {desk}."
    ),
    text_en=(
        "SMARTOTP TERMS OF USE\n"
        "1. SmartOTP authorizes transactions and digital signatures with one-time codes made on "
        "your registered device.\n"
        "2. One device per account: registering a new device revokes the old one.\n"
        "3. Keep your SmartOTP PIN secret; never share your PIN or codes with anyone, including "
        "our staff.\n"
        "4. Too many wrong codes in a row lock SmartOTP to protect your account.\n"
        "5. If you lose your device or suspect your PIN is known, lock SmartOTP at once and "
        "contact {desk}."
    ),
)
