"""Customers' consents: which relying parties may see their certificates and ask for their
signatures (``credentials/get_certificate``, ``signatures/sign``).

A relying party asking about a customer who has not consented gets the answer it would get
for an ID number nobody has (:func:`consented_account`), so the API is no oracle of who is a
subscriber. Granting and revoking are the customer's own acts, audited. Granting is a
sensitive change: it takes the account PIN (with its attempt limits); revoking is free.
Revoking stops new requests and certificate reads at once, revokes the party's CSC OAuth2
tokens for the customer (refresh tokens included), and ends the party's requests still
waiting for the customer: ``failed`` with ``error: consent_revoked``, their transactions
rejected, the party's webhook queued (:class:`~kyso.relying.settlement.Settler`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from kyso.accounts.errors import AccountUnavailable
from kyso.accounts.model import AccountStatus
from kyso.audit.model import AuditEvent
from kyso.clock import Clock
from kyso.otp.smartotp import PinChecker
from kyso.otp.token import ChallengeStatus
from kyso.relying.errors import NoConsent, UnknownParty, UnknownUser
from kyso.relying.model import Consent, PartyStatus, RelyingParty, RequestStatus
from kyso.relying.settlement import Settler
from kyso.uow import UnitOfWork, UnitOfWorkFactory

__all__ = ["REVOKED", "ConsentService", "Granted", "consented_account"]

REVOKED = "consent_revoked"  # the error of a request ended by a revoked consent


@dataclass(frozen=True)
class Granted:
    consent: Consent
    party: RelyingParty


def consented_account(uow: UnitOfWork, party: RelyingParty, user_id: str) -> str:
    """The active account with this ID number that consented to ``party``; UnknownUser for
    an unknown number and for a customer who has not consented alike."""
    account_id = uow.relying.account_by_id_number(user_id.strip())
    consent = uow.relying.consent(account_id or "", party.id)  # the same reads either way
    if account_id is None or consent is None:
        raise UnknownUser()
    account = uow.accounts.get(account_id)
    if account is None:
        raise UnknownUser()
    if account.status is not AccountStatus.ACTIVE:
        raise AccountUnavailable()
    return account.id


class ConsentService:
    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock, pins: PinChecker,
                 settler: Settler) -> None:
        self._uow, self._clock, self._pins, self._settler = uow_factory, clock, pins, settler

    def parties(self) -> list[RelyingParty]:
        """The active relying parties a customer may choose from."""
        with self._uow() as uow:
            return [p for p in uow.relying.parties() if p.status is PartyStatus.ACTIVE]

    def consents(self, account_id: str) -> list[Granted]:
        with self._uow() as uow:
            found = []
            for consent in uow.relying.consents(account_id):
                party = uow.relying.party(consent.party_id)
                if party is not None:
                    found.append(Granted(consent, party))
            return found

    def grant(self, account_id: str, sp_id: str, pin: str) -> Granted:
        """Let the party ``sp_id`` in, with the account PIN (again is harmless: the first
        grant is kept). A wrong PIN is counted and committed before it is raised."""
        with self._uow() as uow:
            self._pins.verify_pin(uow, account_id, pin)
            party = self._active(uow, sp_id)
            existing = uow.relying.consent(account_id, party.id)
            if existing is not None:
                return Granted(existing, party)
            consent = Consent(account_id, party.id, self._clock.now())
            uow.relying.add_consent(consent)
            self._audit(uow, "rp.consent_granted", account_id, party)
            uow.commit()
            return Granted(consent, party)

    def revoke(self, account_id: str, sp_id: str) -> None:
        with self._uow() as uow:
            party = uow.relying.party_by_sp_id(sp_id[:64])
            if party is None or uow.relying.consent(account_id, party.id) is None:
                raise NoConsent(sp_id=sp_id[:64])
            uow.relying.remove_consent(account_id, party.id)
            self._audit(uow, "rp.consent_revoked", account_id, party)
            # and the party's CSC OAuth2 tokens for the customer, refresh tokens included
            ended = uow.csc.revoke_party_tokens(account_id, party.id, self._clock.now())
            if ended:
                uow.audit.append(AuditEvent("csc.oauth_grant_revoked", actor=account_id,
                                            subject=party.id, details={"revoked": ended}),
                                 self._clock.now())
            self._end_waiting(uow, account_id, party)
            uow.commit()

    def _end_waiting(self, uow: UnitOfWork, account_id: str, party: RelyingParty) -> None:
        now = self._clock.now()
        for request in uow.relying.waiting(account_id, party.id):
            challenge = uow.challenges.get(request.challenge_id, for_update=True)
            if challenge is not None and challenge.status is ChallengeStatus.PENDING:
                uow.challenges.save(replace(challenge, status=ChallengeStatus.REJECTED,
                                            decided_at=now))
            self._settler.end(uow, request, RequestStatus.FAILED, error=REVOKED)

    @staticmethod
    def _active(uow: UnitOfWork, sp_id: str) -> RelyingParty:
        party = uow.relying.party_by_sp_id(sp_id[:64])
        if party is None or party.status is not PartyStatus.ACTIVE:
            raise UnknownParty(sp_id=sp_id[:64])
        return party

    def _audit(self, uow: UnitOfWork, action: str, account_id: str,
               party: RelyingParty) -> None:
        event = AuditEvent(action, actor=account_id, subject=party.sp_id,
                           details={"party": party.id})
        uow.audit.append(event, self._clock.now())
