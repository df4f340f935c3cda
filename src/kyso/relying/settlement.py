"""How a sign request ends: signed, rejected, expired or failed — once, with an audit record,
an in-app notice when signed and, when the party has one, a webhook call queued in the outbox
in the same transaction.

A waiting request learns its end lazily (on the relying party's status call) and from the
worker's sweep: the customer rejected the transaction, failed its code too often, or let it
expire. A request stuck between confirmation and signature (a crash) fails once its SAD can
no longer be used.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

from kyso.audit.model import AuditEvent, Outcome
from kyso.clock import Clock
from kyso.errors import Text
from kyso.notify.service import Notifier
from kyso.otp.token import ChallengeStatus
from kyso.relying.model import RequestStatus, SignRequest
from kyso.relying.sp769 import webhook_body
from kyso.relying.webhooks import EVENT, purpose_of
from kyso.uow import UnitOfWork, UnitOfWorkFactory

__all__ = ["Settler"]

_FROM_CHALLENGE = {
    ChallengeStatus.REJECTED: RequestStatus.REJECTED,
    ChallengeStatus.FAILED: RequestStatus.FAILED,
    ChallengeStatus.EXPIRED: RequestStatus.EXPIRED,
}
_OUTCOMES = {RequestStatus.SIGNED: Outcome.SUCCESS}


class Settler:
    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock, notifier: Notifier,
                 stale_seconds: int) -> None:
        self._uow, self._clock, self._notifier = uow_factory, clock, notifier
        self._stale = timedelta(seconds=stale_seconds)

    def end(self, uow: UnitOfWork, request: SignRequest, status: RequestStatus, *,
            error: str | None = None) -> SignRequest:
        """Record the end of ``request`` (locked by the caller) in the caller's transaction."""
        assert status.final and not request.status.final
        now = self._clock.now()
        ended = replace(request, status=status, ended_at=now, error=error)
        uow.relying.save_request(ended)
        self._queue_webhook(uow, ended)
        if status is RequestStatus.SIGNED:
            self._notify_signed(uow, ended)
        event = AuditEvent(f"sp769.{status.value}", _OUTCOMES.get(status, Outcome.FAILURE),
                           actor=request.account_id, subject=request.id,
                           details={"party": request.party_id, "files": len(request.files),
                                    "error": error})
        uow.audit.append(event, now)
        return ended

    def settle(self, uow: UnitOfWork, request: SignRequest) -> SignRequest:
        """End ``request`` (locked by the caller) if its transaction or its time says so."""
        now = self._clock.now()
        if request.status is RequestStatus.WAITING:
            challenge = uow.challenges.get(request.challenge_id)
            status = _FROM_CHALLENGE.get(challenge.status) if challenge else RequestStatus.FAILED
            if status is None and request.due_to_expire(now):
                status = RequestStatus.EXPIRED
            return self.end(uow, request, status) if status else request
        if not request.status.final and now >= request.expires_at + self._stale:
            return self.end(uow, request, RequestStatus.FAILED, error="signing_interrupted")
        return request

    def sweep(self, limit: int = 100) -> int:
        """Settle what is due; returns how many requests ended."""
        now = self._clock.now()
        with self._uow(read_only=True) as uow:  # most passes find nothing: no write lock
            if not uow.relying.any_unsettled(now, now - self._stale):
                return 0
            uow.begin_writing()
            due = uow.relying.unsettled(now, now - self._stale, limit)
            ended = [self.settle(uow, request) for request in due]
            uow.commit()
        return sum(1 for request in ended if request.status.final)

    def _queue_webhook(self, uow: UnitOfWork, request: SignRequest) -> None:
        party = uow.relying.party(request.party_id)
        if party is None or party.webhook_url is None:
            return
        body = json.dumps(webhook_body(party, request), ensure_ascii=False,
                          separators=(",", ":"))
        self._notifier.queue_webhook(uow, party.webhook_url, EVENT, body,
                                     purpose=purpose_of(party.id), account_id=request.account_id)

    def _notify_signed(self, uow: UnitOfWork, request: SignRequest) -> None:
        party = uow.relying.party(request.party_id)
        name = party.name if party else request.party_id
        docs = ", ".join(f.doc_id for f in request.files)
        n = len(request.files)
        self._notifier.post(uow, request.account_id,
                            Text("Đã ký số theo yêu cầu", "Signed as requested"),
                            Text(f"Đã ký {n} tài liệu cho {name}: {docs}.",
                                 f"Signed {n} document{'s' if n != 1 else ''} for {name}: "
                                 f"{docs}."))
