"""Certificate states and their transitions, CRL freshness, authority names."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from kyso.errors import Conflict
from kyso.keys.fake import FakeKeyStore
from kyso.keys.model import KeyAlgorithm
from kyso.pki.errors import InvalidTransition
from kyso.pki.model import (
    Authority,
    AuthorityRole,
    CertificateStatus,
    CrlRecord,
    IssuedCertificate,
    RevocationReason,
    check_name,
)

T0 = datetime(2026, 1, 1, tzinfo=UTC)
HOLD = RevocationReason.CERTIFICATE_HOLD


def record(**changes: object) -> IssuedCertificate:
    values: dict[str, object] = {
        "issuer": "kyso-ca", "serial": 0x4ABC, "subject": "Nguyễn Văn An", "certificate": b"",
        "not_before": T0, "not_after": T0 + timedelta(days=365), "created_at": T0,
    }
    return IssuedCertificate(**(values | changes))  # type: ignore[arg-type]


def test_suspend_resume_revoke() -> None:
    active = record()
    held = active.suspend(T0 + timedelta(days=1))
    assert (held.status, held.reason) == (CertificateStatus.SUSPENDED, HOLD)
    resumed = held.resume(T0 + timedelta(days=2))
    assert resumed == active
    revoked = resumed.revoke(RevocationReason.KEY_COMPROMISE, T0 + timedelta(days=3))
    assert revoked.status is CertificateStatus.REVOKED
    assert revoked.revoked_at == T0 + timedelta(days=3)


def test_revoking_a_held_certificate_keeps_the_hold_time() -> None:
    held = record().suspend(T0 + timedelta(days=1))
    revoked = held.revoke(RevocationReason.CESSATION_OF_OPERATION, T0 + timedelta(days=5))
    assert revoked.revoked_at == T0 + timedelta(days=1)
    assert revoked.reason is RevocationReason.CESSATION_OF_OPERATION


@pytest.mark.parametrize(
    ("start", "action"),
    [
        ("active", "resume"),
        ("suspended", "suspend"),
        ("revoked", "revoke"),
        ("revoked", "resume"),
        ("revoked", "suspend"),
    ],
)
def test_forbidden_transitions_are_conflicts(start: str, action: str) -> None:
    current = record()
    if start == "suspended":
        current = current.suspend(T0)
    if start == "revoked":
        current = current.revoke(RevocationReason.SUPERSEDED, T0)
    later = T0 + timedelta(days=1)
    with pytest.raises(InvalidTransition) as caught:
        if action == "revoke":
            current.revoke(RevocationReason.KEY_COMPROMISE, later)
        else:
            getattr(current, action)(later)
    assert isinstance(caught.value, Conflict)


def test_hold_is_not_a_revocation_reason() -> None:
    with pytest.raises(InvalidTransition, match="suspend"):
        record().revoke(HOLD, T0)


def test_expired_is_derived_and_frozen() -> None:
    cert = record()
    assert cert.status_at(T0 + timedelta(days=364)) is CertificateStatus.ACTIVE
    assert cert.status_at(T0 + timedelta(days=365)) is CertificateStatus.EXPIRED
    with pytest.raises(InvalidTransition, match="expired"):
        cert.revoke(RevocationReason.KEY_COMPROMISE, T0 + timedelta(days=400))
    held = cert.suspend(T0)
    assert held.status_at(T0 + timedelta(days=400)) is CertificateStatus.SUSPENDED


@pytest.mark.parametrize(
    "changes",
    [
        {"serial": 0},
        {"serial": 1 << 160},
        {"not_after": T0},
        {"status": CertificateStatus.EXPIRED},
        {"status": CertificateStatus.REVOKED},  # no time, no reason
        {"status": CertificateStatus.REVOKED, "revoked_at": T0, "reason": HOLD},
        {"status": CertificateStatus.SUSPENDED, "revoked_at": T0,
         "reason": RevocationReason.KEY_COMPROMISE},
        {"revoked_at": T0, "reason": RevocationReason.KEY_COMPROMISE},  # active
    ],
)
def test_constructor_refuses_inconsistent_records(changes: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        record(**changes)


def test_reason_names_match_asn1crypto() -> None:
    from asn1crypto import crl

    names = set(crl.CRLReason._map.values())
    assert {r.asn1 for r in RevocationReason} <= names
    assert RevocationReason("keyCompromise").asn1 == "key_compromise"
    assert RevocationReason.CA_COMPROMISE.asn1 == "ca_compromise"


def test_crl_is_fresh_for_half_its_validity() -> None:
    crl = CrlRecord("kyso-ca", 1, T0, T0 + timedelta(hours=24), b"der")
    assert crl.is_fresh(T0 + timedelta(hours=11, minutes=59))
    assert not crl.is_fresh(T0 + timedelta(hours=12))
    with pytest.raises(ValueError):
        CrlRecord("kyso-ca", 0, T0, T0 + timedelta(hours=1), b"")
    with pytest.raises(ValueError):
        CrlRecord("kyso-ca", 1, T0, T0, b"")


@pytest.mark.parametrize("name", ["root", "kyso-ca", "ca2"])
def test_authority_names(name: str) -> None:
    assert check_name(name) == name


@pytest.mark.parametrize("name", ["", "a", "Kyso", "kyso_ca", "-ca", "../etc", "ca.cer"])
def test_bad_authority_names(name: str) -> None:
    with pytest.raises(ValueError):
        check_name(name)


def test_only_the_root_has_no_issuer() -> None:
    key = FakeKeyStore().generate(KeyAlgorithm.EC_P256, label="x")
    with pytest.raises(ValueError):
        Authority("kyso-ca", AuthorityRole.ISSUING, b"", 1, key, T0, None)
    with pytest.raises(ValueError):
        Authority("root", AuthorityRole.ROOT, b"", 1, key, T0, "root")
    assert AuthorityRole.ROOT.is_ca and not AuthorityRole.TSA.is_ca
