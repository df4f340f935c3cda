"""The signing path: authorize (SAD), then sign exactly what was authorized.

Sole control: a customer's key signs only through :meth:`SigningService.sign_digests`, and
only with fresh signature activation data — a short-lived grant bound to one credential, the
exact hashes (SCAL2) and their count, issued after the customer proved possession of the
SmartOTP token (or, on the SMS method, the registered phone). The key signs after the SAD
is checked; the signatures are returned only once one transaction has spent the SAD's
hashes, debited the quota, kept them and audited them.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from binascii import b2a_base64
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from kyso.audit.model import AuditEvent, Outcome
from kyso.clock import Clock
from kyso.errors import KysoError, Text
from kyso.keys.model import HashAlgorithm, SignatureScheme
from kyso.keys.ports import KeyStore
from kyso.otp.factors import FactorProof, FactorRegistry
from kyso.otp.model import Purpose
from kyso.signing.credentials import (
    ChainCache,
    credential_of,
    find_credential,
    list_credentials,
    parse_credential_id,
    usable,
)
from kyso.signing.errors import InvalidHashes, InvalidSad, OutOfSignatures, SadExpired
from kyso.signing.model import Credential, SignatureActivation
from kyso.signing.ports import Quota, SignatureWrite
from kyso.signing.receipt_jobs import (
    PENDING_TO_FILL,
    ReceiptOrder,
    queue_receipt,
    receipt_job,
)
from kyso.uow import UnitOfWork, UnitOfWorkFactory, failures_kept

__all__ = ["Authorization", "Grant", "PendingSignatures", "Redeemed", "SigningPolicy",
           "SigningService", "sad_token_hash"]

_SEAL = object()
HASH_DIFFERS = Text("thuật toán băm khác với thuật toán đã được xác nhận",
                    "hash algorithm differs from the authorized one")
NOT_THIS_DOCUMENT = Text("SAD không xác nhận mã SHA-256 của tài liệu này",
                         "the SAD does not authorize this document's SHA-256")


@dataclass(frozen=True)
class SigningPolicy:
    sad_ttl_seconds: int = 300
    max_hashes: int = 100

    def __post_init__(self) -> None:
        if not 0 < self.sad_ttl_seconds <= 300:
            raise ValueError("signature activation data lives at most 5 minutes")


@dataclass(frozen=True)
class Grant:
    sad: str
    expires_at: datetime


def base64_texts(values: list[bytes]) -> list[str]:
    """Each value in Base64 (``base64.b64encode(v).decode()`` without its wrapper: fifty
    hashes and fifty signatures a signHash)."""
    return [b2a_base64(v, newline=False).decode() for v in values]


@dataclass(frozen=True)
class Redeemed:
    """A SAD spent on a document's digest (CSC ``signDoc``): the factor was proven when that
    SAD was granted. Made only by :meth:`SigningService.redeem`."""

    activation: SignatureActivation
    _seal: object = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self._seal is not _SEAL:
            raise TypeError("a Redeemed comes only from SigningService.redeem")


# What :meth:`SigningService.grant` requires: a factor just proven, or a SAD just spent.
Authorization = FactorProof | Redeemed


def sad_token_hash(sad: str) -> str:
    """The hash a SAD is kept and looked up by."""
    return hashlib.sha256(sad.encode()).hexdigest()


_token_hash = sad_token_hash


def _sad_event(action: str, activation: SignatureActivation,
               outcome: Outcome = Outcome.SUCCESS, **details: int) -> AuditEvent:
    """An audit event about a SAD: its customer, its credential, its id and ``details``."""
    return AuditEvent(action, outcome, actor=activation.account_id,
                      subject=activation.credential_id,
                      details={"sad": activation.id, **details})


@dataclass(slots=True)
class PendingSignatures:
    """Signatures made and not yet recorded (:meth:`SigningService.signed_hashes`): what
    the recording transaction needs. None of them may leave kyso before it commits. Asked
    with ``sign_later``, the signatures are not made yet: ``digests`` holds what to sign,
    and :meth:`SigningService.record_signed` makes them before its transaction."""

    account_id: str
    credential: str
    sad: str
    found: Credential
    read: SignatureActivation  # the SAD as read before signing (no lock)
    hashes: tuple[str, ...]  # Base64, as the SAD keeps them
    scheme: SignatureScheme
    signatures: list[bytes]  # empty while ``digests`` waits to be signed
    relying_party: str | None
    receipt: ReceiptOrder | None
    digests: list[bytes] | None = None  # to sign (``sign_later``); None once signed
    failure: Exception | None = None  # the key's, once its failure is audited
    encoded: list[str] | None = None  # ``signatures`` in Base64, once encoded

    def kept(self) -> dict[str, str]:
        """Base64 digest → Base64 signature, as the SAD keeps them."""
        return dict(zip(self.hashes, self._encoded(), strict=True))

    def answer(self, signatures: list[bytes]) -> list[str]:
        """``signatures``, what recording answered, in Base64: the encoding the SAD kept if
        they are the ones this call made (fifty signatures of 256 bytes a signHash: encoded
        once, not once to keep and again to answer), else encoded now (the signatures a
        concurrent call made and kept, redelivered)."""
        return self._encoded() if signatures is self.signatures else base64_texts(signatures)

    def _encoded(self) -> list[str]:
        if self.encoded is None:
            self.encoded = base64_texts(self.signatures)
        return self.encoded


class SigningService:
    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock, keystore: KeyStore,
                 factors: FactorRegistry, quota: Quota, policy: SigningPolicy) -> None:
        self._uow, self._clock, self._keystore = uow_factory, clock, keystore
        self._factors, self._quota, self.policy = factors, quota, policy
        self.chains = ChainCache(clock)  # CA certificates above the customers' (read rarely)
        self._at_once = True  # until the store says it cannot write a signature at once

    def credentials(self, account_id: str) -> list[Credential]:
        with self._uow() as uow:
            return list_credentials(uow, account_id, self.chains)

    def credential(self, account_id: str, wanted: str) -> Credential:
        with self._uow() as uow:
            return find_credential(uow, account_id, wanted, self.chains)

    # -- authorization ----------------------------------------------------------------
    def authorize(self, account_id: str, credential: str, digests: list[bytes],
                  hash_algo: HashAlgorithm, otp: str) -> Grant:
        """Check the signer's OTP (SmartOTP, or SMS on that method) and grant a SAD."""
        with self._uow() as uow:
            found = usable(find_credential(uow, account_id, credential, self.chains),
                           self._clock.now())
            self._check_digests(digests, hash_algo)
            with failures_kept(uow):
                proof = self._factors.check_code(uow, account_id, Purpose.SIGN, otp)
            grant = self.grant(uow, found, digests, hash_algo, proof)
            uow.commit()
            return grant

    def grant(self, uow: UnitOfWork, credential: Credential, digests: list[bytes],
              hash_algo: HashAlgorithm, proof: Authorization) -> Grant:
        """A SAD for a signer who has just proven a factor (``proof``: a code checked by the
        factor registry, e.g. a transaction code over these details) or spent a SAD on the
        same document. Nothing else can make a proof, so nothing else reaches the key."""
        assert credential.account_id is not None
        if not isinstance(proof, FactorProof | Redeemed):
            raise TypeError("grant needs a FactorProof or a Redeemed SAD")
        owner = proof.account_id if isinstance(proof, FactorProof) else proof.activation.account_id
        if owner != credential.account_id:
            raise InvalidSad(Text("bằng chứng xác thực thuộc tài khoản khác",
                                  "the proof is another account's"))
        now = self._clock.now()
        sad = secrets.token_urlsafe(32)
        activation = SignatureActivation(
            id=str(uuid.uuid4()), token_hash=_token_hash(sad), account_id=credential.account_id,
            credential_id=credential.id, hash_algo=hash_algo.value,
            hashes=tuple(base64_texts(digests)), created_at=now,
            expires_at=now + timedelta(seconds=self.policy.sad_ttl_seconds))
        uow.signing.add(activation)
        self._audit(uow, "signing.authorized", activation, count=len(digests))
        return Grant(sad, activation.expires_at)

    def extend(self, account_id: str, credential: str, sad: str, digests: list[bytes],
               hash_algo: HashAlgorithm) -> Grant:
        """CSC extendTransaction (SCAL2): a fresh SAD for exactly ``digests``, which this SAD
        authorized and has not signed yet; the old SAD dies (with any hash not carried over).
        Nothing new is authorized here: only :meth:`authorize`, with the OTP, does that."""
        now = self._clock.now()
        self._check_digests(digests, hash_algo)
        with self._uow() as uow:
            old = self._open_sad(uow, account_id, credential, sad)
            if old.hash_algo != hash_algo.value or not old.covers(digests):
                raise InvalidSad(Text("các giá trị băm không thuộc SAD này hoặc đã được ký",
                                      "the hashes are not ones this SAD authorized and has not "
                                      "signed"))
            uow.signing.save(replace(old, revoked_at=now))
            new_sad = secrets.token_urlsafe(32)
            new = replace(old, id=str(uuid.uuid4()), token_hash=_token_hash(new_sad),
                          hashes=tuple(base64_texts(digests)),
                          signed=(), created_at=now, revoked_at=None,
                          expires_at=now + timedelta(seconds=self.policy.sad_ttl_seconds))
            uow.signing.add(new)
            self._audit(uow, "signing.extended", old, count=len(digests))
            uow.commit()
            return Grant(new_sad, new.expires_at)

    # -- signing ------------------------------------------------------------------------
    def sign_digests(self, account_id: str, credential: str, sad: str, digests: list[bytes],
                     scheme: SignatureScheme, *, relying_party: str | None = None,
                     receipt: ReceiptOrder | None = None) -> list[bytes]:
        """Sign ``digests`` with the credential's key, if ``sad`` authorized exactly them.
        The same call repeated while the SAD lives (a response lost after the signatures
        were counted) returns the signatures it made, uncharged (``signing.redelivered``).

        One write transaction a call: the SAD and the credential are read without a lock
        (one read), the key signs outside any transaction, then one short transaction spends
        the SAD's hashes if it is still as read (a conditional update; else it is read again
        under a lock), keeps the signatures, debits the quota and appends the audit record
        — the rows others wait for last: inline, the audit after the debit (the chain's head
        held only until the commit); batched, the audit (which locks nothing shared) before
        it (the credential's quota row held only until the commit). Where the store can
        (PostgreSQL, batched), that transaction is first tried as one statement that writes
        all of it or nothing (:meth:`_written_at_once`); the steps above run only when it
        wrote nothing. Signatures that no transaction records (the SAD spent meanwhile, no
        quota left, a crash) are never returned: a signature leaves kyso only with its
        charge and its record.

        ``receipt``: the signing receipt to queue in that transaction, right after the audit
        record (its claims get the SAD's SHA-256 and the audit position); a repeated call
        that only redelivers queues none (``receipt.queued`` stays false)."""
        pending = self._signed(account_id, credential, sad, digests, scheme, relying_party,
                               receipt)
        return self.record(pending) if isinstance(pending, PendingSignatures) else pending

    def signed_hashes(self, account_id: str, credential: str, sad: str,
                      digests: list[bytes],
                      scheme_of: Callable[[Credential], SignatureScheme], *,
                      relying_party: str | None = None,
                      receipt_of: Callable[[Credential, SignatureScheme], ReceiptOrder]
                      | None = None, sign_later: bool = False,
                      ) -> list[bytes] | PendingSignatures:
        """CSC ``signHash``: :meth:`sign_digests` where the scheme depends on the key
        (``scheme_of`` makes it from the credential, or refuses the request), the credential
        read first (an unknown one is NotFound) in the same read as the SAD; ``receipt_of``
        makes the receipt to queue from the credential and the scheme. It stops before the
        transaction that records the signatures, left to :meth:`record` (its own) or to
        :meth:`record_signed` (one for a batch: a group commit); a repeated call that only
        redelivers is answered here, with the signatures kept. ``sign_later``: it stops
        before the key signs too, the SAD and the credential checked; :meth:`record_signed`
        signs the group's digests one request after the other, then records them."""
        return self._signed(account_id, credential, sad, digests, scheme_of, relying_party,
                            receipt_of, later=sign_later)

    def record(self, pending: PendingSignatures) -> list[bytes]:
        """The signatures of :meth:`signed_hashes` recorded in a transaction of their own,
        as :meth:`sign_digests` records its; raises the refusal (``pending.receipt.queued``
        false for a call that only redelivers)."""
        failed = self._make(pending)
        if failed is not None:
            raise failed
        try:
            return self._record(pending)
        except OutOfSignatures as exc:  # rolled back with the transaction: audit on its own
            self._out_of_signatures(pending.account_id, pending.credential,
                                    len(pending.hashes), exc)
            raise

    def _signed(self, account_id: str, credential: str, sad: str, digests: list[bytes],
                scheme: SignatureScheme | Callable[[Credential], SignatureScheme],
                relying_party: str | None,
                receipt: ReceiptOrder | Callable[[Credential, SignatureScheme], ReceiptOrder]
                | None, *, later: bool = False) -> list[bytes] | PendingSignatures:
        """The signatures made (``later``: to make) and to record; or, for a call that only
        redelivers, the signatures kept."""
        hashes = tuple(base64_texts(digests))  # as the SAD keeps them: encoded once a call
        checked = self._check(account_id, credential, sad, hashes, scheme)
        if isinstance(checked, SignatureScheme):  # hashes this SAD signed: the kept ones
            return self._redeliver(account_id, credential, sad, hashes, checked)
        found, activation, scheme = checked
        order = receipt(found, scheme) if callable(receipt) else receipt
        pending = PendingSignatures(account_id, credential, sad, found, activation, hashes,
                                    scheme, [], relying_party, order, digests)
        if not later:
            failed = self._make(pending)
            if failed is not None:
                raise failed
        return pending

    def _make(self, pending: PendingSignatures) -> Exception | None:
        """Sign ``pending.digests``, if not signed yet: None once signed; the key's failure
        if it failed, audited once (whatever auditing it raises propagates, the failure not
        kept: asked again, it signs again)."""
        digests = pending.digests
        if digests is None:
            return pending.failure
        try:  # one call for the batch: the key, padding and hash objects set up once
            pending.signatures = self._keystore.sign_digests(pending.found.key, digests,
                                                             pending.scheme)
            pending.encoded = None
        except BaseException as exc:
            self._fail(pending.account_id, pending.credential, pending.sad, digests)
            if not isinstance(exc, Exception):  # an interrupt: not this signing's answer
                raise
            pending.digests, pending.failure = None, exc
            return exc
        pending.digests = None
        return None

    def record_signed(self, batch: list[PendingSignatures]) -> list[list[bytes] | Exception]:
        """Record signatures made by :meth:`signed_hashes`, all in one write transaction,
        each as :meth:`record` records its own (the SAD spent once, the quota debited,
        the audit record, the receipt). Those asked with ``sign_later`` are signed first,
        one after the other, before the transaction: a key that fails fails its own
        signing only (audited, as :meth:`record` fails). A refusal (a SAD spent or revoked
        meanwhile, no quota left) is undone alone and the others still commit: the batch is
        written straight through first, and only if one of them is refused is it written
        again one by one, each under a savepoint (two statements more a signing, which cost
        about what the group commit saves). The same SAD twice in a batch: the second sees
        the first's spend, as a concurrent call does. Returns, in order, each one's
        signatures to answer with, or the refusal or failure to raise; raises, with nothing
        recorded, if the transaction fails (then none of the signatures may leave). Called
        again after that, it signs only what is not signed yet.

        One commit, one write lock and one transaction's log pages for the batch: on SQLite,
        whose commit and lock cost more than a signature's records, that is the saving (the
        signatures are made outside the transaction, so the write lock is never held while
        a key signs)."""
        failures = [self._make(pending) for pending in batch]  # None: signed
        signed = [p for p, failed in zip(batch, failures, strict=True) if failed is None]
        outcomes: list[tuple[list[bytes] | None, bool] | KysoError] = []
        if signed:
            with self._uow() as uow:
                try:
                    outcomes = [self._record_in(uow, pending) for pending in signed]
                except KysoError:
                    uow.rollback()
                    outcomes = self._recorded_one_by_one(uow, signed)
                uow.commit()
        # nothing is written after the commit: a caller may run all of this again from the
        # start if it gave up waiting for the write lock (api/hot.py)
        recorded = iter(outcomes)
        answers: list[list[bytes] | Exception] = []
        for pending, failed in zip(batch, failures, strict=True):
            if failed is not None:
                answers.append(failed)
                continue
            outcome = next(recorded)
            try:
                answers.append(outcome if isinstance(outcome, KysoError)
                               else self._settled(pending, outcome))
            except KysoError as exc:  # refused once committed (its refusal audited)
                answers.append(exc)
        return answers

    def _recorded_one_by_one(self, uow: UnitOfWork, batch: list[PendingSignatures],
                             ) -> list[tuple[list[bytes] | None, bool] | KysoError]:
        """:meth:`record_signed`'s writes again, each under a savepoint: a refusal undone
        alone (and audited, if for want of quota), the others kept."""
        outcomes: list[tuple[list[bytes] | None, bool] | KysoError] = []
        for pending in batch:
            try:
                with uow.savepoint():
                    outcomes.append(self._record_in(uow, pending))
            except OutOfSignatures as exc:
                uow.audit.append(self._out_of_signatures_event(
                    pending.account_id, pending.credential, len(pending.hashes), exc),
                    self._clock.now())
                outcomes.append(exc)
            except KysoError as exc:
                outcomes.append(exc)
        return outcomes

    def _check(self, account_id: str, credential: str, sad: str, hashes: tuple[str, ...],
               scheme: SignatureScheme | Callable[[Credential], SignatureScheme],
               ) -> tuple[Credential, SignatureActivation, SignatureScheme] | SignatureScheme:
        """The credential to sign with, the SAD as read (not locked) and the scheme, if the
        SAD authorizes ``hashes`` (the digests in Base64) and has not signed them; only the
        scheme for a repeated call on signed hashes."""
        parsed = parse_credential_id(credential)
        with self._uow(read_only=True) as uow:
            if parsed is None:  # no such certificate
                read, certificate = uow.signing.by_token_hash(_token_hash(sad)), None
            else:  # the SAD and the certificate: one read
                read, certificate = uow.signing.with_certificate(_token_hash(sad), *parsed)
            found = None
            if not isinstance(scheme, SignatureScheme):  # the scheme depends on the key
                found = credential_of(uow, account_id, certificate, self.chains)
                scheme = scheme(found)
            activation = self._sad_of(read, account_id, credential, spent=True)
            if activation.hash_algo != scheme.hash_algorithm.value:
                raise InvalidSad(HASH_DIFFERS)
            if not activation.covers_encoded(hashes):
                return scheme
            if found is None:
                found = credential_of(uow, account_id, certificate, self.chains)
            usable(found, self._clock.now())
        scheme.check_key(found.key.algorithm)
        return found, activation, scheme

    def _record(self, pending: PendingSignatures) -> list[bytes]:
        """Spend the hashes, count the signatures once, keep them for a repeated call and
        audit them — one transaction; or, if a concurrent call spent the hashes first,
        answer as a repeated call does (its signatures, or a refusal)."""
        read = pending.read
        if read.live(self._clock.now()) and self._written_at_once(
                pending.sad, read, replace(read, signed=read.signed + pending.hashes),
                pending.scheme, pending.kept(), pending.relying_party, pending.receipt):
            return self._settled(pending, (pending.signatures, True))
        with self._uow() as uow:  # piece by piece
            outcome = self._record_in(uow, pending)
            uow.commit()
        return self._settled(pending, outcome)

    def _record_in(self, uow: UnitOfWork, pending: PendingSignatures,
                   ) -> tuple[list[bytes] | None, bool]:
        """:meth:`_record`'s writes, in ``uow`` (not committed): the signatures to answer
        with and True, recorded now; or, the hashes spent by a concurrent call, the kept
        signatures (None: refused, the refusal audited) and False."""
        read, hashes, scheme = pending.read, pending.hashes, pending.scheme
        activation, kept = replace(read, signed=read.signed + hashes), pending.kept()
        # the SAD as read and still live: spent, and the signatures kept, by one
        # conditional write; otherwise it changed (a concurrent call, a revocation) or
        # expired: read again, locked
        if not (read.live(self._clock.now())
                and uow.signing.spend(read, activation, scheme.value, kept)):
            current = self._open_sad(uow, pending.account_id, pending.credential,
                                     pending.sad, spent=True)
            if not current.covers_encoded(hashes):
                return self._redelivery(uow, current, hashes, scheme), False
            activation = replace(current, signed=current.signed + hashes)
            uow.signing.save(activation)
            uow.signing.keep_signatures(activation, scheme.value, kept)
        receipt, count = pending.receipt, len(pending.signatures)

        def audited() -> None:
            event, claims = self._signed_event(activation, pending.sad, count, receipt)
            uow.audit.append(event, self._clock.now())
            if receipt is not None:
                queue_receipt(uow, self._clock.now(), receipt.kind, pending.account_id,
                              claims, receipt_id=receipt.id, party_id=receipt.party_id)

        # the rows others wait for, last (held from their statement to the commit): the
        # credential's quota row (every signer of this credential) and, inline, the
        # audit chain's head (every writer); a batched append locks nothing, so it and
        # the receipt's job go before the quota, which is then held for two statements
        shared_head = uow.audit.locks_shared_row
        if not shared_head:
            audited()
        self._quota.debit(uow, pending.found.id, len(hashes),
                          relying_party=pending.relying_party)
        if shared_head:
            audited()
        return pending.signatures, True

    @staticmethod
    def _settled(pending: PendingSignatures,
                 outcome: tuple[list[bytes] | None, bool]) -> list[bytes]:
        """What :meth:`_record_in` wrote, once committed: the signatures to answer with
        (the receipt queued, if recorded now), or the refusal."""
        signatures, recorded = outcome
        if signatures is None:
            raise InvalidSad()
        if recorded and pending.receipt is not None:
            pending.receipt.queued = True
        return signatures

    def _written_at_once(self, sad: str, read: SignatureActivation,
                         spent: SignatureActivation, scheme: SignatureScheme,
                         kept: dict[str, str], relying_party: str | None,
                         receipt: ReceiptOrder | None) -> bool:
        """The SAD spent, the quota's common case taken, the event audited and the receipt
        queued: all in one statement that is its own transaction (a read-only unit of work:
        autocommit on PostgreSQL, inside signHash's shared read, on its connection), where
        the store can (:class:`SignatureWrite`). False: nothing written (the store cannot,
        the quota has no common case here, or the statement found the SAD or the quota
        otherwise than it needs)."""
        if not self._at_once:
            return False
        debit = self._quota.common_debit(read.credential_id, len(kept),
                                         relying_party=relying_party)
        if debit is None:
            return False
        now = self._clock.now()
        event, claims = self._signed_event(spent, sad, len(kept), receipt)
        job = None if receipt is None else receipt_job(
            now, receipt.kind, read.account_id, claims, {"pending": PENDING_TO_FILL},
            receipt_id=receipt.id, party_id=receipt.party_id)
        with self._uow(read_only=True) as uow:
            written = uow.record_signature(SignatureWrite(read, spent, scheme.value, kept,
                                                          event, now, debit, job))
        if written is None:
            self._at_once = False  # this store cannot: not asked again
        return bool(written)

    @staticmethod
    def _signed_event(activation: SignatureActivation, sad: str, count: int,
                      receipt: ReceiptOrder | None) -> tuple[AuditEvent, dict[str, Any]]:
        """A signing's audit event, and its receipt's claims (empty without one)."""
        event = _sad_event("signing.signed", activation, count=count)
        claims = {} if receipt is None else receipt.claims | {
            "sad_sha256": _token_hash(sad), "sad": activation.id,
            "audit": {"action": "signing.signed", "sad": activation.id}}
        return event, claims

    def _redeliver(self, account_id: str, credential: str, sad: str, hashes: tuple[str, ...],
                   scheme: SignatureScheme) -> list[bytes]:
        with self._uow() as uow:
            activation = self._open_sad(uow, account_id, credential, sad, spent=True)
            if activation.hash_algo != scheme.hash_algorithm.value:
                raise InvalidSad(HASH_DIFFERS)
            return self._redeliver_in(uow, activation, hashes, scheme)

    def _redeliver_in(self, uow: UnitOfWork, activation: SignatureActivation,
                      hashes: tuple[str, ...], scheme: SignatureScheme) -> list[bytes]:
        """The signatures already made for ``hashes`` (Base64) under this SAD; otherwise
        refused (a spent SAD as expired, other hashes as invalid)."""
        kept = self._redelivery(uow, activation, hashes, scheme)
        uow.commit()
        if kept is None:
            raise InvalidSad()
        return kept

    def _redelivery(self, uow: UnitOfWork, activation: SignatureActivation,
                    hashes: tuple[str, ...], scheme: SignatureScheme) -> list[bytes] | None:
        """:meth:`_redeliver_in` up to its commit: the kept signatures, audited as
        redelivered; None for other hashes, audited as refused; a spent SAD refused as
        expired at once (nothing written)."""
        kept = (uow.signing.kept_signatures(activation.id, scheme.value, list(hashes))
                if activation.delivered_encoded(hashes) else None)
        if kept is None and not activation.remaining:
            raise SadExpired()
        outcome = Outcome.SUCCESS if kept is not None else Outcome.FAILURE
        action = "signing.redelivered" if kept is not None else "signing.refused"
        self._audit(uow, action, activation, outcome, count=len(hashes))
        return kept

    def _fail(self, account_id: str, credential: str, sad: str,
              digests: list[bytes]) -> None:
        """The key failed: nothing was spent or counted; the failure is audited."""
        with self._uow() as uow:
            activation = uow.signing.by_token_hash(_token_hash(sad))
            event = AuditEvent("signing.failed", Outcome.FAILURE, actor=account_id,
                               subject=credential,
                               details={"sad": activation.id if activation else "",
                                        "count": len(digests)})
            uow.audit.append(event, self._clock.now())
            uow.commit()

    def forget_delivered(self) -> int:
        """Drop the signatures kept for SADs that expired (``kyso worker``)."""
        with self._uow() as uow:
            count = uow.signing.forget_signatures(self._clock.now())
            uow.commit()
            return count

    def redeem(self, uow: UnitOfWork, account_id: str, credential: str, sad: str,
               digest: bytes, *, consume: bool = True) -> Redeemed | None:
        """For a whole document (CSC ``signatures/signDoc``): check that ``sad`` authorizes
        ``digest``, the document's SHA-256, for this signer and credential, and with
        ``consume`` mark it used in the caller's transaction. The key then signs the digest
        of the signed attributes under a SAD :meth:`grant` issues in the same transaction."""
        activation = self._open_sad(uow, account_id, credential, sad, lock=consume)
        if activation.hash_algo != HashAlgorithm.SHA256.value or not activation.covers([digest]):
            raise InvalidSad(NOT_THIS_DOCUMENT)
        if not consume:
            return None  # a look spends nothing, so it authorizes nothing
        used = replace(activation, signed=(*activation.signed, *base64_texts([digest])))
        uow.signing.save(used)
        self._audit(uow, "signing.document_authorized", used)
        return Redeemed(used, _SEAL)

    # -- CSC signDoc in one write transaction ----------------------------------------------
    def sign_document(self, account_id: str, credential: Credential, sad: str,
                      document: bytes, digest: bytes, scheme: SignatureScheme) -> bytes:
        """CSC ``signDoc``: the key signs ``digest`` (the PDF's signed attributes) if ``sad``
        authorizes ``document`` (the PDF's SHA-256) and has not signed it — read, as
        :meth:`sign_digests` reads its SAD, not locked. The signature must not leave kyso
        before :meth:`spend_document` recorded it in the caller's transaction (with the
        signature's record: one write transaction for the whole signDoc, where the redeem
        and the grant used to commit one of their own before :meth:`sign_digests`)."""
        with self._uow(read_only=True) as uow:
            self.redeem(uow, account_id, credential.id, sad, document, consume=False)
        usable(credential, self._clock.now())
        scheme.check_key(credential.key.algorithm)
        try:
            return self._keystore.sign_digest(credential.key, digest, scheme)
        except BaseException:
            self._fail(account_id, credential.id, sad, [digest])
            raise

    def spend_document(self, uow: UnitOfWork, account_id: str, credential_id: str, sad: str,
                       document: bytes, *, relying_party: str | None = None) -> None:
        """In the caller's transaction, for a signature :meth:`sign_document` made: spend
        ``sad`` on ``document`` (locked and checked again: a concurrent signDoc with the
        same SAD finds it spent, InvalidSad, and its signature is never returned), count
        the signature and audit both — the rows others wait for (quota, the audit chain's
        head) last. OutOfSignatures rolls the transaction back; then
        :meth:`out_of_signatures`."""
        activation = self._open_sad(uow, account_id, credential_id, sad)
        if activation.hash_algo != HashAlgorithm.SHA256.value \
                or not activation.covers([document]):
            raise InvalidSad(NOT_THIS_DOCUMENT)
        used = replace(activation, signed=(*activation.signed, *base64_texts([document])))
        uow.signing.save(used)
        shared_head = uow.audit.locks_shared_row  # as in _record: the hot rows last
        if not shared_head:
            self._audit(uow, "signing.document_authorized", used)
            self._audit(uow, "signing.signed", used, count=1)
        self._quota.debit(uow, credential_id, 1, relying_party=relying_party)
        if shared_head:
            self._audit(uow, "signing.document_authorized", used)
            self._audit(uow, "signing.signed", used, count=1)

    def out_of_signatures(self, account_id: str, credential_id: str,
                          exc: OutOfSignatures) -> None:
        """Audit a signature :meth:`spend_document` could not count (its own transaction)."""
        self._out_of_signatures(account_id, credential_id, 1, exc)

    # -- helpers -------------------------------------------------------------------------
    def _open_sad(self, uow: UnitOfWork, account_id: str, credential: str,
                  sad: str, *, lock: bool = True, spent: bool = False) -> SignatureActivation:
        """The caller's live SAD for this credential (with ``spent``, also one that signed
        all its hashes): InvalidSad or SadExpired otherwise."""
        return self._sad_of(uow.signing.by_token_hash(_token_hash(sad), for_update=lock),
                            account_id, credential, spent=spent)

    def _sad_of(self, activation: SignatureActivation | None, account_id: str,
                credential: str, *, spent: bool) -> SignatureActivation:
        """:meth:`_open_sad` for a SAD already read (None: none found)."""
        if (activation is None or activation.account_id != account_id
                or activation.credential_id != credential):
            raise InvalidSad()
        now = self._clock.now()
        if not (activation.live(now) if spent else activation.usable(now)):
            raise SadExpired()
        return activation

    def _check_digests(self, digests: list[bytes], hash_algo: HashAlgorithm) -> None:
        if not 1 <= len(digests) <= self.policy.max_hashes:
            raise InvalidHashes(reason=f"1..{self.policy.max_hashes} hashes")
        if len(set(digests)) != len(digests):
            raise InvalidHashes(reason="duplicate hashes")
        if any(len(d) != hash_algo.digest_size for d in digests):
            raise InvalidHashes(reason=f"{hash_algo.value} digests are "
                                       f"{hash_algo.digest_size} bytes")

    def _out_of_signatures(self, account_id: str, credential: str, wanted: int,
                           exc: OutOfSignatures) -> None:
        event = self._out_of_signatures_event(account_id, credential, wanted, exc)
        with self._uow() as uow:
            uow.audit.append(event, self._clock.now())
            uow.commit()

    @staticmethod
    def _out_of_signatures_event(account_id: str, credential: str, wanted: int,
                                 exc: OutOfSignatures) -> AuditEvent:
        return AuditEvent("signing.out_of_signatures", Outcome.FAILURE, actor=account_id,
                          subject=credential, details={"wanted": wanted, "error": exc.code})

    def _audit(self, uow: UnitOfWork, action: str, activation: SignatureActivation,
               outcome: Outcome = Outcome.SUCCESS, **details: int) -> None:
        uow.audit.append(_sad_event(action, activation, outcome, **details), self._clock.now())
