"""SQL repository of the billing area (catalogue, orders, certificate plans). Works inside
the caller's transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, func, insert, select, update

from kyso.adapters.db.tables.billing import billing_orders, billing_products, certificate_plans
from kyso.billing.catalog import Plan, Product, ProductKind
from kyso.billing.orders import (
    CertificatePlan,
    Order,
    OrderPurpose,
    OrderStatus,
    Payment,
    PaymentMethod,
)

__all__ = ["SqlBillingRepository"]

_p, _o, _c = billing_products.c, billing_orders.c, certificate_plans.c


def _product(row: Row[Any]) -> Product:
    m = dict(row._mapping)
    m.pop("updated_at")
    plan = m.pop("plan")
    return Product(**m | {"kind": ProductKind(m["kind"]), "plan": Plan(plan) if plan else None})


def _order_values(o: Order) -> dict[str, Any]:
    p = o.payment
    return {"credential_id": o.credential_id, "status": o.status.value, "ended_at": o.ended_at,
            "method": p.method.value if p else None, "gateway": p.gateway if p else None,
            "transaction_no": p.transaction_no if p
            else None, "bank_code": p.bank_code if p else None,
            "response_code": p.response_code if p else None, "paid_at": p.paid_at if p else None}


def _order(row: Row[Any]) -> Order:
    m = dict(row._mapping)
    method = m.pop("method")
    payment = None if method is None else Payment(
        PaymentMethod(method), m.pop("gateway"), m.pop("transaction_no"), m.pop("bank_code"),
        m.pop("response_code"), m.pop("paid_at"))
    for key in ("gateway", "transaction_no", "bank_code", "response_code", "paid_at"):
        m.pop(key, None)
    plan = m.pop("plan")
    return Order(**m | {"kind": ProductKind(m["kind"]), "plan": Plan(plan) if plan else None,
                        "status": OrderStatus(m["status"]), "payment": payment,
                        "purpose": OrderPurpose(m["purpose"])})


def _plan(row: Row[Any]) -> CertificatePlan:
    m = dict(row._mapping)
    return CertificatePlan(**m | {"plan": Plan(m["plan"])})


class SqlBillingRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    # -- the catalogue -------------------------------------------------------------------
    def products(self, *, active_only: bool = False) -> list[Product]:
        query = select(billing_products).order_by(_p.position, _p.code)
        if active_only:
            query = query.where(_p.active.is_(True))
        return [_product(row) for row in self._conn.execute(query)]

    def product(self, code: str) -> Product | None:
        row = self._conn.execute(select(billing_products).where(_p.code == code)).first()
        return _product(row) if row else None

    def save_product(self, product: Product, at: datetime) -> None:
        values = {"kind": product.kind.value, "name": product.name,
                  "name_en": product.name_en, "price": product.price,
                  "plan": product.plan.value if product.plan else None,
                  "term_months": product.term_months, "signatures": product.signatures,
                  "citizen_only": product.citizen_only,
                  "once_per_account": product.once_per_account, "active": product.active,
                  "position": product.position, "updated_at": at}
        changed = self._conn.execute(update(billing_products)
                                     .where(_p.code == product.code).values(**values))
        if changed.rowcount == 0:
            self._conn.execute(insert(billing_products).values(code=product.code, **values))

    # -- orders ----------------------------------------------------------------------------
    def add_order(self, order: Order) -> None:
        o = order
        self._conn.execute(insert(billing_orders).values(
            id=o.id, account_id=o.account_id, product_code=o.product_code, kind=o.kind.value,
            name=o.name, name_en=o.name_en, amount=o.amount, plan=o.plan.value if o.plan else None,
            term_months=o.term_months, signatures=o.signatures, created_at=o.created_at,
            expires_at=o.expires_at, purpose=o.purpose.value, renews=o.renews,
            **_order_values(o)))

    def order(self, order_id: str, *, for_update: bool = False) -> Order | None:
        query = select(billing_orders).where(_o.id == order_id)
        row = self._conn.execute(query.with_for_update() if for_update else query).first()
        return _order(row) if row else None

    def save_order(self, order: Order) -> None:
        self._conn.execute(update(billing_orders).where(_o.id == order.id)
                           .values(**_order_values(order)))

    def orders(self, *, account_id: str | None = None, since: datetime | None = None,
               until: datetime | None = None, limit: int = 1000) -> list[Order]:
        query = select(billing_orders).order_by(_o.created_at.desc(), _o.id).limit(limit)
        if account_id is not None:
            query = query.where(_o.account_id == account_id)
        if since is not None:
            query = query.where(_o.created_at >= since)
        if until is not None:
            query = query.where(_o.created_at < until)
        return [_order(row) for row in self._conn.execute(query)]

    def due_to_expire(self, now: datetime, limit: int) -> list[str]:
        query = (select(_o.id).where(_o.status == OrderStatus.PENDING.value,
                                     _o.expires_at <= now)
                 .order_by(_o.expires_at).limit(limit))
        return [str(i) for i in self._conn.scalars(query)]

    def count_orders(self, account_id: str, product_code: str,
                     statuses: Sequence[OrderStatus]) -> int:
        query = select(func.count()).select_from(billing_orders).where(
            _o.account_id == account_id, _o.product_code == product_code,
            _o.status.in_([s.value for s in statuses]))
        return int(self._conn.scalar(query) or 0)

    # -- certificate plans -----------------------------------------------------------------
    def plan(self, credential_id: str) -> CertificatePlan | None:
        row = self._conn.execute(select(certificate_plans)
                                 .where(_c.credential_id == credential_id)).first()
        return _plan(row) if row else None

    def save_plan(self, plan: CertificatePlan) -> None:
        values = {"account_id": plan.account_id, "order_id": plan.order_id,
                  "product_code": plan.product_code, "name": plan.name,
                  "name_en": plan.name_en,
                  "plan": plan.plan.value, "starts_at": plan.starts_at, "ends_at": plan.ends_at}
        changed = self._conn.execute(update(certificate_plans)
                                     .where(_c.credential_id == plan.credential_id)
                                     .values(**values))
        if changed.rowcount == 0:
            self._conn.execute(insert(certificate_plans)
                               .values(credential_id=plan.credential_id, **values))
