"""RFC 5280 / RFC 6960 lints (DigiCert's pkilint as the independent side) for everything the
CA publishes: the four CA certificates, an individual's certificate, the CRLs and an OCSP
response — once per key-store back end and key family.

Findings of severity NOTICE or worse fail; INFO and DEBUG (e.g. "the key identifier is the
SHA-1 of the key, method 1") are facts, not faults.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509 import ocsp
from pkilint import loader, pkix
from pkilint.pkix import certificate, crl, extension, name
from pkilint.pkix import ocsp as pkilint_ocsp
from pkilint.validation import ValidationFindingSeverity

from kyso.pki.model import ROOT, RevocationReason
from tests.integration.pki.conftest import LivePki

THRESHOLD = ValidationFindingSeverity.NOTICE


def _certificate_linter() -> Any:
    return certificate.create_pkix_certificate_validator_container(
        certificate.create_decoding_validators(name.ATTRIBUTE_TYPE_MAPPINGS,
                                               extension.EXTENSION_MAPPINGS),
        [certificate.create_issuer_validator_container([]),
         certificate.create_validity_validator_container(),
         certificate.create_subject_validator_container([]),
         certificate.create_extensions_validator_container([]),
         certificate.create_spki_validator_container([])])


def _crl_linter() -> Any:
    return crl.create_pkix_crl_validator_container(
        [pkix.create_attribute_decoder(name.ATTRIBUTE_TYPE_MAPPINGS),
         pkix.create_extension_decoder(extension.EXTENSION_MAPPINGS)],
        [crl.create_issuer_validator_container([]),
         crl.create_validity_validator_container([]),
         crl.create_extensions_validator_container([])])


def _ocsp_linter() -> Any:
    return pkilint_ocsp.create_pkix_ocsp_response_validator_container(
        [pkilint_ocsp.create_response_decoder(),
         pkix.create_attribute_decoder(name.ATTRIBUTE_TYPE_MAPPINGS),
         pkix.create_extension_decoder(extension.EXTENSION_MAPPINGS)], [])


def findings(linter: Any, document: Any) -> list[str]:
    """Every finding at or above the threshold, as ``validator @ path: finding``."""
    found = []
    for result in linter.validate(document.root):
        for description in result.finding_descriptions:
            if description.finding.severity <= THRESHOLD:
                found.append(f"{result.validator} @ {result.node.path}: {description}")
    return found


def test_every_certificate_lints_clean(live_pki: LivePki) -> None:
    linter, load = _certificate_linter(), loader.RFC5280CertificateDocumentLoader()
    record, _ = live_pki.issue("lint.pem")
    documents = {a.name: a.certificate for a in live_pki.container.pki.authorities()}
    documents["individual"] = record.certificate
    assert set(documents) >= {ROOT, "individual"} and len(documents) == 5
    for label, der in documents.items():
        assert findings(linter, load.load_der_document(der, label)) == [], label


def test_the_crls_lint_clean(live_pki: LivePki) -> None:
    linter, load = _crl_linter(), loader.RFC5280CertificateListDocumentLoader()
    revoked, _ = live_pki.issue("lint-revoked.pem")
    held, _ = live_pki.issue("lint-held.pem")
    live_pki.container.pki.revoke(revoked.serial, RevocationReason.KEY_COMPROMISE, actor="test")
    live_pki.container.pki.suspend(held.serial, actor="test")  # entries with reasons
    for ca in (ROOT, live_pki.container.pki_config.issuing_ca):
        response = live_pki.get(f"/pki/crl/{ca}.crl")
        assert response.status_code == 200
        listed = x509.load_der_x509_crl(response.content)
        if ca != ROOT:
            assert {revoked.serial, held.serial} <= {e.serial_number for e in listed}
        assert findings(linter, load.load_der_document(response.content, ca)) == [], ca


@pytest.mark.parametrize("subject", ["issued", "unknown"])
def test_ocsp_responses_lint_clean(live_pki: LivePki, subject: str) -> None:
    issuing = live_pki.container.pki_config.issuing_ca
    ca = x509.load_der_x509_certificate(live_pki.get(f"/pki/ca/{issuing}.cer").content)
    record, _ = live_pki.issue(f"lint-ocsp-{subject}.pem")
    leaf = x509.load_der_x509_certificate(record.certificate)
    builder = ocsp.OCSPRequestBuilder()
    if subject == "issued":
        builder = builder.add_certificate(leaf, ca, hashes.SHA256())
    else:
        builder = builder.add_certificate_by_hash(
            leaf.fingerprint(hashes.SHA1())[:20], ca.fingerprint(hashes.SHA1())[:20],
            leaf.serial_number ^ 0xFFFF, hashes.SHA1())
    body = builder.add_extension(x509.OCSPNonce(b"\x42" * 16), critical=False).build()
    response = live_pki.post("/pki/ocsp", body.public_bytes(Encoding.DER),
                             "application/ocsp-request")
    assert response.status_code == 200
    document = loader.RFC6960OCSPResponseDocumentLoader().load_der_document(
        response.content, "ocsp")
    assert findings(_ocsp_linter(), document) == []


def test_the_linter_would_catch_a_faulty_certificate() -> None:
    """The oracle is awake: a certificate with an empty subject and no subjectAltName,
    signed without any extension, breaks RFC 5280 rules the linter knows."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(UTC)
    der = (x509.CertificateBuilder().subject_name(x509.Name([]))
           .issuer_name(x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "x")]))
           .public_key(key.public_key()).serial_number(1)
           .not_valid_before(now).not_valid_after(now + timedelta(days=1))
           .sign(key, hashes.SHA256()).public_bytes(Encoding.DER))
    document = loader.RFC5280CertificateDocumentLoader().load_der_document(der, "faulty")
    assert findings(_certificate_linter(), document) != []
