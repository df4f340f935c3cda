"""Billing's orders as onboarding's :class:`~kyso.onboarding.ports.Packages`.

A certificate package is ordered without a certificate: a free offer is fulfilled at once
and waits for its certificate (``awaiting_issuance``); a paid one is paid through the
gateway (``POST /api/v1/billing/orders/{id}/payment``). When the officer approves, the
issued certificate takes the package (:meth:`Provisioner.attach`).

A package already paid and waiting for its certificate (bought on "Mua gói dịch vụ", or kept
by a registration that was cancelled or expired) is used instead of a new order: nobody pays
twice — but not a package paid to renew a certificate (its purpose says so). An order that
can no longer be paid (failed, cancelled, expired) gives way to a new
one for the same package (:meth:`BillingPackages.payable`).
"""

from __future__ import annotations

from kyso.billing.catalog import ProductKind
from kyso.billing.errors import UnknownProduct
from kyso.billing.orders import Order, OrderPurpose, OrderStatus
from kyso.billing.products import CatalogService
from kyso.billing.provisioning import Provisioner
from kyso.billing.purchase import OrderService
from kyso.clock import Clock
from kyso.errors import Text
from kyso.onboarding.errors import PackageUnavailable
from kyso.onboarding.ports import PackageOrder

__all__ = ["BillingPackages"]


class BillingPackages:
    def __init__(self, catalog: CatalogService, orders: OrderService,
                 provisioner: Provisioner, clock: Clock) -> None:
        self._catalog, self._orders, self._provisioner = catalog, orders, provisioner
        self._clock = clock

    def order(self, account_id: str, package: str, id_number: str) -> PackageOrder:
        waiting = self._paid_unused(account_id, package)
        if waiting is not None:
            return _package(waiting)
        try:
            product = self._catalog.product(package)
        except UnknownProduct:
            raise PackageUnavailable(reason=Text(f"không có gói {package[:40]!r}",
                                                 f"no package {package[:40]!r}")) from None
        if product.kind is not ProductKind.CERTIFICATE:
            raise PackageUnavailable(reason=Text(f"{package[:40]!r} không phải gói chứng thư số",
                                                 f"{package[:40]!r} is not a certificate package"))
        return _package(self._orders.create(account_id, package, id_number=id_number,
                                            registration=True))

    def payable(self, account_id: str, order_id: str, package: str,
                id_number: str) -> PackageOrder:
        current = self._orders.order(account_id, order_id)
        if current.status.paid or (current.status is OrderStatus.PENDING
                                   and not current.due_to_expire(self._clock.now())):
            return _package(current)
        return self.order(account_id, package, id_number)

    def _paid_unused(self, account_id: str, package: str) -> Order | None:
        return next((o for o in self._orders.orders(account_id, 200)
                     if o.kind is ProductKind.CERTIFICATE and o.product_code == package
                     and o.purpose is not OrderPurpose.RENEWAL
                     and o.status is OrderStatus.AWAITING_ISSUANCE and o.credential_id is None),
                    None)

    def is_paid(self, account_id: str, order_id: str) -> bool:
        return self._orders.order(account_id, order_id).status.paid

    def issued(self, account_id: str, order_id: str, credential_id: str) -> None:
        self._provisioner.attach(order_id, credential_id, actor="onboarding")


def _package(order: Order) -> PackageOrder:
    return PackageOrder(order.id, order.name, order.amount, paid=order.status.paid)
