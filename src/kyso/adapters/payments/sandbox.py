"""The built-in sandbox: VNPay's side of VNPay 2.1.0, run by kyso itself.

The hosted page (``/sandbox/vnpay/paymentv2/vpcpay.html``, see
:mod:`kyso.entrypoints.web.sandbox_pay`) receives the merchant's signed payment URL — built by
the real :class:`~kyso.adapters.payments.vnpay.VnpayGateway` — checks it exactly as VNPay
would, lets the customer pick an e-wallet, a credit card or an ATM card and succeed, fail or
cancel, then produces the signed result parameters that go to the merchant's IPN (server to
server) and, after it, to the return URL (the browser). It keeps no state: everything it needs
is in the signed request, so any worker can serve any step.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from kyso.adapters.payments.vnpay import (
    VERSION,
    format_date,
    parse_date,
    secure_hash,
    verify_hash,
)
from kyso.billing.payment import BadCallback
from kyso.clock import Clock

__all__ = ["PAY_PATH", "TMN_CODE", "Choice", "SandboxBank", "SandboxMethod", "SandboxPayment"]

PAY_PATH = "/sandbox/vnpay/paymentv2/vpcpay.html"  # VNPay's own path, under /sandbox
TMN_CODE = "KYSOSBOX"

_REQUIRED = ("vnp_Version", "vnp_Command", "vnp_TmnCode", "vnp_Amount", "vnp_CurrCode",
             "vnp_TxnRef", "vnp_OrderInfo", "vnp_ReturnUrl", "vnp_IpAddr", "vnp_CreateDate")


class SandboxMethod(StrEnum):
    EWALLET = "ewallet"
    CREDIT_CARD = "credit_card"
    ATM = "atm"


class Choice(StrEnum):
    SUCCEED = "succeed"
    FAIL = "fail"
    CANCEL = "cancel"


# (vnp_BankCode, vnp_CardType) per method, as VNPay reports them
_CARD = {SandboxMethod.EWALLET: ("VNPAYQR", "QRCODE"),
         SandboxMethod.CREDIT_CARD: ("VISA", "CREDIT"),
         SandboxMethod.ATM: ("NCB", "ATM")}
# (vnp_ResponseCode, vnp_TransactionStatus)
_CODES = {Choice.SUCCEED: ("00", "00"), Choice.FAIL: ("51", "02"), Choice.CANCEL: ("24", "02")}
_EXPIRED = ("11", "02")  # "Đã hết hạn chờ thanh toán"


@dataclass(frozen=True)
class SandboxPayment:
    """A verified payment request, as the hosted page shows it."""

    params: Mapping[str, str]
    txn_ref: str
    amount: int  # VND
    order_info: str
    return_url: str
    expires_at: datetime | None

    def expired(self, now: datetime) -> bool:
        return self.expires_at is not None and now >= self.expires_at


def _transaction_no() -> str:
    return str(10_000_000 + secrets.randbelow(90_000_000))


class SandboxBank:
    def __init__(self, tmn_code: str, hash_secret: str, clock: Clock,
                 new_transaction_no: Callable[[], str] = _transaction_no) -> None:
        self._tmn, self._secret, self._clock = tmn_code, hash_secret, clock
        self._new_no = new_transaction_no

    def open(self, params: Mapping[str, str]) -> SandboxPayment:
        """Check a payment request as VNPay does; raises BadSignature or BadCallback."""
        verify_hash(params, self._secret)
        missing = [k for k in _REQUIRED if not params.get(k)]
        if missing:
            raise BadCallback(f"missing {', '.join(missing)}")
        if (params["vnp_Version"], params["vnp_Command"], params["vnp_CurrCode"]) != (
                VERSION, "pay", "VND") or params["vnp_TmnCode"] != self._tmn:
            raise BadCallback("unsupported version, command, currency or terminal")
        try:
            amount = int(params["vnp_Amount"])
        except ValueError:
            raise BadCallback("vnp_Amount is not a number") from None
        if amount <= 0 or amount % 100:
            raise BadCallback("vnp_Amount is VND times 100")
        if not params["vnp_ReturnUrl"].startswith(("http://", "https://")):
            raise BadCallback("vnp_ReturnUrl is not an http(s) URL")
        expire = params.get("vnp_ExpireDate")
        return SandboxPayment(dict(params), params["vnp_TxnRef"], amount // 100,
                              params["vnp_OrderInfo"], params["vnp_ReturnUrl"],
                              parse_date(expire) if expire else None)

    def result(self, payment: SandboxPayment, method: SandboxMethod,
               choice: Choice) -> dict[str, str]:
        """The signed result parameters (IPN and return URL carry the same set)."""
        now = self._clock.now()
        code, status = _EXPIRED if payment.expired(now) else _CODES[choice]
        bank, card = _CARD[method]
        paid = code == "00"
        params = {
            "vnp_Amount": str(payment.amount * 100), "vnp_BankCode": bank,
            "vnp_CardType": card, "vnp_OrderInfo": payment.order_info,
            "vnp_PayDate": format_date(now), "vnp_ResponseCode": code,
            "vnp_TmnCode": self._tmn, "vnp_TransactionNo": self._new_no() if paid else "0",
            "vnp_TransactionStatus": status, "vnp_TxnRef": payment.txn_ref,
        }
        if paid:
            params["vnp_BankTranNo"] = f"VNP{params['vnp_TransactionNo']}"
        params["vnp_SecureHash"] = secure_hash(params, self._secret)
        return params
