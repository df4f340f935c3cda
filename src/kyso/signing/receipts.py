"""Signing receipts and the public view of a signature record.

After every signature over a known document kyso keeps a :class:`SignatureRecord` and makes
a **receipt**: a small CMS SignedData (DER, ``.p7m``) whose encapsulated content is a JSON
object binding the document's name and SHA-256 (original and signed), the relying party,
the level, the transaction the customer approved with SmartOTP and the audit event that
says the signature was made. It is signed by kyso's organisation seal (a certificate of
kyso's issuing CA, the chain embedded) and carries a signature time stamp from kyso's TSA
as an unsigned attribute, so anyone holding kyso's root checks it offline::

    openssl cms -verify -inform DER -in receipt.p7m -CAfile root.pem -purpose any

The audit trail's sequence number may be assigned after commit (a sequencer), so the receipt
binds the audit *event id* (a UUID in the event's details, known when it is written).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from asn1crypto import cms, tsp

from kyso.clock import Clock
from kyso.errors import NotFound
from kyso.keys.model import SignatureScheme
from kyso.keys.ports import KeyStore
from kyso.pki.hierarchy import issued_record
from kyso.pki.model import Authority, CertificateStatus, IssuedCertificate
from kyso.signing.cms import CredentialSigner
from kyso.signing.model import Credential
from kyso.signing.pades import run
from kyso.signing.records import RECORD_ID, SignatureRecord, verify_url
from kyso.signing.revinfo import KysoTrust
from kyso.signing.storage import BlobStore
from kyso.uow import UnitOfWorkFactory

__all__ = ["PublicView", "ReceiptService", "receipt_content", "timestamp_time"]

RECEIPT_TYPE = "kyso-signing-receipt"


def timestamp_time(signed_data_der: bytes) -> datetime | None:
    """The genTime of the first signer's signature time stamp in a CMS, if any."""
    try:
        info = cms.ContentInfo.load(signed_data_der)
        signer = info["content"]["signer_infos"][0]
        for attribute in signer["unsigned_attrs"] or []:
            if attribute["type"].native == "signature_time_stamp_token":
                token = attribute["values"][0]
                tst = token["content"]["encap_content_info"]["content"].parsed
                assert isinstance(tst, tsp.TSTInfo)
                when: datetime = tst["gen_time"].native
                return when
    except (ValueError, TypeError, KeyError, IndexError, AttributeError):
        return None
    return None


def receipt_content(record: SignatureRecord, base_url: str,
                    challenge: dict[str, str | None]) -> bytes:
    """The receipt's claims, as canonical JSON (sorted keys, UTF-8)."""
    claims = {
        "type": RECEIPT_TYPE, "version": 1, "record": record.id,
        "verify_url": verify_url(base_url, record.id),
        "document": {"name": record.file_name, "sha256": record.sha256,
                     "signed_sha256": record.signed_sha256, "format": record.format},
        "level": record.level,
        "signer": {"name": record.signer_name, "issuer": record.issuer_name,
                   "serial": f"{record.serial:X}"},
        "signed_at": record.signed_at.isoformat(),
        "timestamp_at": record.timestamp_at.isoformat() if record.timestamp_at else None,
        "relying_party": record.relying_party,
        "challenge": challenge,
        "audit": {"event": record.audit_event, "action": "document.signed"},
    }
    return json.dumps(claims, ensure_ascii=False, sort_keys=True,
                      separators=(",", ":")).encode()


@dataclass(frozen=True)
class PublicView:
    """What ``/v/<id>`` shows: the record and the certificate's status now."""

    record: SignatureRecord
    status_now: CertificateStatus
    revoked_at: datetime | None
    revocation_reason: str | None

    @property
    def valid_at_signing(self) -> bool:
        """kyso signed only with a usable certificate; a revocation dated before the
        signing time (backdated key compromise) takes that back."""
        return self.revoked_at is None or self.revoked_at > self.record.signed_at

    @property
    def proven(self) -> bool:
        """A time stamp proves the signature existed at its time (proof of existence)."""
        return self.record.timestamp_at is not None

    @property
    def verdict(self) -> str:
        """valid | valid_revoked_later | no_proof | invalid"""
        if not self.valid_at_signing:
            return "invalid"
        if self.status_now is CertificateStatus.ACTIVE:
            return "valid"
        return "valid_revoked_later" if self.proven else "no_proof"


