"""Signing whole documents through the SAD-checked path.

Two ways in, one way to the key:

* :meth:`DocumentSigner.sign_confirmed` — the customer confirmed a ``sign_document``
  transaction (SmartOTP OCRA code over the file's name, SHA-256, size, level and credential);
  runs as the transaction kind's ``after`` hook, outside any unit of work.
* :meth:`DocumentSigner.sign_pdf` — CSC ``signatures/signDoc``: a PDF and a SAD that
  authorized the PDF's SHA-256 (:meth:`DocumentSigner.sign_xml`: an XML file, XAdES).

Either way the PDF is parsed only in the sandbox, which prepares it (field, stamp,
placeholder); the server hashes the prepared bytes itself, builds the CMS with pyHanko and
asks for one raw signature (:meth:`_sign_boxed`). That callback opens one
short unit of work which first *takes* the authorization (the document row moves
``pending → signing``, or the document's SAD is redeemed), then grants a SAD for exactly the
signed-attributes digest; :meth:`SigningService.sign_digests` then signs it. A second
attempt with the same confirmation or SAD finds it taken and is refused.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

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
from kyso.signing.model import Credential
from kyso.signing.pades import FieldPlan, Finisher, PadesEngine, PadesRequest, reserve
from kyso.signing.revinfo import KysoTrust
from kyso.signing.sandbox import PdfSandbox
from kyso.signing.service import Authorization, SigningService
from kyso.signing.storage import BlobStore
from kyso.signing.xades import XadesEngine
from kyso.signing.xml_input import parse_xml
from kyso.uow import UnitOfWork, UnitOfWorkFactory

__all__ = ["DocumentSigner", "batch_ids", "field_name"]

log = logging.getLogger(__name__)
Authorize = Callable[[UnitOfWork], Authorization]  # in the grant's transaction


def batch_ids(challenge: Challenge) -> list[str]:
    """The documents a transaction signs: one (``document_id``) or several
    (``document_ids``, one a line)."""
    many = challenge.details.get("document_ids")
    return many.split("\n") if many else [challenge.details.get("document_id", "")]


def field_name(document_id: str) -> str:
    return f"Signature-kyso-{document_id[:13]}"


@dataclass
class _Run:
    """One attempt at a confirmed document: did it take the document (pending → signing)?"""

    document: Document
    taken: bool = False


class DocumentSigner:
    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock, signing: SigningService,
                 blobs: BlobStore, trust: KysoTrust, sandbox: PdfSandbox) -> None:
        self._uow, self._clock, self._signing, self._blobs = uow_factory, clock, signing, blobs
        self._sandbox = sandbox
        self._pades, self._cades = PadesEngine(trust), CadesEngine(trust)
        self._xades = XadesEngine(trust)

    # -- CSC signatures/signDoc ----------------------------------------------------------
    def sign_pdf(self, account_id: str, credential_id: str, sad: str, pdf: bytes,
                 options: SignOptions) -> bytes:
        """Sign ``pdf`` at ``options.level`` if ``sad`` authorized its SHA-256; the signed
        PDF. Synchronous (pyHanko runs its own event loop): call it from a worker thread."""
        digest, now = hashlib.sha256(pdf).digest(), self._clock.now()
        credential = self._credential(account_id, credential_id)

        def authorize(uow: UnitOfWork) -> Authorization:
            spent = self._signing.redeem(uow, account_id, credential_id, sad, digest)
            assert spent is not None  # consumed: a Redeemed
            return spent

        # a hostile file stops in the sandbox, before the SAD is looked at
        return self._sign_boxed(pdf, field_name(str(uuid.uuid4())), options, now, credential,
                                authorize)

    def sign_xml(self, account_id: str, credential_id: str, sad: str, xml: bytes,
                 level: Level) -> bytes:
        """``xml`` with an enveloped XAdES signature at ``level`` if ``sad`` authorized its
        SHA-256 (CSC signDoc, ``signature_format: "X"``). The XML is read (safely) before
        the SAD is looked at."""
        digest, now = hashlib.sha256(xml).digest(), self._clock.now()
        credential = self._credential(account_id, credential_id)
        parse_xml(xml)

        def authorize(uow: UnitOfWork) -> Authorization:
            spent = self._signing.redeem(uow, account_id, credential_id, sad, digest)
            assert spent is not None  # consumed: a Redeemed
            return spent

        return self._xades.sign(xml, credential, self._raw_sign(credential, authorize),
                                level, now)

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
            output = self._produce(run, proof)
        except AlreadySigned:
            raise
        except KysoError as exc:
            self._fail(run, exc.code)
            raise
        except Exception as exc:  # a bug must not leave the document half-way
            log.exception("signing document %s failed", run.document.id)
            self._fail(run, SigningFailed.code)
            raise SigningFailed() from exc
        return self._finish(run.document, output)

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

    def _produce(self, run: _Run, proof: FactorProof) -> bytes:
        document, now = run.document, self._clock.now()
        data = self._blobs.get(document.sha256)
        credential = self._credential(document.account_id, document.credential_id)

        def take(uow: UnitOfWork) -> Authorization:
            current = uow.documents.get(document.id, for_update=True)
            if current is None or current.status is not DocumentStatus.PENDING:
                raise AlreadySigned()
            uow.documents.save(replace(current, status=DocumentStatus.SIGNING))
            run.taken = True
            return proof

        if document.format is DocumentFormat.CADES:
            signer = CredentialSigner(credential, self._raw_sign(credential, take))
            return self._cades.sign(data, signer, document.options.level, now)
        if document.format is DocumentFormat.XADES:
            return self._xades.sign(data, credential, self._raw_sign(credential, take),
                                    document.options.level, now)
        image = self._blobs.get(document.options.image) if document.options.image else None
        return self._sign_boxed(data, field_name(document.id), document.options, now,
                                credential, take, image)

    def sign_in_field(self, pdf: bytes, name: str, options: SignOptions,
                      credential: Credential, authorize: Authorize, *, certify: bool,
                      fields: tuple[FieldPlan, ...]) -> bytes:
        """Several signers (``signing/multisign.py``): sign ``pdf`` in field ``name`` —
        made with ``fields`` in the same update when they are given (the first signature),
        which is then a certification (``certify``, DocMDP P=2); ``authorize`` takes the
        signer's turn and returns the confirmation in the grant's unit of work."""
        return self._sign_boxed(pdf, name, options, self._clock.now(), credential, authorize,
                                certify=certify, fields=fields)

    def usable_credential(self, account_id: str, credential_id: str) -> Credential:
        return self._credential(account_id, credential_id)

    def _sign_boxed(self, pdf: bytes, name: str, options: SignOptions, at: datetime,
                    credential: Credential, authorize: Authorize,
                    image: bytes | None = None, *, certify: bool = False,
                    fields: tuple[FieldPlan, ...] = ()) -> bytes:
        """PAdES without parsing ``pdf`` here: the sandbox prepares it, the server signs the
        digest of the prepared bytes it checked (the key never leaves the server) and
        splices the CMS in; B-LT/B-LTA additions come from the sandbox again."""
        signer = CredentialSigner(credential, self._raw_sign(credential, authorize))
        request = PadesRequest(pdf, name, options, at, credential.certificate.subject,
                               tuple(credential.chain), reserve(signer, options.level), image,
                               certify, fields)
        finisher = Finisher(request, lambda digest: self._pades.cms(signer, digest,
                                                                    options.level, at))
        return finisher.finish(self._sandbox.sign(request, finisher.exchange))

    def _finish(self, document: Document, output: bytes) -> Document:
        digest = self._blobs.put(output)
        with self._uow() as uow:
            current = uow.documents.get(document.id, for_update=True)
            assert current is not None and current.status is DocumentStatus.SIGNING
            done = replace(current, status=DocumentStatus.SIGNED, signed_sha256=digest,
                           signed_size=len(output), signed_at=self._clock.now())
            uow.documents.save(done)
            self._audit(uow, "document.signed", done)
            uow.commit()
        return done

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
               outcome: Outcome = Outcome.SUCCESS) -> None:
        details = {"document": document.id, "sha256": document.sha256,
                   "level": document.options.level.value, "error": document.error}
        event = AuditEvent(action, outcome, actor=document.account_id,
                           subject=document.credential_id, details=details)
        uow.audit.append(event, self._clock.now())
