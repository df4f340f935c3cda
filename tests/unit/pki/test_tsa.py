"""RFC 3161 responses, checked field by field and with ``cryptography`` for the signature."""

from __future__ import annotations

import hashlib
import random

import pytest
from asn1crypto import cms
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from kyso.pki.tsa import TimeStamper
from tests.unit.pki.conftest import AT, Pki
from tests.unit.pki.helpers import DIGEST, Response, query


def stamp(pki: Pki, der: bytes, serial: int = 0x77) -> Response:
    return Response.load(pki.stamper().respond(der, AT, serial))


def test_granted_token(pki: Pki) -> None:
    response = stamp(pki, query(nonce=0x1122334455667788))
    assert response["status"]["status"].native == "granted"
    signed = response["time_stamp_token"]["content"]
    info = signed["encap_content_info"]["content"].parsed
    assert info["policy"].dotted == pki.config.tsa_policy_oid
    assert info["message_imprint"]["hashed_message"].native == DIGEST
    assert info["serial_number"].native == 0x77
    assert info["gen_time"].native == AT.replace(microsecond=0)
    assert info["nonce"].native == 0x1122334455667788
    assert info["accuracy"]["seconds"].native == 1
    assert info["tsa"].chosen == asn1_x509.Certificate.load(pki.tsa.certificate).subject
    assert [c.chosen.dump() for c in signed["certificates"]] == [pki.tsa.certificate]
    _check_signer_info(pki, signed)


def _check_signer_info(pki: Pki, signed: cms.SignedData) -> None:
    info = signed["signer_infos"][0]
    attrs = {a["type"].native: a["values"][0] for a in info["signed_attrs"]}
    content = signed["encap_content_info"]["content"].contents
    scheme_hash = hashlib.new(info["digest_algorithm"]["algorithm"].native, content).digest()
    assert attrs["message_digest"].native == scheme_hash
    assert attrs["content_type"].native == "tst_info"
    ess = attrs["signing_certificate_v2"]["certs"][0]
    assert ess["cert_hash"].native == hashlib.sha256(pki.tsa.certificate).digest()
    certificate = x509.load_der_x509_certificate(pki.tsa.certificate)
    assert info["sid"].chosen["serial_number"].native == certificate.serial_number
    _verify(certificate, info["signature"].native, info["signed_attrs"].untag().dump())


def _verify(certificate: x509.Certificate, signature: bytes, data: bytes) -> None:
    key = certificate.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
    else:
        assert isinstance(key, ec.EllipticCurvePublicKey)
        key.verify(signature, data, ec.ECDSA(hashes.SHA256()))


def test_certificate_only_when_asked(pki: Pki) -> None:
    signed = stamp(pki, query(cert_req=False))["time_stamp_token"]["content"]
    assert not signed["certificates"]
    assert signed["encap_content_info"]["content"].parsed["nonce"].native is None


def test_serials_come_from_the_caller(pki: Pki) -> None:
    stamper = pki.stamper()
    serials = set()
    for serial in range(1, 6):
        response = Response.load(stamper.respond(query(), AT, serial))
        info = response["time_stamp_token"]["content"]["encap_content_info"]["content"].parsed
        serials.add(info["serial_number"].native)
    assert serials == {1, 2, 3, 4, 5}


@pytest.mark.parametrize(
    ("der", "failure"),
    [
        (b"", "bad_data_format"),
        (b"\x30\x03\x02\x01\x01", "bad_data_format"),
        (b"not DER at all", "bad_data_format"),
        (query(hashlib.sha1(b"x").digest(), "sha1"), "bad_alg"),
        (query(algorithm="md5", digest=hashlib.md5(b"x").digest()), "bad_alg"),
        (query(DIGEST[:31]), "bad_data_format"),
        (query(req_policy="1.2.3.4"), "unaccepted_policy"),
        (query(version=2), "bad_request"),
        (query(nonce=-5), "bad_data_format"),
        (query(nonce=1 << 300), "bad_data_format"),
        (query(extensions=[{"extn_id": "1.2.3", "extn_value": b"\x05\x00"}]),
         "unaccepted_extensions"),
    ],
    ids=["empty", "short", "text", "sha1", "md5", "length", "policy", "version", "neg-nonce",
         "long-nonce", "extension"],
)
def test_rejections(pki: Pki, der: bytes, failure: str) -> None:
    response = stamp(pki, der)
    assert response["status"]["status"].native == "rejection"
    assert response["status"]["fail_info"].native == {failure}
    assert response["status"]["status_string"].native


def test_our_policy_is_accepted(pki: Pki) -> None:
    response = stamp(pki, query(req_policy=pki.config.tsa_policy_oid))
    assert response["status"]["status"].native == "granted"


def test_mutated_requests_never_raise(pki: Pki) -> None:
    base, rnd, stamper = query(nonce=99), random.Random(7), pki.stamper()
    for _ in range(400):
        data = bytearray(base)
        for _ in range(rnd.randint(1, 3)):
            data[rnd.randrange(len(data))] = rnd.randrange(256)
        status = Response.load(stamper.respond(bytes(data), AT, 1))["status"]
        assert status["status"].native in ("granted", "rejection")


def test_a_tsa_needs_its_certificate(pki: Pki) -> None:
    signer = pki.signer(pki.tsa)
    with pytest.raises(ValueError):
        TimeStamper(type(signer)(signer.keystore, signer.key, signer.name), "1.2.3")
