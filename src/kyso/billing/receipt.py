"""The receipt a customer gets by email once an order is paid (or a free order is granted):
Vietnamese, plain text and HTML, amounts in VND with the 10% VAT shown."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from html import escape

from kyso.billing.catalog import VAT_PERCENT, vat_split
from kyso.billing.orders import Order, OrderStatus, PaymentMethod
from kyso.notify.ports import EmailContent

__all__ = ["METHOD_LABELS", "notice", "receipt", "vn_time", "vnd"]

VN = timezone(timedelta(hours=7), "ICT")
METHOD_LABELS = {
    PaymentMethod.EWALLET: "Ví điện tử (VNPAY-QR)",
    PaymentMethod.CREDIT_CARD: "Thẻ tín dụng/ghi nợ quốc tế",
    PaymentMethod.ATM: "Thẻ ATM / tài khoản ngân hàng nội địa",
    PaymentMethod.FREE: "Miễn phí",
}


def vnd(amount: int) -> str:
    """``1650000`` → ``1.650.000 ₫`` (Vietnamese grouping)."""
    return f"{amount:,}".replace(",", ".") + " ₫"


def vn_time(at: datetime) -> str:
    return at.astimezone(VN).strftime("%d/%m/%Y %H:%M")


def _lines(order: Order, full_name: str) -> list[tuple[str, str]]:
    net, vat = vat_split(order.amount)
    payment = order.payment
    rows = [("Khách hàng", full_name), ("Mã đơn hàng", order.id), ("Gói cước", order.name)]
    if order.credential_id:
        rows.append(("Chứng thư số", order.credential_id))
    rows += [("Giá chưa thuế", vnd(net)), (f"Thuế GTGT ({VAT_PERCENT}%)", vnd(vat)),
             ("Tổng thanh toán", vnd(order.amount))]
    if payment is not None:
        rows.append(("Hình thức thanh toán", METHOD_LABELS[payment.method]))
        if payment.transaction_no:
            rows.append(("Mã giao dịch", payment.transaction_no))
    if order.ended_at is not None:
        rows.append(("Thời gian", vn_time(order.ended_at)))
    return rows


def notice(order: Order) -> tuple[str, str]:
    """The in-app notification: a title and one line."""
    title = "Đăng ký gói thành công" if order.free else "Thanh toán thành công"
    if order.status is OrderStatus.AWAITING_ISSUANCE:
        return title, (f"Đơn hàng {order.id} ({order.name}) đã được ghi nhận; gói sẽ áp dụng "
                       "cho chứng thư số khi được cấp.")
    what = (f"đã cộng {order.signatures} lượt ký vào chứng thư số {order.credential_id}"
            if order.signatures else f"đã kích hoạt cho chứng thư số {order.credential_id}")
    return title, f"Đơn hàng {order.id} ({order.name}) {what}."


def receipt(order: Order, full_name: str) -> EmailContent:
    rows = _lines(order, full_name)
    title, line = notice(order)
    subject = f"[kyso] Biên nhận đơn hàng {order.id} — {title.lower()}"
    text = "\n".join([f"Kính gửi {full_name},", "", f"{title}. {line}", "",
                      *(f"{k}: {v}" for k, v in rows), "",
                      "Lượt ký khả dụng hiển thị trong mục Chứng thư số của ứng dụng.",
                      "Trân trọng,", "kyso"])
    cells = "".join(f"<tr><th align='left'>{escape(k)}</th><td>{escape(v)}</td></tr>"
                    for k, v in rows)
    html = (f"<!doctype html><html lang='vi'><meta charset='utf-8'><body>"
            f"<p>Kính gửi {escape(full_name)},</p><p><b>{escape(title)}.</b> {escape(line)}</p>"
            f"<table cellpadding='4'>{cells}</table>"
            "<p>Lượt ký khả dụng hiển thị trong mục <b>Chứng thư số</b> của ứng dụng.</p>"
            "<p>Trân trọng,<br>kyso</p></body></html>")
    return EmailContent(subject=subject, text=text, html=html)
