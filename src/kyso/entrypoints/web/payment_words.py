"""What the payment pages say, Vietnamese first and English on request.

The language is the ``lang`` query parameter (the pages' own switch), else the gateway's
``vnp_Locale`` (the web app asks for ``en`` when the customer reads English), else Vietnamese.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from kyso.errors import Text

__all__ = ["WORDS", "language", "result_sentence"]

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
    "paid_hint": "Cổng thanh toán báo kết quả trực tiếp cho kyso; lượt ký khả dụng xem ở "
                 "trang chủ, mục Chứng thư số.",
    "back_orders": "Về trang đơn hàng của Quý khách",
    "renew_paid": "Tiếp tục gia hạn chứng thư số",
    "renew_again": "Quay lại gia hạn để thanh toán lại",
    "register_paid": "Tiếp tục đăng ký chứng thư số",
    "register_again": "Quay lại hồ sơ đăng ký để thanh toán lại",
    "no_order": "Không tìm thấy đơn hàng",
    "outcome_paid": "Thanh toán thành công.",
    "outcome_cancelled": "Quý khách đã hủy giao dịch.",
    "outcome_failed": "Thanh toán không thành công.",
    "status_pending": "Chờ thanh toán", "status_fulfilled": "Đã hoàn tất",
    "status_awaiting_issuance": "Đã thanh toán, chờ cấp chứng thư số",
    "status_failed": "Thanh toán không thành công",
    "status_cancelled": "Đã hủy", "status_expired": "Đã hết hạn",
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
    "paid_hint": "The gateway tells kyso directly; the signatures available show on the home "
                 "page, under Certificates.",
    "back_orders": "Back to your orders",
    "renew_paid": "Continue the certificate renewal",
    "renew_again": "Back to the renewal to pay again",
    "register_paid": "Continue the certificate registration",
    "register_again": "Back to the registration to pay again",
    "no_order": "Order not found",
    "outcome_paid": "Payment successful.",
    "outcome_cancelled": "You cancelled the transaction.",
    "outcome_failed": "Payment failed.",
    "status_pending": "Awaiting payment", "status_fulfilled": "Completed",
    "status_awaiting_issuance": "Paid, awaiting the certificate",
    "status_failed": "Payment failed",
    "status_cancelled": "Cancelled", "status_expired": "Expired",
}
WORDS: Final[Mapping[str, Mapping[str, str]]] = {"vi": _VI, "en": _EN}


def language(query: Mapping[str, str]) -> str:
    """``en`` or ``vi``: the page's switch first, then the locale the gateway was asked for."""
    asked = query.get("lang") or ("en" if query.get("vnp_Locale") == "en" else "vi")
    return "en" if asked == "en" else "vi"


# The gateway's result code (VNPay's vnp_ResponseCode; the sandbox speaks the same) said to the
# customer as what happened and what to do; the code itself is never on screen. Any code not
# here gets the general sentence, which names the support desk ({desk}, kyso.support).
_RESULTS: Final[Mapping[str, tuple[str, str]]] = {
    "07": ("Ngân hàng đã trừ tiền nhưng giao dịch đang được kiểm tra vì có dấu hiệu bất thường. "
           "Quý khách vui lòng không thanh toán lại và liên hệ ngân hàng phát hành thẻ.",
           "The bank took the money but is checking the transaction as unusual. Please do not "
           "pay again, and contact the bank that issued your card."),
    "09": ("Thẻ hoặc tài khoản của Quý khách chưa đăng ký dịch vụ Internet Banking tại ngân "
           "hàng. Quý khách vui lòng đăng ký với ngân hàng hoặc chọn phương thức thanh toán khác.",
           "Your card or account is not registered for Internet Banking at your bank. Please "
           "register with the bank or choose another payment method."),
    "10": ("Quý khách đã xác thực thông tin thẻ hoặc tài khoản không đúng quá 3 lần. "
           "Quý khách vui lòng thực hiện lại giao dịch.",
           "The card or account details were entered wrong more than 3 times. Please pay again."),
    "11": ("Đã hết thời gian chờ thanh toán. Quý khách vui lòng thực hiện lại giao dịch.",
           "The time to pay has run out. Please pay again."),
    "12": ("Thẻ hoặc tài khoản của Quý khách đang bị khóa. Quý khách vui lòng liên hệ ngân hàng "
           "hoặc chọn phương thức thanh toán khác.",
           "Your card or account is locked. Please contact your bank or choose another payment "
           "method."),
    "13": ("Quý khách đã nhập sai mật khẩu xác thực giao dịch (OTP). Quý khách vui lòng thực "
           "hiện lại giao dịch.",
           "The transaction's one-time password (OTP) was wrong. Please pay again."),
    "51": ("Tài khoản của Quý khách không đủ số dư để thực hiện giao dịch. Quý khách vui lòng "
           "nạp thêm tiền hoặc chọn phương thức thanh toán khác.",
           "Your account does not hold enough money for this payment. Please top it up or "
           "choose another payment method."),
    "65": ("Tài khoản của Quý khách đã vượt quá hạn mức giao dịch trong ngày. Quý khách vui lòng "
           "thử lại vào ngày mai hoặc chọn phương thức thanh toán khác.",
           "Your account has reached its daily limit. Please try again tomorrow or choose "
           "another payment method."),
    "75": ("Ngân hàng thanh toán đang bảo trì. Quý khách vui lòng thử lại sau ít phút hoặc chọn "
           "ngân hàng khác.",
           "The paying bank is under maintenance. Please try again in a few minutes or choose "
           "another bank."),
    "79": ("Quý khách đã nhập sai mật khẩu thanh toán quá số lần cho phép. Quý khách vui lòng "
           "thực hiện lại giao dịch.",
           "The payment password was entered wrong too many times. Please pay again."),
}
_GENERAL: Final = (
    "Giao dịch thanh toán chưa thực hiện được. Quý khách vui lòng thử lại hoặc chọn phương "
    "thức thanh toán khác; nếu tài khoản đã bị trừ tiền, vui lòng liên hệ {desk}.",
    "The payment did not go through. Please try again or choose another payment method; if "
    "your account was charged, please contact {desk}.")


def result_sentence(code: str) -> Text:
    """What a failed payment's result code means to the customer, in both languages (the
    general sentence for a code not known here)."""
    vi, en = _RESULTS.get(code, _GENERAL)
    return Text(vi, en)
