"""Billing errors::

    InvalidInput ── InvalidQuantity, InvalidSource, InvalidProduct, CertificateRequired
    PermissionDenied ── NotEligible ── CitizensOnly, OfferUsed
    NotFound ── UnknownCredential, UnknownReservation, UnknownProduct, UnknownOrder
    Conflict ── OrderStateConflict, ProductUnavailable

Running out of signatures is :class:`kyso.signing.errors.OutOfSignatures` (a Conflict): the
signing path raises it, and every API maps it to its own error shape. Payment callbacks (IPN)
never raise to the gateway: they answer a VNPay ``RspCode`` (:mod:`kyso.billing.payment`).
"""

from __future__ import annotations

from kyso.errors import Conflict, InvalidInput, NotFound, PermissionDenied

__all__ = ["CertificateRequired", "CitizensOnly", "InvalidProduct", "InvalidQuantity",
           "InvalidSource", "NotEligible", "OfferUsed", "OrderStateConflict",
           "ProductUnavailable", "UnknownCredential", "UnknownOrder", "UnknownProduct",
           "UnknownReservation"]


class InvalidQuantity(InvalidInput):
    code = "invalid_request"
    vi = "Số lượt ký không hợp lệ: {reason}."
    en = "Invalid number of signatures: {reason}."


class InvalidSource(InvalidInput):
    code = "invalid_request"
    vi = "Nguồn cộng lượt ký phải có từ 1 đến 120 ký tự in được."
    en = "The source of a credit must be 1 to 120 printable characters."


class UnknownCredential(NotFound):
    code = "not_found"
    vi = "Không tìm thấy chứng thư số {credential}."
    en = "No certificate {credential}."


class UnknownReservation(NotFound):
    code = "not_found"
    vi = "Không tìm thấy lượt ký đã giữ chỗ."
    en = "No such signature reservation."


class InvalidProduct(InvalidInput):
    code = "invalid_request"
    vi = "Gói cước không hợp lệ: {reason}."
    en = "Invalid product: {reason}."


class CertificateRequired(InvalidInput):
    code = "invalid_request"
    vi = "Gói lượt ký phải được mua cho một chứng thư số cụ thể (credential_id)."
    en = "A signature pack is bought for one certificate (credential_id)."


class NotEligible(PermissionDenied):
    code = "not_eligible"
    vi = "Tài khoản không đủ điều kiện mua gói {product}."
    en = "This account is not eligible for {product}."


class CitizensOnly(NotEligible):
    vi = "Gói {product} chỉ dành cho công dân Việt Nam có căn cước công dân (CCCD, 12 chữ số)."
    en = "{product} is for Vietnamese citizens with a citizen ID card (CCCD, 12 digits) only."


class OfferUsed(NotEligible):
    vi = "Ưu đãi {product} chỉ áp dụng một lần cho mỗi tài khoản."
    en = "The {product} offer is once per account."


class UnknownProduct(NotFound):
    code = "not_found"
    vi = "Không tìm thấy gói cước {product}."
    en = "No product {product}."


class UnknownOrder(NotFound):
    code = "not_found"
    vi = "Không tìm thấy đơn hàng."
    en = "No such order."


class ProductUnavailable(Conflict):
    code = "product_unavailable"
    vi = "Gói cước {product} hiện không được bán."
    en = "The product {product} is not on sale."


class OrderStateConflict(Conflict):
    code = "order_state"
    vi = "Đơn hàng đang ở trạng thái «{status}», không thể thực hiện thao tác này."
    en = "The order is {status}; this is not possible."
    worded = {"status": "order_statuses"}  # noqa: RUF012 (a class constant)


class RenewalNeedsPackage(InvalidInput):
    code = "invalid_request"
    vi = "Gia hạn chứng thư số cần một gói chứng thư số, không kèm chứng thư số khác."
    en = "A renewal takes a certificate package, with no other certificate named."


__all__ += ["RenewalNeedsPackage"]
