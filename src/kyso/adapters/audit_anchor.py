"""Where audit checkpoints go and who signs them (``kyso.audit.checkpoint``).

:class:`CheckpointFile` appends one line per checkpoint to a file outside the database
(created 0600, each line written with ``O_APPEND`` and ``fsync``). :class:`SealSigner` signs
the checkpoint statement with kyso's organisation seal (the key never leaves the key store),
checks such signatures against the seal certificates kyso issued, and asks kyso's own TSA for
an RFC 3161 time stamp of the statement (verification checks the token's imprint; the
token's own signature is checked with ``openssl ts -verify`` against kyso's TSA chain).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path

from asn1crypto import cms, tsp
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed

from kyso.keys.ports import KeyStore
from kyso.pki.model import AuthorityRole
from kyso.pki.service import PkiService
from kyso.pki.signer import scheme_for

__all__ = ["CheckpointFile", "SealSigner"]

_HASHES: dict[str, hashes.HashAlgorithm] = {
    "sha256": hashes.SHA256(), "sha384": hashes.SHA384(), "sha512": hashes.SHA512()}


class CheckpointFile:
    def __init__(self, path: Path) -> None:
        self._path = path

    def append(self, line: str) -> None:
        if "\n" in line:
            raise ValueError("a checkpoint is one line")
        self._path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(self._path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, (line + "\n").encode())
            os.fsync(fd)
        finally:
            os.close(fd)

    def lines(self) -> list[str]:
        return self._path.read_text().splitlines() if self._path.exists() else []


class SealSigner:
    def __init__(self, pki: PkiService, keystore: KeyStore,
                 tsa: Callable[[bytes], bytes]) -> None:
        self._pki, self._keystore, self._tsa = pki, keystore, tsa

    def sign(self, data: bytes) -> tuple[str, bytes]:
        seal = self._pki.seal(actor="audit")
        scheme = scheme_for(seal.key.algorithm)
        digest = hashlib.new(scheme.hash_algorithm.value, data).digest()
        return f"seal:{seal.serial:x}", self._keystore.sign_digest(seal.key, digest, scheme)

    def verify(self, signer: str, data: bytes, signature: bytes) -> bool:
        seals = {f"seal:{a.serial:x}": a for a in self._pki.authorities()
                 if a.role is AuthorityRole.SEAL}
        found = seals.get(signer)
        if found is None:
            return False
        key = x509.load_der_x509_certificate(found.certificate).public_key()
        chosen = _HASHES[scheme_for(found.key.algorithm).hash_algorithm.value]
        digest = hashlib.new(chosen.name, data).digest()
        try:
            if isinstance(key, ec.EllipticCurvePublicKey):
                key.verify(signature, digest, ec.ECDSA(Prehashed(chosen)))
            elif isinstance(key, rsa.RSAPublicKey):
                key.verify(signature, digest, padding.PKCS1v15(), Prehashed(chosen))
            else:
                return False
        except InvalidSignature:
            return False
        return True

    def timestamp(self, data: bytes) -> bytes | None:
        request = tsp.TimeStampReq({"version": 1, "cert_req": True, "message_imprint": {
            "hash_algorithm": {"algorithm": "sha256"},
            "hashed_message": hashlib.sha256(data).digest()}})
        response = tsp.TimeStampResp.load(self._tsa(request.dump()))
        if response["status"]["status"].native != "granted":
            return None
        token: bytes = response["time_stamp_token"].dump()
        return token

    def stamped(self, data: bytes, token: bytes) -> bool:
        try:
            signed = cms.ContentInfo.load(token)["content"]["encap_content_info"]
            imprint = signed["content"].parsed["message_imprint"]
            return bool(imprint["hashed_message"].native == hashlib.sha256(data).digest())
        except (ValueError, TypeError, KeyError):
            return False
