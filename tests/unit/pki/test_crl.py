"""CRLs read back by ``cryptography``: signature, number, AKI, entries with reasons."""

from __future__ import annotations

from datetime import timedelta

from cryptography import x509

from kyso.pki.crl import build_crl
from kyso.pki.model import IssuedCertificate, RevocationReason
from tests.unit.pki.conftest import AT, Pki


def issued(pki: Pki, serial: int) -> IssuedCertificate:
    return IssuedCertificate(issuer="kyso-ca", serial=serial, subject="x", certificate=b"",
                             not_before=AT, not_after=AT + timedelta(days=365), created_at=AT)


def test_empty_crl(pki: Pki) -> None:
    record = build_crl("kyso-ca", pki.signer(pki.issuing), 1, AT, AT + timedelta(hours=24), [])
    crl = x509.load_der_x509_crl(record.der)
    assert crl.is_signature_valid(pki.cert(pki.issuing).public_key())  # type: ignore[arg-type]
    assert len(crl) == 0
    assert crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number == 1
    assert crl.last_update_utc == AT.replace(microsecond=0)
    assert crl.next_update_utc == AT.replace(microsecond=0) + timedelta(hours=24)
    assert crl.issuer == pki.cert(pki.issuing).subject
    aki = crl.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
    ski = pki.cert(pki.issuing).extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
    assert aki.key_identifier == ski.value.digest
    assert (record.number, record.issuer) == (1, "kyso-ca")


def test_entries_carry_time_and_reason(pki: Pki) -> None:
    revoked = issued(pki, 0x5A).revoke(RevocationReason.KEY_COMPROMISE, AT)
    held = issued(pki, 0x5B).suspend(AT + timedelta(minutes=5))
    record = build_crl("kyso-ca", pki.signer(pki.issuing), 7, AT + timedelta(hours=1),
                       AT + timedelta(hours=25), [held, revoked])
    crl = x509.load_der_x509_crl(record.der)
    assert crl.is_signature_valid(pki.cert(pki.issuing).public_key())  # type: ignore[arg-type]
    entry = crl.get_revoked_certificate_by_serial_number(0x5A)
    assert entry is not None
    assert entry.revocation_date_utc == AT.replace(microsecond=0)
    reason = entry.extensions.get_extension_for_class(x509.CRLReason).value.reason
    assert reason is x509.ReasonFlags.key_compromise
    hold = crl.get_revoked_certificate_by_serial_number(0x5B)
    assert hold is not None
    assert hold.extensions.get_extension_for_class(x509.CRLReason).value.reason is (
        x509.ReasonFlags.certificate_hold)
    assert crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number == 7
