"""OCSP responses (RFC 6960) from a delegated responder that answers for one CA.

:meth:`Responder.respond` takes the request's DER, the time and a :class:`RevocationInfo`
port, and always returns a DER ``OCSPResponse``: ``malformedRequest`` for anything it cannot
parse, ``unauthorized`` for a certificate of another CA, otherwise a signed basic response
with one ``good`` / ``revoked`` (time and reason) / ``unknown`` answer per certificate, the
request's nonce echoed, and the responder's certificate included.

**Pre-produced answers (RFC 5019).** A request for one certificate without a nonce — what
OCSP over GET, pdfsig and most relying software send — is answered from a response signed
earlier for that certificate *in the same status*: :meth:`Responder.answer` still reads the
certificate's record (one indexed lookup, so a revocation, suspension or resumption made on
any node is seen by the next request), compares its status with the one the stored response
was signed for, and signs again only when the status changed or the stored response is past
half its validity (so its nextUpdate is never near). A request with a nonce gets a fresh
signature every time. The store is per process and bounded (least recently used out); an
unknown serial is never stored.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from asn1crypto import core, ocsp, x509

from kyso.pki.model import CertificateStatus, IssuedCertificate
from kyso.pki.ports import RevocationInfo
from kyso.pki.signer import Signer, second

__all__ = ["MAX_NONCE", "Answer", "Responder", "error_response"]

MAX_NONCE = 32  # octets (RFC 8954 §2.1)
_HASHES = ("sha1", "sha256", "sha384", "sha512")
# what asn1crypto raises on hostile DER (AttributeError: a value of an unexpected universal
# type, e.g. an ObjectDescriptor where an OID belongs, has no ``native``)
_PARSE_ERRORS = (ValueError, TypeError, KeyError, IndexError, OverflowError, AttributeError)


class _Malformed(Exception):
    pass


@dataclass(frozen=True)
class _Question:
    """One CertID of a request, with its fields already read."""

    cert_id: ocsp.CertId
    algorithm: str
    name_hash: bytes
    key_hash: bytes
    serial: int

    @classmethod
    def of(cls, cert_id: ocsp.CertId) -> _Question:
        return cls(cert_id, cert_id["hash_algorithm"]["algorithm"].native,
                   cert_id["issuer_name_hash"].native, cert_id["issuer_key_hash"].native,
                   cert_id["serial_number"].native)


@dataclass(frozen=True)
class Answer:
    """A DER OCSPResponse and, when it is signed, its producedAt and nextUpdate; ``shared``
    when it may be kept by HTTP caches (no nonce: the same bytes answer anyone)."""

    der: bytes = field(repr=False)
    produced_at: datetime | None = None
    next_update: datetime | None = None
    shared: bool = False


_Status = tuple[str, datetime | None, str | None]  # what a stored answer was signed for


class _Store:
    """Signed answers by CertID (issuer hashes, serial, hash algorithm): bounded, LRU."""

    def __init__(self, size: int) -> None:
        self._items: OrderedDict[bytes, tuple[_Status, Answer]] = OrderedDict()
        self._size, self._lock = size, threading.Lock()

    def get(self, key: bytes, status: _Status, at: datetime, refresh: timedelta
            ) -> Answer | None:
        with self._lock:
            found = self._items.get(key)
            if found is None:
                return None
            self._items.move_to_end(key)
        kept, answer = found
        assert answer.produced_at is not None
        if kept != status or not answer.produced_at <= at < answer.produced_at + refresh:
            return None
        return answer

    def put(self, key: bytes, status: _Status, answer: Answer) -> None:
        with self._lock:
            self._items[key] = (status, answer)
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)


def error_response(status: str) -> bytes:
    """An unsigned response with only a status: ``malformed_request``, ``unauthorized`` …"""
    der: bytes = ocsp.OCSPResponse({"response_status": status}).dump()
    return der


@dataclass(frozen=True)
class Responder:
    signer: Signer  # the responder's key, with its certificate (id-kp-OCSPSigning)
    ca: x509.Certificate = field(repr=False)
    validity: timedelta
    max_requests: int = 16
    stored: int = 10_000  # pre-produced answers kept (one per certificate and hash algorithm)
    _issuer_ids: dict[str, tuple[bytes, bytes]] = field(init=False, repr=False)
    _store: _Store = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if self.signer.certificate is None:
            raise ValueError("a delegated responder signs with its certificate")
        name, key = self.ca.subject.dump(), bytes(self.ca.public_key["public_key"])
        ids = {a: (hashlib.new(a, name).digest(), hashlib.new(a, key).digest()) for a in _HASHES}
        object.__setattr__(self, "_issuer_ids", ids)  # the CA's name and key hashes, once
        object.__setattr__(self, "_store", _Store(self.stored))

    def respond(self, request_der: bytes, at: datetime, info: RevocationInfo) -> bytes:
        return self.answer(request_der, at, info).der

    def answer(self, request_der: bytes, at: datetime, info: RevocationInfo) -> Answer:
        """The response, pre-produced when the request allows it (see the module's text)."""
        try:
            questions, nonce = _parse(request_der, self.max_requests)
        except _Malformed:
            return Answer(error_response("malformed_request"))
        if not all(self._answers_for(q) for q in questions):
            return Answer(error_response("unauthorized"))
        at = second(at)
        records = [info.certificate(q.serial) for q in questions]
        if nonce is not None or len(questions) != 1 or records[0] is None:
            return self._signed(questions, records, nonce, at, shared=nonce is None)
        key, status = questions[0].cert_id.dump(), _version(records[0])
        kept = self._store.get(key, status, at, self.validity / 2)
        if kept is not None:
            return kept
        fresh = self._signed(questions, records, None, at, shared=True)
        self._store.put(key, status, fresh)
        return fresh

    def _signed(self, questions: list[_Question], records: list[IssuedCertificate | None],
                nonce: bytes | None, at: datetime, *, shared: bool) -> Answer:
        singles = [self._single(q, r, at) for q, r in zip(questions, records, strict=True)]
        return Answer(self._sign(singles, nonce, at), at, at + self.validity, shared)

    def _answers_for(self, question: _Question) -> bool:
        expected = self._issuer_ids.get(question.algorithm)
        return expected == (question.name_hash, question.key_hash)

    def _single(
        self, question: _Question, record: IssuedCertificate | None, at: datetime
    ) -> ocsp.SingleResponse:
        return ocsp.SingleResponse({
            "cert_id": question.cert_id,
            "cert_status": _status(record),
            "this_update": at,
            "next_update": at + self.validity,
        })

    def _sign(self, singles: list[ocsp.SingleResponse], nonce: bytes | None,
              at: datetime) -> bytes:
        data = ocsp.ResponseData({
            "responder_id": ocsp.ResponderId(name="by_key", value=self.signer.key_identifier),
            "produced_at": at,
            "responses": singles,
            "response_extensions": [{"extn_id": "nonce", "extn_value": nonce}] if nonce else None,
        })
        basic = ocsp.BasicOCSPResponse({
            "tbs_response_data": data,
            "signature_algorithm": self.signer.algorithm,
            "signature": self.signer.sign(data.dump()),
            "certs": [self.signer.certificate],
        })
        response = ocsp.OCSPResponse({
            "response_status": "successful",
            "response_bytes": {"response_type": "basic_ocsp_response", "response": basic},
        })
        der: bytes = response.dump()
        return der


def _version(record: IssuedCertificate) -> _Status:
    """Everything of a record that its OCSP answer says."""
    reason = None if record.reason is None else str(record.reason.asn1)
    return record.status.value, record.revoked_at, reason


def _status(record: IssuedCertificate | None) -> ocsp.CertStatus:
    if record is None:
        return ocsp.CertStatus(name="unknown", value=core.Null())
    if record.status is CertificateStatus.ACTIVE or record.reason is None:
        return ocsp.CertStatus(name="good", value=core.Null())
    assert record.revoked_at is not None
    info = {"revocation_time": second(record.revoked_at), "revocation_reason": record.reason.asn1}
    return ocsp.CertStatus(name="revoked", value=ocsp.RevokedInfo(info))


def _parse(der: bytes, max_requests: int) -> tuple[list[_Question], bytes | None]:
    """The questions and the nonce of a request, or ``_Malformed``."""
    try:
        request = ocsp.OCSPRequest.load(der, strict=True)
        request.native  # noqa: B018  (parses every field now, so that errors surface here)
        items = request["tbs_request"]["request_list"]
        questions = [_Question.of(item["req_cert"]) for item in items]
        nonce = request.nonce_value
        value = None if nonce is None else nonce.native
    except _PARSE_ERRORS as exc:
        raise _Malformed from exc
    if not 0 < len(questions) <= max_requests:
        raise _Malformed
    if nonce is not None and (not isinstance(value, bytes) or not 0 < len(value) <= MAX_NONCE):
        raise _Malformed
    return questions, value
