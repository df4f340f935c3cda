"""Shared pieces of the CSC API tests: digests, requests, and the refusal check."""

from __future__ import annotations

import base64
import hashlib
import os
from typing import Any

import httpx
from asn1crypto import algos
from cryptography import x509
from cryptography.hazmat.primitives import hashes

from tests.integration.csc.conftest import Signer

SHA256, SHA384 = "2.16.840.1.101.3.4.2.1", "2.16.840.1.101.3.4.2.2"
RSA_SHA256, PSS, RSA = "1.2.840.113549.1.1.11", "1.2.840.113549.1.1.10", "1.2.840.113549.1.1.1"
ECDSA_SHA256 = "1.2.840.10045.4.3.2"
HASHES = {SHA256: hashes.SHA256(), SHA384: hashes.SHA384()}


def digests(n: int, oid: str = SHA256) -> list[bytes]:
    name = "sha256" if oid == SHA256 else "sha384"
    return [hashlib.new(name, os.urandom(16)).digest() for _ in range(n)]


def b64(values: list[bytes]) -> list[str]:
    return [base64.b64encode(v).decode() for v in values]


def sign(signer: Signer, sad: str, batch: list[bytes], **algo: Any) -> list[bytes]:
    body = {"credentialID": signer.credential_id, "SAD": sad, "hashes": b64(batch),
            "signAlgo": RSA_SHA256} | algo
    r = signer.post("signatures/signHash", body)
    assert r.status_code == 200, r.text
    return [base64.b64decode(s) for s in r.json()["signatures"]]


def public_key(signer: Signer) -> Any:
    return x509.load_der_x509_certificate(signer.credential.chain[0]).public_key()


def pss_params(digest: str, salt: int) -> str:
    return base64.b64encode(algos.RSASSAPSSParams({
        "hash_algorithm": {"algorithm": digest},
        "mask_gen_algorithm": {"algorithm": "mgf1", "parameters": {"algorithm": digest}},
        "salt_length": salt}).dump()).decode()


def refused(r: httpx.Response, status: int, error: str, *words: str) -> None:
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"error", "error_description"} and body["error"] == error, body
    for word in words:
        assert word.lower() in body["error_description"].lower(), body


def sign_hash(signer: Signer, sad: str, batch: list[bytes], **extra: Any) -> httpx.Response:
    return signer.post("signatures/signHash", {"credentialID": signer.credential_id,
                                               "SAD": sad, "hashes": b64(batch),
                                               "signAlgo": RSA_SHA256} | extra)


def authorize(signer: Signer, batch: list[bytes], otp: str | None,
              **extra: Any) -> httpx.Response:
    return signer.post("credentials/authorize", {"credentialID": signer.credential_id,
                                                 "numSignatures": len(batch),
                                                 "hashes": b64(batch), "OTP": otp} | extra)
