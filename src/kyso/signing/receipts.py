"""Signing receipts and the public view of a signature record.

After every signature kyso makes a **receipt**: a small CMS SignedData (DER, ``.p7m``) whose
encapsulated content is a JSON object binding what was signed (a document's name and
SHA-256, original and signed; or the hashes of a signHash), the relying party, the level,
the approval the customer gave with SmartOTP (or the SAD, by its SHA-256) and the audit
record's position in the chain (sequence number, hash, event id). It is signed by kyso's
organisation seal (a certificate of kyso's issuing CA, the chain embedded) and carries a
signature time stamp from kyso's TSA as an unsigned attribute, so anyone holding kyso's
root checks it offline::

    openssl cms -verify -inform DER -in receipt.p7m -CAfile root.pem -purpose any

Receipts are made off the signing request (``receipt_jobs.py``): the signing transaction
adds the claims as a job, :meth:`ReceiptService.chore` (the outbox worker's) seals them.
Until then the receipt is *pending* (:class:`ReceiptPending`, "đang tạo biên nhận").
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from asn1crypto import cms, tsp

from kyso.audit.sequencer import chain_pending
from kyso.clock import Clock
from kyso.errors import Conflict, KysoError, NotFound, Text
from kyso.keys.model import SignatureScheme
from kyso.keys.ports import KeyStore
from kyso.pki.chains import authority_chain
from kyso.pki.hierarchy import issued_record
from kyso.pki.model import Authority, CertificateStatus, IssuedCertificate
from kyso.signing.cms import CredentialSigner
from kyso.signing.model import Credential
from kyso.signing.pades import run
from kyso.signing.receipt_jobs import (
    BATCHED_KINDS,
    ClaimedJob,
    ReceiptJob,
    ReceiptQueue,
    audit_pending_id,
    batch_claims,
    with_audit_position,
)
from kyso.signing.records import RECORD_ID, SignatureRecord, verify_url
from kyso.signing.revinfo import KysoTrust
from kyso.signing.storage import BlobStore
from kyso.uow import UnitOfWorkFactory

__all__ = ["PublicView", "ReceiptPending", "ReceiptService", "record_claims",
           "timestamp_time"]

log = logging.getLogger(__name__)
LEASE = timedelta(seconds=120)  # a claimed batch is the worker's this long
_Key = tuple[str, str | None, str]  # a batch: account, relying party, kind
MAX_BACKOFF = timedelta(hours=1)
BATCH_LIMIT = 250  # jobs one batch receipt (one CMS) lists at most


class ReceiptPending(Conflict):
    """The receipt is queued and not made yet (the worker makes it within seconds)."""

    code = "receipt_pending"
    vi = "Biên nhận ký số đang được tạo, vui lòng thử lại sau ít giây."
    en = "The signing receipt is being made; try again in a few seconds."


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


def record_claims(record: SignatureRecord, base_url: str,
                  challenge: dict[str, str | None]) -> dict[str, object]:
    """A document signature's claims (the queue adds the type, id and audit position)."""
    return {
        "record": record.id, "verify_url": verify_url(base_url, record.id),
        "document": {"name": record.file_name, "sha256": record.sha256,
                     "signed_sha256": record.signed_sha256, "format": record.format},
        "level": record.level,
        "signer": {"name": record.signer_name, "issuer": record.issuer_name,
                   "serial": f"{record.serial:X}", "credential": record.credential_id},
        "signed_at": record.signed_at.isoformat(),
        "timestamp_at": record.timestamp_at.isoformat() if record.timestamp_at else None,
        "relying_party": record.relying_party,
        "challenge": challenge,
        "audit": {"event": record.audit_event, "action": "document.signed"},
    }


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
        self.queue = ReceiptQueue(clock, base_url)

    def url(self, record_id: str) -> str:
        return verify_url(self.base_url, record_id)

    # -- making (the worker) ---------------------------------------------------------------
    def make_due(self, limit: int = 20, batch_limit: int = BATCH_LIMIT) -> int:
        """:meth:`pass_due`'s count of jobs that got their receipt."""
        return self.pass_due(limit, batch_limit)[0]

    def chore(self) -> bool:
        """:meth:`pass_due` as the outbox worker's chore: True when receipts may be left due
        (the pass made some and filled a batch, or claimed its limit over several groups),
        so that the worker's next pass comes after a breather rather than a poll later: an
        account signing more than a batch a poll gets its receipts as fast as the worker's
        share of the machine makes them, where it grew a backlog without end."""
        return self.pass_due()[1]

    def pass_due(self, limit: int = 20, batch_limit: int = BATCH_LIMIT) -> tuple[int, bool]:
        """Make the receipts due (a chore of every outbox pass): claim up to ``limit`` jobs
        with a lease, then, for each account, relying party and kind of
        :data:`BATCHED_KINDS` (signHash) among them, lease that group's other due jobs up to
        ``batch_limit`` and seal the group as ONE CMS listing every job's claims (a group of
        one keeps a receipt of its own, as a document's always does; ``batch_limit`` 1 makes
        one receipt per job, as before batching). Sealing happens
        outside any transaction; each job is recorded once. A failure is retried later with
        back-off; a worker that dies leaves its jobs to the next once the lease ends.
        Returns how many jobs got their receipt, and whether more may be due: receipts were
        made, and a group filled its batch or ``limit`` jobs of several groups were claimed;
        or batches were left for the lease's sake."""
        now = self._clock.now()
        lease_until = now + LEASE
        with self._uow() as uow:  # the lease: on SQLite, every writer waits meanwhile
            claimed = uow.receipts.claim_due(now, lease_until, limit)
            leases: dict[_Key, list[ClaimedJob]] = {}
            for job in claimed:
                batched = job.kind in BATCHED_KINDS and batch_limit > 1
                key = (job.account_id, job.party_id, job.kind) if batched else (job.id, None, "")
                leases.setdefault(key, []).append(job)
            # more may be due: a group got all it asked for (a full batch), or the claim
            # took ``limit`` jobs of several groups (other accounts' may wait behind them);
            # not when one account's group took all it could find: its next batch fills
            # while the worker waits, as one CMS, where passes at once made many small ones
            more = len(claimed) >= limit and len(leases) > 1
            for (account_id, party_id, kind), held in leases.items():
                if kind in BATCHED_KINDS and batch_limit > len(held):
                    wanted = batch_limit - len(held)
                    held.extend(added := uow.receipts.claim_group(
                        now, lease_until, wanted, account_id=account_id,
                        party_id=party_id, kind=kind))
                    more = more or len(added) >= wanted
                elif kind in BATCHED_KINDS and len(claimed) >= limit:
                    more = True  # the first claim, cut at its limit, filled a batch
            uow.commit()
        if not leases:
            return 0, False
        groups, resolved = self._resolve_audit(self._leased(leases))
        batches = [jobs[i:i + max(batch_limit, 1)] for jobs in groups.values()
                   for i in range(0, len(jobs), max(batch_limit, 1))]
        made = 0
        for jobs in batches:
            if self._clock.now() >= lease_until - LEASE / 2:
                return made, True  # the rest waits for the next claim once the lease ends
            made += self._make(jobs, resolved)
        return made, more and made > 0  # none made (a TSA or HSM away): no hurry

    def _leased(self, leases: dict[_Key, list[ClaimedJob]]) -> dict[_Key, list[ReceiptJob]]:
        """The claimed jobs, read after the claim (no lock held), in their groups, each by
        due time then id."""
        key_of = {job.id: key for key, jobs in leases.items() for job in jobs}
        with self._uow(read_only=True) as uow:
            jobs = uow.receipts.leased(list(key_of))
        leased: dict[_Key, list[ReceiptJob]] = {key: [] for key in leases}
        for job in jobs:
            leased[key_of[job.id]].append(job)
        return {key: jobs for key, jobs in leased.items() if jobs}

    def _resolve_audit(self, groups: dict[_Key, list[ReceiptJob]],
                       ) -> tuple[dict[_Key, list[ReceiptJob]], set[str]]:
        """Jobs queued in batched audit mode name their event's pending id: chain the
        pending events (their signing transactions committed, the jobs being visible) and
        put each record's seq and hash in the claims. A job whose event cannot be found
        (never expected) is left out: retried once its lease ends."""
        waiting = {job.id: pid for jobs in groups.values() for job in jobs
                   if (pid := audit_pending_id(job.claims)) is not None}
        if not waiting:
            return groups, set()
        chain_pending(self._uow)
        with self._uow(read_only=True) as uow:  # one read for the batch
            found = uow.audit.positions(set(waiting.values()))
        resolved: dict[_Key, list[ReceiptJob]] = {}
        done: set[str] = set()
        for key, jobs in groups.items():
            kept = []
            for job in jobs:
                pid = waiting.get(job.id)
                if pid is not None:
                    position = found.get(pid)
                    if position is None:
                        log.error("receipt %s: audit event %d not chained", job.id, pid)
                        continue
                    job = replace(job, claims=with_audit_position(job.claims, *position))
                    done.add(job.id)
                kept.append(job)
            if kept:
                resolved[key] = kept
        return resolved, done

    def _make(self, jobs: Sequence[ReceiptJob], resolved: set[str]) -> int:
        try:
            content = jobs[0].claims if len(jobs) == 1 else batch_claims(jobs)
            der = self.sign(content.encode())
            digest = self._blobs.put(der)
        except Exception as exc:  # a TSA, key store or blob store away: later, again
            error = exc.code if isinstance(exc, KysoError) else type(exc).__name__
            log.warning("receipt %s (%d jobs) not made (attempt %d): %s", jobs[0].id,
                        len(jobs), jobs[0].attempts + 1, error)
            with self._uow() as uow:
                for job in jobs:
                    delay = min(timedelta(seconds=5 * 2 ** min(job.attempts, 16)),
                                MAX_BACKOFF)
                    uow.receipts.retry(job.id, job.attempts + 1, self._clock.now() + delay,
                                       error)
                uow.commit()
            return 0
        at = self._clock.now()
        with self._uow() as uow:  # one transaction: the whole batch is recorded, or none
            if len(jobs) == 1:
                job = jobs[0]
                recorded = int(uow.receipts.made(job.id, digest, at,
                                                 job.claims if job.id in resolved else None))
            else:  # the claims that gained their audit position are stored as sealed
                recorded = uow.receipts.made_all(
                    [job.id for job in jobs], digest, at,
                    {job.id: job.claims for job in jobs if job.id in resolved})
            uow.commit()
        return recorded

    def sign(self, content: bytes) -> bytes:
        """A CMS SignedData over ``content`` (encapsulated), by kyso's seal, time-stamped."""
        authority = self._seal()
        credential = Credential(issued_record(authority), authority.key,
                                authority_chain(self._uow, authority))

        def raw_sign(digest: bytes, scheme: SignatureScheme) -> bytes:
            return self._keystore.sign_digest(authority.key, digest, scheme)

        signer = CredentialSigner(credential, raw_sign)
        info = run(signer.async_sign_general_data(
            cms.ContentInfo({"content_type": "data", "content": content}), "sha256",
            detached=False, timestamper=self._trust.timestamper))
        der: bytes = info.dump()
        return der

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

    def receipt(self, account_id: str, receipt_id: str) -> tuple[str, bytes]:
        """The receipt's id and DER, to the signer only (NotFound for anyone else;
        ReceiptPending while the worker has not made it)."""
        return self._read(receipt_id, lambda job: job.account_id == account_id,
                          account_id=account_id)

    def for_party(self, party_id: str, receipt_id: str) -> tuple[str, bytes]:
        """The receipt, to the relying party that asked for the signature only (NotFound for
        any other party, whatever the receipt)."""
        return self._read(receipt_id, lambda job: job.party_id == party_id)

    def job(self, account_id: str, receipt_id: str) -> ReceiptJob:
        """The receipt's state, to the signer (NotFound otherwise)."""
        receipt_id = receipt_id.lower()
        if not RECORD_ID.fullmatch(receipt_id):
            raise NotFound()
        with self._uow(read_only=True) as uow:
            job = uow.receipts.get(receipt_id)
        if job is None or job.account_id != account_id:
            raise NotFound()
        return job

    def _read(self, receipt_id: str, allowed: Callable[[ReceiptJob], bool], *,
              account_id: str | None = None) -> tuple[str, bytes]:
        receipt_id = receipt_id.lower()
        if not RECORD_ID.fullmatch(receipt_id):
            raise NotFound()
        with self._uow(read_only=True) as uow:
            job = uow.receipts.get(receipt_id)
            record = uow.signature_records.get(receipt_id) if job is None else None
        if job is not None:
            if not allowed(job):
                raise NotFound()
            if job.receipt_sha256 is None:
                raise ReceiptPending(retry_after=2)
            digest = job.receipt_sha256
        elif (record is not None and account_id is not None  # made before the worker did
              and record.account_id == account_id and record.receipt_sha256 is not None):
            digest = record.receipt_sha256
        else:
            raise NotFound()
        try:
            return receipt_id, self._blobs.get(digest)
        except KeyError:
            raise NotFound(Text("biên nhận không còn trong kho lưu trữ",
                                "the receipt is missing from the store")) from None

    def jobs(self, account_id: str, limit: int = 500) -> Sequence[ReceiptJob]:
        """The signer's receipts (every kind), newest first."""
        with self._uow(read_only=True) as uow:
            return uow.receipts.for_account(account_id, limit)

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
