"""Asynchronous CSC ``signHash`` (``operationMode: "A"``) and ``signatures/signPolling``.

With a SAD, the hashes are signed at once (as in synchronous mode) and the signatures wait
under a ``responseID`` for the client to poll. Without one, kyso asks the customer: a signing
transaction appears on the web app's pending-approval screen (as a relying party's request
does), showing the credential and every hash; once the customer confirms it with the code
(SmartOTP over exactly these details, or SMS), ``after`` grants a SAD over exactly those
hashes and signs; polling then returns the signatures. A rejected, failed or expired
transaction ends the response; a response lives :data:`RESPONSE_SECONDS`.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

from kyso.audit.model import AuditEvent, Outcome
from kyso.clock import Clock
from kyso.errors import InvalidInput, KysoError
from kyso.keys.model import SignatureScheme
from kyso.otp.factors import FactorProof
from kyso.otp.model import Purpose
from kyso.otp.token import Challenge, ChallengeStatus
from kyso.otp.transactions import Kind, TransactionService
from kyso.relying.csc_model import AsyncResponse, ResponseStatus
from kyso.signing.credentials import find_credential, usable
from kyso.signing.receipt_jobs import ReceiptKind, hash_receipt, receipt_id_for
from kyso.signing.service import SigningService
from kyso.uow import UnitOfWork, UnitOfWorkFactory

__all__ = ["KIND", "RESPONSE_SECONDS", "AsyncSigning", "UnknownResponse", "kind"]

KIND = "csc_sign_hash"
RESPONSE_SECONDS = 600
_ENDED = {ChallengeStatus.REJECTED: ResponseStatus.REJECTED,
          ChallengeStatus.FAILED: ResponseStatus.FAILED,
          ChallengeStatus.EXPIRED: ResponseStatus.EXPIRED}


class TooManyHashes(InvalidInput):
    vi = "Tham số hashes không hợp lệ: các giá trị băm phải khác nhau, tối đa {most}."
    en = "Invalid parameter hashes: the hashes must be distinct, {most} at most."


class UnknownResponse(InvalidInput):
    code = "invalid_request"
    vi = "Tham số responseID không hợp lệ: không có phản hồi nào như vậy."
    en = "Invalid parameter responseID: no such response."


def _b64(values: list[bytes]) -> str:
    return "\n".join(base64.b64encode(v).decode() for v in values)


class AsyncSigning:
    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock,
                 transactions: TransactionService, signing: SigningService) -> None:
        self._uow, self._clock = uow_factory, clock
        self._transactions, self._signing = transactions, signing

    def sign_now(self, account_id: str, credential_id: str, sad: str, digests: list[bytes],
                 scheme: SignatureScheme, *,
                 party: tuple[str | None, str | None] = (None, None)) -> AsyncResponse:
        """With a SAD: sign now, keep the signatures for polling (and queue the receipt,
        named after the response: ``signPolling`` answers its id)."""
        response_id = str(uuid.uuid4())
        credential = self._signing.credential(account_id, credential_id)
        receipt = hash_receipt(credential, digests, scheme, party_name=party[1],
                               party_id=party[0],
                               receipt_id=receipt_id_for(ReceiptKind.SIGN_HASH, response_id))
        signatures = self._signing.sign_digests(account_id, credential_id, sad, digests, scheme,
                                                receipt=receipt)
        now = self._clock.now()
        item = AsyncResponse(id=response_id, account_id=account_id,
                             credential_id=credential_id, scheme=scheme.value,
                             hashes=_b64(digests), created_at=now,
                             expires_at=now + timedelta(seconds=RESPONSE_SECONDS),
                             status=ResponseStatus.SIGNED, signatures=_b64(signatures))
        with self._uow() as uow:
            uow.csc.add_response(item)
            uow.commit()
        return item

    def ask(self, account_id: str, credential_id: str, digests: list[bytes],
            scheme: SignatureScheme, *, relying_party: str | None = None) -> AsyncResponse:
        """Without a SAD: a signing transaction the customer confirms in the app (naming the
        relying party when the call comes with its OAuth2 token)."""
        now = self._clock.now()
        with self._uow() as uow:
            credential = usable(find_credential(uow, account_id, credential_id), now)
            if len(set(digests)) != len(digests) or \
                    len(digests) > self._signing.policy.max_hashes:
                raise TooManyHashes(most=self._signing.policy.max_hashes)
            details = {"credential": credential.id, "num_signatures": str(len(digests)),
                       "hashes": _b64(digests)}
            if relying_party:
                details["relying_party"] = relying_party
            challenge = self._transactions.create(uow, account_id, KIND, details)
            item = AsyncResponse(id=str(uuid.uuid4()), account_id=account_id,
                                 credential_id=credential.id, scheme=scheme.value,
                                 hashes=_b64(digests), created_at=now,
                                 expires_at=challenge.expires_at, challenge_id=challenge.id)
            uow.csc.add_response(item)
            uow.audit.append(AuditEvent("csc.sign_requested", Outcome.INFO, actor=account_id,
                                        subject=account_id,
                                        details={"response": item.id,
                                                 "count": len(digests)}), now)
            uow.commit()
        return item

    def poll(self, account_id: str, response_id: str) -> AsyncResponse:
        now = self._clock.now()
        with self._uow() as uow:
            item = uow.csc.response(response_id, for_update=True)
            if item is None or item.account_id != account_id:
                raise UnknownResponse()
            if item.status is ResponseStatus.PENDING:
                item = self._settle(uow, item, now)
            return item

    def _settle(self, uow: UnitOfWork, item: AsyncResponse, now: datetime) -> AsyncResponse:
        challenge = uow.challenges.get(item.challenge_id) if item.challenge_id else None
        ended = _ENDED.get(challenge.status) if challenge is not None else None
        if ended is None and challenge is not None and \
                challenge.status is ChallengeStatus.PENDING and now >= item.expires_at:
            ended = ResponseStatus.EXPIRED
        if ended is None:
            return item
        item = replace(item, status=ended, error=ended.value)
        uow.csc.save_response(item)
        uow.commit()
        return item

    def on_confirmed(self, uow: UnitOfWork, challenge: Challenge) -> None:
        item = uow.csc.response_by_challenge(challenge.id)
        if item is None or item.status is not ResponseStatus.PENDING:
            raise UnknownResponse()

    def on_committed(self, challenge: Challenge, proof: FactorProof) -> None:
        if not proof.confirms(challenge):
            raise UnknownResponse()
        try:
            self._sign(challenge, proof)
        except KysoError as exc:
            with self._uow() as uow:
                item = uow.csc.response_by_challenge(challenge.id)
                if item is not None and item.status is ResponseStatus.PENDING:
                    uow.csc.save_response(replace(item, status=ResponseStatus.FAILED,
                                                  error=exc.code))
                    uow.commit()
            raise

    def _sign(self, challenge: Challenge, proof: FactorProof) -> None:
        with self._uow() as uow:
            item = uow.csc.response_by_challenge(challenge.id)
            if item is None or item.status is not ResponseStatus.PENDING:
                raise UnknownResponse()
            credential = usable(find_credential(uow, item.account_id, item.credential_id),
                                self._clock.now())
            scheme = SignatureScheme(item.scheme)
            digests = [base64.b64decode(h) for h in item.hashes.split("\n")]
            grant = self._signing.grant(uow, credential, digests, scheme.hash_algorithm, proof)
            uow.commit()
        receipt = hash_receipt(credential, digests, scheme,
                               party_name=challenge.details.get("relying_party"),
                               receipt_id=receipt_id_for(ReceiptKind.SIGN_HASH, item.id))
        receipt.claims["challenge"] = {"id": challenge.id, "kind": challenge.kind}
        signatures = self._signing.sign_digests(item.account_id, item.credential_id,
                                                grant.sad, digests, scheme, receipt=receipt)
        with self._uow() as uow:
            current = uow.csc.response(item.id, for_update=True)
            assert current is not None
            uow.csc.save_response(replace(current, status=ResponseStatus.SIGNED,
                                          signatures=_b64(signatures)))
            uow.commit()


def kind(service: Callable[[], AsyncSigning]) -> Kind:
    """The transaction kind; ``service`` is looked up when a transaction is decided (the
    service itself needs the transaction service that holds the kind)."""
    return Kind(KIND, Purpose.SIGN, lambda uow, c: service().on_confirmed(uow, c),
                lambda c, proof: service().on_committed(c, proof))
