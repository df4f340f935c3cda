"""OCSP responses read back by ``cryptography``'s OCSP module."""

from __future__ import annotations

import os
import random
from datetime import timedelta

import pytest
from asn1crypto import keys
from asn1crypto import ocsp as asn1_ocsp
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp

from kyso.pki.model import IssuedCertificate, RevocationReason
from kyso.pki.ocsp import MAX_NONCE
from tests.unit.pki.conftest import AT, Pki


class Records:
    """The revocation-info port over a dict."""

    def __init__(self, *records: IssuedCertificate) -> None:
        self.by_serial = {r.serial: r for r in records}
        self.asked: list[int] = []

    def certificate(self, serial: int) -> IssuedCertificate | None:
        self.asked.append(serial)
        return self.by_serial.get(serial)


def person_record(pki: Pki) -> IssuedCertificate:
    cert = pki.cert()
    return IssuedCertificate(issuer="kyso-ca", serial=cert.serial_number, subject="An",
                             certificate=pki.person, not_before=cert.not_valid_before_utc,
                             not_after=cert.not_valid_after_utc, created_at=AT)


def request(pki: Pki, *, serial: int | None = None, nonce: bytes | None = None,
            algorithm: hashes.HashAlgorithm | None = None,
            issuer: x509.Certificate | None = None) -> bytes:
    builder = ocsp.OCSPRequestBuilder()
    issuer, algorithm = issuer or pki.cert(pki.issuing), algorithm or hashes.SHA1()
    if serial is None:
        builder = builder.add_certificate(pki.cert(), issuer, algorithm)
    else:
        builder = builder.add_certificate_by_hash(
            _name_hash(issuer, algorithm), _key_hash(issuer, algorithm), serial, algorithm)
    if nonce is not None:
        builder = builder.add_extension(x509.OCSPNonce(nonce), critical=False)
    return builder.build().public_bytes(serialization.Encoding.DER)


def _name_hash(issuer: x509.Certificate, algorithm: hashes.HashAlgorithm) -> bytes:
    digest = hashes.Hash(algorithm)
    digest.update(issuer.subject.public_bytes())
    return digest.finalize()


def _key_hash(issuer: x509.Certificate, algorithm: hashes.HashAlgorithm) -> bytes:
    spki = issuer.public_key().public_bytes(serialization.Encoding.DER,
                                            serialization.PublicFormat.SubjectPublicKeyInfo)
    digest = hashes.Hash(algorithm)
    digest.update(bytes(keys.PublicKeyInfo.load(spki)["public_key"]))
    return digest.finalize()


def answer(pki: Pki, der: bytes, records: Records) -> ocsp.OCSPResponse:
    return ocsp.load_der_ocsp_response(pki.responder().respond(der, AT, records))


def test_good_signed_by_the_delegated_responder(pki: Pki) -> None:
    nonce = os.urandom(16)
    response = answer(pki, request(pki, nonce=nonce), Records(person_record(pki)))
    assert response.response_status is ocsp.OCSPResponseStatus.SUCCESSFUL
    assert response.certificate_status is ocsp.OCSPCertStatus.GOOD
    assert response.serial_number == pki.cert().serial_number
    assert response.extensions.get_extension_for_class(x509.OCSPNonce).value.nonce == nonce
    responder = pki.cert(pki.ocsp)
    assert response.certificates == [responder]
    ski = responder.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
    assert response.responder_key_hash == ski
    assert response.this_update_utc == AT.replace(microsecond=0)
    assert response.next_update_utc == AT.replace(microsecond=0) + timedelta(minutes=30)
    _verify_signature(response, responder)


def _verify_signature(response: ocsp.OCSPResponse, signer: x509.Certificate) -> None:
    from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

    key = signer.public_key()
    hash_ = response.signature_hash_algorithm
    assert hash_ is not None
    if isinstance(key, rsa.RSAPublicKey):
        key.verify(response.signature, response.tbs_response_bytes, padding.PKCS1v15(), hash_)
    else:
        assert isinstance(key, ec.EllipticCurvePublicKey)
        key.verify(response.signature, response.tbs_response_bytes, ec.ECDSA(hash_))


@pytest.mark.parametrize("reason", [RevocationReason.KEY_COMPROMISE, RevocationReason.SUPERSEDED])
def test_revoked_with_time_and_reason(pki: Pki, reason: RevocationReason) -> None:
    revoked = person_record(pki).revoke(reason, AT - timedelta(hours=2))
    response = answer(pki, request(pki, algorithm=hashes.SHA256()), Records(revoked))
    assert response.certificate_status is ocsp.OCSPCertStatus.REVOKED
    assert response.revocation_time_utc == (AT - timedelta(hours=2)).replace(microsecond=0)
    assert response.revocation_reason is x509.ReasonFlags[reason.asn1]


