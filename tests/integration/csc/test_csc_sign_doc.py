"""``signatures/signDoc``: a PDF authorized by its SHA-256 comes back PAdES-signed, and
pyHanko's validator (kyso's root only, revocation checked online) says it is trusted."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import httpx
import pytest

from kyso.keys.model import KeyAlgorithm
from tests.integration.csc.conftest import Signer, World
from tests.integration.csc.helpers import ECDSA_SHA256, PSS, RSA_SHA256, pss_params, refused
from tests.integration.csc.pyhanko_client import small_pdf, validate


def sign_doc(signer: Signer, sad: str, pdf: bytes, **document: Any) -> httpx.Response:
    entry = {"document": base64.b64encode(pdf).decode(), "signature_format": "P",
             "signAlgo": RSA_SHA256} | document
    return signer.post("signatures/signDoc", {"credentialID": signer.credential_id,
                                              "SAD": sad, "documents": [entry]})


@pytest.mark.parametrize(("algorithm", "sign_algo", "level"),
                         [(KeyAlgorithm.RSA_2048, RSA_SHA256, "Ades-B-B"),
                          (KeyAlgorithm.EC_P256, ECDSA_SHA256, "Ades-B-T")],
                         ids=["rsa-B-B", "ec-B-T"])
def test_sign_doc_returns_a_trusted_pades_pdf(world: World, algorithm: KeyAlgorithm,
                                              sign_algo: str, level: str) -> None:
    signer = world.customer(algorithm)
    pdf = small_pdf(b"Hop dong ky qua signDoc")
    sad = signer.authorize([hashlib.sha256(pdf).digest()])
    r = sign_doc(signer, sad, pdf, signAlgo=sign_algo, conformance_level=level)
    assert r.status_code == 200, r.text
    [encoded] = r.json()["DocumentWithSignature"]
    signed = base64.b64decode(encoded)
    assert signed.startswith(pdf[: len(pdf) - 64])  # an incremental update of the original
    status = validate(signed, world.container.pki_publisher.ca_certificate("root"),
                      moment=world.clock.now(), fetch=True)
    assert status.bottom_line, status.pretty_print_details()
    assert status.signing_cert.dump() == signer.credential.chain[0]
    assert (status.timestamp_validity is not None) == (level == "Ades-B-T")
    refused(sign_doc(signer, sad, pdf, signAlgo=sign_algo), 400, "invalid_request", "SAD")


def test_the_sad_must_name_this_document(world: World) -> None:
    signer = world.customer()
    pdf, other = small_pdf(b"Ban A"), small_pdf(b"Ban B")
    sad = signer.authorize([hashlib.sha256(pdf).digest()])
    refused(sign_doc(signer, sad, other), 400, "invalid_request", "SAD")
    assert sign_doc(signer, sad, pdf).status_code == 200  # the refusal spent nothing


BAD_DOCUMENTS: list[tuple[dict[str, Any], str]] = [
    ({"signature_format": "C"}, "signature_format"),
    ({"signAlgo": PSS, "signAlgoParams": pss_params("sha256", 32)}, "signAlgo"),
    ({"signAlgo": ECDSA_SHA256}, "signAlgo"),
    ({"conformance_level": "Ades-B-X"}, "conformance_level"),
    ({"signed_envelope_property": "Certification"}, "Revision"),
    ({"document": "not base64!"}, "Base64"),
    ({"document": base64.b64encode(b"just text, no PDF").decode()}, "PDF"),
]


@pytest.mark.parametrize(("change", "words"), BAD_DOCUMENTS, ids=[w for _, w in BAD_DOCUMENTS])
def test_bad_sign_doc_requests(world: World, change: dict[str, Any], words: str) -> None:
    signer = world.customer()
    pdf = small_pdf()
    sad = signer.authorize([hashlib.sha256(pdf).digest()])
    refused(sign_doc(signer, sad, pdf, **change), 400, "invalid_request", words)
    assert sign_doc(signer, sad, pdf).status_code == 200


def test_document_digests_are_for_sign_hash(world: World) -> None:
    signer = world.customer()
    r = signer.post("signatures/signDoc", {"credentialID": signer.credential_id, "SAD": "x",
                                           "documentDigests": [{"hashes": ["AAAA"]}]})
    refused(r, 400, "invalid_request", "signHash")


def test_a_suspended_certificate_cannot_sign_a_document(world: World) -> None:
    """signDoc hands the credential it looked up to the signer, which checks it for use
    again: a suspended certificate signs nothing, and its SAD is not spent."""
    signer = world.customer()
    pdf = small_pdf(b"Tam dung")
    sad = signer.authorize([hashlib.sha256(pdf).digest()])
    world.container.pki.suspend(signer.credential.certificate.serial, actor="test")
    refused(sign_doc(signer, sad, pdf), 400, "invalid_request", "suspended")
    world.container.pki.resume(signer.credential.certificate.serial, actor="test")
    assert sign_doc(signer, sad, pdf).status_code == 200
