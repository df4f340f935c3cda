"""The sign request as a transaction kind: confirmed in the app, then signed.

``apply`` runs inside the confirming transaction and marks the request confirmed. ``after``
runs once that is committed, outside any transaction: it builds the signed attributes of
every file (with no transaction open), then in one short unit of work checks the request is
still confirmed and not signed, grants a SAD over exactly the digests of those attributes
and marks the request signing; then it signs through
:meth:`SigningService.sign_digests` (the only path to the key), packages one detached CMS
per file and ends the request signed. Any failure ends it failed.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import replace

from kyso.clock import Clock
from kyso.errors import KysoError
from kyso.keys.model import HashAlgorithm
from kyso.otp.factors import FactorProof
from kyso.otp.model import Purpose
from kyso.otp.token import Challenge
from kyso.otp.transactions import Kind
from kyso.relying.cms import HashCms
from kyso.relying.errors import SigningFailed, UnknownRequest
from kyso.relying.model import RequestStatus, SignRequest
from kyso.relying.settlement import Settler
from kyso.signing.credentials import find_credential, usable
from kyso.signing.model import Credential
from kyso.signing.receipt_jobs import ReceiptKind, ReceiptQueue, receipt_id_for
from kyso.signing.service import Grant, SigningService
from kyso.uow import UnitOfWork, UnitOfWorkFactory

__all__ = ["KIND", "SignCompletion"]

KIND = "sp769_sign"
log = logging.getLogger(__name__)


class SignCompletion:
    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock, signing: SigningService,
                 settler: Settler, receipts: ReceiptQueue | None = None) -> None:
        self._uow, self._clock, self._signing, self._settler = (uow_factory, clock, signing,
                                                                settler)
        self._receipts = receipts

    def kind(self) -> Kind:
        return Kind(KIND, Purpose.SIGN, self._apply, self._after)

    def _apply(self, uow: UnitOfWork, challenge: Challenge) -> None:
        request = uow.relying.request_by_challenge(challenge.id, for_update=True)
        if request is None or request.status is not RequestStatus.WAITING:
            raise UnknownRequest()
        uow.relying.save_request(replace(request, status=RequestStatus.CONFIRMED))

    def _after(self, challenge: Challenge, proof: FactorProof) -> None:
        if not proof.confirms(challenge):
            raise UnknownRequest()
        try:
            self._sign(challenge.id, proof)
        except Exception as exc:
            self._fail(challenge.id, exc)
            if isinstance(exc, KysoError):
                raise
            log.exception("signing request for transaction %s failed", challenge.id)
            raise SigningFailed() from exc

    def _sign(self, challenge_id: str, proof: FactorProof) -> None:
        opened = self._open(challenge_id)
        if opened is None:
            return  # already signing or ended
        request, credential = opened
        cms = HashCms(credential, self._clock.now())  # CPU only: no transaction open
        tbs = cms.prepare([f.digest for f in request.files])
        grant = self._authorize(challenge_id, credential, tbs, proof)
        if grant is None:
            return
        signatures = self._signing.sign_digests(request.account_id, credential.id, grant.sad,
                                                tbs, cms.scheme, relying_party=request.party_id)
        self._store(challenge_id, cms.finish(signatures))

    def _open(self, challenge_id: str) -> tuple[SignRequest, Credential] | None:
        with self._uow() as uow:
            request = self._locked(uow, challenge_id)
            if request.status is not RequestStatus.CONFIRMED:
                return None
            found = find_credential(uow, request.account_id, request.credential_id)
            return request, usable(found, self._clock.now())

    def _authorize(self, challenge_id: str, credential: Credential, tbs: list[bytes],
                   proof: FactorProof) -> Grant | None:
        """A SAD over exactly ``tbs``, issued once: the request goes confirmed → signing."""
        with self._uow() as uow:
            request = self._locked(uow, challenge_id)
            if request.status is not RequestStatus.CONFIRMED:
                return None
            grant = self._signing.grant(uow, credential, tbs, HashAlgorithm.SHA256, proof)
            uow.relying.save_request(replace(request, status=RequestStatus.SIGNING))
            uow.commit()
            return grant

    def _store(self, challenge_id: str, packaged: list[bytes]) -> None:
        with self._uow() as uow:
            current = self._locked(uow, challenge_id)
            if current.status is not RequestStatus.SIGNING:
                raise SigningFailed("the request ended while it was being signed")
            files = tuple(replace(f, signature=der)
                          for f, der in zip(current.files, packaged, strict=True))
            ended = self._settler.end(uow, replace(current, files=files), RequestStatus.SIGNED)
            self._receipt(uow, ended)
            uow.commit()

    def _receipt(self, uow: UnitOfWork, request: SignRequest) -> None:
        """Queue the signing receipt (right after the ``sp769.signed`` audit record): the
        files' digests, the relying party (which may read it), the approved transaction."""
        if self._receipts is None:
            return
        party = uow.relying.party(request.party_id)
        self._receipts.add(uow, ReceiptKind.SP769, request.account_id, {
            "files": [{"doc_id": f.doc_id, "file_type": f.file_type, "sha256": f.digest.hex(),
                       "signature_sha256": hashlib.sha256(f.signature or b"").hexdigest()}
                      for f in request.files],
            "level": "CMS (detached)",
            "signer": {"credential": request.credential_id},
            "relying_party": {"name": party.name if party else None,
                              "sp_id": party.sp_id if party else None,
                              "transaction_id": request.transaction_id,
                              "tran_code": request.id},
            "challenge": {"id": request.challenge_id, "kind": KIND},
            "audit": {"action": "sp769.signed"}},
            receipt_id=receipt_id_for(ReceiptKind.SP769, request.id),
            party_id=request.party_id)

    def _fail(self, challenge_id: str, exc: Exception) -> None:
        code = exc.code if isinstance(exc, KysoError) else "signing_error"
        with self._uow() as uow:
            request = uow.relying.request_by_challenge(challenge_id, for_update=True)
            if request is not None and not request.status.final:
                self._settler.end(uow, request, RequestStatus.FAILED, error=code)
                uow.commit()

    @staticmethod
    def _locked(uow: UnitOfWork, challenge_id: str) -> SignRequest:
        request = uow.relying.request_by_challenge(challenge_id, for_update=True)
        if request is None:
            raise UnknownRequest()
        return request
