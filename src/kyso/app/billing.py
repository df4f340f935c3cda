"""Buying in the app ("Mua gói lượt ký"): the catalogue, an order and the URL to pay at,
the orders, and the certificates with their available signatures ("lượt ký khả dụng")."""

from __future__ import annotations

from rich.table import Table

from kyso.app.i18n import Lang, Msg
from kyso.app.models import Certificate, Order, Product, Vocabulary
from kyso.app.views import id_column

__all__ = ["PAY_AT", "RENEWED", "certificates_table", "orders_table", "products_table", "vnd"]

PAY_AT = Msg("Mở liên kết sau để thanh toán đơn hàng {id} ({amount}):",
             "Open this link to pay order {id} ({amount}):")
UNLIMITED = Msg("không giới hạn", "unlimited")
RENEWED = Msg("Đã gia hạn: chứng thư số mới đã được cấp với gói đã thanh toán; chứng thư số cũ vẫn "
              "dùng được đến hết hạn (kyso app certs).",
              "Renewed: the new certificate is issued with the paid package; the old one stays "
              "usable until it expires (kyso app certs).")


def vnd(amount: int) -> str:
    return f"{amount:,}".replace(",", ".") + " ₫"


def _h(lang: Lang, *pairs: tuple[str, str]) -> list[str]:
    return [Msg(vi, en).render(lang) for vi, en in pairs]


def products_table(products: list[Product], lang: Lang) -> Table:
    table = Table(*_h(lang, ("Mã gói", "Code"), ("Tên gói", "Name"),
                      ("Giá (gồm VAT)", "Price (VAT incl.)"), ("Lượt ký", "Signatures")))
    for p in products:
        count = str(p.signatures) if p.signatures else (
            UNLIMITED.render(lang) if p.plan == "unlimited" else "-")
        table.add_row(p.code, p.name, vnd(p.price), count)
    return table


def orders_table(orders: list[Order], lang: Lang, words: Vocabulary) -> Table:
    [order, *rest] = _h(lang, ("Đơn hàng", "Order"), ("Gói", "Product"), ("Số tiền", "Amount"),
                        ("Trạng thái", "Status"), ("Tạo lúc", "Created"))
    table = Table(id_column(order, [o.id for o in orders]), *rest)
    for o in orders:
        table.add_row(o.id, o.name, vnd(o.amount), words.word("order_statuses", o.status),
                      f"{o.created_at.astimezone():%d/%m/%Y %H:%M}")
    return table


def certificates_table(certs: list[Certificate], lang: Lang, words: Vocabulary) -> Table:
    [cert, *rest] = _h(lang, ("Chứng thư số", "Certificate"), ("Gói", "Package"),
                       ("Hạn gói", "Term ends"), ("Lượt ký khả dụng", "Available signatures"),
                       ("Trạng thái", "Status"))
    table = Table(id_column(cert, [c.credential_id for c in certs]), *rest)
    for c in certs:
        available = (f"{UNLIMITED.render(lang)} ({c.unlimited_until:%d/%m/%Y})"
                     if c.unlimited and c.unlimited_until else str(c.available_signatures))
        table.add_row(c.credential_id, c.package or "-",
                      f"{c.term_end:%d/%m/%Y}" if c.term_end else "-", available,
                      words.word("certificate_statuses", c.status))
    return table
