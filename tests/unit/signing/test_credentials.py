"""Credential lookup: by issuer and serial, the caller's only, chains cached correctly."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from kyso.clock import ManualClock
from kyso.errors import NotFound
from kyso.keys.model import KeyAlgorithm, KeyHandle
from kyso.pki.model import Authority, AuthorityRole, IssuedCertificate
from kyso.signing.credentials import (
    ChainCache,
    find_credential,
    list_credentials,
    parse_credential_id,
)

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _cert(subject: str, key: ec.EllipticCurvePrivateKey, issuer: str,
          issuer_key: ec.EllipticCurvePrivateKey, serial: int) -> bytes:
    public = key.public_key()
    builder = (x509.CertificateBuilder().subject_name(_name(subject)).issuer_name(_name(issuer))
               .public_key(public).serial_number(serial)
               .not_valid_before(NOW - timedelta(days=1))
               .not_valid_after(NOW + timedelta(days=365))
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), False)
               .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                   issuer_key.public_key()), False))
    return builder.sign(issuer_key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


def _handle(key_id: str) -> KeyHandle:
    return KeyHandle(key_id, KeyAlgorithm.EC_P256, b"spki", "fake", b"ref")


@dataclass
class FakePki:
    authorities: dict[str, Authority] = field(default_factory=dict)
    issued: dict[tuple[str, int], IssuedCertificate] = field(default_factory=dict)
    authority_reads: int = 0
    key_reads: int = 0

    def authority(self, name: str) -> Authority | None:
        self.authority_reads += 1
        return self.authorities.get(name)

    def certificate(self, issuer: str, serial: int) -> IssuedCertificate | None:
        return self.issued.get((issuer, serial))

    def certificates(self, *, account_id: str | None = None) -> list[IssuedCertificate]:
        return [c for c in self.issued.values() if c.account_id == account_id]

    def key(self, key_id: str) -> KeyHandle | None:
        self.key_reads += 1
        return _handle(key_id)


@dataclass
class FakeUow:
    pki: FakePki


class Pki:
    """A root, an issuing CA ``issuing-ca`` and the certificates it issues."""

    def __init__(self) -> None:
        self.root_key = ec.generate_private_key(ec.SECP256R1())
        root = _cert("Root", self.root_key, "Root", self.root_key, 1)
        self.uow = FakeUow(FakePki())
        self._add(Authority("root", AuthorityRole.ROOT, root, 1, _handle("r"), NOW))
        self.reissue_ca()

    def reissue_ca(self) -> None:
        self.ca_key = ec.generate_private_key(ec.SECP256R1())
        serial = len(self.uow.pki.authorities) + 1
        der = _cert("Issuing", self.ca_key, "Root", self.root_key, serial)
        self._add(Authority("issuing-ca", AuthorityRole.ISSUING, der, serial, _handle("i"),
                            NOW, issuer="root"))

    def issue(self, account_id: str, serial: int) -> IssuedCertificate:
        der = _cert("NGUYỄN VĂN AN", ec.generate_private_key(ec.SECP256R1()), "Issuing",
                    self.ca_key, serial)
        cert = IssuedCertificate("issuing-ca", serial, "NGUYỄN VĂN AN", der, NOW,
                                 NOW + timedelta(days=365), NOW, account_id=account_id,
                                 key_id=f"k{serial}")
        self.uow.pki.issued[("issuing-ca", serial)] = cert
        return cert

    def _add(self, authority: Authority) -> None:
        self.uow.pki.authorities[authority.name] = authority


@pytest.fixture
def pki() -> Pki:
    return Pki()


def _find(pki: Pki, account: str, wanted: str, chains: ChainCache | None = None) -> Any:
    return find_credential(pki.uow, account, wanted, chains)  # type: ignore[arg-type]  # fake


@pytest.mark.parametrize(("text", "parsed"), [
    ("issuing-ca-1f", ("issuing-ca", 31)), ("kyso-ca-abc123", ("kyso-ca", 0xABC123)),
    ("issuing-ca-01f", None), ("issuing-ca-1F", None), ("issuing-ca-", None), ("1f", None),
    ("issuing-ca-xyz", None), ("-1f", None), ("issuing-ca-" + "f" * 41, None),
])
def test_credential_ids_parse_only_in_their_one_spelling(text: str, parsed: Any) -> None:
    assert parse_credential_id(text) == parsed


def test_found_by_issuer_and_serial_with_the_chain(pki: Pki) -> None:
    pki.issue("other", 7)
    mine = pki.issue("me", 0x2A)
    found = _find(pki, "me", "issuing-ca-2a")
    assert found.certificate == mine
    assert found.chain == (mine.certificate, pki.uow.pki.authorities["issuing-ca"].certificate,
                           pki.uow.pki.authorities["root"].certificate)


@pytest.mark.parametrize("wanted", ["issuing-ca-7", "issuing-ca-99", "issuing-ca-07", "", "x"])
def test_another_customers_or_a_missing_credential_is_unknown(pki: Pki, wanted: str) -> None:
    pki.issue("other", 7)
    with pytest.raises(NotFound):
        _find(pki, "me", wanted)


def test_the_ca_chain_is_read_once_while_fresh(pki: Pki) -> None:
    clock = ManualClock(NOW)
    chains = ChainCache(clock, ttl_seconds=300)
    pki.issue("me", 1)
    first = _find(pki, "me", "issuing-ca-1", chains)
    reads = pki.uow.pki.authority_reads
    clock.advance(299)
    assert _find(pki, "me", "issuing-ca-1", chains).chain == first.chain
    assert pki.uow.pki.authority_reads == reads
    assert pki.uow.pki.key_reads == 1  # a key handle never changes: read once
    clock.advance(1)
    _find(pki, "me", "issuing-ca-1", chains)
    assert pki.uow.pki.authority_reads == reads + 2  # stale: issuing CA and root again


def test_a_ca_reissued_with_a_new_key_is_seen_at_once(pki: Pki) -> None:
    chains = ChainCache(ManualClock(NOW))
    pki.issue("me", 1)
    old = _find(pki, "me", "issuing-ca-1", chains).chain
    pki.reissue_ca()
    pki.issue("me", 2)
    new = _find(pki, "me", "issuing-ca-2", chains).chain
    assert new[1] == pki.uow.pki.authorities["issuing-ca"].certificate != old[1]
    again = _find(pki, "me", "issuing-ca-2", chains).chain
    assert again == new


def test_list_skips_certificates_without_a_key_on_the_server(pki: Pki) -> None:
    pki.issue("me", 1)
    cert = pki.issue("me", 2)
    pki.uow.pki.issued[("issuing-ca", 2)] = replace(cert, key_id=None)
    listed = list_credentials(pki.uow, "me")  # type: ignore[arg-type]  # fake
    assert [c.id for c in listed] == ["issuing-ca-1"]
    with pytest.raises(NotFound):
        _find(pki, "me", "issuing-ca-2")


def test_without_a_clock_nothing_is_kept(pki: Pki) -> None:
    pki.issue("me", 1)
    for _ in range(2):
        _find(pki, "me", "issuing-ca-1")
    assert pki.uow.pki.key_reads == 2 and pki.uow.pki.authority_reads == 4
