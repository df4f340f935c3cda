"""The profiles, read back by an independent parser (``cryptography``)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from cryptography import x509
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID, NameOID

from kyso.errors import InvalidInput
from kyso.pki.config import MAX_CERTIFICATE_DAYS, PkiConfig
from kyso.pki.errors import InvalidValidity
from kyso.pki.profiles import validity
from kyso.pki.signer import random_serial
from tests.unit.pki.conftest import AT, Pki

UID = x509.ObjectIdentifier("0.9.2342.19200300.100.1.1")
OCSP_NOCHECK = x509.ObjectIdentifier("1.3.6.1.5.5.7.48.1.5")
BASE = "https://ca.example.vn"


def ext(cert: x509.Certificate, kind: type[x509.ExtensionType]) -> x509.Extension[
        x509.ExtensionType]:
    return cert.extensions.get_extension_for_class(kind)


def test_chain_signatures_verify(pki: Pki) -> None:
    root, issuing = pki.cert(pki.root), pki.cert(pki.issuing)
    root.verify_directly_issued_by(root)
    issuing.verify_directly_issued_by(root)
    for cert in (pki.cert(pki.ocsp), pki.cert(pki.tsa), pki.cert()):
        cert.verify_directly_issued_by(issuing)


def test_individual_profile(pki: Pki) -> None:
    cert = pki.cert()
    subject = cert.subject
    assert subject.get_attributes_for_oid(NameOID.COUNTRY_NAME)[0].value == "VN"
    assert subject.get_attributes_for_oid(NameOID.STATE_OR_PROVINCE_NAME)[0].value == "Hà Nội"
    assert subject.get_attributes_for_oid(NameOID.LOCALITY_NAME)[0].value == "Cầu Giấy"
    cn = subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0]
    assert cn.value == "Nguyễn Văn An" and cn._type == x509.name._ASN1Type.UTF8String
    assert subject.get_attributes_for_oid(UID)[0].value == "CCCD:001091000001"
    usage = ext(cert, x509.KeyUsage)
    assert usage.critical and usage.value.digital_signature and usage.value.content_commitment
    assert not (usage.value.key_cert_sign or usage.value.key_encipherment)
    assert ext(cert, x509.BasicConstraints).value.ca is False
    points = ext(cert, x509.CRLDistributionPoints).value
    assert points[0].full_name[0].value == f"{BASE}/pki/crl/kyso-ca.crl"
    access = {(d.access_method, d.access_location.value)
              for d in ext(cert, x509.AuthorityInformationAccess).value}
    assert access == {(AuthorityInformationAccessOID.OCSP, f"{BASE}/pki/ocsp"),
                      (AuthorityInformationAccessOID.CA_ISSUERS, f"{BASE}/pki/ca/kyso-ca.cer")}
    policies = ext(cert, x509.CertificatePolicies).value
    assert [p.policy_identifier.dotted_string for p in policies] == [pki.config.policy_oid]
    aki = ext(cert, x509.AuthorityKeyIdentifier).value.key_identifier
    assert aki == ext(pki.cert(pki.issuing), x509.SubjectKeyIdentifier).value.digest


def test_individual_serial_and_validity(pki: Pki) -> None:
    cert = pki.cert()
    assert cert.serial_number == pki.person_serial
    assert len(cert.serial_number.to_bytes(16, "big")) == 16 and cert.serial_number >> 126 == 1
    assert cert.not_valid_before_utc == AT.replace(microsecond=0)
    assert cert.not_valid_after_utc - cert.not_valid_before_utc == timedelta(days=365)


def test_random_serials_are_16_octets_and_differ() -> None:
    serials = {random_serial() for _ in range(2000)}
    assert len(serials) == 2000
    assert all(s.bit_length() == 127 for s in serials)


@pytest.mark.parametrize("days", [0, -1, MAX_CERTIFICATE_DAYS + 1, 3650])
def test_validity_never_over_three_years(days: int) -> None:
    with pytest.raises(InvalidValidity) as caught:
        validity(AT, days)
    assert isinstance(caught.value, InvalidInput)
    assert validity(AT, MAX_CERTIFICATE_DAYS)[1] - validity(AT, 1)[0] <= timedelta(days=1095)


def test_ca_profiles(pki: Pki) -> None:
    root, issuing = pki.cert(pki.root), pki.cert(pki.issuing)
    assert root.subject == root.issuer
    assert ext(root, x509.BasicConstraints).value.ca
    assert ext(issuing, x509.BasicConstraints).value.path_length == 0
    for cert in (root, issuing):
        usage = ext(cert, x509.KeyUsage)
        assert usage.critical and usage.value.key_cert_sign and usage.value.crl_sign
        assert ext(cert, x509.BasicConstraints).critical
    crl = ext(issuing, x509.CRLDistributionPoints).value[0].full_name[0].value
    assert crl == f"{BASE}/pki/crl/root.crl"
    assert issuing.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == "kyso"


def test_ocsp_responder_profile(pki: Pki) -> None:
    cert = pki.cert(pki.ocsp)
    assert ext(cert, x509.ExtendedKeyUsage).value == x509.ExtendedKeyUsage(
        [ExtendedKeyUsageOID.OCSP_SIGNING])
    assert cert.extensions.get_extension_for_oid(OCSP_NOCHECK)
    assert ext(cert, x509.KeyUsage).value.digital_signature


def test_tsa_profile_has_critical_time_stamping_eku(pki: Pki) -> None:
    eku = ext(pki.cert(pki.tsa), x509.ExtendedKeyUsage)
    assert eku.critical and list(eku.value) == [ExtendedKeyUsageOID.TIME_STAMPING]


def test_every_url_comes_from_the_base_url(pki: Pki) -> None:
    for authority in (pki.issuing, pki.ocsp, pki.tsa, None):
        urls = _uris(pki.cert(authority))
        assert urls and all(u.startswith(f"{BASE}/pki/") for u in urls)


def _uris(cert: x509.Certificate) -> list[str]:
    found = []
    for extension in cert.extensions:
        if isinstance(extension.value, x509.CRLDistributionPoints):
            found += [n.value for p in extension.value for n in p.full_name or ()]
        if isinstance(extension.value, x509.AuthorityInformationAccess):
            found += [d.access_location.value for d in extension.value]
    return found


@pytest.mark.parametrize(
    "changes",
    [{"base_url": "ftp://x"}, {"base_url": "http://x/?q"}, {"issuing_ca": "root"},
     {"issuing_ca": "tsa"}, {"issuing_ca": "Bad Name"}, {"certificate_days": 1096},
     {"crl_hours": 0}, {"policy_oid": "1.2.x"}, {"organization": " "},
     {"policy_oid": "2.25.32075402975872348100610335547277900395"},
     {"tsa_policy_oid": "1.3.6.1.4.1.4294967296"}, {"policy_oid": "2.999.1"},
     {"receipt_policy_oid": "2.25.x"}, {"issuing_ca": "receipts"}],
)
def test_config_validates(changes: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        PkiConfig(**changes)  # type: ignore[arg-type]


def test_config_urls() -> None:
    config = PkiConfig(base_url="https://ca.example.vn/kyso/")
    assert config.ca_url("root") == "https://ca.example.vn/kyso/pki/ca/root.cer"
    assert config.crl_url("kyso-ca") == "https://ca.example.vn/kyso/pki/crl/kyso-ca.crl"
    assert (config.ocsp_url, config.tsa_url) == ("https://ca.example.vn/kyso/pki/ocsp",
                                                 "https://ca.example.vn/kyso/pki/tsa")
