"""Documents a customer signs from the app or the API, and validation of signed PDFs.

    upload ─▶ checked (size, PDF, not encrypted) ─▶ stored by SHA-256 ─▶ transaction
    ``sign_document`` (file name, SHA-256, size, level, stamp, credential) ─▶ the customer
    confirms with the SmartOTP code bound to those details ─▶ the kind's ``after`` hook signs
    (:class:`~kyso.signing.document_signer.DocumentSigner`) ─▶ the owner downloads the output.

Another customer's document is as unknown as none (404).
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, replace

from kyso.audit.model import AuditEvent, Outcome
from kyso.clock import Clock
from kyso.errors import InvalidInput, NotFound
from kyso.otp.factors import FactorProof
from kyso.otp.model import Purpose
from kyso.otp.token import Challenge
from kyso.otp.transactions import Kind, TransactionService
from kyso.pki.model import CertificateStatus
from kyso.signing.credentials import find_credential, list_credentials, usable
from kyso.signing.document import (
    Document,
    DocumentFormat,
    DocumentStatus,
    SignOptions,
    clean_file_name,
)
from kyso.signing.document_errors import (
    DocumentTooLarge,
    LevelNotSupported,
    NoCredential,
    NotSignedYet,
)
from kyso.signing.document_signer import DocumentSigner
from kyso.signing.model import Credential
from kyso.signing.pdf import inspect_pdf
from kyso.signing.storage import BlobStore
from kyso.signing.validation import ValidationReport, Validator
from kyso.uow import UnitOfWork, UnitOfWorkFactory

__all__ = ["KIND", "DocumentPolicy", "DocumentService", "Upload", "document_kind"]

KIND = "sign_document"
MIB = 1024 * 1024


@dataclass(frozen=True)
class DocumentPolicy:
    max_bytes: int = 20 * MIB

    def __post_init__(self) -> None:
        if self.max_bytes < 1024:
            raise ValueError("documents of at least 1 KiB must be accepted")


@dataclass(frozen=True)
class Upload:
    document: Document
    transaction: Challenge


class DocumentService:
    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock,
                 transactions: TransactionService, blobs: BlobStore, validator: Validator,
                 policy: DocumentPolicy) -> None:
        self._uow, self._clock, self._transactions = uow_factory, clock, transactions
        self._blobs, self._validator, self.policy = blobs, validator, policy

    def upload(self, account_id: str, data: bytes, *, file_name: str | None,
               fmt: DocumentFormat, options: SignOptions,
               credential: str | None = None) -> Upload:
        """Check and store the file, and open the transaction that will sign it."""
        self._check(data, fmt, options)
        found = self._credential(account_id, credential)
        default = "document.pdf" if fmt is DocumentFormat.PADES else "document"
        document = Document(
            id=str(uuid.uuid4()), account_id=account_id, credential_id=found.id, format=fmt,
            file_name=clean_file_name(file_name, default), size=len(data),
            sha256=hashlib.sha256(data).hexdigest(), options=options,
            created_at=self._clock.now())
        self._blobs.put(data)
        with self._uow() as uow:
            challenge = self._transactions.create(uow, account_id, KIND,
                                                  _details(document, found))
            document = replace(document, transaction_id=challenge.id)
            uow.documents.add(document)
            self._audit(uow, "document.uploaded", document)
            uow.commit()
        return Upload(document, challenge)

    def get(self, account_id: str, document_id: str) -> Document:
        with self._uow() as uow:
            document = uow.documents.get(document_id)
        if document is None or document.account_id != account_id:
            raise NotFound()
        return document

    def recent(self, account_id: str, limit: int = 50) -> list[Document]:
        with self._uow() as uow:
            return uow.documents.for_account(account_id, limit)

    def output(self, account_id: str, document_id: str) -> tuple[Document, bytes]:
        """The signed PDF (or the .p7s), to its owner only."""
        document = self.get(account_id, document_id)
        if document.status is not DocumentStatus.SIGNED or document.signed_sha256 is None:
            raise NotSignedYet(status=document.status.value)
        try:
            return document, self._blobs.get(document.signed_sha256)
        except KeyError:
            raise NotFound("the signed file is missing from the store") from None

    def validate(self, data: bytes) -> ValidationReport:
        self._check_size(data)
        return self._validator.validate(data, self._clock.now())

    # -- helpers -------------------------------------------------------------------------
    def _check(self, data: bytes, fmt: DocumentFormat, options: SignOptions) -> None:
        self._check_size(data)
        if fmt is DocumentFormat.PADES:
            inspect_pdf(data)
            return
        if options.level.long_term:
            raise LevelNotSupported()
        if options.visible:
            raise InvalidInput("a detached CAdES signature has no visible stamp")
        if not data:
            raise InvalidInput("the file is empty")

    def _check_size(self, data: bytes) -> None:
        if len(data) > self.policy.max_bytes:
            raise DocumentTooLarge(limit=self.policy.max_bytes)

    def _credential(self, account_id: str, wanted: str | None) -> Credential:
        now = self._clock.now()
        with self._uow() as uow:
            if wanted:
                return usable(find_credential(uow, account_id, wanted), now)
            for credential in list_credentials(uow, account_id):
                if credential.status_at(now) is CertificateStatus.ACTIVE:
                    return credential
        raise NoCredential()

    def _audit(self, uow: UnitOfWork, action: str, document: Document) -> None:
        details: dict[str, str | int | bool | None] = {
            "document": document.id, "sha256": document.sha256, "size": document.size,
            "format": document.format.value, "level": document.options.level.value}
        event = AuditEvent(action, Outcome.INFO, actor=document.account_id,
                           subject=document.credential_id, details=details)
        uow.audit.append(event, self._clock.now())


def document_kind(signer: DocumentSigner) -> Kind:
    """The ``sign_document`` transaction: confirming it signs the document, once."""

    def after(challenge: Challenge, proof: FactorProof) -> None:
        signer.sign_confirmed(challenge, proof)

    return Kind(KIND, Purpose.SIGN, signer.check_open, after)


def _details(document: Document, credential: Credential) -> dict[str, str]:
    """What the app shows, and what the OCRA code is bound to."""
    options = document.options
    kind = "PAdES" if document.format is DocumentFormat.PADES else "CAdES"
    stamp = ", có hình chữ ký" if options.visible else ""
    details = {
        "document_id": document.id,
        "description": f"Ký số tài liệu {document.file_name} ({kind} {options.level}{stamp})",
        "file_name": document.file_name,
        "sha256": document.sha256,
        "size": str(document.size),
        "format": document.format.value,
        "level": options.level.value,
        "visible": "true" if options.visible else "false",
        "credential": credential.id,
        "signer": credential.certificate.subject,
    }
    if options.reason:
        details["reason"] = options.reason
    if options.location:
        details["location"] = options.location
    return details
