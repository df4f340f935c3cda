"""XAdES B-B on the e-invoice (``tests/vectors/hoa_don_dien_tu.xml``) next to detached CAdES
B-B on the same bytes: what the XML work (safe parse, canonicalization, three references,
signxml's structure, serialization) costs over building a CMS.

Both engines get the same raw-sign callback (an RSA-2048 key of ``cryptography`` signing the
digest, as kyso's software key store does), so the key's cost is in both; they are timed in
alternating slices for ``--seconds`` in all (drift hits both alike) and the rates and their
ratio are printed. Not a test: numbers depend on the machine.
Run: ``.venv/bin/python bench/xades.py``.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
from cryptography.x509.oid import NameOID

from kyso.keys.model import KeyAlgorithm, SignatureScheme
from kyso.signing.cades import CadesEngine
from kyso.signing.cms import CredentialSigner
from kyso.signing.document import Level
from kyso.signing.xades import XadesEngine

INVOICE = Path(__file__).parents[1] / "tests" / "vectors" / "hoa_don_dien_tu.xml"


class _Key:
    algorithm = KeyAlgorithm.RSA_2048


class _Credential:
    """What both engines read of a credential: the chain and the key's algorithm."""

    def __init__(self, chain: list[bytes]) -> None:
        self.chain = tuple(chain)
        self.key = _Key()
        self.account_id = "bench"


def _certificate(key: rsa.RSAPrivateKey) -> bytes:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Nguyễn Văn An")])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now).not_valid_after(now + timedelta(days=1))
            .sign(key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.DER)


def _rate(work: Callable[[], Any], seconds: float) -> tuple[int, float]:
    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        work()
        done += 1
    return done, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=6.0)
    args = parser.parse_args()
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    credential: Any = _Credential([_certificate(key)])

    def raw_sign(digest: bytes, scheme: SignatureScheme) -> bytes:
        return key.sign(digest, padding.PKCS1v15(), Prehashed(hashes.SHA256()))

    data, at = INVOICE.read_bytes(), datetime.now(UTC)
    xades, cades = XadesEngine(None), CadesEngine(None)  # type: ignore[arg-type]  # B-B needs no TSA
    signer = CredentialSigner(credential, raw_sign)
    jobs = {"xades": lambda: xades.sign(data, credential, raw_sign, Level.B_B, at),
            "cades": lambda: cades.sign(data, signer, Level.B_B, at)}
    counts, spent = dict.fromkeys(jobs, 0), dict.fromkeys(jobs, 0.0)
    for _ in range(6):
        for name, job in jobs.items():
            n, t = _rate(job, args.seconds / 12)
            counts[name] += n
            spent[name] += t
    rates = {name: counts[name] / spent[name] for name in jobs}
    print(f"invoice: {len(data)} bytes")
    for name, rate in rates.items():
        print(f"{name} B-B: {rate:8.1f} signatures/s")
    print(f"ratio xades/cades: {rates['xades'] / rates['cades']:.2f}")


if __name__ == "__main__":
    main()
