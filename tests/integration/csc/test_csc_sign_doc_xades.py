"""``signatures/signDoc`` with ``signature_format: "X"``: an XML e-invoice authorized by its
SHA-256 comes back with an enveloped XAdES signature that ``xmlsec1 --verify`` accepts
(kyso's root as the only trusted certificate)."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path
from typing import Any

import httpx
import pytest
from asn1crypto import pem
from lxml import etree

from kyso.keys.model import KeyAlgorithm
from tests.integration.csc.conftest import Signer, World
from tests.integration.csc.helpers import ECDSA_SHA256, RSA_SHA256, refused
from tests.integration.documents.xml_oracles import (
    INVOICE,
    needs_xmlsec1,
    one,
    signatures,
    xmlsec1_verify,
)


def sign_doc(signer: Signer, sad: str, xml: bytes, **document: Any) -> httpx.Response:
    entry = {"document": base64.b64encode(xml).decode(), "signature_format": "X",
             "signAlgo": RSA_SHA256} | document
    return signer.post("signatures/signDoc", {"credentialID": signer.credential_id,
                                              "SAD": sad, "documents": [entry]})


@needs_xmlsec1
@pytest.mark.parametrize(("algorithm", "sign_algo", "level"),
                         [(KeyAlgorithm.RSA_2048, RSA_SHA256, "Ades-B-B"),
                          (KeyAlgorithm.RSA_2048, RSA_SHA256, "AdES-T"),
                          (KeyAlgorithm.EC_P256, ECDSA_SHA256, "Ades-B-LT"),
                          (KeyAlgorithm.RSA_2048, RSA_SHA256, "Ades-B-LTA"),
                          (KeyAlgorithm.EC_P256, ECDSA_SHA256, "AdES-LTA")],
                         ids=["rsa-B-B", "rsa-core-T", "ec-B-LT", "rsa-B-LTA", "ec-core-LTA"])
def test_sign_doc_returns_an_invoice_xmlsec1_verifies(world: World, tmp_path: Path,
                                                      algorithm: KeyAlgorithm, sign_algo: str,
                                                      level: str) -> None:
    signer = world.customer(algorithm)
    xml = INVOICE.read_bytes()
    sad = signer.authorize([hashlib.sha256(xml).digest()])
    r = sign_doc(signer, sad, xml, signAlgo=sign_algo, conformance_level=level,
                 signed_envelope_property="Enveloped")
    assert r.status_code == 200, r.text
    [encoded] = r.json()["DocumentWithSignature"]
    signed = base64.b64decode(encoded)
    (tmp_path / "signed.xml").write_bytes(signed)
    root = tmp_path / "root.pem"
    root.write_bytes(pem.armor("CERTIFICATE",
                               world.container.pki_publisher.ca_certificate("root")))
    done = xmlsec1_verify(tmp_path / "signed.xml", root, world.clock.now())
    assert done.returncode == 0 and "References (ok/all): 3/3" in done.stderr, done.stderr
    [signature] = signatures(etree.fromstring(signed))
    long_term = signature.xpath(".//xades:RevocationValues",
                                namespaces={"xades": "http://uri.etsi.org/01903/v1.3.2#"})
    assert bool(long_term) == (level.endswith("LT") or level.endswith("LTA"))
    stamps = signature.xpath(".//xades:SignatureTimeStamp",
                             namespaces={"xades": "http://uri.etsi.org/01903/v1.3.2#"})
    assert bool(stamps) == (level != "Ades-B-B")
    archive = signature.xpath(".//xades141:ArchiveTimeStamp",
                              namespaces={"xades141": "http://uri.etsi.org/01903/v1.4.1#"})
    assert len(archive) == (1 if level.endswith("LTA") else 0)
    assert one(signature, "ds:KeyInfo/ds:X509Data/ds:X509Certificate[1]").text
    refused(sign_doc(signer, sad, xml, signAlgo=sign_algo), 400, "invalid_request", "SAD")


BAD: list[tuple[dict[str, Any], str, str]] = [
    ({"signed_envelope_property": "Detached"}, "invalid_request", "Enveloped"),
    ({"signed_envelope_property": "Revision"}, "invalid_request", "Enveloped"),
    ({"document": base64.b64encode(b'<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>').decode()},
     "invalid_request", "DTD"),  # CSC speaks its own error codes
    ({"document": base64.b64encode(b"%PDF-1.7").decode()}, "invalid_request", "XML"),
]


@pytest.mark.parametrize(("change", "error", "words"), BAD,
                         ids=["detached", "revision", "dtd", "pdf"])
def test_bad_xades_sign_doc_requests(world: World, change: dict[str, Any], error: str,
                                     words: str) -> None:
    signer = world.customer()
    xml = INVOICE.read_bytes()
    sad = signer.authorize([hashlib.sha256(xml).digest()])
    refused(sign_doc(signer, sad, xml, **change), 400, error, words)
    assert sign_doc(signer, sad, xml).status_code == 200  # the refusal spent nothing
