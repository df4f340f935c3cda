"""The acceptance record ("Biên bản nghiệm thu"), signed with the new key; then the
certificate is active.

``prepare`` renders the record and opens an ``onboarding_acceptance`` transaction — SmartOTP
only — over its details, with a document row the signing path takes like any other
(:class:`~kyso.signing.document_signer.DocumentSigner`). Confirming signs it through
SigningService (SAD, then ``sign_digests``) and moves the registration to *active*.

Until then the credential signs nothing else: :class:`AcceptanceGate` wraps the quota port
of the signing path and refuses a credential whose registration is *approved* unless the
signature in progress is that registration's acceptance record. The record is free.

Which signature is the record's: the confirming call signs it in this very call stack
(``after`` → DocumentSigner → SigningService → the gate), inside :func:`_accepting`, which
names the registration in a context variable. A signature made by any other request (another
thread, another worker) does not carry it, so the window while the record is being signed
lets nothing else through. The gate locks the registration row, the row the move to *active*
locks too, so its check and the acceptance do not interleave.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import replace

from kyso.billing.ledger import QuotaLedger
from kyso.billing.quota import Debit
from kyso.clock import Clock
from kyso.errors import NotFound, Text
from kyso.onboarding.journal import move, owned
from kyso.onboarding.model import Registration
from kyso.onboarding.paper import acceptance_pdf
from kyso.onboarding.states import Event, State
from kyso.onboarding.titles import acceptance_file_name
from kyso.otp.factors import FactorProof
from kyso.otp.model import Purpose
from kyso.otp.token import Challenge, Method
from kyso.otp.transactions import Kind, TransactionService
from kyso.signing.document import Document, DocumentFormat, DocumentStatus, SignOptions
from kyso.signing.document_signer import DocumentSigner
from kyso.signing.errors import CredentialUnusable
from kyso.signing.ports import Quota
from kyso.signing.storage import BlobStore
from kyso.uow import UnitOfWork, UnitOfWorkFactory

__all__ = ["ACCEPTANCE_KIND", "AcceptanceGate", "AcceptanceService", "acceptance_kind"]

ACCEPTANCE_KIND = "onboarding_acceptance"
_FREE = "acceptance:"
_SIGNING: ContextVar[str | None] = ContextVar("kyso_acceptance_signing", default=None)


@contextmanager
def _accepting(registration_id: str) -> Iterator[None]:
    """The acceptance record of ``registration_id`` is being signed in this call stack."""
    token = _SIGNING.set(registration_id)
    try:
        yield
    finally:
        _SIGNING.reset(token)


class AcceptanceService:
    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock,
                 transactions: TransactionService, blobs: BlobStore) -> None:
        self._uow, self._clock, self._transactions = uow_factory, clock, transactions
        self._blobs = blobs

    def prepare(self, account_id: str) -> tuple[Document, Challenge]:
        now = self._clock.now()
        with self._uow() as uow:
            current = owned(uow, account_id)
            current.expect(State.APPROVED, Event.ACCEPT)
            assert current.credential_id is not None
            serial = current.credential_id.rsplit("-", 1)[-1].upper()
            data = acceptance_pdf(current, serial, now)
            document = Document(
                id=str(uuid.uuid4()), account_id=account_id,
                credential_id=current.credential_id, format=DocumentFormat.PADES,
                file_name=acceptance_file_name(current), size=len(data),
                sha256=self._blobs.put(data), created_at=now,
                options=SignOptions(visible=True, reason="Ký Biên bản nghiệm thu"))
            challenge = self._transactions.create(uow, account_id, ACCEPTANCE_KIND, {
                "document_id": document.id, "registration": current.id,
                "description": "Ký Biên bản nghiệm thu chứng thư số",
                "file_name": document.file_name, "sha256": document.sha256,
                "credential": current.credential_id})
            document = replace(document, transaction_id=challenge.id)
            uow.documents.add(document)
            uow.onboarding.save(replace(current, acceptance_document=document.id))
            uow.commit()
        return document, challenge

    def record(self, account_id: str) -> bytes:
        """The signed acceptance record; before it is signed (approved), the record to be
        signed, so that the customer reads it first."""
        with self._uow() as uow:
            current = owned(uow, account_id, lock=False)
            document = (uow.documents.get(current.acceptance_document)
                        if current.acceptance_document else None)
        if current.state is State.APPROVED:
            if document is not None:
                return self._blobs.get(document.sha256)
            assert current.credential_id is not None
            serial = current.credential_id.rsplit("-", 1)[-1].upper()
            return acceptance_pdf(current, serial, self._clock.now())
        if current.state is not State.ACTIVE or document is None or not document.signed_sha256:
            raise NotFound(Text("biên bản nghiệm thu chưa được ký",
                                "the acceptance record is not signed yet"))
        return self._blobs.get(document.signed_sha256)


def acceptance_kind(uow_factory: UnitOfWorkFactory, clock: Clock,
                    signer: DocumentSigner) -> Kind:
    """Confirming (SmartOTP only) signs the record with the new key, then activates."""

    def apply(uow: UnitOfWork, challenge: Challenge) -> None:
        signer.check_open(uow, challenge)
        _mine(uow, challenge).expect(State.APPROVED, Event.ACCEPT)

    def after(challenge: Challenge, proof: FactorProof) -> None:
        with _accepting(challenge.details.get("registration", "")):
            signer.sign_confirmed(challenge, proof)
        with uow_factory() as uow:
            move(uow, _mine(uow, challenge), Event.ACCEPT, clock.now(),
                 actor=challenge.account_id)
            uow.commit()

    return Kind(ACCEPTANCE_KIND, Purpose.SIGN, apply, after, method=Method.SMARTOTP)


def _mine(uow: UnitOfWork, challenge: Challenge) -> Registration:
    found = uow.onboarding.get(challenge.details.get("registration", ""), for_update=True)
    if (found is None or found.account_id != challenge.account_id
            or found.acceptance_document != challenge.details.get("document_id")):
        raise NotFound()
    return found


class AcceptanceGate:
    """The signing path's quota, refusing a certificate that awaits its acceptance record."""

    def __init__(self, inner: Quota) -> None:
        self._inner = inner

    def reserve(self, uow: UnitOfWork, credential_id: str, count: int, *,
                relying_party: str | None = None) -> str:
        if self._acceptance_record(uow, credential_id, count):
            return _FREE + hashlib.sha256(uuid.uuid4().bytes).hexdigest()[:16]
        return self._inner.reserve(uow, credential_id, count, relying_party=relying_party)

    def debit(self, uow: UnitOfWork, credential_id: str, count: int, *,
              relying_party: str | None = None) -> None:
        # the gate's question rides on the ledger's one statement (no registration awaits
        # this credential's acceptance record); asked on its own, locked, only otherwise
        if isinstance(self._inner, QuotaLedger):
            self._inner.debit(uow, credential_id, count, relying_party=relying_party,
                              gate=lambda: self._acceptance_record(uow, credential_id, count))
        elif not self._acceptance_record(uow, credential_id, count):
            self._inner.debit(uow, credential_id, count, relying_party=relying_party)

    def common_debit(self, credential_id: str, count: int, *,
                     relying_party: str | None = None) -> Debit | None:
        # the ledger's, with the gate's question in it: an approved registration takes
        # nothing there, and debit() then asks the gate
        if not isinstance(self._inner, QuotaLedger):
            return None
        debit = self._inner.common_debit(credential_id, count, relying_party=relying_party)
        return None if debit is None else replace(debit, unless_awaiting_acceptance=True)

    @staticmethod
    def _acceptance_record(uow: UnitOfWork, credential_id: str, count: int) -> bool:
        """True for the (free) acceptance record of an approved registration; refuses any
        other signature of a certificate awaiting that record."""
        registration = uow.onboarding.by_credential(credential_id, for_update=True)
        if registration is None or registration.state is not State.APPROVED:
            return False
        if count != 1 or not _is_the_record(uow, registration):
            raise CredentialUnusable(status="awaiting_acceptance")
        return True

    def commit(self, uow: UnitOfWork, reservation: str) -> None:
        if not reservation.startswith(_FREE):
            self._inner.commit(uow, reservation)

    def release(self, uow: UnitOfWork, reservation: str) -> None:
        if not reservation.startswith(_FREE):
            self._inner.release(uow, reservation)


def _is_the_record(uow: UnitOfWork, registration: Registration) -> bool:
    """The signature being reserved is this registration's acceptance record."""
    if _SIGNING.get() != registration.id or registration.acceptance_document is None:
        return False
    document = uow.documents.get(registration.acceptance_document)
    return document is not None and document.status is DocumentStatus.SIGNING
