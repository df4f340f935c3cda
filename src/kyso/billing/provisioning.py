"""Provisioning: a paid (or free) order takes effect in the transaction that records the
payment — the pack is credited to the ledger, or the certificate gets its package (and an
unlimited term) — and the customer gets an in-app notice and an email receipt (outbox).

A certificate package ordered without a certificate waits (``awaiting_issuance``) until
:meth:`Provisioner.attach` names the certificate issued for it (onboarding, or an operator
with ``kyso billing attach``). Ledger credits use ``source="order:<id>"``, so a repeat is a
no-op even if a caller retried.
"""

from __future__ import annotations

import calendar
from datetime import datetime

from kyso.audit.model import AuditEvent
from kyso.billing.catalog import Plan, ProductKind
from kyso.billing.errors import UnknownCredential, UnknownOrder
from kyso.billing.orders import CertificatePlan, Order, OrderStatus, Payment
from kyso.billing.ports import QuotaBook
from kyso.billing.receipt import notice, receipt
from kyso.clock import Clock
from kyso.errors import NotFound
from kyso.notify.service import Notifier
from kyso.signing.credentials import find_credential
from kyso.uow import UnitOfWork, UnitOfWorkFactory

__all__ = ["Provisioner", "add_months"]


def add_months(at: datetime, months: int) -> datetime:
    """The same day ``months`` later (the month's last day when it has no such day)."""
    month0 = at.month - 1 + months
    year, month = at.year + month0 // 12, month0 % 12 + 1
    day = min(at.day, calendar.monthrange(year, month)[1])
    return at.replace(year=year, month=month, day=day)


class Provisioner:
    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock, quota: QuotaBook,
                 notifier: Notifier) -> None:
        self._uow, self._clock, self._quota, self._notifier = uow_factory, clock, quota, notifier

    def fulfil(self, uow: UnitOfWork, order: Order, payment: Payment) -> Order:
        """Record the payment on a pending order and provision it, in the caller's unit of
        work (the caller commits)."""
        now = self._clock.now()
        done = order.paid(payment, now)
        uow.billing.save_order(done)
        if done.status is OrderStatus.FULFILLED:
            self._apply(uow, done, now)
        self._audit(uow, "billing.order_paid", done, method=payment.method.value,
                    amount=done.amount, status=done.status.value,
                    transaction=payment.transaction_no)
        self._tell(uow, done)
        return done

    def attach(self, order_id: str, credential_id: str, *, actor: str) -> Order:
        """Apply a paid certificate package to the certificate issued for it."""
        with self._uow() as uow:
            order = uow.billing.order(order_id[:32], for_update=True)
            if order is None:
                raise UnknownOrder()
            try:
                find_credential(uow, order.account_id, credential_id)
            except NotFound:
                raise UnknownCredential(credential=credential_id[:80]) from None
            done = order.issued(credential_id)
            uow.billing.save_order(done)
            self._apply(uow, done, self._clock.now())
            self._audit(uow, "billing.order_issued", done, actor=actor,
                        credential=credential_id)
            self._tell(uow, done)
            uow.commit()
        return done

    def _apply(self, uow: UnitOfWork, order: Order, now: datetime) -> None:
        assert order.credential_id is not None  # fulfilled orders name their certificate
        source = f"order:{order.id}"
        if order.kind is ProductKind.PACK:
            assert order.signatures is not None
            self._quota.credit(uow, order.credential_id, order.signatures, source=source)
            return
        plan = self._plan(uow, order, now)
        uow.billing.save_plan(plan)
        if plan.plan is Plan.UNLIMITED:
            self._quota.grant_unlimited(uow, order.credential_id, plan.ends_at, source=source)

    @staticmethod
    def _plan(uow: UnitOfWork, order: Order, now: datetime) -> CertificatePlan:
        assert order.credential_id and order.plan and order.term_months
        current = uow.billing.plan(order.credential_id)
        renews = current is not None and current.plan is order.plan and current.ends_at > now
        start = current.ends_at if current is not None and renews else now
        return CertificatePlan(order.credential_id, order.account_id, order.id,
                               order.product_code, order.name, order.plan, start,
                               add_months(start, order.term_months), name_en=order.name_en)

    def _tell(self, uow: UnitOfWork, order: Order) -> None:
        account = uow.accounts.get(order.account_id)
        if account is None:
            return
        title, line = notice(order)
        self._notifier.post(uow, account.id, title, line)
        self._notifier.queue_email(uow, account.email,
                                   receipt(order, account.full_name, account.locale),
                                   account_id=account.id, purpose="billing.receipt")

    def _audit(self, uow: UnitOfWork, action: str, order: Order, *, actor: str = "system",
               **details: str | int | None) -> None:
        event = AuditEvent(action, actor=actor, subject=order.id,
                           details={"account": order.account_id, **details})
        uow.audit.append(event, self._clock.now())
