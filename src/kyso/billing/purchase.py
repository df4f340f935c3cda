"""Buying: a customer orders a product, pays through the gateway, follows the order.

A signature pack names one of the customer's certificates; a certificate package may name
one (the package then applies to it) or none (the order is paid and *awaits issuance*: the
certificate issued by onboarding takes it, see :meth:`Provisioner.attach`). A free order is
fulfilled when it is created, with no payment. An unpaid order expires after
``order_ttl_seconds``; the payment URL expires with it (``vnp_ExpireDate``).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from kyso.audit.model import AuditEvent, Outcome
from kyso.billing.catalog import Product, ProductKind
from kyso.billing.errors import (
    CertificateRequired,
    CitizensOnly,
    OfferUsed,
    OrderStateConflict,
    ProductUnavailable,
    RenewalNeedsPackage,
    UnknownCredential,
    UnknownOrder,
    UnknownProduct,
)
from kyso.billing.orders import Order, OrderPurpose, OrderStatus, Payment, PaymentMethod
from kyso.billing.payment import PaymentGateway
from kyso.billing.provisioning import Provisioner
from kyso.clock import Clock
from kyso.errors import NotFound
from kyso.pki.model import CertificateStatus
from kyso.signing.credentials import find_credential
from kyso.signing.errors import CredentialUnusable
from kyso.uow import UnitOfWork, UnitOfWorkFactory

__all__ = ["BillingPolicy", "OrderService"]

_TAKEN = (OrderStatus.PENDING, OrderStatus.AWAITING_ISSUANCE, OrderStatus.FULFILLED)


def _new_order_id() -> str:
    return secrets.token_hex(8).upper()


@dataclass(frozen=True)
class BillingPolicy:
    order_ttl_seconds: int = 15 * 60
    ipn_grace_seconds: int = 15 * 60  # a payment made in time may be reported this late
    return_url: str = "http://127.0.0.1:8000/billing/vnpay/return"


class OrderService:
    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock, gateway: PaymentGateway,
                 provisioner: Provisioner, policy: BillingPolicy,
                 new_id: Callable[[], str] = _new_order_id) -> None:
        self._uow, self._clock, self._gateway = uow_factory, clock, gateway
        self._provisioner, self._policy, self._new_id = provisioner, policy, new_id

    def create(self, account_id: str, product_code: str,
               credential_id: str | None = None, *, id_number: str | None = None,
               registration: bool = False, renews: str | None = None) -> Order:
        """``id_number``: the ID number of the registration the order is for (a citizen
        offer is checked against it when the account has none yet). The order records what
        it is for: a registration's package (``registration``), a package renewing the
        certificate ``renews``, a pack, or none of these (:class:`OrderPurpose`)."""
        now = self._clock.now()
        purpose = (OrderPurpose.REGISTRATION if registration
                   else OrderPurpose.RENEWAL if renews is not None else OrderPurpose.STANDALONE)
        with self._uow() as uow:
            product = self._sellable(uow, product_code)
            if renews is not None:
                if product.kind is not ProductKind.CERTIFICATE or credential_id is not None:
                    raise RenewalNeedsPackage()
                self._check_target(uow, account_id, product, renews)
            self._check_target(uow, account_id, product, credential_id)
            self._check_eligible(uow, account_id, product, id_number)
            expires = now + timedelta(seconds=self._policy.order_ttl_seconds)
            order = Order.of(self._new_id(), account_id, product, credential_id, now, expires,
                             purpose, renews)
            uow.billing.add_order(order)
            self._audit(uow, "billing.order_created", order, account_id,
                        product=product.code, amount=order.amount, purpose=order.purpose.value)
            if order.free:
                order = self._provisioner.fulfil(uow, order, Payment(PaymentMethod.FREE))
            uow.commit()
        return order

    def payment_url(self, account_id: str, order_id: str, *, client_ip: str,
                    locale: str = "vn") -> str:
        """The gateway URL where the customer pays a pending order."""
        now = self._clock.now()
        with self._uow() as uow:
            order = self._mine(uow, account_id, order_id)
        if order.status is not OrderStatus.PENDING or order.due_to_expire(now):
            status = OrderStatus.EXPIRED if order.due_to_expire(now) else order.status
            raise OrderStateConflict(status=status.value)
        return self._gateway.payment_url(order, return_url=self._policy.return_url,
                                         client_ip=client_ip, locale=locale, now=now)

    def orders(self, account_id: str, limit: int = 50) -> list[Order]:
        with self._uow() as uow:
            return uow.billing.orders(account_id=account_id, limit=max(1, min(limit, 200)))

    def order(self, account_id: str, order_id: str) -> Order:
        with self._uow() as uow:
            return self._mine(uow, account_id, order_id)

    def expire_due(self, limit: int = 500) -> int:
        """Expire pending orders unpaid past their expiry and the IPN grace; return how many."""
        now = self._clock.now()
        cutoff = now - timedelta(seconds=self._policy.ipn_grace_seconds)
        done = 0
        with self._uow() as uow:
            for order_id in uow.billing.due_to_expire(cutoff, limit):
                order = uow.billing.order(order_id, for_update=True)
                if order is not None and order.due_to_expire(cutoff):
                    uow.billing.save_order(order.expired(now))
                    self._audit(uow, "billing.order_expired", order, "system")
                    done += 1
            uow.commit()
        return done

    # -- rules -------------------------------------------------------------------------
    @staticmethod
    def _sellable(uow: UnitOfWork, code: str) -> Product:
        product = uow.billing.product(code)
        if product is None:
            raise UnknownProduct(product=code[:40])
        if not product.active:
            raise ProductUnavailable(product=product.code)
        return product

    def _check_target(self, uow: UnitOfWork, account_id: str, product: Product,
                      credential_id: str | None) -> None:
        """A pack names a certificate; whatever is named is the customer's own, and not
        revoked or expired (a suspended one may come back)."""
        if credential_id is None:
            if product.kind is ProductKind.PACK:
                raise CertificateRequired()
            return
        try:
            credential = find_credential(uow, account_id, credential_id)
        except NotFound:
            raise UnknownCredential(credential=credential_id[:80]) from None
        status = credential.status_at(self._clock.now())
        if status in (CertificateStatus.REVOKED, CertificateStatus.EXPIRED):
            raise CredentialUnusable(status=status.value)

    @staticmethod
    def _check_eligible(uow: UnitOfWork, account_id: str, product: Product,
                        registered: str | None) -> None:
        # the account row is locked so that two concurrent orders cannot both take a
        # once-per-account offer (SQLite serializes writers anyway)
        account = uow.accounts.get(account_id, for_update=True)
        if account is None:
            raise NotFound()
        id_number = account.id_number or registered or ""
        if product.citizen_only and not (len(id_number) == 12 and id_number.isdigit()):
            raise CitizensOnly(product=product.code)
        if product.once_per_account and uow.billing.count_orders(account_id, product.code,
                                                                 _TAKEN):
            raise OfferUsed(product=product.code)

    @staticmethod
    def _mine(uow: UnitOfWork, account_id: str, order_id: str) -> Order:
        order = uow.billing.order(order_id[:32])
        if order is None or order.account_id != account_id:
            raise UnknownOrder()
        return order

    def _audit(self, uow: UnitOfWork, action: str, order: Order, actor: str,
               outcome: Outcome = Outcome.SUCCESS, **details: str | int) -> None:
        event = AuditEvent(action, outcome, actor=actor, subject=order.id,
                           details={"account": order.account_id, **details})
        uow.audit.append(event, self._clock.now())
