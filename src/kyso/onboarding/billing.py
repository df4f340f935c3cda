"""Billing's orders as onboarding's :class:`~kyso.onboarding.ports.Packages`.

A certificate package is ordered without a certificate: a free offer is fulfilled at once
and waits for its certificate (``awaiting_issuance``); a paid one is paid through the
gateway (``POST /api/v1/billing/orders/{id}/payment``). When the officer approves, the
issued certificate takes the package (:meth:`Provisioner.attach`).
"""

from __future__ import annotations

from kyso.billing.catalog import ProductKind
from kyso.billing.errors import UnknownProduct
from kyso.billing.products import CatalogService
from kyso.billing.provisioning import Provisioner
from kyso.billing.purchase import OrderService
from kyso.errors import Text
from kyso.onboarding.errors import PackageUnavailable
from kyso.onboarding.ports import PackageOrder

__all__ = ["BillingPackages"]


class BillingPackages:
    def __init__(self, catalog: CatalogService, orders: OrderService,
                 provisioner: Provisioner) -> None:
        self._catalog, self._orders, self._provisioner = catalog, orders, provisioner

    def order(self, account_id: str, package: str, id_number: str) -> PackageOrder:
        try:
            product = self._catalog.product(package)
        except UnknownProduct:
            raise PackageUnavailable(reason=Text(f"không có gói {package[:40]!r}",
                                                 f"no package {package[:40]!r}")) from None
        if product.kind is not ProductKind.CERTIFICATE:
            raise PackageUnavailable(reason=Text(f"{package[:40]!r} không phải gói chứng thư số",
                                                 f"{package[:40]!r} is not a certificate package"))
        order = self._orders.create(account_id, package, id_number=id_number)
        return PackageOrder(order.id, order.name, order.amount, paid=order.status.paid)

    def is_paid(self, account_id: str, order_id: str) -> bool:
        return self._orders.order(account_id, order_id).status.paid

    def issued(self, account_id: str, order_id: str, credential_id: str) -> None:
        self._provisioner.attach(order_id, credential_id, actor="onboarding")