class ReceiptService:
    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock,
                 seal: Callable[[], Authority], keystore: KeyStore, trust: KysoTrust,
                 blobs: BlobStore, base_url: str) -> None:
        self._uow, self._clock, self._seal, self._keystore = uow_factory, clock, seal, keystore
        self._trust, self._blobs, self.base_url = trust, blobs, base_url

    def url(self, record_id: str) -> str:
        return verify_url(self.base_url, record_id)

    def make(self, record: SignatureRecord, challenge: dict[str, str | None]) -> SignatureRecord:
        """The receipt for ``record``, stored as a blob: the record names it."""
        der = self.sign(receipt_content(record, self.base_url, challenge))
        return replace(record, receipt_sha256=self._blobs.put(der))

    def sign(self, content: bytes) -> bytes:
        """A CMS SignedData over ``content`` (encapsulated), by kyso's seal, time-stamped."""
        authority = self._seal()
        credential = Credential(issued_record(authority), authority.key, self._chain(authority))

        def raw_sign(digest: bytes, scheme: SignatureScheme) -> bytes:
            return self._keystore.sign_digest(authority.key, digest, scheme)

        signer = CredentialSigner(credential, raw_sign)
        info = run(signer.async_sign_general_data(
            cms.ContentInfo({"content_type": "data", "content": content}), "sha256",
            detached=False, timestamper=self._trust.timestamper))
        der: bytes = info.dump()
        return der

    def _chain(self, authority: Authority) -> tuple[bytes, ...]:
        chain, issuer = [authority.certificate], authority.issuer
        with self._uow(read_only=True) as uow:
            while issuer is not None:
                parent = uow.pki.authority(issuer)
                if parent is None:
                    break
                chain.append(parent.certificate)
                issuer = parent.issuer
        return tuple(chain)

    # -- reading ---------------------------------------------------------------------------
    def view(self, record_id: str) -> PublicView:
        """The public view of a record (NotFound for an id that is not one)."""
        record_id = record_id.lower()
        if not RECORD_ID.fullmatch(record_id):
            raise NotFound()
        with self._uow(read_only=True) as uow:
            record = uow.signature_records.get(record_id)
            certificate = (uow.pki.certificate(record.issuer, record.serial)
                           if record is not None else None)
        if record is None:
            raise NotFound()
        return _view(record, certificate, self._clock.now())

    def receipt(self, account_id: str, record_id: str) -> tuple[SignatureRecord, bytes]:
        """The receipt's DER, to the signer only."""
        record_id = record_id.lower()
        if not RECORD_ID.fullmatch(record_id):
            raise NotFound()
        with self._uow(read_only=True) as uow:
            record = uow.signature_records.get(record_id)
        if record is None or record.account_id != account_id or record.receipt_sha256 is None:
            raise NotFound()
        try:
            return record, self._blobs.get(record.receipt_sha256)
        except KeyError:
            raise NotFound("the receipt is missing from the store") from None

    def for_account(self, account_id: str, limit: int = 500) -> Sequence[SignatureRecord]:
        with self._uow(read_only=True) as uow:
            return uow.signature_records.for_account(account_id, limit)

    def for_document(self, account_id: str, document_id: str) -> SignatureRecord | None:
        with self._uow(read_only=True) as uow:
            record = uow.signature_records.for_document(document_id)
        return record if record is not None and record.account_id == account_id else None


def _view(record: SignatureRecord, certificate: IssuedCertificate | None,
          now: datetime) -> PublicView:
    if certificate is None:  # the CA's records always keep it; be safe
        return PublicView(record, CertificateStatus.REVOKED, None, None)
    status = certificate.status_at(now)
    reason = certificate.reason.value if certificate.reason is not None else None
    return PublicView(record, status, certificate.revoked_at, reason)
