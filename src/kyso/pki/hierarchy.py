"""Creating kyso's hierarchy: a root CA, an issuing CA, its OCSP responder and a TSA.

Keys are generated in the key store; certificates are built and signed here. Nothing is
stored: the service persists what :func:`create_hierarchy` returns, in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from kyso.keys.model import KeyAlgorithm, KeyHandle
from kyso.keys.ports import KeyStore
from kyso.pki import extensions
from kyso.pki.certificates import Template, build_certificate, describe
from kyso.pki.config import PkiConfig
from kyso.pki.model import (
    OCSP_RESPONDER,
    RECEIPTS,
    ROOT,
    SEAL,
    TSA,
    Authority,
    AuthorityRole,
    IssuedCertificate,
)
from kyso.pki.signer import Signer, key_identifier, second
from kyso.pki.subject import authority_name

__all__ = ["VALIDITY", "Hierarchy", "create_hierarchy", "create_receipt_seal", "create_seal",
           "issued_record"]

VALIDITY = {  # days
    AuthorityRole.ROOT: 20 * 365,
    AuthorityRole.ISSUING: 10 * 365,
    AuthorityRole.OCSP: 2 * 365,
    AuthorityRole.TSA: 5 * 365,
    AuthorityRole.SEAL: 3 * 365,
    AuthorityRole.RECEIPTS: 3 * 365,
}
_COMMON_NAMES = {
    AuthorityRole.ROOT: "{org} Root CA",
    AuthorityRole.ISSUING: "{org} Issuing CA",
    AuthorityRole.OCSP: "{org} OCSP Responder",
    AuthorityRole.TSA: "{org} Time Stamping Authority",
    AuthorityRole.SEAL: "{org} Electronic Seal",
    AuthorityRole.RECEIPTS: "{org} Signing Receipts",
}


@dataclass(frozen=True)
class Hierarchy:
    """The four authorities, and the certificates the CAs issued to the other three."""

    authorities: tuple[Authority, ...]
    issued: tuple[IssuedCertificate, ...]

    def keys(self) -> list[KeyHandle]:
        return [a.key for a in self.authorities]


def create_hierarchy(
    keystore: KeyStore, config: PkiConfig, at: datetime, serial: Callable[[], int]
) -> Hierarchy:
    maker = _Maker(keystore, config, second(at), serial)
    root = maker.root()
    issuing = maker.issued(root, config.issuing_ca, AuthorityRole.ISSUING)
    ocsp = maker.issued(issuing, OCSP_RESPONDER, AuthorityRole.OCSP)
    tsa = maker.issued(issuing, TSA, AuthorityRole.TSA)
    authorities = (root, issuing, ocsp, tsa)
    return Hierarchy(authorities, tuple(issued_record(a) for a in authorities[1:]))


def create_seal(keystore: KeyStore, config: PkiConfig, issuing: Authority, at: datetime,
                serial: Callable[[], int]) -> Authority:
    """The organisation's seal, certified by the issuing CA (made when first needed)."""
    return _Maker(keystore, config, second(at), serial).issued(issuing, SEAL, AuthorityRole.SEAL)


def create_receipt_seal(keystore: KeyStore, config: PkiConfig, issuing: Authority,
                        at: datetime, serial: Callable[[], int]) -> Authority:
    """The seal of signing receipts, certified by the issuing CA (made when first needed)."""
    return _Maker(keystore, config, second(at), serial).issued(issuing, RECEIPTS,
                                                                AuthorityRole.RECEIPTS)


def issued_record(authority: Authority) -> IssuedCertificate:
    """The issuer's record of an authority's certificate (for its CRL and OCSP)."""
    if authority.issuer is None:
        raise ValueError("a self-signed root is in no issuer's records")
    info = describe(authority.certificate)
    return IssuedCertificate(
        issuer=authority.issuer, serial=authority.serial, subject=info.common_name,
        certificate=authority.certificate, not_before=info.not_before,
        not_after=info.not_after, created_at=authority.created_at, key_id=authority.key.key_id,
    )


class _Maker:
    def __init__(self, keystore: KeyStore, config: PkiConfig, at: datetime,
                 serial: Callable[[], int]) -> None:
        self._keystore, self._config, self._at, self._serial = keystore, config, at, serial

    def root(self) -> Authority:
        key = self._key(AuthorityRole.ROOT, self._config.ca_key)
        name = authority_name(self._config.organization, self._common_name(AuthorityRole.ROOT))
        signer = Signer(self._keystore, key, name)
        ski = key_identifier(key.public_key_der)
        template = self._template(AuthorityRole.ROOT, key, extensions.root_ca(ski))
        return self._authority(ROOT, AuthorityRole.ROOT, key, template, signer, None)

    def issued(self, parent: Authority, name: str, role: AuthorityRole) -> Authority:
        algorithm = {AuthorityRole.ISSUING: self._config.ca_key,
                     AuthorityRole.OCSP: self._config.responder_key,
                     AuthorityRole.TSA: self._config.tsa_key,
                     AuthorityRole.SEAL: self._config.subscriber_key,
                     AuthorityRole.RECEIPTS: self._config.subscriber_key}[role]
        key = self._key(role, algorithm)
        issuer = Signer.of(self._keystore, parent.key, parent.certificate)
        ski = key_identifier(key.public_key_der)
        template = self._template(role, key, self._extensions(role, ski, issuer, parent.name))
        return self._authority(name, role, key, template, issuer, parent.name)

    def _extensions(self, role: AuthorityRole, ski: bytes, issuer: Signer,
                    parent: str) -> extensions.Extensions:
        c = self._config
        if role is AuthorityRole.ISSUING:
            links = extensions.Links(ca_issuers=c.ca_url(parent), crl=c.crl_url(parent))
            return extensions.issuing_ca(ski, issuer.key_identifier, links)
        links = extensions.Links(c.ca_url(parent), c.crl_url(parent), c.ocsp_url)
        if role is AuthorityRole.OCSP:
            return extensions.ocsp_responder(ski, issuer.key_identifier, links)
        if role is AuthorityRole.SEAL:
            return extensions.organization_seal(ski, issuer.key_identifier, links,
                                                c.policy_oid)
        if role is AuthorityRole.RECEIPTS:
            return extensions.receipt_seal(ski, issuer.key_identifier, links,
                                           c.receipt_policy_oid)
        return extensions.time_stamping(ski, issuer.key_identifier, links)

    def _key(self, role: AuthorityRole, algorithm: KeyAlgorithm) -> KeyHandle:
        return self._keystore.generate(algorithm, label=self._common_name(role))

    def _common_name(self, role: AuthorityRole) -> str:
        return _COMMON_NAMES[role].format(org=self._config.organization)

    def _template(self, role: AuthorityRole, key: KeyHandle,
                  exts: extensions.Extensions) -> Template:
        name = authority_name(self._config.organization, self._common_name(role))
        not_after = self._at + timedelta(days=VALIDITY[role])
        return Template(name, key.public_key_der, self._serial(), self._at, not_after, exts)

    def _authority(self, name: str, role: AuthorityRole, key: KeyHandle, template: Template,
                   issuer: Signer, parent: str | None) -> Authority:
        der = build_certificate(template, issuer)
        return Authority(name, role, der, template.serial, key, self._at, parent)
