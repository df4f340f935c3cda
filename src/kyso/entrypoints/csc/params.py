"""Reading CSC parameters: base64 hashes, hash algorithm OIDs, ``signAlgo`` (+ params).

RSASSA-PSS is accepted as kyso's key stores make it: MGF1 over the same hash as the message,
trailer field 1, and a salt either as long as the hash or the longest the key's modulus
allows (emLen − hLen − 2: what pyHanko's ``prefer_pss`` asks for). Its hash travels in
``signAlgoParams`` (base64 of the DER ``RSASSA-PSS-params``); a ``hashAlgorithmOID`` sent
too must agree. :func:`pss_params` makes the exact parameters ``info`` advertises.
"""

from __future__ import annotations

import base64
import binascii
from binascii import a2b_base64

from asn1crypto import algos

from kyso.entrypoints.csc.errors import InvalidParameter, MissingParameter
from kyso.keys.errors import UnsupportedAlgorithm
from kyso.keys.model import (
    OID_RSA_ENCRYPTION,
    OID_RSASSA_PSS,
    HashAlgorithm,
    KeyAlgorithm,
    KeyFamily,
    SignatureFamily,
    SignatureScheme,
)

__all__ = ["HASH_BY_OID", "check_lengths", "decode_hashes", "hash_for", "pss_params",
           "scheme_for", "sign_oids"]

HASH_BY_OID = {h.oid: h for h in HashAlgorithm}
_PARSE_ERRORS = (ValueError, TypeError, KeyError, IndexError, OverflowError, AttributeError)


def sign_oids(algorithm: KeyAlgorithm) -> list[str]:
    """``key/algo``: the signAlgo OIDs this key signs with (RSA: also rsaEncryption, which
    needs ``hashAlgorithmOID``)."""
    oids = list(algorithm.signature_oids)
    return [*oids, algorithm.oid] if algorithm.family is KeyFamily.RSA else oids


def decode_hashes(values: list[str], name: str = "hashes") -> list[bytes]:
    if not values:
        raise InvalidParameter(name, "empty hash array", "danh sách giá trị băm rỗng")
    try:  # as base64.b64decode(v, validate=True) decodes, without its per-value regex
        return [a2b_base64(v, strict_mode=True) for v in values]
    except (binascii.Error, ValueError) as exc:
        raise InvalidParameter(name, "not Base64", "không phải Base64") from exc


def hash_for(oid: str | None, digests: list[bytes], name: str = "hashAlgorithmOID",
             ) -> HashAlgorithm:
    """The hash named by ``oid``; CSC v1 clients (pyHanko) authorize without naming it, and
    then the digests' common length tells (32, 48 or 64 bytes)."""
    if oid is not None:
        found = HASH_BY_OID.get(oid)
        if found is None:
            raise InvalidParameter(name, "SHA-256, SHA-384 or SHA-512 expected",
                                   "cần SHA-256, SHA-384 hoặc SHA-512")
        return found
    sizes = {len(d) for d in digests}
    for candidate in HashAlgorithm:
        if sizes == {candidate.digest_size}:
            return candidate
    raise MissingParameter(name, "string")


def pss_params(hash_algorithm: HashAlgorithm, salt_length: int) -> str:
    """Base64 of the DER ``RSASSA-PSS-params`` kyso signs with."""
    name = hash_algorithm.value
    return base64.b64encode(algos.RSASSAPSSParams({
        "hash_algorithm": {"algorithm": name},
        "mask_gen_algorithm": {"algorithm": "mgf1", "parameters": {"algorithm": name}},
        "salt_length": salt_length}).dump()).decode()


def scheme_for(sign_algo: str, hash_oid: str | None, params: str | None,
               key_size: int | None = None) -> SignatureScheme:
    """The signature scheme of a ``signHash`` request (``key_size``: the RSA modulus' bits,
    which the longest PSS salt depends on)."""
    if hash_oid is not None and hash_oid not in HASH_BY_OID:
        raise InvalidParameter("hashAlgorithmOID")
    if sign_algo == OID_RSASSA_PSS:
        if params is None:
            raise MissingParameter("signAlgoParams", "string")
        pss_hash, salt = _pss_hash(params)
        if hash_oid is not None and hash_oid != pss_hash.oid:
            raise _contradiction()
        if salt == pss_hash.digest_size:
            return SignatureScheme(f"rsa-pss-{pss_hash.value}")
        longest = SignatureFamily.RSA_PSS_MAX
        if key_size is None or salt != longest.salt_length(pss_hash, key_size):
            raise _bad_pss()
        return SignatureScheme(f"rsa-pssmax-{pss_hash.value}")
    elif sign_algo == OID_RSA_ENCRYPTION and hash_oid is None:
        raise MissingParameter("hashAlgorithmOID", "string")
    try:
        return SignatureScheme.from_oids(sign_algo, hash_oid)
    except UnsupportedAlgorithm as exc:
        if hash_oid is not None and any(s.oid == sign_algo for s in SignatureScheme):
            raise _contradiction() from exc
        raise InvalidParameter("signAlgo") from exc


def check_lengths(digests: list[bytes], hash_algo: HashAlgorithm) -> None:
    size = hash_algo.digest_size
    if any(len(d) != size for d in digests):
        raise InvalidParameter(
            "hashes", f"invalid digest value length ({hash_algo.value}: "
                      f"{hash_algo.digest_size} bytes)",
            f"độ dài giá trị băm sai ({hash_algo.value}: {hash_algo.digest_size} byte)")


def _pss_hash(params_b64: str) -> tuple[HashAlgorithm, int]:
    try:
        params = algos.RSASSAPSSParams.load(base64.b64decode(params_b64, validate=True),
                                            strict=True)
        digest = params["hash_algorithm"]["algorithm"].native
        mgf = params["mask_gen_algorithm"]
        shape = (mgf["algorithm"].native, mgf["parameters"]["algorithm"].native,
                 params["salt_length"].native, params["trailer_field"].native)
    except (*_PARSE_ERRORS, binascii.Error) as exc:
        raise InvalidParameter("signAlgoParams", "not a DER RSASSA-PSS-params",
                               "không phải RSASSA-PSS-params dạng DER") from exc
    found = next((h for h in HashAlgorithm if h.value == digest), None)
    if found is None or shape[:2] != ("mgf1", digest) or shape[3] != "trailer_field_bc":
        raise _bad_pss()
    return found, int(shape[2])


def _bad_pss() -> InvalidParameter:
    return InvalidParameter(
        "signAlgoParams", "kyso signs RSASSA-PSS with SHA-256/384/512, MGF1 over the same "
                          "hash and a salt as long as the hash or the longest the key allows "
                          "(see info: signAlgorithms.algoParams)",
        "kyso ký RSASSA-PSS với SHA-256/384/512, MGF1 cùng hàm băm và độ dài salt bằng "
        "độ dài giá trị băm hoặc dài nhất khóa cho phép (xem info: signAlgorithms.algoParams)")


def _contradiction() -> InvalidParameter:
    return InvalidParameter("hashAlgorithmOID", "it contradicts signAlgo",
                            "mâu thuẫn với signAlgo")

