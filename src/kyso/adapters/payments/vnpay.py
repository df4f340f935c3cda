"""VNPay 2.1.0, the merchant side: the payment URL and the signed callbacks.

The signature rule: take every ``vnp_*`` parameter but ``vnp_SecureHash`` and
``vnp_SecureHashType``, sort by name, form-encode each value (``quote_plus``: a space is
``+``), join as ``k=v&k=v``; ``vnp_SecureHash`` is the hex HMAC-SHA512 of that string under
the merchant's hash secret. Dates are ``yyyyMMddHHmmss`` in Vietnam time (GMT+7); amounts
are VND times 100. The same module signs for :mod:`kyso.adapters.payments.sandbox`.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from urllib.parse import quote_plus

from kyso.billing.orders import Order, PaymentMethod
from kyso.billing.payment import BadCallback, BadSignature, CallbackResult, PaymentOutcome

__all__ = ["VERSION", "VnpayGateway", "format_date", "hash_data", "parse_date", "secure_hash",
           "verify_hash"]

VERSION = "2.1.0"
VN = timezone(timedelta(hours=7))
_UNSIGNED = frozenset({"vnp_SecureHash", "vnp_SecureHashType"})
_EWALLET = {"VNPAYQR", "QRCODE", "VNPAYEWALLET", "EWALLET"}
_CARDS = {"INTCARD", "VISA", "MASTERCARD", "JCB", "AMEX", "UPI", "CREDIT"}


def hash_data(params: Mapping[str, str]) -> str:
    """The string VNPay signs (and the payment URL's query): sorted, form-encoded."""
    items = sorted((k, v) for k, v in params.items() if k.startswith("vnp_") and k not in _UNSIGNED)
    return "&".join(f"{quote_plus(k)}={quote_plus(str(v))}" for k, v in items)


def secure_hash(params: Mapping[str, str], secret: str) -> str:
    return hmac.new(secret.encode(), hash_data(params).encode(), hashlib.sha512).hexdigest()


def verify_hash(params: Mapping[str, str], secret: str) -> None:
    """Raise BadSignature unless ``vnp_SecureHash`` signs the other parameters."""
    given = str(params.get("vnp_SecureHash", "")).lower()
    if not hmac.compare_digest(given.encode(), secure_hash(params, secret).encode()):
        raise BadSignature()


def format_date(at: datetime) -> str:
    return at.astimezone(VN).strftime("%Y%m%d%H%M%S")


def parse_date(value: str) -> datetime:
    try:
        return datetime.strptime(value, "%Y%m%d%H%M%S").replace(tzinfo=VN)
    except ValueError:
        raise BadCallback(f"bad date {value[:20]!r}") from None


class VnpayGateway:
    """The merchant's adapter. ``pay_url`` is VNPay's (or kyso's sandbox page)."""

    def __init__(self, tmn_code: str, hash_secret: str, pay_url: str, *,
                 name: str = "vnpay") -> None:
        if not tmn_code or not hash_secret:
            raise ValueError("VNPay needs a terminal code and a hash secret")
        self.name, self._tmn, self._secret, self._pay_url = name, tmn_code, hash_secret, pay_url

    def __repr__(self) -> str:
        return f"VnpayGateway({self._tmn!r}, pay_url={self._pay_url!r})"

    def payment_url(self, order: Order, *, return_url: str, client_ip: str, locale: str,
                    now: datetime) -> str:
        params = {
            "vnp_Version": VERSION, "vnp_Command": "pay", "vnp_TmnCode": self._tmn,
            "vnp_Amount": str(order.amount * 100), "vnp_CurrCode": "VND",
            "vnp_TxnRef": order.id, "vnp_OrderInfo": f"Thanh toan don hang {order.id}",
            "vnp_OrderType": "other", "vnp_Locale": "en" if locale == "en" else "vn",
            "vnp_ReturnUrl": return_url, "vnp_IpAddr": client_ip or "127.0.0.1",
            "vnp_CreateDate": format_date(now), "vnp_ExpireDate": format_date(order.expires_at),
        }
        signature = secure_hash(params, self._secret)
        return f"{self._pay_url}?{hash_data(params)}&vnp_SecureHash={signature}"

    def verify(self, params: Mapping[str, str]) -> CallbackResult:
        verify_hash(params, self._secret)
        if params.get("vnp_TmnCode") != self._tmn:
            raise BadSignature()
        try:
            ref, amount = params["vnp_TxnRef"], int(params["vnp_Amount"])
            code = params["vnp_ResponseCode"]
        except (KeyError, ValueError):
            raise BadCallback("missing vnp_TxnRef, vnp_Amount or vnp_ResponseCode") from None
        if amount < 0 or amount % 100 or not ref or len(ref) > 100:
            raise BadCallback("bad vnp_Amount or vnp_TxnRef")
        status = params.get("vnp_TransactionStatus", code)
        pay_date = params.get("vnp_PayDate")
        return CallbackResult(
            order_id=ref, amount=amount // 100, outcome=_outcome(code, status),
            response_code=code[:8], method=_method(params),
            transaction_no=(params.get("vnp_TransactionNo", "")[:32] or None),
            bank_code=(params.get("vnp_BankCode", "")[:20] or None),
            paid_at=parse_date(pay_date) if pay_date else None, merchant=self._tmn)


def _outcome(code: str, status: str) -> PaymentOutcome:
    if code == "00" and status == "00":
        return PaymentOutcome.PAID
    return PaymentOutcome.CANCELLED if code == "24" else PaymentOutcome.FAILED


def _method(params: Mapping[str, str]) -> PaymentMethod:
    bank, card = params.get("vnp_BankCode", "").upper(), params.get("vnp_CardType", "").upper()
    if bank in _EWALLET or card in _EWALLET:
        return PaymentMethod.EWALLET
    if bank in _CARDS or card in _CARDS:
        return PaymentMethod.CREDIT_CARD
    return PaymentMethod.ATM
