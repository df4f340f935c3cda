"""What the payment pages say, Vietnamese first and English on request.

The language is the ``lang`` query parameter (the pages' own switch), else the gateway's
``vnp_Locale`` (the web app asks for ``en`` when the customer reads English), else Vietnamese.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

__all__ = ["WORDS", "language"]

_VI: Final = {
    "lang_code": "vi", "other_code": "en", "other_name": "English",
    "sandbox_title": "Cổng thanh toán thử nghiệm",
    "sandbox_note": "Cổng thanh toán thử nghiệm của kyso, theo giao thức VNPay 2.1.0. "
                    "Không có tiền thật được chuyển.",
    "order": "Đơn hàng", "sandbox_expired": "Giao dịch đã quá thời gian chờ thanh toán.",
    "method": "Phương thức thanh toán", "ewallet": "Ví điện tử / VNPAY-QR",
    "credit_card": "Thẻ tín dụng quốc tế", "atm": "Thẻ ATM nội địa",
    "succeed": "Thanh toán thành công", "fail": "Thanh toán thất bại",
    "cancel": "Hủy giao dịch",
    "invalid_request": "Yêu cầu thanh toán không hợp lệ. Vui lòng quay lại kyso và thử lại.",
    "bad_signature": "Yêu cầu thanh toán không hợp lệ: sai chữ ký. Vui lòng quay lại kyso "
                     "và thử lại.",
    "return_title": "Kết quả thanh toán", "invalid_signature": "Chữ ký của cổng thanh toán "
                    "không hợp lệ; kết quả này không được ghi nhận.",
    "order_id": "Mã đơn hàng", "amount": "Số tiền", "order_status": "Trạng thái đơn hàng",
    "response_code": "Mã phản hồi của cổng thanh toán",
    "paid_hint": "Cổng thanh toán báo kết quả trực tiếp cho kyso; lượt ký khả dụng xem ở "
                 "trang chủ, mục Chứng thư số.",
    "back_orders": "Về trang đơn hàng của Quý khách",
    "renew_paid": "Tiếp tục gia hạn chứng thư số",
    "renew_again": "Quay lại gia hạn để thanh toán lại",
    "register_paid": "Tiếp tục đăng ký chứng thư số",
    "register_again": "Quay lại hồ sơ đăng ký để thanh toán lại",
    "no_order": "không tìm thấy đơn hàng",
    "outcome_paid": "Thanh toán thành công.",
    "outcome_cancelled": "Quý khách đã hủy giao dịch.",
    "outcome_failed": "Thanh toán không thành công.",
    "status_pending": "chờ thanh toán", "status_fulfilled": "đã hoàn tất",
    "status_awaiting_issuance": "đã thanh toán, chờ cấp chứng thư số",
    "status_failed": "thanh toán không thành công",
    "status_cancelled": "đã hủy", "status_expired": "đã hết hạn",
}
_EN: Final = {
    "lang_code": "en", "other_code": "vi", "other_name": "Tiếng Việt",
    "sandbox_title": "Test payment gateway",
    "sandbox_note": "kyso's built-in test gateway, speaking the VNPay 2.1.0 protocol. "
                    "No real money moves.",
    "order": "Order", "sandbox_expired": "The payment window of this transaction has passed.",
    "method": "Payment method", "ewallet": "E-wallet / VNPAY-QR",
    "credit_card": "International credit card", "atm": "Domestic ATM card",
    "succeed": "Pay successfully", "fail": "Payment fails", "cancel": "Cancel the transaction",
    "invalid_request": "The payment request is not valid. Please go back to kyso and try again.",
    "bad_signature": "The payment request is not valid: its signature is wrong. Please go "
                     "back to kyso and try again.",
    "return_title": "Payment result", "invalid_signature": "The gateway's signature is not "
                    "valid; this result was not recorded.",
    "order_id": "Order number", "amount": "Amount", "order_status": "Order status",
    "response_code": "Gateway response code",
    "paid_hint": "The gateway tells kyso directly; the signatures available show on the home "
                 "page, under Certificates.",
    "back_orders": "Back to your orders",
    "renew_paid": "Continue the certificate renewal",
    "renew_again": "Back to the renewal to pay again",
    "register_paid": "Continue the certificate registration",
    "register_again": "Back to the registration to pay again",
    "no_order": "order not found",
    "outcome_paid": "Payment successful.",
    "outcome_cancelled": "You cancelled the transaction.",
    "outcome_failed": "Payment failed.",
    "status_pending": "awaiting payment", "status_fulfilled": "completed",
    "status_awaiting_issuance": "paid, awaiting the certificate",
    "status_failed": "payment failed",
    "status_cancelled": "cancelled", "status_expired": "expired",
}
WORDS: Final[Mapping[str, Mapping[str, str]]] = {"vi": _VI, "en": _EN}


def language(query: Mapping[str, str]) -> str:
    """``en`` or ``vi``: the page's switch first, then the locale the gateway was asked for."""
    asked = query.get("lang") or ("en" if query.get("vnp_Locale") == "en" else "vi")
    return "en" if asked == "en" else "vi"
