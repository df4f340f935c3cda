"""``kyso catalog``: the products on sale (prices are data); ``kyso billing``: orders,
reports, expiry, and applying a paid package to a newly issued certificate."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from kyso.billing.catalog import Product
from kyso.billing.receipt import vnd
from kyso.billing.report import ReportKind
from kyso.entrypoints.cli.context import console, fail, open_container

__all__ = ["billing_app", "catalog_app"]

catalog_app = typer.Typer(help="Danh mục gói cước / the catalogue of packages and packs.",
                          no_args_is_help=True)
billing_app = typer.Typer(help="Đơn hàng, báo cáo / orders, reports.", no_args_is_help=True)
ACTOR = "cli:billing"
AsJson = Annotated[bool, typer.Option("--json", help="Kết quả dạng JSON / output JSON.")]
Code = Annotated[str, typer.Argument(help="Mã gói / product code, e.g. pack-10.")]


def _summary(p: Product) -> dict[str, object]:
    return {"code": p.code, "kind": p.kind.value, "name": p.name, "name_en": p.name_en,
            "price": p.price, "vat": p.vat, "plan": p.plan.value if p.plan else None,
            "term_months": p.term_months, "signatures": p.signatures,
            "citizen_only": p.citizen_only, "once_per_account": p.once_per_account,
            "active": p.active}


def _print(products: list[Product], as_json: bool) -> None:
    if as_json:
        print(json.dumps([_summary(p) for p in products], ensure_ascii=False))
        return
    table = Table("code", "tên / name", "giá (gồm VAT 10%)", "gói / plan", "kỳ hạn", "lượt ký",
                  "bán / on sale")
    for p in products:
        table.add_row(p.code, escape(p.name), vnd(p.price), p.plan.value if p.plan else "-",
                      f"{p.term_months // 12} năm" if p.term_months else "-",
                      str(p.signatures or "-"), "yes" if p.active else "no")
    console.print(table)


@catalog_app.command("list")
def list_products(all_: Annotated[bool, typer.Option(
        "--all", help="Cả gói ngừng bán / include products not on sale.")] = False,
                  as_json: AsJson = False) -> None:
    """Danh mục gói / list the catalogue."""
    with open_container() as container:
        _print(container.catalog.products(active_only=not all_), as_json)


@catalog_app.command("load")
def load(path: Annotated[Path | None, typer.Argument(
        help="Tệp JSON {\"products\": [...]} (mặc định: danh mục có sẵn) / a JSON catalogue "
             "(default: the built-in one).")] = None,
         as_json: AsJson = False) -> None:
    """Nạp hoặc cập nhật gói từ dữ liệu / insert or update products from data."""
    try:
        data = json.loads(path.read_text("utf-8")) if path else None
    except (OSError, ValueError) as exc:
        raise fail(f"không đọc được tệp / cannot read {path}: {exc}") from exc
    with open_container() as container:
        _print(container.catalog.load(data, actor=ACTOR), as_json)


@catalog_app.command("price")
def price(code: Code, vnd_incl_vat: Annotated[int, typer.Argument(
        metavar="PRICE", help="Giá VND đã gồm VAT / price in VND, VAT included.")]) -> None:
    """Đổi giá (đơn đã tạo giữ giá cũ) / change a price (existing orders keep theirs)."""
    with open_container() as container:
        _print([container.catalog.set_price(code, vnd_incl_vat, actor=ACTOR)], False)


@catalog_app.command("disable")
def disable(code: Code) -> None:
    """Ngừng bán / stop selling."""
    with open_container() as container:
        _print([container.catalog.set_active(code, False, actor=ACTOR)], False)


@catalog_app.command("enable")
def enable(code: Code) -> None:
    """Bán lại / sell again."""
    with open_container() as container:
        _print([container.catalog.set_active(code, True, actor=ACTOR)], False)


def _day(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    except ValueError:
        raise fail(f"ngày không hợp lệ / bad date {value!r} (YYYY-MM-DD)") from None


@billing_app.command("report")
def report(
    kind: Annotated[ReportKind, typer.Argument(help="orders | revenue | usage")],
    since: Annotated[str | None, typer.Option(help="Từ ngày / from (YYYY-MM-DD, UTC).")] = None,
    until: Annotated[str | None, typer.Option(help="Đến trước ngày / until (exclusive).")] = None,
    output: Annotated[Path | None, typer.Option("-o", "--output",
                                                help="Tệp CSV / CSV file (else stdout).")] = None,
) -> None:
    """Xuất CSV đơn hàng, doanh thu hoặc lượt ký / export orders, revenue or usage as CSV."""
    with open_container() as container:
        text = container.billing_report.csv(kind, _day(since), _day(until))
    if output is None:
        print(text, end="")
    else:
        output.write_text(text, "utf-8")
        console.print(f"{output}: {text.count(chr(10)) - 1} rows")


@billing_app.command("expire")
def expire() -> None:
    """Hủy các đơn quá hạn chưa thanh toán / expire unpaid orders past their time."""
    with open_container() as container:
        console.print(f"expired: {container.orders.expire_due()}")


@billing_app.command("attach")
def attach(order_id: Annotated[str, typer.Argument(help="Mã đơn hàng / order id.")],
           credential_id: Annotated[str, typer.Argument(help="Chứng thư số đã cấp.")]) -> None:
    """Áp dụng gói đã thanh toán cho chứng thư số vừa cấp / apply a paid package to the
    certificate issued for it."""
    with open_container() as container:
        order = container.provisioner.attach(order_id, credential_id, actor=ACTOR)
    console.print(f"{order.id}: {order.status.value} → {order.credential_id}")
