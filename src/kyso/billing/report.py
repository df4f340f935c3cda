"""``kyso billing report``: orders, revenue and usage as CSV.

* ``orders``: one row per order created in the period.
* ``revenue``: paid orders (fulfilled or awaiting issuance) by day (Vietnam time), product
  and gateway (``sandbox`` is no real money) — count, gross, net and VAT in VND — then a
  total row.
* ``usage``: one row per certificate that billing touched in the period — an order, or a
  credit or unlimited term from any source (``kyso quota credit``, a package): its package,
  term, and the ledger's credited, consumed, reserved and available signatures.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from enum import StrEnum

from kyso.billing.catalog import vat_split
from kyso.billing.orders import Order
from kyso.billing.ports import QuotaBook
from kyso.billing.receipt import VN
from kyso.uow import UnitOfWork, UnitOfWorkFactory

__all__ = ["ReportKind", "ReportService", "to_csv"]

Row = Sequence[str | int]


class ReportKind(StrEnum):
    ORDERS = "orders"
    REVENUE = "revenue"
    USAGE = "usage"


def to_csv(header: Row, rows: Iterable[Row]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def _iso(at: datetime | None) -> str:
    return at.isoformat() if at else ""


ORDER_HEADER = ("order_id", "created_at", "account_id", "product", "kind", "amount_vnd",
                "vat_vnd", "status", "gateway", "method", "transaction_no", "credential_id",
                "ended_at")
REVENUE_HEADER = ("date", "product", "gateway", "orders", "gross_vnd", "net_vnd", "vat_vnd")
USAGE_HEADER = ("credential_id", "account_id", "package", "plan", "term_end", "credited",
                "consumed", "reserved", "available", "unlimited_until")


def order_rows(orders: Iterable[Order]) -> list[Row]:
    return [(o.id, _iso(o.created_at), o.account_id, o.product_code, o.kind.value, o.amount,
             o.vat, o.status.value, o.payment.gateway if o.payment else "",
             o.payment.method.value if o.payment else "",
             (o.payment.transaction_no or "") if o.payment else "", o.credential_id or "",
             _iso(o.ended_at)) for o in sorted(orders, key=lambda o: (o.created_at, o.id))]


def revenue_rows(orders: Iterable[Order]) -> list[Row]:
    sums: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0])
    for o in orders:
        if o.status.paid and o.ended_at is not None and o.payment is not None:
            key = (o.ended_at.astimezone(VN).date().isoformat(), o.product_code,
                   o.payment.gateway)
            sums[key][0] += 1
            sums[key][1] += o.amount
    rows: list[Row] = [(day, product, gateway, n, gross, *vat_split(gross))
                       for (day, product, gateway), (n, gross) in sorted(sums.items())]
    count, gross = sum(v[0] for v in sums.values()), sum(v[1] for v in sums.values())
    net_total = sum(vat_split(v[1])[0] for v in sums.values())
    rows.append(("total", "", "", count, gross, net_total, gross - net_total))
    return rows


class ReportService:
    def __init__(self, uow_factory: UnitOfWorkFactory, quota: QuotaBook) -> None:
        self._uow, self._quota = uow_factory, quota

    def csv(self, kind: ReportKind, since: datetime | None = None,
            until: datetime | None = None) -> str:
        with self._uow() as uow:
            orders = uow.billing.orders(since=since, until=until, limit=1_000_000)
            if kind is ReportKind.ORDERS:
                return to_csv(ORDER_HEADER, order_rows(orders))
            if kind is ReportKind.REVENUE:
                return to_csv(REVENUE_HEADER, revenue_rows(orders))
            owners = {o.credential_id: o.account_id for o in orders if o.credential_id}
            for credential_id in uow.quota.provisioned(since, until):
                owners.setdefault(credential_id, _owner(uow, credential_id))
            rows: list[Row] = []
            for credential_id, account_id in sorted(owners.items()):
                plan = uow.billing.plan(credential_id)
                b = self._quota.balance(uow, credential_id)
                rows.append((credential_id, account_id, plan.name if plan else "",
                             plan.plan.value if plan else "", _iso(plan.ends_at if plan else None),
                             b.credited, b.consumed, b.reserved, b.available,
                             _iso(b.unlimited_until)))
            return to_csv(USAGE_HEADER, rows)


def _owner(uow: UnitOfWork, credential_id: str) -> str:
    """The account of a credential (``issuer-serialhex``), or "" if kyso has no such one."""
    issuer, _, serial = credential_id.rpartition("-")
    try:
        cert = uow.pki.certificate(issuer, int(serial, 16)) if issuer else None
    except ValueError:
        cert = None
    return (cert.account_id or "") if cert else ""
