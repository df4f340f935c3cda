"""What billing needs from storage and from the quota ledger."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from kyso.billing.catalog import Product
from kyso.billing.orders import CertificatePlan, Order, OrderStatus

if TYPE_CHECKING:  # kyso.uow imports this module for BillingRepository
    from kyso.uow import UnitOfWork

__all__ = ["BalanceView", "BillingRepository", "QuotaBook"]


class BillingRepository(Protocol):
    # the catalogue
    def products(self, *, active_only: bool = False) -> list[Product]: ...

    def product(self, code: str) -> Product | None: ...

    def save_product(self, product: Product, at: datetime) -> None:
        """Insert, or replace the product with the same code."""
        ...

    # orders
    def add_order(self, order: Order) -> None: ...

    def order(self, order_id: str, *, for_update: bool = False) -> Order | None: ...

    def save_order(self, order: Order) -> None: ...

    def orders(self, *, account_id: str | None = None, since: datetime | None = None,
               until: datetime | None = None, limit: int = 1000) -> list[Order]:
        """Newest first."""
        ...

    def due_to_expire(self, now: datetime, limit: int) -> list[str]: ...

    def count_orders(self, account_id: str, product_code: str,
                     statuses: Sequence[OrderStatus]) -> int: ...

    # the package each certificate runs under
    def plan(self, credential_id: str) -> CertificatePlan | None: ...

    def save_plan(self, plan: CertificatePlan) -> None:
        """Insert, or replace the certificate's plan."""
        ...


class BalanceView(Protocol):
    @property
    def available(self) -> int: ...

    @property
    def reserved(self) -> int: ...

    @property
    def consumed(self) -> int: ...

    @property
    def credited(self) -> int: ...

    @property
    def unlimited_until(self) -> datetime | None: ...


class QuotaBook(Protocol):
    """The quota ledger as provisioning and the views use it; credits are idempotent per
    ``source`` (``order:<id>``)."""

    def credit(self, uow: UnitOfWork, credential_id: str, count: int, *, source: str) -> None: ...

    def grant_unlimited(self, uow: UnitOfWork, credential_id: str, until: datetime, *,
                        source: str) -> None: ...

    def balance(self, uow: UnitOfWork, credential_id: str) -> BalanceView: ...
