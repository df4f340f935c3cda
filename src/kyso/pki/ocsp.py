"""OCSP responses (RFC 6960) from a delegated responder that answers for one CA.

:meth:`Responder.respond` takes the request's DER, the time and a :class:`RevocationInfo`
port, and always returns a DER ``OCSPResponse``: ``malformedRequest`` for anything it cannot
parse, ``unauthorized`` for a certificate of another CA, otherwise a signed basic response
with one ``good`` / ``revoked`` (time and reason) / ``unknown`` answer per certificate, the
request's nonce echoed, and the responder's certificate included.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from asn1crypto import core, ocsp, x509

from kyso.pki.model import CertificateStatus, IssuedCertificate
from kyso.pki.ports import RevocationInfo
from kyso.pki.signer import Signer, second

__all__ = ["MAX_NONCE", "Responder", "error_response"]

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
    _issuer_ids: dict[str, tuple[bytes, bytes]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if self.signer.certificate is None:
            raise ValueError("a delegated responder signs with its certificate")
        name, key = self.ca.subject.dump(), bytes(self.ca.public_key["public_key"])
        ids = {a: (hashlib.new(a, name).digest(), hashlib.new(a, key).digest()) for a in _HASHES}
        object.__setattr__(self, "_issuer_ids", ids)  # the CA's name and key hashes, once

    def respond(self, request_der: bytes, at: datetime, info: RevocationInfo) -> bytes:
        try:
            questions, nonce = _parse(request_der, self.max_requests)
        except _Malformed:
            return error_response("malformed_request")
        if not all(self._answers_for(q) for q in questions):
            return error_response("unauthorized")
        at = second(at)
        singles = [self._single(q, info.certificate(q.serial), at) for q in questions]
        return self._sign(singles, nonce, at)

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
