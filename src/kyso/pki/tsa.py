"""RFC 3161 time stamps, built with asn1crypto and signed through the key store.

:meth:`TimeStamper.respond` takes the request's DER, the time and a fresh serial, and always
returns a DER ``TimeStampResp``: ``granted`` with a token (a CMS SignedData over the
TSTInfo: policy, imprint, serial, genTime, accuracy, the request's nonce, the TSA's name;
signed attributes contentType, messageDigest and ESS signingCertificateV2; the TSA's
certificate when ``certReq`` asks), or ``rejection`` with the RFC's failure bit.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import ClassVar

from asn1crypto import cms, core, tsp, x509

from kyso.pki.signer import Signer, digest_algorithm, second

__all__ = ["IMPRINT_HASHES", "TimeStamper"]

IMPRINT_HASHES = {"sha256": 32, "sha384": 48, "sha512": 64, "sha3_256": 32, "sha3_512": 64}
# what asn1crypto raises on hostile DER (see kyso.pki.ocsp)
_PARSE_ERRORS = (ValueError, TypeError, KeyError, IndexError, OverflowError, AttributeError)
_MAX_NONCE_BITS = 256


class _Rejected(Exception):
    def __init__(self, failure: str, text: str) -> None:
        super().__init__(text)
        self.failure = failure
        self.text = text


@dataclass(frozen=True)
class _Query:
    """A TimeStampReq with the fields the TSA checks already read."""

    request: tsp.TimeStampReq
    version: str
    algorithm: str
    digest: bytes
    policy: str | None
    nonce: int | None
    cert_req: bool
    extensions: bool

    @classmethod
    def parse(cls, der: bytes) -> _Query:
        try:
            r = tsp.TimeStampReq.load(der, strict=True)
            r.native  # noqa: B018  (parses every field now, so that errors surface here)
            imprint = r["message_imprint"]
            policy = r["req_policy"].dotted if r["req_policy"].native is not None else None
            return cls(r, r["version"].native, imprint["hash_algorithm"]["algorithm"].native,
                       imprint["hashed_message"].native, policy, r["nonce"].native,
                       bool(r["cert_req"].native), bool(r["extensions"].native))
        except _PARSE_ERRORS as exc:
            raise _Rejected("bad_data_format", "the request is not a DER TimeStampReq") from exc


@dataclass(frozen=True)
class TimeStamper:
    signer: Signer  # the TSA's key, with its certificate (critical EKU timeStamping)
    policy: str
    accuracy_seconds: int = 1

    def __post_init__(self) -> None:
        if self.signer.certificate is None:
            raise ValueError("a TSA signs with its certificate")

    def respond(self, request_der: bytes, at: datetime, serial: int) -> bytes:
        try:
            query = self._check(request_der)
        except _Rejected as rejected:
            return _rejection(rejected.failure, rejected.text)
        token = self._token(query, second(at), serial)
        der: bytes = tsp.TimeStampResp({"status": {"status": "granted"},
                                        "time_stamp_token": token}).dump()
        return der

    def _check(self, der: bytes) -> _Query:
        query = _Query.parse(der)
        if query.version != "v1":
            raise _Rejected("bad_request", "only version 1 requests are understood")
        if query.algorithm not in IMPRINT_HASHES:
            raise _Rejected("bad_alg", f"the imprint's hash {query.algorithm} is not accepted")
        if len(query.digest) != IMPRINT_HASHES[query.algorithm]:
            raise _Rejected("bad_data_format", "the imprint's length does not fit its hash")
        if query.policy is not None and query.policy != self.policy:
            raise _Rejected("unaccepted_policy", f"this TSA time-stamps under {self.policy}")
        if query.extensions:
            raise _Rejected("unaccepted_extensions", "no request extension is supported")
        nonce = query.nonce
        if nonce is not None and (nonce < 0 or nonce.bit_length() > _MAX_NONCE_BITS):
            raise _Rejected("bad_data_format", "the nonce is negative or too long")
        return query

    def _token(self, query: _Query, at: datetime, serial: int) -> cms.ContentInfo:
        certificate = self.signer.certificate
        assert certificate is not None
        info = tsp.TSTInfo({
            "version": "v1",
            "policy": self.policy,
            "message_imprint": query.request["message_imprint"],
            "serial_number": serial,
            "gen_time": at,
            "accuracy": {"seconds": self.accuracy_seconds},
            "nonce": query.nonce,
            "tsa": x509.GeneralName(name="directory_name", value=certificate.subject),
        }).dump()
        signed_data = cms.SignedData({
            "version": "v3",
            "digest_algorithms": [digest_algorithm(self.signer.scheme)],
            "encap_content_info": {"content_type": "tst_info",
                                   "content": cms.ParsableOctetString(info)},
            "certificates": [certificate] if query.cert_req else None,
            "signer_infos": [self._signer_info(info, certificate)],
        })
        return cms.ContentInfo({"content_type": "signed_data", "content": signed_data})

    def _signer_info(self, content: bytes, certificate: x509.Certificate) -> cms.SignerInfo:
        digest = self.signer.scheme.hash_algorithm.compute(content)
        attributes = cms.CMSAttributes([
            {"type": "content_type", "values": ["tst_info"]},
            {"type": "message_digest", "values": [digest]},
            cms.CMSAttribute.load(self._signing_certificate),
        ])
        return cms.SignerInfo({
            "version": "v1",
            "sid": {"issuer_and_serial_number": {"issuer": certificate.issuer,
                                                 "serial_number": certificate.serial_number}},
            "digest_algorithm": digest_algorithm(self.signer.scheme),
            "signed_attrs": attributes,
            "signature_algorithm": self.signer.algorithm,
            "signature": self.signer.sign(attributes.dump()),
        })

    @cached_property
    def _signing_certificate(self) -> bytes:
        """The ESS signingCertificateV2 attribute (DER, built once: asn1crypto is slow at it)."""
        certificate = self.signer.certificate
        assert certificate is not None
        ess_id = {
            "cert_hash": hashlib.sha256(certificate.dump()).digest(),
            "issuer_serial": {
                "issuer": [x509.GeneralName(name="directory_name", value=certificate.issuer)],
                "serial_number": certificate.serial_number,
            },
        }
        value = {"certs": [ess_id]}
        der: bytes = cms.CMSAttribute({"type": "signing_certificate_v2", "values": [value]}).dump()
        return der


class _StatusOnly(core.Sequence):  # type: ignore[misc]  # asn1crypto is untyped
    """``TimeStampResp`` without its token (asn1crypto's class wrongly requires one)."""

    _fields: ClassVar = [("status", tsp.PKIStatusInfo)]


def _rejection(failure: str, text: str) -> bytes:
    status = {"status": "rejection", "status_string": [text], "fail_info": {failure}}
    der: bytes = _StatusOnly({"status": status}).dump()
    return der
