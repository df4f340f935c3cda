"""Orders and their states.

::

    pending ──(IPN: paid)──────────► fulfilled            (pack, or package for a certificate)
       │    └─(IPN: paid)──────────► awaiting_issuance ──(certificate issued)──► fulfilled
       ├──(IPN: failed)────────────► failed
       ├──(IPN: cancelled, code 24)► cancelled
       └──(unpaid past expiry)─────► expired
    free order: created ───────────► fulfilled | awaiting_issuance   (no payment)

Every transition is a method here that refuses any other; the service audits each one. An
order copies its product (name, plan, term, signatures, price) so later price changes never
alter what was sold.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from kyso.billing.catalog import Plan, Product, ProductKind, vat_split
from kyso.billing.errors import OrderStateConflict

__all__ = ["Order", "OrderPurpose", "OrderStatus", "Payment", "PaymentMethod"]


class OrderPurpose(StrEnum):
    """What an order is for, recorded when it is created (the return page and the renewal
    use it; nothing guesses it afterwards)."""

    REGISTRATION = "registration"  # the package of a registration for a first certificate
    RENEWAL = "renewal"            # a certificate package renewing ``renews``
    PACK = "pack"                  # signatures for ``credential_id``
    STANDALONE = "standalone"      # bought on "Mua gói dịch vụ" for no step in particular


class OrderStatus(StrEnum):
    PENDING = "pending"
    AWAITING_ISSUANCE = "awaiting_issuance"
    FULFILLED = "fulfilled"
    FAILED = "failed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"

    @property
    def paid(self) -> bool:
        return self in (OrderStatus.AWAITING_ISSUANCE, OrderStatus.FULFILLED)


class PaymentMethod(StrEnum):
    EWALLET = "ewallet"          # VNPay QR / e-wallet
    CREDIT_CARD = "credit_card"  # international card
    ATM = "atm"                  # domestic ATM card / bank account
    FREE = "free"


@dataclass(frozen=True)
class Payment:
    """What the gateway reported: its transaction number, the bank, the method, the time."""

    method: PaymentMethod
    gateway: str = "free"  # "sandbox", "vnpay" or "free": which gateway took the money
    transaction_no: str | None = None
    bank_code: str | None = None
    response_code: str | None = None
    paid_at: datetime | None = None


@dataclass(frozen=True)
class Order:
    id: str  # also the gateway's vnp_TxnRef
    account_id: str
    product_code: str
    kind: ProductKind
    name: str
    amount: int  # VND, VAT included
    created_at: datetime
    expires_at: datetime
    plan: Plan | None = None
    term_months: int | None = None
    signatures: int | None = None
    credential_id: str | None = None
    status: OrderStatus = OrderStatus.PENDING
    payment: Payment | None = None
    ended_at: datetime | None = None  # paid, failed, cancelled or expired at
    name_en: str | None = None  # the product's English name when ordered
    purpose: OrderPurpose = OrderPurpose.STANDALONE
    renews: str | None = None  # RENEWAL: the credential the package renews

    def name_in(self, lang: str) -> str:
        return self.name_en if lang == "en" and self.name_en else self.name

    def __post_init__(self) -> None:
        if self.kind is ProductKind.PACK and self.credential_id is None:
            raise ValueError("a signature pack is bought for one certificate")
        if (self.purpose is OrderPurpose.PACK) != (self.kind is ProductKind.PACK):
            raise ValueError("a pack order, and only one, is for signatures")
        if (self.purpose is OrderPurpose.RENEWAL) != (self.renews is not None):
            raise ValueError("a renewal, and only one, names the certificate it renews")
        if self.expires_at <= self.created_at:
            raise ValueError("an order expires after it is created")

    @classmethod
    def of(cls, order_id: str, account_id: str, product: Product, credential_id: str | None,
           now: datetime, expires_at: datetime,
           purpose: OrderPurpose = OrderPurpose.STANDALONE,
           renews: str | None = None) -> Order:
        if product.kind is ProductKind.PACK:
            purpose = OrderPurpose.PACK
        return cls(id=order_id, account_id=account_id, product_code=product.code,
                   kind=product.kind, name=product.name, name_en=product.name_en,
                   amount=product.price, created_at=now,
                   expires_at=expires_at, plan=product.plan, term_months=product.term_months,
                   signatures=product.signatures, credential_id=credential_id,
                   purpose=purpose, renews=renews)

    @property
    def vat(self) -> int:
        return vat_split(self.amount)[1]

    @property
    def free(self) -> bool:
        return self.amount == 0

    def due_to_expire(self, now: datetime) -> bool:
        return self.status is OrderStatus.PENDING and now >= self.expires_at

    # -- transitions -------------------------------------------------------------------
    def paid(self, payment: Payment, at: datetime) -> Order:
        """Paid (or free): fulfilled at once unless a certificate package waits for its
        certificate."""
        self._expect(OrderStatus.PENDING)
        waits = self.kind is ProductKind.CERTIFICATE and self.credential_id is None
        status = OrderStatus.AWAITING_ISSUANCE if waits else OrderStatus.FULFILLED
        return replace(self, status=status, payment=payment, ended_at=at)

    def issued(self, credential_id: str) -> Order:
        self._expect(OrderStatus.AWAITING_ISSUANCE)
        return replace(self, status=OrderStatus.FULFILLED, credential_id=credential_id)

    def declined(self, payment: Payment, at: datetime, *, cancelled: bool) -> Order:
        self._expect(OrderStatus.PENDING)
        status = OrderStatus.CANCELLED if cancelled else OrderStatus.FAILED
        return replace(self, status=status, payment=payment, ended_at=at)

    def expired(self, at: datetime) -> Order:
        self._expect(OrderStatus.PENDING)
        return replace(self, status=OrderStatus.EXPIRED, ended_at=at)

    def _expect(self, status: OrderStatus) -> None:
        if self.status is not status:
            raise OrderStateConflict(status=self.status.value)


@dataclass(frozen=True)
class CertificatePlan:
    """The package a certificate runs under: its plan and term, and the order that set it."""

    credential_id: str
    account_id: str
    order_id: str
    product_code: str
    name: str
    plan: Plan
    starts_at: datetime
    ends_at: datetime
    name_en: str | None = None

    def name_in(self, lang: str) -> str:
        return self.name_en if lang == "en" and self.name_en else self.name


__all__ += ["CertificatePlan"]
