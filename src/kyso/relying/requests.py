"""What a relying party does: read a subscriber's certificates, ask for signatures, and
follow a request to its end. Every call authenticates the party first (outside any
transaction); a party sees only its own requests, and only customers who consented to it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from kyso.audit.model import AuditEvent, Outcome
from kyso.clock import Clock
from kyso.errors import Text
from kyso.notify.service import Notifier
from kyso.otp.transactions import TransactionService
from kyso.relying.completion import KIND
from kyso.relying.consents import consented_account
from kyso.relying.errors import DuplicateTransaction, NoCredential, UnknownRequest
from kyso.relying.model import RelyingParty, SignRequest
from kyso.relying.orders import SignOrder, bound_details
from kyso.relying.parties import RelyingPartyService
from kyso.relying.ports import QuotaAdvice
from kyso.relying.settlement import Settler
from kyso.signing.credentials import list_credentials, usable
from kyso.signing.errors import OutOfSignatures
from kyso.signing.model import Credential
from kyso.uow import UnitOfWork, UnitOfWorkFactory

__all__ = ["Certificates", "SignRequestService"]

MAX_REF = 64


@dataclass(frozen=True)
class Certificates:
    credentials: list[Credential]
    at: datetime


class SignRequestService:
    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock,
                 parties: RelyingPartyService, transactions: TransactionService,
                 settler: Settler, notifier: Notifier, quota: QuotaAdvice) -> None:
        self._uow, self._clock, self._parties = uow_factory, clock, parties
        self._transactions, self._settler, self._notifier = transactions, settler, notifier
        self._quota = quota

    def certificates(self, sp_id: str, sp_password: str, user_id: str,
                     serial_number: str | None = None, *,
                     address: str | None = None) -> Certificates:
        """The subscriber's certificates (with key on this server), newest first."""
        party = self._parties.authenticate(sp_id, sp_password, address)
        with self._uow() as uow:
            account_id = consented_account(uow, party, user_id)
            found = _matching(list_credentials(uow, account_id), serial_number)
            self._audit(uow, "sp769.certificates_read", party, account_id, count=len(found))
            uow.commit()
        return Certificates(found, self._clock.now())

    def sign(self, sp_id: str, sp_password: str, order: SignOrder, *,
             address: str | None = None) -> SignRequest:
        """Open a request the customer confirms in the app (or by SMS code on that method)."""
        party = self._parties.authenticate(sp_id, sp_password, address)
        with self._uow() as uow:
            account_id = consented_account(uow, party, order.user_id)
            credential = self._credential(uow, account_id, order.serial_number)
            if uow.relying.request_by_ref(party.id, order.transaction_id) is not None:
                raise DuplicateTransaction()
            self._covered(uow, party, account_id, credential, len(order.files))
            details = bound_details(party.name, order.description, order.files)
            challenge = self._transactions.create(uow, account_id, KIND, details)
            request = SignRequest(
                id=str(uuid.uuid4()), party_id=party.id, transaction_id=order.transaction_id,
                account_id=account_id, credential_id=credential.id, challenge_id=challenge.id,
                description=order.description, files=order.files,
                created_at=challenge.created_at, expires_at=challenge.expires_at)
            uow.relying.add_request(request)
            self._notify(uow, party, request)
            self._audit(uow, "sp769.requested", party, account_id, request=request.id,
                        files=len(request.files))
            uow.commit()
        return request

    def status(self, sp_id: str, sp_password: str, ref: str, *,
               address: str | None = None) -> SignRequest:
        """The party's request by its ``transaction_id`` or ``tran_code``, settled if due."""
        party = self._parties.authenticate(sp_id, sp_password, address)
        if not ref or len(ref) > MAX_REF:
            raise UnknownRequest()
        with self._uow() as uow:
            request = uow.relying.request_by_ref(party.id, ref, for_update=True)
            if request is None:
                raise UnknownRequest()
            request = self._settler.settle(uow, request)
            uow.commit()
        return request

    # -- helpers -------------------------------------------------------------------------
    def _credential(self, uow: UnitOfWork, account_id: str, serial: str | None) -> Credential:
        found = _matching(list_credentials(uow, account_id), serial)
        if not found:
            raise NoCredential()
        now = self._clock.now()
        for credential in found:
            if credential.status_at(now).value == "active":
                return credential
        return usable(found[0], now)  # raises CredentialUnusable with its status

    def _covered(self, uow: UnitOfWork, party: RelyingParty, account_id: str,
                 credential: Credential, count: int) -> None:
        """Refuse at once what the quota cannot cover (a public-service party signs free);
        the refusal is audited. Advice only: the ledger decides when the customer confirms."""
        if party.public_service or self._quota.covers(uow, credential.id, count):
            return
        self._audit(uow, "sp769.refused", party, account_id, Outcome.FAILURE,
                    error=OutOfSignatures.code,
                    wanted=count, credential=credential.id)
        uow.commit()
        raise OutOfSignatures(wanted=count)

    def _notify(self, uow: UnitOfWork, party: RelyingParty, request: SignRequest) -> None:
        docs = ", ".join(f.doc_id for f in request.files)
        until = f"{request.expires_at:%d/%m/%Y %H:%M} (UTC)"
        body = Text(f"{party.name} yêu cầu ký số: {request.description or '(không có mô tả)'}. "
                    f"Tài liệu: {docs}. Xác nhận trong ứng dụng trước {until}.",
                    f"{party.name} asks for a signature: "
                    f"{request.description or '(no description)'}. Documents: {docs}. "
                    f"Confirm in the app before {until}.")
        self._notifier.post(uow, request.account_id,
                            Text("Yêu cầu ký số mới", "New signing request"), body)

    def _audit(self, uow: UnitOfWork, action: str, party: RelyingParty, account_id: str,
               outcome: Outcome = Outcome.INFO, **details: str | int) -> None:
        event = AuditEvent(action, outcome, actor=party.sp_id, subject=account_id,
                           details={"party": party.id, **details})
        uow.audit.append(event, self._clock.now())


def _matching(credentials: list[Credential], serial: str | None) -> list[Credential]:
    """Those with this serial number (hex, as openssl prints it); all when none is given."""
    text = (serial or "").strip().lower().removeprefix("0x").replace(":", "")
    if not text:
        return credentials
    try:
        wanted = int(text, 16)
    except ValueError:
        return []
    return [c for c in credentials if c.certificate.serial == wanted]
