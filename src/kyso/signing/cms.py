"""A pyHanko signer for a kyso credential: CMS is built by pyHanko, the raw signature comes
from the SAD-checked signing path through a callback (never from a key in this object)."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Iterator
from typing import Any

from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from pyhanko.sign.attributes import CMSAttributeProvider, SigningCertificateV2Provider
from pyhanko.sign.general import as_signing_certificate_v2
from pyhanko.sign.signers.pdf_cms import Signer
from pyhanko_certvalidator.registry import SimpleCertificateStore

from kyso.keys.model import KeyAlgorithm, SignatureScheme
from kyso.signing.model import Credential

__all__ = ["CredentialSigner", "RawSign", "scheme_for"]

RawSign = Callable[[bytes, SignatureScheme], bytes]
"""Sign a digest with the credential's key: ``(digest, scheme) -> signature``."""

_SCHEMES = {
    ("rsa", "sha256"): SignatureScheme.RSA_PKCS1V15_SHA256,
    ("rsa", "sha384"): SignatureScheme.RSA_PKCS1V15_SHA384,
    ("rsa", "sha512"): SignatureScheme.RSA_PKCS1V15_SHA512,
    ("ec", "sha256"): SignatureScheme.ECDSA_SHA256,
    ("ec", "sha384"): SignatureScheme.ECDSA_SHA384,
    ("ec", "sha512"): SignatureScheme.ECDSA_SHA512,
}


def scheme_for(algorithm: KeyAlgorithm, digest_algorithm: str) -> SignatureScheme:
    family = "ec" if algorithm.value.startswith("ec") else "rsa"
    return _SCHEMES[(family, digest_algorithm.lower().replace("-", ""))]


def _placeholder_size(algorithm: KeyAlgorithm) -> int:
    sizes = {KeyAlgorithm.RSA_2048: 256, KeyAlgorithm.RSA_3072: 384,
             KeyAlgorithm.EC_P256: 72, KeyAlgorithm.EC_P384: 104}
    return sizes[algorithm]


@functools.lru_cache(maxsize=256)
def _parsed(chain: tuple[bytes, ...]) -> tuple[tuple[asn1_x509.Certificate, ...],
                                               SimpleCertificateStore]:
    """A credential's chain, parsed once (fully: shared by threads, then only read), and
    the store of its CA certificates (registering one works out its names' hashable
    forms: about 2 ms a chain, per signature until it was kept here)."""
    certs = tuple(asn1_x509.Certificate.load(der) for der in chain)
    for cert in certs:
        _ = cert.native  # every lazily parsed part parsed now, not on a shared first read
    return certs, SimpleCertificateStore.from_certs(certs[1:])  # type: ignore[no-untyped-call]  # pyhanko-certvalidator is untyped here


@functools.lru_cache(maxsize=256)
def _signing_certificate_der(certificate: bytes) -> bytes:
    """pyHanko's signing-certificate-v2 value for ``certificate`` (DER), made once."""
    value: tsp.SigningCertificateV2 = as_signing_certificate_v2(
        asn1_x509.Certificate.load(certificate))
    return bytes(value.dump())


class _KnownSigningCertificate(SigningCertificateV2Provider):
    """The signing-certificate-v2 attribute from its DER, made once per certificate.

    pyHanko builds it afresh for every signature (the certificate's hash, its issuer's name
    as GeneralNames), and asn1crypto then serializes that new tree again each time the
    signed attributes are dumped: about 80 % of a B-B CMS's CPU time with kyso's chain
    (15 ms of 18, ``bench``). A value loaded from DER dumps its stored bytes, so the CMS is
    byte for byte the same, made ~5 times faster."""

    async def build_attr_value(self, dry_run: bool = False) -> tsp.SigningCertificateV2:
        return tsp.SigningCertificateV2.load(_signing_certificate_der(self.signing_cert.dump()))


class CredentialSigner(Signer):
    def __init__(self, credential: Credential, raw_sign: RawSign) -> None:
        certs, store = _parsed(tuple(credential.chain))
        super().__init__(signing_cert=certs[0], cert_registry=store, embed_roots=True)
        self._algorithm = credential.key.algorithm
        self._raw_sign = raw_sign

    def _signed_attr_providers(self, *args: Any, **kwargs: Any) -> Iterator[CMSAttributeProvider]:
        for provider in super()._signed_attr_providers(*args, **kwargs):  # pyHanko internal
            if type(provider) is SigningCertificateV2Provider:
                provider = _KnownSigningCertificate(provider.signing_cert)
            yield provider

    async def async_sign_raw(self, data: bytes, digest_algorithm: str,
                             dry_run: bool = False) -> bytes:
        if dry_run:
            return bytes(_placeholder_size(self._algorithm))
        digest = hashlib.new(digest_algorithm, data).digest()
        return self._raw_sign(digest, scheme_for(self._algorithm, digest_algorithm))
