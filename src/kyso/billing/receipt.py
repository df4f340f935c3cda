"""The receipt a customer gets by email once an order is paid (or a free order is granted):
in the account's language (Vietnamese by default), plain text and HTML, amounts in VND with
the 10% VAT shown."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from html import escape

from kyso.billing.catalog import VAT_PERCENT, vat_split
from kyso.billing.orders import Order, OrderStatus, PaymentMethod
from kyso.errors import Text
from kyso.notify.ports import EmailContent

__all__ = ["METHOD_LABELS", "notice", "receipt", "vn_time", "vnd"]

VN = timezone(timedelta(hours=7), "ICT")
METHOD_LABELS = {
    PaymentMethod.EWALLET: Text("Ví điện tử (VNPAY-QR)", "E-wallet (VNPAY-QR)"),
    PaymentMethod.CREDIT_CARD: Text("Thẻ tín dụng/ghi nợ quốc tế",
                                    "International credit/debit card"),
    PaymentMethod.ATM: Text("Thẻ ATM / tài khoản ngân hàng nội địa",
                            "Domestic ATM card / bank account"),
    PaymentMethod.FREE: Text("Miễn phí", "Free"),
}

_T = Text
_WORDS = {
    "customer": _T("Khách hàng", "Customer"), "order": _T("Mã đơn hàng", "Order number"),
    "package": _T("Gói cước", "Package"), "certificate": _T("Chứng thư số", "Certificate"),
    "net": _T("Giá chưa thuế", "Price before tax"), "vat": _T("Thuế GTGT", "VAT"),
    "total": _T("Tổng thanh toán", "Total paid"),
    "method": _T("Hình thức thanh toán", "Payment method"),
    "transaction": _T("Mã giao dịch", "Transaction number"), "time": _T("Thời gian", "Time"),
}


def vnd(amount: int) -> str:
    """``1650000`` → ``1.650.000 ₫`` (Vietnamese grouping)."""
    return f"{amount:,}".replace(",", ".") + " ₫"


def vn_time(at: datetime) -> str:
    return at.astimezone(VN).strftime("%d/%m/%Y %H:%M")


def _lines(order: Order, full_name: str, lang: str) -> list[tuple[str, str]]:
    net, vat = vat_split(order.amount)
    payment = order.payment
    w = {k: t.pick(lang) for k, t in _WORDS.items()}
    rows = [(w["customer"], full_name), (w["order"], order.id),
            (w["package"], order.name_in(lang))]
    if order.credential_id:
        rows.append((w["certificate"], order.credential_id))
    rows += [(w["net"], vnd(net)), (f"{w['vat']} ({VAT_PERCENT}%)", vnd(vat)),
             (w["total"], vnd(order.amount))]
    if payment is not None:
        rows.append((w["method"], METHOD_LABELS[payment.method].pick(lang)))
        if payment.transaction_no:
            rows.append((w["transaction"], payment.transaction_no))
    if order.ended_at is not None:
        rows.append((w["time"], vn_time(order.ended_at)))
    return rows


def notice(order: Order) -> tuple[Text, Text]:
    """The in-app notification: a title and one line, in both languages."""
    title = (_T("Đăng ký gói thành công", "Package granted") if order.free
             else _T("Thanh toán thành công", "Payment received"))
    vi, en = order.name_in("vi"), order.name_in("en")
    if order.status is OrderStatus.AWAITING_ISSUANCE:
        return title, _T(f"Đơn hàng {order.id} ({vi}) đã được ghi nhận; gói sẽ áp dụng cho "
                         "chứng thư số khi được cấp.",
                         f"Order {order.id} ({en}) is recorded; the package applies to the "
                         "certificate once it is issued.")
    cert = order.credential_id
    what = (_T(f"đã cộng {order.signatures} lượt ký vào chứng thư số {cert}",
               f"added {order.signatures} signatures to the certificate {cert}")
            if order.signatures else
            _T(f"đã kích hoạt cho chứng thư số {cert}", f"is active for the certificate {cert}"))
    return title, _T(f"Đơn hàng {order.id} ({vi}) {what.vi}.",
                     f"Order {order.id} ({en}) {what.en}.")


_MAIL = {
    "subject": _T("[kyso] Biên nhận đơn hàng {id} — {title}",
                  "[kyso] Receipt for order {id} — {title}"),
    "dear": _T("Kính gửi {name},", "Dear {name},"),
    "balance": _T("Lượt ký khả dụng hiển thị trong mục Chứng thư số của ứng dụng.",
                  "Your available signatures are shown under Certificates in the app."),
    "balance_html": _T("Lượt ký khả dụng hiển thị trong mục <b>Chứng thư số</b> của ứng dụng.",
                       "Your available signatures are shown under <b>Certificates</b> in the "
                       "app."),
    "regards": _T("Trân trọng,", "Kind regards,"),
}


def receipt(order: Order, full_name: str, lang: str = "vi") -> EmailContent:
    """The receipt email in ``lang`` (the account's language)."""
    rows = _lines(order, full_name, lang)
    t, n = notice(order)
    title, line = t.pick(lang), n.pick(lang)
    m = {k: v.pick(lang) for k, v in _MAIL.items()}
    subject = m["subject"].format(id=order.id, title=title.lower())
    text = "\n".join([m["dear"].format(name=full_name), "", f"{title}. {line}", "",
                      *(f"{k}: {v}" for k, v in rows), "", m["balance"], m["regards"], "kyso"])
    cells = "".join(f"<tr><th align='left'>{escape(k)}</th><td>{escape(v)}</td></tr>"
                    for k, v in rows)
    html = (f"<!doctype html><html lang='{'en' if lang == 'en' else 'vi'}'><meta charset='utf-8'>"
            f"<body><p>{escape(m['dear'].format(name=full_name))}</p>"
            f"<p><b>{escape(title)}.</b> {escape(line)}</p>"
            f"<table cellpadding='4'>{cells}</table><p>{m['balance_html']}</p>"
            f"<p>{m['regards']}<br>kyso</p></body></html>")
    return EmailContent(subject=subject, text=text, html=html)