def test_suspended_is_revoked_with_certificate_hold(pki: Pki) -> None:
    held = person_record(pki).suspend(AT)
    response = answer(pki, request(pki), Records(held))
    assert response.certificate_status is ocsp.OCSPCertStatus.REVOKED
    assert response.revocation_reason is x509.ReasonFlags.certificate_hold


def test_unknown_serial_is_unknown(pki: Pki) -> None:
    records = Records(person_record(pki))
    response = answer(pki, request(pki, serial=0x1234), records)
    assert response.certificate_status is ocsp.OCSPCertStatus.UNKNOWN
    assert records.asked == [0x1234]


def test_another_cas_certificate_is_unauthorized(pki: Pki) -> None:
    response = answer(pki, request(pki, issuer=pki.cert(pki.root), serial=5), Records())
    assert response.response_status is ocsp.OCSPResponseStatus.UNAUTHORIZED


@pytest.mark.parametrize(
    "der",
    [b"", b"garbage", b"\x30\x00", b"\x30\x03\x30\x01\x00", bytes(range(256))],
    ids=["empty", "text", "empty-seq", "junk-seq", "bytes"],
)
def test_malformed_requests(pki: Pki, der: bytes) -> None:
    response = answer(pki, der, Records())
    assert response.response_status is ocsp.OCSPResponseStatus.MALFORMED_REQUEST


def test_too_many_questions_or_a_long_nonce_are_malformed(pki: Pki) -> None:
    one = asn1_ocsp.OCSPRequest.load(request(pki))["tbs_request"]["request_list"][0]
    seventeen = asn1_ocsp.OCSPRequest({"tbs_request": {"request_list": [one] * 17}}).dump()
    many = answer(pki, seventeen, Records())
    assert many.response_status is ocsp.OCSPResponseStatus.MALFORMED_REQUEST
    long_nonce = answer(pki, request(pki, nonce=os.urandom(MAX_NONCE + 1)), Records())
    assert long_nonce.response_status is ocsp.OCSPResponseStatus.MALFORMED_REQUEST
    trailing = answer(pki, request(pki) + b"\x00", Records())
    assert trailing.response_status is ocsp.OCSPResponseStatus.MALFORMED_REQUEST


def test_mutated_requests_never_raise(pki: Pki) -> None:
    """Bounded fuzzing: every mutation of a valid request gets an OCSP response."""
    base, rnd, responder = request(pki, nonce=b"n" * 16), random.Random(4), pki.responder()
    for _ in range(400):
        data = bytearray(base)
        for _ in range(rnd.randint(1, 4)):
            data[rnd.randrange(len(data))] = rnd.randrange(256)
        ocsp.load_der_ocsp_response(responder.respond(bytes(data), AT, Records()))


def test_an_answer_without_nonce_is_pre_produced_until_half_its_validity(pki: Pki) -> None:
    """The same bytes until half the validity (30 min), then signed again; a status change
    is seen by the next request; a nonce always gets a fresh signature."""
    responder, record = pki.responder(), person_record(pki)
    records, der = Records(record), request(pki)
    first = responder.answer(der, AT, records)
    assert first.shared and first.produced_at == AT.replace(microsecond=0)
    assert first.next_update == first.produced_at + timedelta(minutes=30)
    later = responder.answer(der, AT + timedelta(minutes=14, seconds=59), records)
    assert later.der == first.der and later.produced_at == first.produced_at
    assert records.asked == [record.serial] * 2  # the status is read every time
    renewed = responder.answer(der, AT + timedelta(minutes=15), records)
    assert renewed.der != first.der and renewed.produced_at == AT.replace(microsecond=0) + \
        timedelta(minutes=15)
    records.by_serial[record.serial] = record.suspend(AT + timedelta(minutes=16))
    held = responder.answer(der, AT + timedelta(minutes=16), records)
    assert ocsp.load_der_ocsp_response(held.der).certificate_status == \
        ocsp.OCSPCertStatus.REVOKED
    records.by_serial[record.serial] = record  # resumed: a good answer, signed anew
    good = responder.answer(der, AT + timedelta(minutes=16), records)
    assert ocsp.load_der_ocsp_response(good.der).certificate_status == ocsp.OCSPCertStatus.GOOD
    assert good.der != renewed.der
    nonce = os.urandom(16)
    fresh = [responder.answer(request(pki, nonce=nonce), AT + timedelta(minutes=16), records)
             for _ in range(2)]
    assert not fresh[0].shared and fresh[0].der != good.der
    assert ocsp.load_der_ocsp_response(fresh[0].der).extensions.get_extension_for_class(
        x509.OCSPNonce).value.nonce == nonce


def test_an_unknown_serial_is_never_stored(pki: Pki) -> None:
    responder = pki.responder()
    for serial in range(1, 50):
        responder.answer(request(pki, serial=serial), AT, Records())
    assert not responder._store._items
