"""Đổi PIN SmartOTP: the old PIN is proven online with a code it makes.

The PIN never reaches the server (the app keeps the seed under it, with no verifier), so the
app proves the old PIN by answering a one-time challenge: a transaction of this kind, always
confirmed with SmartOTP, over a fresh question. Wrong answers count against the token like any
other code; a challenge serves one attempt (a wrong answer ends it, failed; the next attempt
asks a new one), so no time step is spent and no replayed answer can reset the failure
counter. Once confirmed, the app re-encrypts the seed under the new PIN.
"""

from __future__ import annotations

from kyso.audit.model import AuditEvent
from kyso.clock import Clock
from kyso.errors import Text
from kyso.otp.model import Purpose
from kyso.otp.smartotp import Messenger
from kyso.otp.token import Challenge, Method
from kyso.otp.transactions import Kind, TransactionService
from kyso.support import DESK
from kyso.uow import UnitOfWork, UnitOfWorkFactory

__all__ = ["KIND", "PinChangeService", "pin_change_kind"]

KIND = "smartotp_pin_change"
DESCRIPTION = "Đổi PIN SmartOTP trên thiết bị này"


class PinChangeService:
    def __init__(self, uow_factory: UnitOfWorkFactory, transactions: TransactionService) -> None:
        self._uow, self._transactions = uow_factory, transactions

    def request(self, account_id: str) -> Challenge:
        """A challenge for the old PIN; refused if the account has no active token."""
        with self._uow() as uow:
            challenge = self._transactions.create(uow, account_id, KIND,
                                                  {"description": DESCRIPTION})
            uow.commit()
            return challenge


def pin_change_kind(clock: Clock, messenger: Messenger) -> Kind:
    """The server sees the old PIN proven, never the new PIN (the device re-encrypts the seed
    afterwards, or not if the person gives up), so the record and the notice say just that."""

    def apply(uow: UnitOfWork, challenge: Challenge) -> None:
        uow.audit.append(AuditEvent("smartotp.pin_change_confirmed",
                                    actor=challenge.account_id, subject=challenge.account_id,
                                    details={"transaction": challenge.id}), clock.now())
        messenger.post(uow, challenge.account_id,
                       Text("Yêu cầu đổi PIN SmartOTP", "SmartOTP PIN change"),
                       Text("Quý khách vừa xác nhận PIN SmartOTP hiện tại để đổi PIN trên thiết "
                            "bị. Nếu không phải Quý khách thực hiện, vui lòng tạm khóa SmartOTP "
                            f"và liên hệ {DESK}.",
                            "You have just confirmed your current SmartOTP PIN to change it on "
                            "your device. If this was not you, please suspend SmartOTP and contact "
                            f"{DESK}."))

    # one answer: a wrong old PIN ends this attempt's challenge (the app asks a new one)
    return Kind(KIND, Purpose.PIN_CHANGE, apply, method=Method.SMARTOTP, one_answer=True)
