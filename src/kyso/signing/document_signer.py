"""Signing whole documents through the SAD-checked path.

Two ways in, one way to the key:

* :meth:`DocumentSigner.sign_confirmed` — the customer confirmed a ``sign_document``
  transaction (SmartOTP OCRA code over the file's name, SHA-256, size, level and credential);
  runs as the transaction kind's ``after`` hook, outside any unit of work.
* :meth:`DocumentSigner.sign_pdf` — CSC ``signatures/signDoc``: a PDF and a SAD that
  authorized the PDF's SHA-256 (:meth:`DocumentSigner.sign_xml`: an XML file, XAdES).

Either way the PDF is parsed only in the sandbox, which prepares it (field, stamp,
placeholder); the server hashes the prepared bytes itself, builds the CMS with pyHanko and
asks for one raw signature (:meth:`_sign_boxed`). For a confirmed document that callback
opens one short unit of work which first *takes* the authorization (the document row moves
``pending → signing``), then grants a SAD for exactly the signed-attributes digest;
:meth:`SigningService.sign_digests` then signs it. For signDoc it is
:meth:`SigningService.sign_document` (the SAD read, the key used), and one transaction after
the CMS is spliced spends the SAD, counts the signature, audits it and keeps its record and
receipt job (:meth:`_keep_csc_record`) — the signed file leaves only after that commit. A
second attempt with the same confirmation or SAD finds it taken and is refused.
"""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from kyso.audit.model import AuditEvent, Outcome
from kyso.clock import Clock
from kyso.errors import KysoError, NotFound
from kyso.keys.model import SignatureScheme
from kyso.otp.factors import FactorProof
from kyso.otp.token import Challenge
from kyso.signing.cades import CadesEngine
from kyso.signing.cms import CredentialSigner, RawSign
from kyso.signing.credentials import usable
from kyso.signing.document import Document, DocumentFormat, DocumentStatus, Level, SignOptions
from kyso.signing.document_errors import AlreadySigned, SigningFailed
from kyso.signing.errors import OutOfSignatures
from kyso.signing.model import Credential
from kyso.signing.pades import FieldPlan, Finisher, PadesEngine, PadesRequest, reserve
from kyso.signing.receipt_jobs import ReceiptKind
from kyso.signing.receipts import ReceiptService, record_claims, timestamp_time
from kyso.signing.records import SignatureRecord, new_record_id
from kyso.signing.revinfo import KysoTrust
from kyso.signing.sandbox import PdfSandbox
from kyso.signing.service import Authorization, SigningService
from kyso.signing.source import Signed, Source, sha256_of
from kyso.signing.storage import BlobStore, blob_file
from kyso.signing.xades import XadesEngine
from kyso.signing.xml_input import UnsafeXml
from kyso.uow import UnitOfWork, UnitOfWorkFactory

__all__ = ["DocumentSigner", "batch_ids", "field_name"]

log = logging.getLogger(__name__)
Authorize = Callable[[UnitOfWork], Authorization]  # in the grant's transaction


def batch_ids(challenge: Challenge) -> list[str]:
    """The documents a transaction signs: one (``document_id``) or several
    (``document_ids``, one a line)."""
    many = challenge.details.get("document_ids")
    return many.split("\n") if many else [challenge.details.get("document_id", "")]


_CSC_DOCUMENT = Document(id="csc", account_id="-", credential_id="-",
                         format=DocumentFormat.PADES, file_name="signDoc.pdf", size=0,
                         sha256="0" * 64, options=SignOptions(),
                         created_at=datetime.fromtimestamp(0, tz=UTC))


def field_name(document_id: str) -> str:
    return f"Signature-kyso-{document_id[:13]}"


@dataclass
class _Run:
    """One attempt at a confirmed document: did it take the document (pending → signing)?"""

    document: Document
    taken: bool = False
    record_id: str = field(default_factory=new_record_id)  # /v/<id>, in the stamp's QR code
    cms: bytes | None = None  # the signature's CMS (its time stamp's time for the record)
    at: datetime | None = None  # the signing time (the stamp's, the CMS's)
    timestamp_at: datetime | None = None  # an XAdES signature time stamp's time


