"""The credential signer's CMS is pyHanko's, byte for byte, though its signing-certificate-v2
attribute is made once per certificate instead of once per signature."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import cast

from asn1crypto import cms, tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes, Signer
from pyhanko_certvalidator.registry import SimpleCertificateStore

from kyso.keys.model import KeyAlgorithm
from kyso.signing.cms import CredentialSigner
from kyso.signing.model import Credential

NOW = datetime(2026, 1, 1, tzinfo=UTC)
SIGNATURE = bytes(range(72))


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                      x509.NameAttribute(NameOID.STATE_OR_PROVINCE_NAME, "Hà Nội"),
                      x509.NameAttribute(NameOID.LOCALITY_NAME, "Ba Đình"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "kyso"),
                      x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _cert(subject: str, key: ec.EllipticCurvePrivateKey, issuer: str,
          issuer_key: ec.EllipticCurvePrivateKey, serial: int) -> bytes:
    builder = (x509.CertificateBuilder().subject_name(_name(subject)).issuer_name(_name(issuer))
               .public_key(key.public_key()).serial_number(serial)
               .not_valid_before(NOW - timedelta(days=1))
               .not_valid_after(NOW + timedelta(days=365)))
    return builder.sign(issuer_key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


def _chain(cn: str, serial: int) -> tuple[bytes, ...]:
    root = ec.generate_private_key(ec.SECP256R1())
    leaf = ec.generate_private_key(ec.SECP256R1())
    return (_cert(cn, leaf, "kyso Root CA", root, serial),
            _cert("kyso Root CA", root, "kyso Root CA", root, 1))


class _Stock(Signer):
    """pyHanko's own signer over the same chain (its attribute made afresh each time)."""

    def __init__(self, chain: tuple[bytes, ...]) -> None:
        certs = [asn1_x509.Certificate.load(der) for der in chain]
        super().__init__(signing_cert=certs[0],
                         cert_registry=SimpleCertificateStore.from_certs(certs[1:]),  # type: ignore[no-untyped-call]
                         embed_roots=True)

    async def async_sign_raw(self, data: bytes, digest_algorithm: str,
                             dry_run: bool = False) -> bytes:
        return SIGNATURE


def _cms(signer: Signer, digest: bytes) -> bytes:
    content = asyncio.run(signer.async_sign(
        digest, "sha256", use_pades=True,
        signed_attr_settings=PdfCMSSignedAttributes(signing_time=NOW)))
    return bytes(content.dump())


def _credential(chain: tuple[bytes, ...]) -> Credential:
    return cast(Credential, SimpleNamespace(
        chain=chain, key=SimpleNamespace(algorithm=KeyAlgorithm.EC_P256)))


def _signing_certificate(der: bytes) -> tsp.SigningCertificateV2:
    info = cms.ContentInfo.load(der)["content"]["signer_infos"][0]
    [value] = [a["values"][0] for a in info["signed_attrs"]
               if a["type"].native == "signing_certificate_v2"]
    return cast(tsp.SigningCertificateV2, value)


def test_the_cms_is_pyhankos_byte_for_byte_for_each_certificate() -> None:
    first, second = _chain("Nguyễn Văn A", 1001), _chain("Trần Thị B", 1002)
    digest = hashlib.sha256(b"the byte range").digest()
    for chain in (first, second, first, second):  # the per-certificate value never mixes
        ours = _cms(CredentialSigner(_credential(chain), lambda d, s: SIGNATURE), digest)
        assert ours == _cms(_Stock(chain), digest)
        cert_id = _signing_certificate(ours)["certs"][0]
        assert cert_id["cert_hash"].native == hashlib.sha256(chain[0]).digest()
