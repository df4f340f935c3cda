"""Signing receipts made off the signing request: the job a signature leaves behind.

The transaction that records a signature (a document signed, a signDoc, a signHash, an SP769
request signed, a multisign signer's turn) also adds one :class:`ReceiptJob` row: the
receipt's claims as canonical JSON, complete — the audit record's position (sequence number
and hash of the event the transaction appended last) included; in batched audit mode the
event has no position before the sequencer chains it, so the claims name its pending id
(``audit.pending``) and the worker puts the seq and hash in their place before sealing
(:func:`audit_pending_id`, :func:`with_audit_position`). Nothing is sealed or time-stamped
there. The worker (``ReceiptService.chore``, a chore of every outbox pass, the next pass
coming soon while more are due: ``kyso worker``, or ``kyso serve``'s duties) claims
due jobs with a lease, seals each claim and stores the receipt; a job is recorded made only
once (a conditional update), a failure pushes it back with exponential back-off and it is
tried again — never dropped. A crash between the signature and the receipt leaves the row
pending, so the next worker pass makes it.

This module is pure (no crypto, no pyHanko): the signing paths import it cheaply.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

from kyso.audit.model import PendingAudit
from kyso.clock import Clock
from kyso.signing.records import RECORD_ID, new_record_id, verify_url

if TYPE_CHECKING:  # kyso.uow names this module's repository
    from kyso.keys.model import SignatureScheme
    from kyso.signing.model import Credential
    from kyso.uow import UnitOfWork

__all__ = [
    "BATCHED_KINDS",
    "PENDING_TO_FILL",
    "RECEIPT_TYPE",
    "ClaimedJob",
    "ReceiptJob",
    "ReceiptJobRepository",
    "ReceiptKind",
    "ReceiptOrder",
    "ReceiptQueue",
    "audit_pending_id",
    "batch_claims",
    "canonical",
    "hash_receipt",
    "queue_receipt",
    "receipt_id_for",
    "receipt_job",
    "with_audit_position",
]

RECEIPT_TYPE = "kyso-signing-receipt"


class ReceiptKind(StrEnum):
    DOCUMENT = "document"  # signed in the app or the REST API (PAdES, CAdES, XAdES, batch)
    SIGN_DOC = "signDoc"  # CSC signatures/signDoc
    SIGN_HASH = "signHash"  # CSC signatures/signHash: hashes only
    SP769 = "sp769"  # an SP769 request the customer confirmed in the app
    MULTISIGN = "multisign"  # one signer's turn on a multisign envelope


# High-rate kinds: due jobs of one account, relying party and kind share one CMS (a batch
# receipt listing every job's claims); a document's receipt stays one per signature.
BATCHED_KINDS = frozenset({ReceiptKind.SIGN_HASH.value})


def receipt_id_for(kind: ReceiptKind, reference: str) -> str:
    """A receipt id derived from what it is about (an SP769 request's tran_code), so the
    party's status call can name it without a column of its own."""
    digest = hashlib.sha256(f"{kind.value}:{reference}".encode()).digest()
    return base64.b32encode(digest[:8]).decode()[:12].lower()


def canonical(claims: Mapping[str, Any]) -> str:
    """Sorted keys, no spaces, UTF-8 kept: the bytes the receipt seals."""
    return json.dumps(claims, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def batch_claims(jobs: Sequence[ReceiptJob]) -> str:
    """The canonical JSON one CMS seals for several jobs of one account, relying party and
    kind: ``ids`` (each job's id, in order) and ``receipts`` (each job's claims exactly as
    its own receipt would carry them: its id and audit position inside), so a reader finds
    its entry by id.

    The jobs' claims are canonical JSON already (:func:`receipt_job`,
    :func:`with_audit_position`), so they are written in as they are, between the fields
    before ``receipts`` and those after it in canonical order — the same text as the whole
    made canonical again, without parsing a batch of claims only to write them back (a
    fifth of the receipts worker's time, sampled under a signHash load)."""
    first = jobs[0]
    if any((j.account_id, j.party_id, j.kind) != (first.account_id, first.party_id, first.kind)
           for j in jobs):
        raise ValueError("a batch receipt is one account's, one relying party's, one kind's")
    before = canonical({"batch": True, "ids": [j.id for j in jobs], "kind": first.kind})
    after = canonical({"type": RECEIPT_TYPE, "version": 2})
    claims = ",".join(j.claims for j in jobs)
    return f'{before[:-1]},"receipts":[{claims}],{after[1:]}'


@dataclass(frozen=True)
class ReceiptJob:
    """A receipt to make (``receipt_sha256`` None) or made (its blob)."""

    id: str  # 12 base32 characters; a document's receipt shares its record's id
    account_id: str  # the signer: the customer who may read it
    kind: str
    claims: str  # canonical JSON, sealed as is
    created_at: datetime
    due_at: datetime  # the next attempt
    party_id: str | None = None  # the relying party that asked: it may read it too
    attempts: int = 0
    error: str | None = None
    receipt_sha256: str | None = None
    made_at: datetime | None = None

    def __post_init__(self) -> None:
        if not RECORD_ID.fullmatch(self.id):
            raise ValueError("a receipt's id is 12 base32 characters")

    @property
    def ready(self) -> bool:
        return self.receipt_sha256 is not None


@dataclass(frozen=True, slots=True)
class ClaimedJob:
    """A job a claim leased: what puts it in a batch. The job itself is read once the
    claim's transaction has committed (:meth:`ReceiptJobRepository.leased`): on SQLite the
    claim holds the one write lock, and turning a batch's rows (their claims, four dates
    each) into jobs took most of that time."""

    id: str
    account_id: str
    party_id: str | None
    kind: str


class ReceiptJobRepository(Protocol):
    def add(self, job: ReceiptJob) -> None: ...

    def get(self, receipt_id: str) -> ReceiptJob | None: ...

    def claim_due(self, now: datetime, lease_until: datetime,
                  limit: int) -> list[ClaimedJob]:
        """Lease up to ``limit`` due jobs (the longest due first)."""
        ...

    def claim_group(self, now: datetime, lease_until: datetime, limit: int, *,
                    account_id: str, party_id: str | None, kind: str) -> list[ClaimedJob]:
        """Lease more due jobs of one account, relying party and kind (a batch's)."""
        ...

    def leased(self, receipt_ids: Sequence[str]) -> list[ReceiptJob]:
        """The jobs of these ids (those that exist), by due time then id."""
        ...

    def made(self, receipt_id: str, sha256: str, at: datetime,
             claims: str | None = None) -> bool:
        """Record the receipt, if none is recorded yet (and on the signature record of the
        same id), with the claims it sealed if they changed (an audit position resolved);
        False if another worker recorded one first."""
        ...

    def made_all(self, receipt_ids: Sequence[str], sha256: str, at: datetime,
                 claims: Mapping[str, str] | None = None) -> int:
        """:meth:`made` for every job of a batch (one CMS), with the ``claims`` it sealed
        (by job id) in place of the queued ones where given (their audit position
        resolved): how many were recorded (the others had a receipt recorded by another
        worker first). A few statements for the batch, not a few per job."""
        ...

    def retry(self, receipt_id: str, attempts: int, due_at: datetime, error: str) -> None: ...

    def for_account(self, account_id: str, limit: int = ...) -> Sequence[ReceiptJob]: ...


@dataclass
class ReceiptOrder:
    """What a signing path that has no document asks for (signHash): the claims, by whom
    it may be read; ``queued`` says whether the signing transaction added the job (a
    repeated signHash that only redelivers adds none)."""

    kind: ReceiptKind
    claims: dict[str, Any]
    party_id: str | None = None
    id: str = ""
    queued: bool = False

    def __post_init__(self) -> None:
        self.id = self.id or new_record_id()


def hash_receipt(credential: Credential, digests: list[bytes], scheme: SignatureScheme, *,
                 party_name: str | None = None, party_id: str | None = None,
                 receipt_id: str = "") -> ReceiptOrder:
    """The receipt of a signHash (synchronous or asynchronous): the hashes, the algorithm,
    the credential, the relying party (which may then read it; "CSC API" for the customer's
    own session)."""
    certificate = credential.certificate
    return ReceiptOrder(ReceiptKind.SIGN_HASH, {
        "hashes": [d.hex() for d in digests], "hash_algorithm": scheme.hash_algorithm.value,
        "sign_algorithm": scheme.value,
        "signer": {"name": certificate.subject, "issuer": certificate.issuer,
                   "serial": f"{certificate.serial:X}", "credential": credential.id},
        "relying_party": party_name or "CSC API"}, party_id=party_id, id=receipt_id)


class ReceiptQueue:
    """Adds receipt jobs in the caller's transaction (no crypto: a row)."""

    def __init__(self, clock: Clock, base_url: str) -> None:
        self._clock, self.base_url = clock, base_url

    def url(self, record_id: str) -> str:
        return verify_url(self.base_url, record_id)

    def add(self, uow: UnitOfWork, kind: ReceiptKind, account_id: str,
            claims: Mapping[str, Any], *, receipt_id: str | None = None,
            party_id: str | None = None) -> str:
        """Queue the receipt of the signature whose audit event was appended last in this
        unit of work (its position is read from the chain's head): call it right after that
        append, inside the same transaction. Returns the receipt's id."""
        return queue_receipt(uow, self._clock.now(), kind, account_id, claims,
                             receipt_id=receipt_id, party_id=party_id)


def queue_receipt(uow: UnitOfWork, now: datetime, kind: ReceiptKind, account_id: str,
                  claims: Mapping[str, Any], *, receipt_id: str | None = None,
                  party_id: str | None = None) -> str:
    """:meth:`ReceiptQueue.add`, for a caller that has the time (the signing service)."""
    last = uow.audit.last_appended()
    if last is None:  # no event appended through this unit of work: the chain's head
        seq, chain_hash = uow.audit.head()
        position: dict[str, Any] = {"seq": seq, "hash": chain_hash}
    elif isinstance(last, PendingAudit):  # batched: the worker resolves it before sealing
        position = {"pending": last.id}
    else:
        position = {"seq": last.seq, "hash": last.hash}
    job = receipt_job(now, kind, account_id, claims, position, receipt_id=receipt_id,
                      party_id=party_id)
    uow.receipts.add(job)
    return job.id


# the pending id of a job written in the same statement as its audit event (batched mode,
# ``UnitOfWork.record_signature``): that statement puts the event's id in its place
PENDING_TO_FILL = 0


def receipt_job(now: datetime, kind: ReceiptKind, account_id: str, claims: Mapping[str, Any],
                position: Mapping[str, Any], *, receipt_id: str | None = None,
                party_id: str | None = None) -> ReceiptJob:
    """The job of a receipt whose audit event is at ``position`` (``seq`` and ``hash``, or
    the ``pending`` id in batched mode)."""
    rid = receipt_id or new_record_id()
    audit = dict(claims.get("audit") or {}) | dict(position)
    full = {"type": RECEIPT_TYPE, "version": 2, "id": rid, "kind": kind.value,
            **claims, "audit": audit, "queued_at": now.isoformat()}
    return ReceiptJob(id=rid, account_id=account_id, kind=kind.value, claims=canonical(full),
                      created_at=now, due_at=now, party_id=party_id)


def audit_pending_id(claims: str) -> int | None:
    """The pending audit event whose position the claims still wait for, if any."""
    if '"pending":' not in claims:
        return None
    audit = json.loads(claims).get("audit")
    pending = audit.get("pending") if isinstance(audit, dict) else None
    return pending if isinstance(pending, int) else None


def with_audit_position(claims: str, seq: int, chain_hash: str) -> str:
    """The claims with the chained record's position in place of its pending id: the same
    claims a receipt made in inline mode carries."""
    full = json.loads(claims)
    audit = {k: v for k, v in full["audit"].items() if k != "pending"}
    full["audit"] = audit | {"seq": seq, "hash": chain_hash}
    return canonical(full)
