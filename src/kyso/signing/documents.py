"""Documents a customer signs from the app or the API, and validation of signed PDFs.

    upload ─▶ checked in the sandbox (size, PDF, not encrypted, readable within limits)
    ─▶ stored by SHA-256 ─▶ [a draft: pages previewed, the stamp placed, a signature image
    added ─▶ ``sign``] ─▶ transaction ``sign_document`` (file name, SHA-256, size, level,
    stamp, credential) ─▶ the customer confirms with the SmartOTP code bound to those details
    ─▶ the kind's ``after`` hook signs
    (:class:`~kyso.signing.document_signer.DocumentSigner`) ─▶ the owner downloads the output.

Another customer's document is as unknown as none (404).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol

from kyso.audit.model import AuditEvent, Outcome
from kyso.clock import Clock
from kyso.errors import InvalidInput, NotFound, Text
from kyso.otp.factors import FactorProof
from kyso.otp.model import Purpose
from kyso.otp.token import Challenge
from kyso.otp.transactions import Kind, TransactionService
from kyso.pki.model import CertificateStatus
from kyso.signing.credentials import find_credential, list_credentials, usable
from kyso.signing.details import batch_details, details, inside
from kyso.signing.document import (
    Document,
    DocumentFormat,
    DocumentStatus,
    SignOptions,
    clean_file_name,
)
from kyso.signing.document_errors import (
    NO_PAGE,
    SIGNED_FILE_GONE,
    DocumentTooLarge,
    LevelNotSupported,
    NoCredential,
    NotADraft,
    NotSignedYet,
    StampOutsidePage,
    XadesLevelNotSupported,
)
from kyso.signing.document_signer import DocumentSigner
from kyso.signing.errors import OutOfSignatures
from kyso.signing.model import Credential
from kyso.signing.pages import Layout
from kyso.signing.sandbox import PdfSandbox
from kyso.signing.signature_image import clean_signature_image
from kyso.signing.source import Source, chunks, sha256_of, size_of
from kyso.signing.storage import BlobStore, blob_file
from kyso.signing.validation import ValidationReport
from kyso.signing.xades import LEVELS as XADES_LEVELS
from kyso.signing.xades_validation import looks_like_xml
from kyso.signing.xml_input import UnsafeXml
from kyso.uow import UnitOfWork, UnitOfWorkFactory

__all__ = ["BATCH_KIND", "KIND", "DocumentPolicy", "DocumentService", "Upload", "batch_kind",
           "document_kind"]

log = logging.getLogger(__name__)
KIND = "sign_document"
BATCH_KIND = "sign_documents"
MAX_BATCH = 10
MIB = 1024 * 1024


@dataclass(frozen=True)
class DocumentPolicy:
    max_bytes: int = 20 * MIB

    def __post_init__(self) -> None:
        if self.max_bytes < 1024:
            raise ValueError("documents of at least 1 KiB must be accepted")


class QuotaAdvice(Protocol):
    """Whether a credential has signatures left now (advice: confirming decides)."""

    def covers(self, uow: UnitOfWork, credential_id: str, count: int) -> bool: ...


@dataclass(frozen=True)
class Upload:
    document: Document
    transaction: Challenge


class DocumentService:
    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock,
                 transactions: TransactionService, blobs: BlobStore,
                 policy: DocumentPolicy, *, sandbox: PdfSandbox,
                 quota: QuotaAdvice | None = None) -> None:
        self._uow, self._clock, self._transactions = uow_factory, clock, transactions
        self._blobs, self.policy = blobs, policy
        self._sandbox, self._quota = sandbox, quota

    def upload(self, account_id: str, data: Source, *, file_name: str | None,
               fmt: DocumentFormat, options: SignOptions,
               credential: str | None = None) -> Upload:
        """Check and store the file, and open the transaction that will sign it. A visible
        stamp goes where ``options`` puts it (page, box from the page's lower-left corner)
        or on the free spot :meth:`PdfSandbox.layout` finds."""
        try:
            self._check(data, fmt, options)
        except UnsafeXml:
            self._unsafe(account_id, data)
            raise
        options = self._placed(data, options)
        document, found = self._new(account_id, data, file_name, fmt, options, credential)
        with self._uow() as uow:
            upload = self._open(uow, document, found)
            uow.documents.add(upload.document)
            self._audit(uow, "document.uploaded", upload.document)
            uow.commit()
        return upload

    def draft(self, account_id: str, data: Source, *, file_name: str | None,
              credential: str | None = None) -> Document:
        """Store a PDF to preview and place the stamp on before signing (no transaction)."""
        self._check(data, DocumentFormat.PADES, SignOptions())
        document, _ = self._new(account_id, data, file_name, DocumentFormat.PADES,
                                SignOptions(), credential)
        document = replace(document, status=DocumentStatus.DRAFT)
        with self._uow() as uow:
            uow.documents.add(document)
            self._audit(uow, "document.uploaded", document)
            uow.commit()
        return document

    def sign(self, account_id: str, document_id: str, options: SignOptions,
             image: bytes | None = None) -> Upload:
        """A draft, placed and with its signature image, goes to the transaction."""
        document = self.get(account_id, document_id)
        if document.status is not DocumentStatus.DRAFT:
            raise NotADraft()
        self._check(b"", document.format, options)
        if image is not None and options.visible:
            options = replace(options, image=self._blobs.put(clean_signature_image(image)))
        options = self._placed_blob(document.sha256, options)
        found = self._credential(account_id, document.credential_id)
        self._has_signatures(found)
        with self._uow() as uow:
            current = uow.documents.get(document_id, for_update=True)
            if current is None or current.status is not DocumentStatus.DRAFT:
                raise NotADraft()
            upload = self._open(uow, replace(current, options=options), found)
            uow.documents.save(upload.document)
            uow.commit()
        return upload

    def sign_together(self, account_id: str, document_ids: list[str],
                      options: SignOptions) -> Upload:
        """Several drafts, one transaction: one approval signs them all (each stamp, when
        visible, on its own free spot). Returns the first document and the transaction."""
        if not 2 <= len(document_ids) <= MAX_BATCH or len(set(document_ids)) != len(document_ids):
            raise InvalidInput(Text(f"ký cùng lúc từ 2 đến {MAX_BATCH} tài liệu khác nhau",
                                    f"2..{MAX_BATCH} different documents are signed together"))
        drafts = [self.get(account_id, i) for i in document_ids]
        if any(d.status is not DocumentStatus.DRAFT for d in drafts):
            raise NotADraft()
        if len({d.credential_id for d in drafts}) != 1:
            raise InvalidInput(Text("các tài liệu ký cùng lúc dùng cùng một chứng thư số",
                                    "documents signed together use one certificate"))
        found = self._credential(account_id, drafts[0].credential_id)
        if self._quota is not None:
            with self._uow() as uow:
                if not self._quota.covers(uow, found.id, len(drafts)):
                    raise OutOfSignatures()
        placed = [replace(d, options=self._placed_blob(d.sha256, options)) for d in drafts]
        with self._uow() as uow:
            if any((uow.documents.get(d.id, for_update=True) or d).status
                   is not DocumentStatus.DRAFT for d in placed):
                raise NotADraft()
            challenge = self._transactions.create(uow, account_id, BATCH_KIND,
                                                  batch_details(placed, found, options))
            signed = [replace(d, status=DocumentStatus.PENDING, transaction_id=challenge.id)
                      for d in placed]
            for document in signed:
                uow.documents.save(document)
            uow.commit()
        return Upload(signed[0], challenge)

    def layout(self, account_id: str, document_id: str) -> Layout:
        """The pages of an owner's PDF and the free spot for the stamp."""
        with self._pdf(account_id, document_id) as data:
            return self._sandbox.layout(data)

    def page_png(self, account_id: str, document_id: str, number: int) -> bytes:
        """Page ``number`` (1-based) of an owner's PDF as a PNG."""
        with self._pdf(account_id, document_id) as data:
            if not 1 <= number <= self._sandbox.inspect(data).pages:
                raise NotFound(NO_PAGE)
            return self._sandbox.render(data, number)

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
            raise NotFound(SIGNED_FILE_GONE) from None

    def output_chunks(self, account_id: str, document_id: str,
                      ) -> tuple[Document, Iterator[bytes]]:
        """:meth:`output` in chunks, for a download that never holds the file whole (a
        damaged blob fails at its end: the download breaks off rather than completes)."""
        document = self.get(account_id, document_id)
        if document.status is not DocumentStatus.SIGNED or document.signed_sha256 is None:
            raise NotSignedYet(status=document.status.value)
        try:
            return document, self._blobs.chunks(document.signed_sha256)
        except KeyError:
            raise NotFound(SIGNED_FILE_GONE) from None

    def validate(self, data: Source, actor: str | None = None) -> ValidationReport:
        """A report on a signed PDF (pyHanko, in the sandbox) or, for an XML document, on
        its XAdES signatures (the XAdES validator, in the sandbox too). Unsafe XML is a
        security event (``actor``: who sent it, if known)."""
        self._check_size(data)
        if looks_like_xml(bytes(next(chunks(data, 64), b""))):
            try:
                report = self._sandbox.validate_xml(data, self._clock.now())
            except UnsafeXml:
                self._unsafe(actor, data)
                raise
            log.info("validated an XML document (%d bytes, sha256 %s…): %s, %s",
                     size_of(data), report.sha256[:16],
                     "valid" if report.valid else "not valid", report.summary())
            return report
        report = self._sandbox.validate(data, self._clock.now())  # pyHanko, in the box
        log.info("validated a PDF (%d bytes, sha256 %s…): %s, %s", size_of(data),
                 report.sha256[:16], "valid" if report.valid else "not valid", report.summary())
        return report

    # -- helpers -------------------------------------------------------------------------
    def _new(self, account_id: str, data: Source, file_name: str | None, fmt: DocumentFormat,
             options: SignOptions, credential: str | None) -> tuple[Document, Credential]:
        found = self._credential(account_id, credential)
        self._has_signatures(found)
        default = {DocumentFormat.PADES: "document.pdf",
                   DocumentFormat.XADES: "document.xml"}.get(fmt, "document")
        digest = self._blobs.put(data) if isinstance(data, bytes) else \
            self._blobs.put_chunks(lambda: chunks(data))  # stored chunk by chunk
        return Document(
            id=str(uuid.uuid4()), account_id=account_id, credential_id=found.id, format=fmt,
            file_name=clean_file_name(file_name, default), size=size_of(data),
            sha256=digest, options=options,
            created_at=self._clock.now()), found

    def _open(self, uow: UnitOfWork, document: Document, credential: Credential) -> Upload:
        challenge = self._transactions.create(uow, document.account_id, KIND,
                                              details(document, credential))
        document = replace(document, status=DocumentStatus.PENDING,
                           transaction_id=challenge.id)
        return Upload(document, challenge)

    def _has_signatures(self, credential: Credential) -> None:
        """Out of signatures is said before the upload, not after the confirmation."""
        if self._quota is None:
            return
        with self._uow() as uow:
            if not self._quota.covers(uow, credential.id, 1):
                raise OutOfSignatures()

    @contextmanager
    def _pdf(self, account_id: str, document_id: str) -> Iterator[Path]:
        document = self.get(account_id, document_id)
        if document.format is not DocumentFormat.PADES:
            raise NotFound(Text("chữ ký tách rời không có trang để xem",
                                "a detached signature's file has no pages to show"))
        with blob_file(self._blobs, document.sha256) as path:
            yield path

    def _placed_blob(self, sha256: str, options: SignOptions) -> SignOptions:
        """:meth:`_placed` for a stored PDF (copied to a file only when a stamp is placed)."""
        if not options.visible:
            return options
        with blob_file(self._blobs, sha256) as path:
            return self._placed(path, options)

    def _placed(self, pdf: Source, options: SignOptions) -> SignOptions:
        """Options with the stamp's box in user space: the one given on the page as shown
        (checked to lie within it) or the free spot on the last page."""
        if not options.visible:
            return options
        layout = self._sandbox.layout(pdf)
        page = options.page or layout.page
        box = options.box or layout.box
        if page > len(layout.pages) or not inside(box, layout.pages[page - 1]):
            raise StampOutsidePage(page=page)
        return replace(options, page=page, box=layout.pages[page - 1].to_user(box))

    def _check(self, data: Source, fmt: DocumentFormat, options: SignOptions) -> None:
        self._check_size(data)
        if fmt is DocumentFormat.PADES:
            if size_of(data):
                self._sandbox.inspect(data)
            return
        if fmt is DocumentFormat.XADES:
            self._check_xml(data, options)
            return
        if options.level.long_term:
            raise LevelNotSupported()
        if options.visible:
            raise InvalidInput(Text("chữ ký tách rời (CAdES) không có hình chữ ký trên trang",
                                    "a detached CAdES signature has no visible stamp"))
        if not size_of(data):
            raise InvalidInput(Text("tệp không có nội dung", "the file is empty"))
        if options.image is not None:
            raise InvalidInput(Text("chữ ký tách rời (CAdES) không kèm ảnh chữ ký",
                                    "a detached CAdES signature has no signature image"))

    def _check_xml(self, data: Source, options: SignOptions) -> None:
        if options.level not in XADES_LEVELS:
            raise XadesLevelNotSupported()
        if options.visible or options.image is not None:
            raise InvalidInput(Text("chữ ký trên tệp XML không có hình chữ ký trên trang",
                                    "an XML signature has no visible stamp"))
        if size_of(data):  # refuses DTDs, entities, non-XML before anything is stored
            self._sandbox.check_xml(data)  # parsed in a child, with its time and memory

    def _unsafe(self, account_id: str | None, data: Source) -> None:
        """A DTD, an entity or a PI in an upload: a warning line and a security event (the
        size and SHA-256 only, nothing of the content)."""
        digest, size = sha256_of(data), size_of(data)
        log.warning("refused an unsafe XML upload (%d bytes, sha256 %s…)", size, digest[:16])
        event = AuditEvent("document.unsafe_xml", Outcome.FAILURE, actor=account_id,
                           details={"sha256": digest, "size": size})
        with self._uow() as uow:
            uow.audit.append(event, self._clock.now())
            uow.commit()

    def _check_size(self, data: Source) -> None:
        if size_of(data) > self.policy.max_bytes:
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


def batch_kind(signer: DocumentSigner) -> Kind:
    """The ``sign_documents`` transaction: one confirmation signs every listed document."""

    def after(challenge: Challenge, proof: FactorProof) -> None:
        signer.sign_batch(challenge, proof)

    return Kind(BATCH_KIND, Purpose.SIGN, signer.check_open, after)


def document_kind(signer: DocumentSigner) -> Kind:
    """The ``sign_document`` transaction: confirming it signs the document, once."""

    def after(challenge: Challenge, proof: FactorProof) -> None:
        signer.sign_confirmed(challenge, proof)

    return Kind(KIND, Purpose.SIGN, signer.check_open, after)
