"""Independent verification of signatures, with ``cryptography`` and the ``openssl`` CLI."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed

from kyso.keys.model import KeyAlgorithm, SignatureFamily, SignatureScheme

PAIRS = [(a, s) for a in KeyAlgorithm for s in a.schemes]
PAIR_IDS = [f"{a.value}/{s.value}" for a, s in PAIRS]
HASHES: dict[str, Callable[[], hashes.HashAlgorithm]] = {
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}


def verify(
    public_der: bytes, signature: bytes, message: bytes, scheme: SignatureScheme, *, digest: bool
) -> None:
    """Raise ``InvalidSignature`` unless ``signature`` is valid over ``message``.

    With ``digest=True`` the message is a precomputed hash of the scheme's algorithm.
    """
    key = serialization.load_der_public_key(public_der)
    hash_ = HASHES[scheme.hash_algorithm.value]()
    algorithm: hashes.HashAlgorithm | Prehashed = Prehashed(hash_) if digest else hash_
    if isinstance(key, ec.EllipticCurvePublicKey):
        key.verify(signature, message, ec.ECDSA(algorithm))
        return
    assert isinstance(key, rsa.RSAPublicKey)
    pad: padding.AsymmetricPadding = padding.PKCS1v15()
    if scheme.family.pss:
        # the salt length must be exactly the scheme's (the hash's, or the longest the key
        # allows), not "whatever the signer chose"
        salt = scheme.family.salt_length(scheme.hash_algorithm, key.key_size)
        pad = padding.PSS(mgf=padding.MGF1(hash_), salt_length=salt)
    key.verify(signature, message, pad, algorithm)


def openssl_verify(
    tmp: Path, public_der: bytes, signature: bytes, data: bytes, scheme: SignatureScheme
) -> subprocess.CompletedProcess[str]:
    """``openssl dgst -verify``: an implementation independent of ``cryptography``'s API."""
    pem = serialization.load_der_public_key(public_der).public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    (tmp / "pub.pem").write_bytes(pem)
    (tmp / "sig.bin").write_bytes(signature)
    (tmp / "data.bin").write_bytes(data)
    command = ["openssl", "dgst", f"-{scheme.hash_algorithm.value}"]
    if scheme.family is SignatureFamily.RSA_PSS:
        command += ["-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:digest"]
    elif scheme.family is SignatureFamily.RSA_PSS_MAX:
        command += ["-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:max"]
    command += ["-verify", str(tmp / "pub.pem"), "-signature", str(tmp / "sig.bin")]
    command.append(str(tmp / "data.bin"))
    return subprocess.run(command, capture_output=True, text=True, timeout=30)
