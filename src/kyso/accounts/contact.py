"""Changing the contact phone or email: a transaction the customer confirms with a code
bound to the new details (the SmartOTP OCRA mechanism, or an SMS code)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from kyso.accounts.errors import IdentifierTaken
from kyso.accounts.identifiers import normalize_email, normalize_phone
from kyso.audit.model import AuditEvent
from kyso.clock import Clock
from kyso.errors import InvalidInput, NotFound, Text
from kyso.otp.model import Purpose
from kyso.otp.token import Challenge
from kyso.otp.transactions import Kind, TransactionService
from kyso.uow import UnitOfWork, UnitOfWorkFactory

__all__ = ["KIND", "ContactChangeService", "contact_change_kind"]

KIND = "contact_change"


class ContactChangeService:
    def __init__(self, uow_factory: UnitOfWorkFactory, transactions: TransactionService) -> None:
        self._uow, self._transactions = uow_factory, transactions

    def request(self, account_id: str, phone: str | None, email: str | None) -> Challenge:
        details = {}
        if phone:
            details["phone"] = normalize_phone(phone)
        if email:
            details["email"] = normalize_email(email)
        if not details:
            raise InvalidInput(Text("cần số điện thoại hoặc email", "phone or email"))
        with self._uow() as uow:
            _check_free(uow, account_id, details)
            details["description"] = _describe(details)
            challenge = self._transactions.create(uow, account_id, KIND, details)
            uow.commit()
            return challenge


def contact_change_kind(clock: Clock) -> Kind:
    """The transaction kind; its handler applies a confirmed change (still refused if the
    phone or email was taken meanwhile)."""

    def apply(uow: UnitOfWork, challenge: Challenge) -> None:
        account = uow.accounts.get(challenge.account_id, for_update=True)
        if account is None:
            raise NotFound()
        _check_free(uow, account.id, challenge.details)
        changed = replace(account, phone=challenge.details.get("phone", account.phone),
                          email=challenge.details.get("email", account.email))
        uow.accounts.save(changed)
        contact = {k: v for k, v in challenge.details.items() if k in ("phone", "email")}
        uow.audit.append(AuditEvent("account.contact_changed", actor=account.id,
                                    subject=account.id, details=contact), clock.now())

    return Kind(KIND, Purpose.CONTACT_CHANGE, apply)


def _check_free(uow: UnitOfWork, account_id: str, details: Mapping[str, str]) -> None:
    for field in ("phone", "email"):
        value = details.get(field)
        if value is None:
            continue
        other = uow.accounts.find_by_login(value)
        if other is not None and other.id != account_id:
            raise IdentifierTaken(fields=field)


def _describe(details: dict[str, str]) -> str:
    parts = []
    if "phone" in details:
        parts.append(f"số điện thoại mới {details['phone']}")
    if "email" in details:
        parts.append(f"email mới {details['email']}")
    return "Thay đổi thông tin liên hệ: " + ", ".join(parts)
