"""The administrator's catalogue: load products from data, change prices, stop or resume
selling. Every change is audited (``catalog.*``)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from kyso.audit.model import AuditEvent
from kyso.billing.catalog import Product, default_products, parse_products
from kyso.billing.errors import InvalidProduct, UnknownProduct
from kyso.clock import Clock
from kyso.uow import UnitOfWork, UnitOfWorkFactory

__all__ = ["CatalogService"]


class CatalogService:
    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow, self._clock = uow_factory, clock

    def products(self, *, active_only: bool = True) -> list[Product]:
        with self._uow() as uow:
            return uow.billing.products(active_only=active_only)

    def product(self, code: str) -> Product:
        with self._uow() as uow:
            return _get(uow, code)

    def load(self, data: Any | None = None, *, actor: str) -> list[Product]:
        """Insert or replace the products in ``data`` (the default catalogue when None);
        products not named keep their state."""
        try:
            products = default_products() if data is None else parse_products(data)
        except ValueError as exc:
            raise InvalidProduct(reason=str(exc)) from None
        with self._uow() as uow:
            for product in products:
                uow.billing.save_product(product, self._clock.now())
                self._audit(uow, "catalog.product_saved", product, actor, price=product.price)
            uow.commit()
        return products

    def seed(self, *, actor: str) -> bool:
        """Load the built-in catalogue if there is no product yet; True if it did.

        Nodes that start together on one database may both find it empty: the one whose
        insert loses (a duplicate product) finds the catalogue there and leaves it."""
        if self.products(active_only=False):
            return False
        try:
            self.load(actor=actor)
        except Exception:
            if self.products(active_only=False):  # another node seeded it meanwhile
                return False
            raise
        return True

    def set_price(self, code: str, price: int, *, actor: str) -> Product:
        return self._change(code, actor, "catalog.price_changed", price=price)

    def set_active(self, code: str, active: bool, *, actor: str) -> Product:
        return self._change(code, actor, "catalog.enabled" if active else "catalog.disabled",
                            active=active)

    def _change(self, code: str, actor: str, action: str, **changes: Any) -> Product:
        with self._uow() as uow:
            try:
                product = replace(_get(uow, code), **changes)
            except ValueError as exc:
                raise InvalidProduct(reason=str(exc)) from None
            uow.billing.save_product(product, self._clock.now())
            self._audit(uow, action, product, actor, **changes)
            uow.commit()
        return product

    def _audit(self, uow: UnitOfWork, action: str, product: Product, actor: str,
               **details: int | bool) -> None:
        uow.audit.append(AuditEvent(action, actor=actor, subject=product.code, details=details),
                         self._clock.now())


def _get(uow: UnitOfWork, code: str) -> Product:
    product = uow.billing.product(code)
    if product is None:
        raise UnknownProduct(product=code[:40])
    return product