class DocumentSigner:
    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock, signing: SigningService,
                 blobs: BlobStore, trust: KysoTrust, sandbox: PdfSandbox,
                 receipts: ReceiptService | None = None) -> None:
        self._uow, self._clock, self._signing, self._blobs = uow_factory, clock, signing, blobs
        self._sandbox, self._receipts = sandbox, receipts
        self._pades, self._cades = PadesEngine(trust), CadesEngine(trust)
        self._xades = XadesEngine(trust)

    # -- CSC signatures/signDoc ----------------------------------------------------------
    def sign_pdf(self, account_id: str, credential_id: str, sad: str, pdf: bytes,
                 options: SignOptions) -> bytes:
        """Sign ``pdf`` at ``options.level`` if ``sad`` authorized its SHA-256; the signed
        PDF. Synchronous (pyHanko runs its own event loop): call it from a worker thread."""
        return self.sign_pdf_file(account_id, credential_id, sad, pdf, options).whole()

    def sign_pdf_file(self, account_id: str, credential_id: str, sad: str, pdf: Source,
                      options: SignOptions, sha256: str | None = None,
                      credential: Credential | None = None, *,
                      record_id: str | None = None,
                      party: tuple[str, str] | None = None,
                      hashed: Any = None) -> Signed:
        """:meth:`sign_pdf` on a file (or bytes): the signed PDF as the original and the
        tail the signature appended, for the caller to write out in chunks while ``pdf``
        still exists. ``sha256``: the file's, when the caller hashed it on the way in (it
        is checked again, in the same pass as the byte range, before the SAD is looked
        at). ``credential``: the caller's, when it has just looked it up (this account's
        ``credential_id``); it is checked for use again here. ``record_id``: the
        signature's record and receipt id, when the caller wants to name it (signDoc
        answers with it); ``party``: the relying party (id, name) whose token signs, which
        may then read the receipt. ``hashed``: the SHA-256 state after ``pdf`` when it is
        bytes the caller hashed on the way in (``sha256`` its hex digest): the byte range
        continues from it instead of hashing the original again."""
        sha256 = sha256 or sha256_of(pdf)
        digest, now = bytes.fromhex(sha256), self._clock.now()
        if credential is None or credential.id != credential_id \
                or credential.account_id != account_id:
            credential = self._signing.credential(account_id, credential_id)
        credential = usable(credential, now)
        signer_of = credential  # (narrowed: not None)

        def raw_sign(signed_attributes: bytes, scheme: SignatureScheme) -> bytes:
            # the SAD read (not spent) and the key used; spent with the record, below
            return self._signing.sign_document(account_id, signer_of, sad, digest,
                                               signed_attributes, scheme)

        def refuse(uow: UnitOfWork) -> Authorization:
            raise AssertionError("signDoc signs through raw_sign")

        # a hostile file stops in the sandbox, before the SAD is looked at
        run = _Run(_CSC_DOCUMENT, at=now)
        if record_id is not None:
            run.record_id = record_id
        url = (self._receipts.url(run.record_id)
               if self._receipts is not None and options.visible else None)
        signed = self._sign_boxed(pdf, field_name(str(uuid.uuid4())), options, now, credential,
                                  refuse, None, url, run, sha256=sha256, raw=raw_sign,
                                  hashed=hashed)
        self._keep_csc_record(run, account_id, credential, sad, sha256, signed, options,
                              party)
        return signed

    def _keep_csc_record(self, run: _Run, account_id: str, credential: Credential, sad: str,
                         sha256: str, signed: Signed, options: SignOptions,
                         party: tuple[str, str] | None = None) -> None:
        """signDoc, one write transaction: the SAD spent on the document and the signature
        counted (:meth:`SigningService.spend_document`), the record of a document the
        caller sent (no file name: the CSC API has none; the approved SAD is bound by its
        SHA-256) and its receipt's job, for the worker. Until it commits the signed file
        goes nowhere; a SAD spent meanwhile (InvalidSad) or no quota left rolls all of it
        back."""
        credential_id = credential.id
        try:
            with self._uow() as uow:
                self._signing.spend_document(uow, account_id, credential_id, sad,
                                             bytes.fromhex(sha256))
                self._add_csc_record(uow, run, account_id, credential, sad, sha256, signed,
                                     options, party)
                uow.commit()
        except OutOfSignatures as exc:
            self._signing.out_of_signatures(account_id, credential_id, exc)
            raise

    def _add_csc_record(self, uow: UnitOfWork, run: _Run, account_id: str,
                        credential: Credential, sad: str, sha256: str, signed: Signed,
                        options: SignOptions, party: tuple[str, str] | None) -> None:
        if self._receipts is None:
            return
        credential_id = credential.id
        digest = signed.sha256  # known from the byte range's pass over the original
        if digest is None:
            output = hashlib.sha256()
            for part in signed.chunks():
                output.update(part)
            digest = output.hexdigest()
        event = str(uuid.uuid4())
        approved: dict[str, str | None] = {
            "id": None, "kind": "csc_sad",
            "sad_sha256": hashlib.sha256(sad.encode()).hexdigest(),
            "approved_at": (run.at or self._clock.now()).isoformat()}
        record = self._make_record(run, account_id, credential_id, "pades",
                                   options.level.value, "signDoc.pdf", sha256, signed.size,
                                   digest, event, relying_party=party[1] if party else "CSC API",
                                   credential=credential)
        if record is None or self._receipts is None:
            return
        uow.signature_records.add(record)
        uow.audit.append(AuditEvent("document.signed", Outcome.SUCCESS, actor=account_id,
                                    subject=credential_id, details={
                                        "sha256": record.sha256, "level": record.level,
                                        "via": "csc.signDoc", "event": event,
                                        "record": record.id}), self._clock.now())
        self._receipts.queue.add(
            uow, ReceiptKind.SIGN_DOC, account_id,
            record_claims(record, self._receipts.base_url, approved),
            receipt_id=record.id, party_id=party[0] if party else None)

    def sign_xml(self, account_id: str, credential_id: str, sad: str, xml: bytes,
                 level: Level, *, receipt_id: str | None = None,
                 party: tuple[str, str] | None = None) -> bytes:
        """``xml`` with an enveloped XAdES signature at ``level`` if ``sad`` authorized its
        SHA-256 (CSC signDoc, ``signature_format: "X"``). The XML is read (safely, in the
        sandbox) before the SAD is looked at. Its receipt (``receipt_id``) is queued for the
        worker."""
        digest, now = hashlib.sha256(xml).digest(), self._clock.now()
        credential = self._credential(account_id, credential_id)
        try:
            self._sandbox.check_xml(xml)
        except UnsafeXml:  # a security event: the size and SHA-256, nothing of the content
            with self._uow() as uow:
                uow.audit.append(AuditEvent("document.unsafe_xml", Outcome.FAILURE,
                                            actor=account_id, details={
                                                "sha256": digest.hex(), "size": len(xml),
                                                "via": "csc.signDoc"}), now)
                uow.commit()
            raise

        def authorize(uow: UnitOfWork) -> Authorization:
            spent = self._signing.redeem(uow, account_id, credential_id, sad, digest)
            assert spent is not None  # consumed: a Redeemed
            return spent

        signed = self._xades.sign(xml, credential, self._raw_sign(credential, authorize),
                                  level, now)
        if self._receipts is not None:
            self._queue_xml_receipt(account_id, credential, sad, xml, signed, level, now,
                                    receipt_id, party)
        return signed

    def _queue_xml_receipt(self, account_id: str, credential: Credential, sad: str,
                           xml: bytes, signed: bytes, level: Level, at: datetime,
                           receipt_id: str | None, party: tuple[str, str] | None) -> None:
        """signDoc on XML keeps no public record (no stamp, no QR code): the audit event and
        the receipt's job only."""
        assert self._receipts is not None
        event, certificate = str(uuid.uuid4()), credential.certificate
        sha256, digest = hashlib.sha256(xml).hexdigest(), hashlib.sha256(signed).hexdigest()
        with self._uow() as uow:
            uow.audit.append(AuditEvent("document.signed", Outcome.SUCCESS, actor=account_id,
                                        subject=credential.id, details={
                                            "sha256": sha256, "level": level.value,
                                            "via": "csc.signDoc", "event": event,
                                            "receipt": receipt_id}), self._clock.now())
            self._receipts.queue.add(uow, ReceiptKind.SIGN_DOC, account_id, {
                "document": {"name": "signDoc.xml", "sha256": sha256, "signed_sha256": digest,
                             "format": "xades"},
                "level": level.value,
                "signer": {"name": certificate.subject, "issuer": certificate.issuer,
                           "serial": f"{certificate.serial:X}", "credential": credential.id},
                "signed_at": at.isoformat(),
                "relying_party": party[1] if party else "CSC API",
                "challenge": {"id": None, "kind": "csc_sad",
                              "sad_sha256": hashlib.sha256(sad.encode()).hexdigest()},
                "audit": {"event": event, "action": "document.signed"}},
                receipt_id=receipt_id, party_id=party[0] if party else None)
            uow.commit()

    # -- the customer's confirmed documents ----------------------------------------------
    def check_open(self, uow: UnitOfWork, challenge: Challenge) -> None:
        """In the confirming transaction: every document is still waiting for this one."""
        for document_id in batch_ids(challenge):
            self._open(uow, challenge, lock=False, document_id=document_id)

    def sign_batch(self, challenge: Challenge, proof: FactorProof) -> list[Document]:
        """A ``sign_documents`` transaction: each document in turn; when one fails, it and
        the ones not tried yet are marked failed and the error propagates."""
        ids, done = batch_ids(challenge), []
        for n, document_id in enumerate(ids):
            try:
                done.append(self.sign_confirmed(challenge, proof, document_id))
            except KysoError as exc:
                for rest in ids[n + 1:]:
                    with self._uow() as uow:
                        pending = uow.documents.get(rest)
                    if pending is not None:
                        self._fail(_Run(pending), exc.code)
                raise
        return done

    def sign_confirmed(self, challenge: Challenge, proof: FactorProof,
                       document_id: str | None = None) -> Document:
        """Sign the document ``challenge`` was about (in a batch: ``document_id``);
        ``proof`` is its confirmation."""
        if not proof.confirms(challenge):
            raise NotFound()
        with self._uow() as uow:
            run = _Run(self._open(uow, challenge, lock=False, document_id=document_id))
        try:
            output = self._produce(run, proof)  # (SHA-256, size) of the stored output
        except AlreadySigned:
            raise
        except KysoError as exc:
            self._fail(run, exc.code)
            raise
        except Exception as exc:  # a bug must not leave the document half-way
            log.exception("signing document %s failed", run.document.id)
            self._fail(run, SigningFailed.code)
            raise SigningFailed() from exc
        return self._finish(run, output, challenge)

    def _open(self, uow: UnitOfWork, challenge: Challenge, *, lock: bool,
              document_id: str | None = None) -> Document:
        wanted = document_id or challenge.details.get("document_id", "")
        document = uow.documents.get(wanted, for_update=lock)
        if (document is None or document.account_id != challenge.account_id
                or document.transaction_id != challenge.id):
            raise NotFound()
        if document.status is not DocumentStatus.PENDING:
            raise AlreadySigned()
        return document

    def _produce(self, run: _Run, proof: FactorProof) -> tuple[str, int]:
        """Sign the document and store the output; its SHA-256 and size."""
        document, now = run.document, self._clock.now()
        run.at = now
        credential = self._credential(document.account_id, document.credential_id)

        def take(uow: UnitOfWork) -> Authorization:
            current = uow.documents.get(document.id, for_update=True)
            if current is None or current.status is not DocumentStatus.PENDING:
                raise AlreadySigned()
            uow.documents.save(replace(current, status=DocumentStatus.SIGNING))
            run.taken = True
            return proof

        if document.format is DocumentFormat.CADES:
            data = self._blobs.get(document.sha256)
            signer = CredentialSigner(credential, self._raw_sign(credential, take))
            run.cms = self._cades.sign(data, signer, document.options.level, now)
            return self._blobs.put(run.cms), len(run.cms)
        if document.format is DocumentFormat.XADES:
            xades = self._xades.signed(self._blobs.get(document.sha256), credential,
                                       self._raw_sign(credential, take),
                                       document.options.level, now)
            run.timestamp_at = xades.timestamp_at  # the record's proof of existence
            return self._blobs.put(xades.xml), len(xades.xml)
        image = self._blobs.get(document.options.image) if document.options.image else None
        url = (self._receipts.url(run.record_id)
               if self._receipts is not None and document.options.visible else None)
        # the original goes to a temporary file in chunks: the sandbox reads it by its
        # path, the server hashes it in pieces, the output is written out in chunks
        with blob_file(self._blobs, document.sha256) as original:
            signed = self._sign_boxed(original, field_name(document.id), document.options,
                                      now, credential, take, image, url, run,
                                      sha256=document.sha256)
            return self._blobs.put_chunks(signed.chunks), signed.size

    def sign_in_field_recorded(self, pdf: bytes, name: str, options: SignOptions,
                               credential: Credential, authorize: Authorize, *,
                               certify: bool, fields: tuple[FieldPlan, ...],
                               image: bytes | None, file_name: str, sha256: str,
                               challenge: Challenge) -> tuple[bytes, SignatureRecord | None]:
        """Several signers (``signing/multisign.py``): sign ``pdf`` in field ``name`` —
        made with ``fields`` in the same update when they are given (the first signature),
        which is then a certification (``certify``, DocMDP P=2); ``authorize`` takes the
        signer's turn and returns the confirmation in the grant's unit of work. With the
        signer's signature ``image`` and — with a receipt service — the stamp's QR code and
        link to ``/v/<id>`` and the signature's record (``sha256``: the original
        document's), for the caller to keep in the unit of work that stores the output,
        where it also queues the receipt. The record's
        ``audit_event`` is the id the caller's ``document.signed`` event carries."""
        run = _Run(_CSC_DOCUMENT, at=self._clock.now())
        url = self._receipts.url(run.record_id) if self._receipts is not None else None
        assert run.at is not None
        signed = self._sign_boxed(pdf, name, options, run.at, credential, authorize, image,
                                  url, run, certify=certify, fields=fields).whole()
        assert credential.account_id is not None
        record = self._make_record(run, credential.account_id, credential.id, "pades",
                                   options.level.value, file_name, sha256, len(signed),
                                   hashlib.sha256(signed).hexdigest(), str(uuid.uuid4()),
                                   challenge_id=challenge.id)
        return signed, record

    def usable_credential(self, account_id: str, credential_id: str) -> Credential:
        return self._credential(account_id, credential_id)

    def _sign_boxed(self, pdf: Source, name: str, options: SignOptions, at: datetime,
                    credential: Credential, authorize: Authorize,
                    image: bytes | None = None, url: str | None = None,
                    run: _Run | None = None, *, sha256: str | None = None,
                    certify: bool = False, fields: tuple[FieldPlan, ...] = (),
                    raw: RawSign | None = None, hashed: Any = None) -> Signed:
        """PAdES without parsing ``pdf`` here: the sandbox prepares it, the server signs the
        digest of the prepared bytes it checked (the key never leaves the server) and
        splices the CMS in; B-LT/B-LTA additions come from the sandbox again. The original
        is read in chunks (and checked against ``sha256``), never copied whole. ``raw``:
        the raw signature's own way to the key (signDoc), instead of ``authorize``'s grant
        and :meth:`SigningService.sign_digests`."""
        signer = CredentialSigner(credential, raw or self._raw_sign(credential, authorize))
        request = PadesRequest(pdf, name, options, at, credential.certificate.subject,
                               tuple(credential.chain), reserve(signer, options.level), image,
                               certify=certify, fields=fields, verify_url=url)

        def cms(digest: bytes) -> bytes:
            der = self._pades.cms(signer, digest, options.level, at)
            if run is not None:
                run.cms = der
            return der

        finisher = Finisher(request, cms, sha256, hashed)
        tail = finisher.finish_tail(self._sandbox.sign(request, finisher.exchange))
        return Signed(pdf, tail, finisher.signed_sha256(tail))

    def _finish(self, run: _Run, output: tuple[str, int], challenge: Challenge) -> Document:
        document = run.document
        (digest, size), now, event = output, self._clock.now(), str(uuid.uuid4())
        record = self._record(run, size, digest, now, event, challenge)
        with self._uow() as uow:
            current = uow.documents.get(document.id, for_update=True)
            assert current is not None and current.status is DocumentStatus.SIGNING
            done = replace(current, status=DocumentStatus.SIGNED, signed_sha256=digest,
                           signed_size=size, signed_at=now)
            uow.documents.save(done)
            if record is not None:
                uow.signature_records.add(record)
            self._audit(uow, "document.signed", done, event=event,
                        record=record.id if record else None)
            if record is not None and self._receipts is not None:
                self._receipts.queue.add(
                    uow, ReceiptKind.DOCUMENT, document.account_id,
                    record_claims(record, self._receipts.base_url, self._approved(challenge, now)),
                    receipt_id=record.id)
            uow.commit()
        return done

    def receipt_later(self, uow: UnitOfWork, kind: ReceiptKind | str, account_id: str,
                      claims: dict[str, object], *,
                      receipt_id: str | None = None) -> str | None:
        """Queue a receipt in the caller's transaction, right after the audit event it binds
        (multisign: a signer's turn); the worker makes it. None without a receipt service."""
        if self._receipts is None:
            return None
        return self._receipts.queue.add(uow, ReceiptKind(kind), account_id, claims,
                                        receipt_id=receipt_id)

    @staticmethod
    def _approved(challenge: Challenge, now: datetime) -> dict[str, str | None]:
        """The approval a receipt binds: the transaction and its bound details' SHA-256."""
        return {
            "id": challenge.id, "kind": challenge.kind,
            "details_sha256": hashlib.sha256(json.dumps(
                dict(challenge.details), sort_keys=True, ensure_ascii=False).encode()
            ).hexdigest(),
            "approved_at": (challenge.decided_at or now).isoformat()}

    def _record(self, run: _Run, size: int, digest: str, now: datetime, event: str,
                challenge: Challenge) -> SignatureRecord | None:
        """The signature's public record (None without a receipt service)."""
        document = run.document
        return self._make_record(
            run, document.account_id, document.credential_id, document.format.value,
            document.options.level.value, document.file_name, document.sha256, size,
            digest, event, document_id=document.id, challenge_id=challenge.id)

    def _make_record(self, run: _Run, account_id: str, credential_id: str, fmt: str,
                     level: str, file_name: str, sha256: str, size: int, digest: str,
                     event: str, *, document_id: str | None = None,
                     challenge_id: str | None = None,
                     relying_party: str | None = None,
                     credential: Credential | None = None) -> SignatureRecord | None:
        """A signature's record; its receipt is queued with it and made by the worker.
        ``credential``: the caller's, when it has just read and checked it."""
        if self._receipts is None:
            return None
        if credential is None or credential.id != credential_id:
            credential = self._credential(account_id, credential_id)
        certificate = credential.certificate
        return SignatureRecord(
            id=run.record_id, account_id=account_id, credential_id=credential_id,
            issuer=certificate.issuer, serial=certificate.serial,
            signer_name=certificate.subject, issuer_name=_issuer_common_name(credential),
            format=fmt, level=level, file_name=file_name, sha256=sha256,
            signed_sha256=digest, signed_size=size, signed_at=run.at or self._clock.now(),
            audit_event=event, created_at=self._clock.now(), document_id=document_id,
            timestamp_at=timestamp_time(run.cms) if run.cms else run.timestamp_at,
            relying_party=relying_party, challenge_id=challenge_id)

    def _fail(self, run: _Run, code: str) -> None:
        """Mark the document failed if this attempt took it, or it never left pending."""
        with self._uow() as uow:
            current = uow.documents.get(run.document.id, for_update=True)
            mine = DocumentStatus.SIGNING if run.taken else DocumentStatus.PENDING
            if current is None or current.status is not mine:
                return
            failed = replace(current, status=DocumentStatus.FAILED, error=code[:40])
            uow.documents.save(failed)
            self._audit(uow, "document.failed", failed, Outcome.FAILURE)
            uow.commit()

    # -- the one way to the key ------------------------------------------------------------
    def _credential(self, account_id: str, credential_id: str) -> Credential:
        return usable(self._signing.credential(account_id, credential_id), self._clock.now())

    def _raw_sign(self, credential: Credential, authorize: Authorize) -> RawSign:
        assert credential.account_id is not None
        account_id = credential.account_id

        def raw_sign(digest: bytes, scheme: SignatureScheme) -> bytes:
            with self._uow() as uow:
                grant = self._signing.grant(uow, credential, [digest], scheme.hash_algorithm,
                                            authorize(uow))
                uow.commit()
            [signature] = self._signing.sign_digests(account_id, credential.id, grant.sad,
                                                     [digest], scheme)
            return signature

        return raw_sign

    def _audit(self, uow: UnitOfWork, action: str, document: Document,
               outcome: Outcome = Outcome.SUCCESS, *, event: str | None = None,
               record: str | None = None) -> None:
        details = {"document": document.id, "sha256": document.sha256,
                   "level": document.options.level.value, "error": document.error}
        if event is not None:
            details |= {"event": event, "record": record}
        uow.audit.append(AuditEvent(action, outcome, actor=document.account_id,
                                    subject=document.credential_id, details=details),
                         self._clock.now())


def _issuer_common_name(credential: Credential) -> str:
    from asn1crypto import x509

    certificate = x509.Certificate.load(credential.chain[0])
    return str(certificate.issuer.native.get("common_name", credential.certificate.issuer))
