"""Building X.509 v3 certificates: the TBSCertificate in asn1crypto, signed through the store."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from asn1crypto import keys, x509

from kyso.pki.signer import Signer, second, x509_time

__all__ = ["CertificateInfo", "Template", "build_certificate", "describe", "distinguished_name"]


@dataclass(frozen=True)
class Template:
    """What a certificate says, before an issuer signs it."""

    subject: x509.Name = field(repr=False)
    public_key: bytes = field(repr=False)  # DER SubjectPublicKeyInfo
    serial: int
    not_before: datetime
    not_after: datetime
    extensions: Sequence[x509.Extension] = field(repr=False)

    def __post_init__(self) -> None:
        if not 0 < self.serial < 1 << 159:
            raise ValueError("a serial is a positive integer of at most 20 octets")
        if second(self.not_after) <= second(self.not_before):
            raise ValueError("not_after must follow not_before")


def build_certificate(template: Template, issuer: Signer) -> bytes:
    """The DER certificate; ``issuer`` may be the subject's own key (a self-signed root)."""
    tbs = x509.TbsCertificate({
        "version": "v3",
        "serial_number": template.serial,
        "signature": issuer.algorithm,
        "issuer": issuer.name,
        "validity": {
            "not_before": x509_time(template.not_before),
            "not_after": x509_time(template.not_after),
        },
        "subject": template.subject,
        "subject_public_key_info": keys.PublicKeyInfo.load(template.public_key),
        "extensions": list(template.extensions),
    })
    certificate = x509.Certificate({
        "tbs_certificate": tbs,
        "signature_algorithm": issuer.algorithm,
        "signature_value": issuer.sign(tbs.dump()),
    })
    der: bytes = certificate.dump()
    return der


@dataclass(frozen=True)
class CertificateInfo:
    """A certificate as an operator reads it."""

    subject: str
    common_name: str
    issuer: str
    serial: int
    not_before: datetime
    not_after: datetime
    sha256: str


_SHORT = {"country_name": "C", "state_or_province_name": "ST", "locality_name": "L",
          "organization_name": "O", "organizational_unit_name": "OU", "common_name": "CN",
          "user_id": "UID", "email_address": "E", "serial_number": "serialNumber"}


def describe(der: bytes) -> CertificateInfo:
    certificate = x509.Certificate.load(der)
    validity = certificate["tbs_certificate"]["validity"]
    return CertificateInfo(
        subject=distinguished_name(certificate.subject),
        common_name=str(certificate.subject.native.get("common_name", "")),
        issuer=distinguished_name(certificate.issuer),
        serial=certificate.serial_number,
        not_before=validity["not_before"].native,
        not_after=validity["not_after"].native,
        sha256=certificate.sha256.hex(),
    )


def distinguished_name(name: x509.Name) -> str:
    """``C=VN, ST=Hà Nội, …, CN=…`` in the order the certificate carries."""
    parts = []
    for rdn in name.chosen:
        for atv in rdn:
            kind = atv["type"].native
            parts.append(f"{_SHORT.get(kind, kind)}={atv['value'].native}")
    return ", ".join(parts)
