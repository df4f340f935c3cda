"""Transactions confirmed with a code bound to their details (giải pháp 3).

An area registers a *kind* with a handler that applies the transaction once it is confirmed
(for example a change of contact phone, or — later — a signature). With the SmartOTP method
the code is an OCRA response over the transaction's canonical details; with the SMS method
it is an out-of-band code for the kind's purpose. Either serves this transaction only.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import timedelta

from kyso.audit.model import AuditEvent, Outcome
from kyso.clock import Clock
from kyso.errors import KysoError, NotFound
from kyso.otp import errors
from kyso.otp.factors import FactorProof, FactorRegistry
from kyso.otp.model import Purpose
from kyso.otp.token import Challenge, ChallengeStatus, Method
from kyso.uow import UnitOfWork, UnitOfWorkFactory

__all__ = ["Handler", "Kind", "TransactionService"]

Handler = Callable[[UnitOfWork, Challenge], None]
AfterCommit = Callable[[Challenge, FactorProof], None]  # gets the confirmation's proof
MAX_ATTEMPTS = 5


@dataclass(frozen=True)
class Kind:
    """A kind of transaction. ``apply`` runs inside the confirming transaction; ``after``
    (optional) runs once it is committed, outside any transaction — for work that opens
    units of work of its own, such as signing. If ``after`` fails, the transaction is
    marked failed and the error propagates. ``method``, when set, is the only way to
    confirm this kind, whatever the customer's preferred method. ``one_answer``: a wrong code
    ends the challenge (failed) at once, for a challenge that serves a single attempt of a
    flow (the next attempt asks for a new one), so none is left waiting in the list."""

    name: str
    purpose: Purpose
    apply: Handler
    after: AfterCommit | None = None
    method: Method | None = None
    one_answer: bool = False


class TransactionService:
    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock, factors: FactorRegistry,
                 ttl_seconds: int = 300) -> None:
        self._uow, self._clock, self._factors = uow_factory, clock, factors
        self._ttl = ttl_seconds
        self._kinds: dict[str, Kind] = {}

    def register_kind(self, kind: Kind) -> None:
        self._kinds[kind.name] = kind

    def create(self, uow: UnitOfWork, account_id: str, kind: str,
               details: Mapping[str, str]) -> Challenge:
        """Open a challenge in the caller's transaction (and send the SMS code if needed)."""
        spec = self._kinds[kind]
        now = self._clock.now()
        state = uow.otp_methods.get(account_id)
        method = spec.method or state.preferred
        if state.is_locked(method):
            raise errors.MethodLocked(method=method.value)
        challenge = Challenge(id=str(uuid.uuid4()), account_id=account_id, kind=kind,
                              details=details, method=method, created_at=now,
                              expires_at=now + timedelta(seconds=self._ttl))
        challenge = self._factors.open(uow, challenge, spec.purpose)
        uow.challenges.add(challenge)
        self._audit(uow, "transaction.created", challenge, Outcome.INFO)
        return challenge

    def pending(self, account_id: str) -> list[Challenge]:
        with self._uow(read_only=True) as uow:
            items = uow.challenges.for_account(account_id, ChallengeStatus.PENDING, 50)
        now = self._clock.now()
        return [c for c in items if now < c.expires_at]

    def get(self, account_id: str, challenge_id: str) -> Challenge:
        with self._uow(read_only=True) as uow:
            return self._owned(uow, account_id, challenge_id, lock=False)

    def confirm(self, account_id: str, challenge_id: str, code: str) -> Challenge:
        with self._uow() as uow:
            challenge = self._open(uow, account_id, challenge_id)
            try:
                proof = self._check(uow, challenge, code)
            except KysoError:
                self._count_failure(uow, challenge)
                uow.commit()
                raise
            done = replace(challenge, status=ChallengeStatus.CONFIRMED,
                           decided_at=self._clock.now())
            uow.challenges.save(done)
            kind = self._kinds[challenge.kind]
            kind.apply(uow, done)
            self._audit(uow, "transaction.confirmed", done)
            uow.commit()
        if kind.after is not None:
            self._run_after(kind.after, done, proof)
        return done

    def _run_after(self, after: AfterCommit, challenge: Challenge, proof: FactorProof) -> None:
        try:
            after(challenge, proof)
        except KysoError:
            with self._uow() as uow:
                failed = replace(challenge, status=ChallengeStatus.FAILED)
                uow.challenges.save(failed)
                self._audit(uow, "transaction.failed", failed, Outcome.FAILURE)
                uow.commit()
            raise

    def reject(self, account_id: str, challenge_id: str) -> Challenge:
        with self._uow() as uow:
            challenge = self._open(uow, account_id, challenge_id)
            done = replace(challenge, status=ChallengeStatus.REJECTED,
                           decided_at=self._clock.now())
            uow.challenges.save(done)
            self._audit(uow, "transaction.rejected", done)
            uow.commit()
            return done

    def _check(self, uow: UnitOfWork, challenge: Challenge, code: str) -> FactorProof:
        purpose = self._kinds[challenge.kind].purpose
        return self._factors.check_transaction(uow, challenge, purpose, code)

    def _count_failure(self, uow: UnitOfWork, challenge: Challenge) -> None:
        attempts = challenge.attempts + 1
        spent = attempts >= MAX_ATTEMPTS or self._kinds[challenge.kind].one_answer
        status = ChallengeStatus.FAILED if spent else challenge.status
        uow.challenges.save(replace(challenge, attempts=attempts, status=status))
        self._audit(uow, "transaction.code_rejected", challenge, Outcome.FAILURE)

    def _open(self, uow: UnitOfWork, account_id: str, challenge_id: str) -> Challenge:
        challenge = self._owned(uow, account_id, challenge_id, lock=True)
        if challenge.status is not ChallengeStatus.PENDING:
            raise errors.TransactionClosed()
        if self._clock.now() >= challenge.expires_at:
            uow.challenges.save(replace(challenge, status=ChallengeStatus.EXPIRED))
            self._audit(uow, "transaction.expired", challenge, Outcome.FAILURE)
            uow.commit()
            raise errors.TransactionExpired()
        return challenge

    @staticmethod
    def _owned(uow: UnitOfWork, account_id: str, challenge_id: str, *, lock: bool) -> Challenge:
        challenge = uow.challenges.get(challenge_id, for_update=lock)
        if challenge is None or challenge.account_id != account_id:
            raise NotFound()
        return challenge

    def _audit(self, uow: UnitOfWork, action: str, challenge: Challenge,
               outcome: Outcome = Outcome.SUCCESS) -> None:
        event = AuditEvent(action, outcome, actor=challenge.account_id,
                           subject=challenge.account_id,
                           details={"transaction": challenge.id, "kind": challenge.kind})
        uow.audit.append(event, self._clock.now())
