"""What relying parties fetch: CA certificates, CRLs, OCSP answers and time stamps.

The CRL of each CA is stored with its number; :class:`CrlIssuer` signs a new one when the
revocations change (in the same transaction as the change) and when a fetch finds the
current one past half its validity, so nextUpdate is never reached and no request rebuilds
a fresh CRL. CA certificates, the responder and the TSA are cached once read; OCSP answers
without a nonce are pre-produced per certificate status (``ocsp.py``). The HTTP layer adds
RFC 5019 caching headers from :meth:`PkiPublisher.ocsp_answer` and :meth:`crl_record`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from kyso.clock import Clock
from kyso.pki.config import PkiConfig
from kyso.pki.crl import build_crl
from kyso.pki.directory import Directory, Entry
from kyso.pki.model import OCSP_RESPONDER, TSA, CrlRecord, IssuedCertificate
from kyso.pki.ocsp import Answer, Responder
from kyso.pki.ports import PkiRepository
from kyso.pki.signer import random_serial
from kyso.pki.tsa import TimeStamper
from kyso.uow import UnitOfWorkFactory

__all__ = ["CrlIssuer", "PkiPublisher"]


class CrlIssuer:
    def __init__(self, config: PkiConfig, directory: Directory) -> None:
        self._config = config
        self._directory = directory

    def reissue(self, pki: PkiRepository, name: str, at: datetime) -> CrlRecord:
        """Sign and store the next CRL of CA ``name`` (the first one too), locking the row."""
        return self._sign(pki, name, at, pki.crl(name, for_update=True))

    def refresh(self, pki: PkiRepository, name: str, at: datetime) -> CrlRecord:
        """The current CRL, signed again first if it is past half its validity."""
        current = pki.crl(name)
        if current is not None and current.is_fresh(at):
            return current
        current = pki.crl(name, for_update=True)  # another worker may have just done it
        if current is not None and current.is_fresh(at):
            return current
        return self._sign(pki, name, at, current)

    def _sign(self, pki: PkiRepository, name: str, at: datetime,
              current: CrlRecord | None) -> CrlRecord:
        signer = self._directory.ca(pki, name).signer
        number = current.number + 1 if current else 1
        record = build_crl(name, signer, number, at, at + self._config.crl_validity,
                           pki.revoked(name, at))
        (pki.save_crl if current else pki.add_crl)(record)
        return record


class _Records:
    """The revocation-info port on one CA's records: one short transaction per lookup, so
    no transaction is open while the response is signed."""

    def __init__(self, uow_factory: UnitOfWorkFactory, issuer: str) -> None:
        self._uow = uow_factory
        self._issuer = issuer

    def certificate(self, serial: int) -> IssuedCertificate | None:
        with self._uow() as uow:
            return uow.pki.certificate(self._issuer, serial)


class PkiPublisher:
    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock, config: PkiConfig,
                 directory: Directory, crls: CrlIssuer,
                 serial: Callable[[], int] = random_serial) -> None:
        self._uow = uow_factory
        self._clock = clock
        self._config = config
        self._directory = directory
        self._crls = crls
        self._serial = serial
        self._responder: Responder | None = None
        self._stamper: TimeStamper | None = None

    def ca_certificate(self, name: str) -> bytes:
        """The DER certificate of CA ``name``."""
        return self._ca(name).authority.certificate

    def crl(self, name: str) -> bytes:
        """The DER CRL of CA ``name``, current and numbered."""
        return self.crl_record(name).der

    def crl_record(self, name: str) -> CrlRecord:
        """The current CRL of CA ``name`` with its thisUpdate and nextUpdate."""
        self._ca(name)
        at = self._clock.now()
        with self._uow() as uow:
            record = self._crls.refresh(uow.pki, name, at)
            uow.commit()
        return record

    def ocsp(self, request: bytes) -> bytes:
        """The DER OCSPResponse to a DER OCSPRequest (an error status if it is malformed)."""
        return self.ocsp_answer(request).der

    def ocsp_answer(self, request: bytes) -> Answer:
        """The answer with its producedAt and nextUpdate, pre-produced when no nonce asks
        for a fresh one."""
        responder = self._responder or self._load_responder()
        records = _Records(self._uow, self._config.issuing_ca)
        return responder.answer(request, self._clock.now(), records)

    def now(self) -> datetime:
        return self._clock.now()

    def timestamp(self, request: bytes) -> bytes:
        """The DER TimeStampResp to a DER TimeStampReq (a rejection if it is malformed)."""
        stamper = self._stamper or self._load_stamper()
        return stamper.respond(request, self._clock.now(), self._serial())

    def _ca(self, name: str) -> Entry:
        entry = self._directory.cached(name)
        if entry is not None and entry.authority.role.is_ca:
            return entry
        with self._uow() as uow:
            return self._directory.ca(uow.pki, name)

    def _load_responder(self) -> Responder:
        with self._uow() as uow:
            responder = self._directory.get(uow.pki, OCSP_RESPONDER)
            ca = self._directory.ca(uow.pki, self._config.issuing_ca)
        self._responder = Responder(responder.signer, ca.certificate, self._config.ocsp_validity)
        return self._responder

    def _load_stamper(self) -> TimeStamper:
        with self._uow() as uow:
            entry = self._directory.get(uow.pki, TSA)
        self._stamper = TimeStamper(entry.signer, self._config.tsa_policy_oid)
        return self._stamper
