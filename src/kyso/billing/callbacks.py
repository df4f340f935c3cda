"""The gateway's callbacks. The IPN (server to server) is the only source of truth: it is
verified, matched to a pending order, checked for the exact amount, then applied once, in
one transaction, with its audit record. Every refusal changes nothing but the audit trail::

    bad or missing signature, wrong merchant           → 97
    unknown order                                      → 01
    amount differs from the order                      → 04
    order no longer pending (duplicate, out of order),
    or paid after it expired                           → 02
    signed but malformed, or an internal failure       → 99 (the gateway retries)

The return URL only shows the customer where the order stands; it changes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import timedelta

from kyso.audit.model import AuditEvent, Outcome
from kyso.billing.orders import Order, OrderStatus, Payment
from kyso.billing.payment import (
    BadCallback,
    BadSignature,
    CallbackResult,
    IpnAnswer,
    PaymentGateway,
    PaymentOutcome,
)
from kyso.billing.provisioning import Provisioner
from kyso.billing.purchase import BillingPolicy
from kyso.clock import Clock
from kyso.uow import UnitOfWork, UnitOfWorkFactory

__all__ = ["PaymentCallbacks"]

log = logging.getLogger("kyso.billing")


class PaymentCallbacks:
    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock, gateway: PaymentGateway,
                 provisioner: Provisioner, policy: BillingPolicy) -> None:
        self._uow, self._clock, self._gateway = uow_factory, clock, gateway
        self._provisioner = provisioner
        self._policy = policy

    def ipn(self, params: Mapping[str, str]) -> IpnAnswer:
        try:
            result = self._gateway.verify(params)
        except BadSignature:
            return self._refused(params, IpnAnswer.INVALID_SIGNATURE, "signature")
        except BadCallback as exc:
            return self._refused(params, IpnAnswer.UNKNOWN_ERROR, str(exc)[:64])
        try:
            return self._apply(result)
        except Exception:  # the gateway retries on 99; nothing was committed
            log.exception("IPN for order %s failed", result.order_id)
            return IpnAnswer.UNKNOWN_ERROR

    def returned(self, params: Mapping[str, str]) -> tuple[CallbackResult, Order | None]:
        """Read a return-URL redirect for display; raises BadSignature or BadCallback."""
        result = self._gateway.verify(params)
        with self._uow() as uow:
            return result, uow.billing.order(result.order_id)

    def _apply(self, result: CallbackResult) -> IpnAnswer:
        with self._uow() as uow:
            order = uow.billing.order(result.order_id, for_update=True)
            if order is None:
                return self._refuse(uow, result, IpnAnswer.ORDER_NOT_FOUND, None)
            refusal = self._check(order, result)
            if refusal is not None:
                return self._refuse(uow, result, refusal, order)
            payment = Payment(result.method, self._gateway.name, result.transaction_no,
                              result.bank_code, result.response_code, result.paid_at)
            if result.outcome is PaymentOutcome.PAID:
                self._provisioner.fulfil(uow, order, payment)
            else:
                self._decline(uow, order, payment, result)
            uow.commit()
        return IpnAnswer.CONFIRMED

    def _check(self, order: Order, result: CallbackResult) -> IpnAnswer | None:
        if result.amount != order.amount:
            return IpnAnswer.INVALID_AMOUNT
        if order.status is not OrderStatus.PENDING:
            return IpnAnswer.ALREADY_CONFIRMED
        grace = timedelta(seconds=self._policy.ipn_grace_seconds)
        late_report = self._clock.now() >= order.expires_at + grace
        paid_late = result.paid_at is not None and result.paid_at > order.expires_at
        if result.outcome is PaymentOutcome.PAID and (late_report or paid_late):
            return IpnAnswer.ALREADY_CONFIRMED
        return None

    def _decline(self, uow: UnitOfWork, order: Order, payment: Payment,
                 result: CallbackResult) -> None:
        cancelled = result.outcome is PaymentOutcome.CANCELLED
        done = order.declined(payment, self._clock.now(), cancelled=cancelled)
        uow.billing.save_order(done)
        event = AuditEvent("billing.order_" + done.status.value, Outcome.FAILURE,
                           actor="gateway", subject=order.id,
                           details={"account": order.account_id, "code": result.response_code,
                                    "method": result.method.value})
        uow.audit.append(event, self._clock.now())

    def _refuse(self, uow: UnitOfWork, result: CallbackResult, answer: IpnAnswer,
                order: Order | None) -> IpnAnswer:
        """Record a refused (signed) callback; nothing else changes."""
        details: dict[str, str | int | None] = {
            "rsp_code": answer.value, "amount": result.amount,
            "response_code": result.response_code,
            "status": order.status.value if order else None}
        event = AuditEvent("billing.ipn_refused", Outcome.FAILURE, actor="gateway",
                           subject=result.order_id[:64], details=details)
        uow.audit.append(event, self._clock.now())
        uow.commit()
        return answer

    def _refused(self, params: Mapping[str, str], answer: IpnAnswer, reason: str) -> IpnAnswer:
        ref = "".join(c for c in str(params.get("vnp_TxnRef", ""))[:64] if c.isprintable())
        with self._uow() as uow:
            event = AuditEvent("billing.ipn_refused", Outcome.FAILURE, actor="gateway",
                               subject=ref or None,
                               details={"rsp_code": answer.value, "reason": reason})
            uow.audit.append(event, self._clock.now())
            uow.commit()
        return answer
