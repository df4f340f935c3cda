"""Relying parties: created by the administrator, authenticated by ``sp_id``/``sp_password``.

The password is shown once and kept as an argon2id hash; checks run outside any transaction
(argon2 is slow on purpose) and cost the same for an unknown ``sp_id``. A pair just verified
skips argon2 for a minute (:mod:`kyso.relying.verified`); the party row is read every time.
Failures are throttled by party *and* client address (:mod:`kyso.throttle`: back-off, 429
with Retry-After), never locking the party, whose ``sp_id`` anyone may know; they are
audited, and a disabled party fails like a wrong password.
The webhook secret is sealed with the envelope (purpose ``rp-webhook:<party id>``).
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from kyso.accounts.rules import SecretHasher
from kyso.audit.model import AuditEvent, Outcome
from kyso.clock import Clock
from kyso.errors import InvalidInput, TooManyRequests
from kyso.relying.errors import InvalidSpCredentials, UnknownParty
from kyso.relying.model import PartyStatus, RelyingParty
from kyso.relying.verified import VerifiedCredentials
from kyso.secrets import Envelope
from kyso.throttle import Throttle, subject_of_name
from kyso.uow import UnitOfWork, UnitOfWorkFactory

__all__ = ["Issued", "RelyingPartyService"]

_SCOPE = "sp_password"  # the throttle's scope

MAX_SP_ID = 64
MAX_SP_PASSWORD = 256


@dataclass(frozen=True)
class Issued:
    """A party with the secrets shown once: ``sp_password`` and, with a webhook, its secret."""

    party: RelyingParty
    sp_password: str
    webhook_secret: str | None = None

    def __repr__(self) -> str:
        return f"Issued(party={self.party!r})"


def _purpose(party_id: str) -> str:
    return f"rp-webhook:{party_id}"


class RelyingPartyService:
    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock, hasher: SecretHasher,
                 throttle: Throttle, envelope: Envelope, *,
                 https_webhooks_only: bool = False, verified_ttl_seconds: int = 60) -> None:
        self._uow, self._clock, self._hasher = uow_factory, clock, hasher
        self._verified = VerifiedCredentials(clock, verified_ttl_seconds)
        self._throttle, self._envelope = throttle, envelope
        self._https_only = https_webhooks_only
        self._dummy_hash = hasher.hash(secrets.token_urlsafe(16))

    # -- administration ----------------------------------------------------------------
    def create(self, name: str, *, public_service: bool = False, webhook_url: str | None = None,
               actor: str) -> Issued:
        party_id, password = str(uuid.uuid4()), secrets.token_urlsafe(24)
        hook_secret = secrets.token_urlsafe(32) if webhook_url else None
        sealed = (self._envelope.seal(hook_secret.encode(), _purpose(party_id))
                  if hook_secret else None)
        try:
            party = RelyingParty(id=party_id, sp_id=f"sp-{secrets.token_hex(8)}",
                                 name=name.strip(), secret_hash=self._hasher.hash(password),
                                 created_at=self._clock.now(), public_service=public_service,
                                 webhook_url=self._check_url(webhook_url),
                                 sealed_webhook_secret=sealed)
        except ValueError as exc:
            raise InvalidInput(str(exc)) from None
        with self._uow() as uow:
            uow.relying.add_party(party)
            self._audit(uow, "rp.created", party, actor, public_service=public_service,
                        webhook=webhook_url is not None)
            uow.commit()
        return Issued(party, password, hook_secret)

    def parties(self) -> list[RelyingParty]:
        with self._uow() as uow:
            return uow.relying.parties()

    def rotate_secret(self, sp_id: str, *, actor: str) -> Issued:
        password = secrets.token_urlsafe(24)
        with self._uow() as uow:
            party = self._get(uow, sp_id)
            party = replace(party, secret_hash=self._hasher.hash(password))
            uow.relying.save_party(party)
            self._audit(uow, "rp.secret_rotated", party, actor)
            uow.commit()
        return Issued(party, password)

    def disable(self, sp_id: str, *, actor: str) -> RelyingParty:
        with self._uow() as uow:
            party = replace(self._get(uow, sp_id), status=PartyStatus.DISABLED)
            uow.relying.save_party(party)
            self._audit(uow, "rp.disabled", party, actor)
            uow.commit()
        return party

    def webhook_secret(self, party: RelyingParty) -> bytes | None:
        if party.sealed_webhook_secret is None:
            return None
        return self._envelope.open(party.sealed_webhook_secret, _purpose(party.id))

    # -- authentication ----------------------------------------------------------------
    def authenticate(self, sp_id: str, sp_password: str,
                     address: str | None = None) -> RelyingParty:
        """The active party with these credentials; otherwise InvalidSpCredentials
        (TooManyRequests while ``address`` must wait). Every outcome but success is
        committed and audited."""
        if len(sp_id) > MAX_SP_ID or len(sp_password) > MAX_SP_PASSWORD:
            raise InvalidSpCredentials()
        try:
            with self._uow(read_only=True) as uow:
                party = uow.relying.party_by_sp_id(sp_id)
                subject = _subject(party, sp_id)
                owed = self._throttle.pending(uow, _SCOPE, subject, address)
                self._throttle.check(uow, _SCOPE, subject, address)
        except TooManyRequests:
            self._record(sp_id, address, "rp.throttled", count=False)
            raise
        if party is None or not self._matches(party, sp_id, sp_password):
            self._record(sp_id, address, "rp.auth_failed", count=True)
            raise InvalidSpCredentials()
        if party.status is not PartyStatus.ACTIVE:
            self._record(sp_id, address, "rp.auth_disabled", count=False)
            raise InvalidSpCredentials()
        if owed:
            with self._uow() as uow:
                self._throttle.succeeded(uow, _SCOPE, subject, address)
                uow.commit()
        return party

    def _matches(self, party: RelyingParty | None, sp_id: str, sp_password: str) -> bool:
        if party is None:
            self._hasher.verify(self._dummy_hash, sp_password)  # the same cost as a miss
            return False
        if self._verified.knows(sp_id, sp_password, party.id, party.secret_hash):
            return True
        if not self._hasher.verify(party.secret_hash, sp_password):
            return False
        self._verified.remember(sp_id, sp_password, party.id, party.secret_hash)
        return True

    def _record(self, sp_id: str, address: str | None, action: str, *, count: bool) -> None:
        now = self._clock.now()
        with self._uow() as uow:
            party = uow.relying.party_by_sp_id(sp_id, for_update=True)
            if count:
                self._throttle.failed(uow, _SCOPE, _subject(party, sp_id), address)
            if party is None:
                event = AuditEvent(action, Outcome.FAILURE, actor=sp_id[:MAX_SP_ID],
                                   details={"known": False, "ip": address or "-"})
                uow.audit.append(event, now)
            else:
                self._audit(uow, action, party, party.sp_id, Outcome.FAILURE,
                            ip=address or "-")
            uow.commit()

    # -- helpers -------------------------------------------------------------------------
    def _check_url(self, url: str | None) -> str | None:
        if url is None:
            return None
        parts = urlsplit(url.strip())
        schemes = ("https",) if self._https_only else ("http", "https")
        if parts.scheme not in schemes or not parts.hostname or len(url) > 500:
            wanted = "https://" if self._https_only else "http(s)://"
            raise InvalidInput(f"the webhook URL must be an {wanted} URL of at most 500 "
                               "characters")
        return url.strip()

    @staticmethod
    def _get(uow: UnitOfWork, sp_id: str) -> RelyingParty:
        party = uow.relying.party_by_sp_id(sp_id, for_update=True)
        if party is None:
            raise UnknownParty(sp_id=sp_id)
        return party

    def _audit(self, uow: UnitOfWork, action: str, party: RelyingParty, actor: str,
               outcome: Outcome = Outcome.SUCCESS, **details: str | int | bool) -> None:
        event = AuditEvent(action, outcome, actor=actor, subject=party.sp_id,
                           details={"party": party.id, **details})
        uow.audit.append(event, self._clock.now())


def _subject(party: RelyingParty | None, sp_id: str) -> str:
    return party.id if party is not None else subject_of_name(sp_id)
