"""A CA hierarchy on the fake key store, built once per session for each key family."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography import x509

from kyso.keys.fake import FakeKeyStore
from kyso.keys.model import KeyAlgorithm
from kyso.pki.certificates import build_certificate
from kyso.pki.config import PkiConfig
from kyso.pki.hierarchy import create_hierarchy
from kyso.pki.model import Authority
from kyso.pki.ocsp import Responder
from kyso.pki.profiles import individual_template, validity
from kyso.pki.signer import Signer, random_serial
from kyso.pki.subject import IdentityDocument, PersonSubject
from kyso.pki.tsa import TimeStamper

AT = datetime(2026, 3, 1, 8, 30, 15, 123456, tzinfo=UTC)
SUBJECT = PersonSubject("Nguyễn Văn An", "Hà Nội", "Cầu Giấy",
                        IdentityDocument.parse("CCCD:001091000001"))


@dataclass(frozen=True)
class Pki:
    keystore: FakeKeyStore
    config: PkiConfig
    root: Authority
    issuing: Authority
    ocsp: Authority
    tsa: Authority
    person: bytes  # DER of an individual's certificate from the issuing CA
    person_serial: int

    def signer(self, authority: Authority) -> Signer:
        return Signer.of(self.keystore, authority.key, authority.certificate)

    def responder(self) -> Responder:
        ca = asn1_x509.Certificate.load(self.issuing.certificate)
        return Responder(self.signer(self.ocsp), ca, timedelta(minutes=30))

    def stamper(self) -> TimeStamper:
        return TimeStamper(self.signer(self.tsa), self.config.tsa_policy_oid)

    def cert(self, authority: Authority | None = None) -> x509.Certificate:
        der = authority.certificate if authority else self.person
        return x509.load_der_x509_certificate(der)


def build_pki(algorithm: KeyAlgorithm) -> Pki:
    keystore = FakeKeyStore()
    config = PkiConfig(base_url="https://ca.example.vn/", ca_key=algorithm,
                       responder_key=algorithm, tsa_key=algorithm, subscriber_key=algorithm)
    root, issuing, ocsp, tsa = create_hierarchy(keystore, config, AT, random_serial).authorities
    key = keystore.generate(algorithm, label="person")
    signer = Signer.of(keystore, issuing.key, issuing.certificate)
    template = individual_template(config, issuing.name, signer, SUBJECT, key.public_key_der,
                                   random_serial(), validity(AT, 365))
    person = build_certificate(template, signer)
    return Pki(keystore, config, root, issuing, ocsp, tsa, person, template.serial)


@pytest.fixture(scope="session", params=[KeyAlgorithm.RSA_2048, KeyAlgorithm.EC_P256],
                ids=["rsa", "ec"])
def pki(request: pytest.FixtureRequest) -> Pki:
    algorithm: KeyAlgorithm = request.param
    return build_pki(algorithm)
