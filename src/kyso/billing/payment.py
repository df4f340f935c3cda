"""The payment port: a gateway builds the URL the customer pays at and checks the signed
callbacks (the IPN, server to server; the return URL, display only).

A gateway's :meth:`PaymentGateway.verify` raises :class:`BadSignature` for a forged or
altered callback, and :class:`BadCallback` for one that is signed but malformed. The IPN
answers with VNPay's ``RspCode``/``Message`` pair (:class:`IpnAnswer`); nothing else leaves.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from kyso.billing.orders import Order, PaymentMethod

__all__ = ["BadCallback", "BadSignature", "CallbackResult", "IpnAnswer", "PaymentGateway",
           "PaymentOutcome"]


class BadSignature(Exception):
    """The callback's signature does not verify (or is missing)."""


class BadCallback(Exception):
    """The callback is signed but its fields are missing or malformed."""


class PaymentOutcome(StrEnum):
    PAID = "paid"
    FAILED = "failed"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class CallbackResult:
    """A verified callback: which order, how much (VND), what happened, and how."""

    order_id: str
    amount: int
    outcome: PaymentOutcome
    response_code: str
    method: PaymentMethod
    transaction_no: str | None
    bank_code: str | None
    paid_at: datetime | None
    merchant: str


class IpnAnswer(StrEnum):
    """VNPay's IPN answers (``RspCode``); ``message`` is the text sent with each."""

    CONFIRMED = "00"
    ORDER_NOT_FOUND = "01"
    ALREADY_CONFIRMED = "02"
    INVALID_AMOUNT = "04"
    INVALID_SIGNATURE = "97"
    UNKNOWN_ERROR = "99"

    @property
    def message(self) -> str:
        return _MESSAGES[self]

    def body(self) -> dict[str, str]:
        return {"RspCode": self.value, "Message": self.message}


_MESSAGES = {
    IpnAnswer.CONFIRMED: "Confirm Success",
    IpnAnswer.ORDER_NOT_FOUND: "Order not found",
    IpnAnswer.ALREADY_CONFIRMED: "Order already confirmed",
    IpnAnswer.INVALID_AMOUNT: "Invalid amount",
    IpnAnswer.INVALID_SIGNATURE: "Invalid signature",
    IpnAnswer.UNKNOWN_ERROR: "Unknown error",
}


class PaymentGateway(Protocol):
    name: str

    def payment_url(self, order: Order, *, return_url: str, client_ip: str, locale: str,
                    now: datetime) -> str:
        """Where the customer pays ``order``; the URL carries its signature."""
        ...

    def verify(self, params: Mapping[str, str]) -> CallbackResult:
        """Check a callback's signature and read it; raises BadSignature or BadCallback."""
        ...
