"""What a signing receipt adds to a signature, in process: ``ReceiptService.sign`` (a CMS
SignedData over ~700 bytes of JSON by kyso's seal, with a signature time stamp from kyso's
TSA) timed next to one bare time stamp from the same TSA (``PkiPublisher.timestamp``: the
cost every B-T signature already pays), in a throw-away kyso (SQLite, software keys).
Not a test: numbers depend on the machine. Run: ``.venv/bin/python bench/receipt.py``.
"""

from __future__ import annotations

import argparse
import hashlib
import secrets
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from asn1crypto import algos, tsp

from kyso.bootstrap import bootstrap, init_home
from kyso.config import Settings


def per_call(fn: Callable[[], object], n: int) -> float:
    fn()  # warm: the seal is made on first use
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - start) / n


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=50)
    n = parser.parse_args().n
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(home=Path(tmp) / "home", pki_ca_key="rsa-2048")
        init_home(settings)
        container = bootstrap(settings)
        try:
            container.pki.initialize(actor="bench")
            content = b'{"type":"kyso-signing-receipt","document":"' + b"x" * 640 + b'"}'

            def timestamp() -> bytes:
                digest = hashlib.sha256(secrets.token_bytes(32)).digest()
                request = tsp.TimeStampReq({
                    "version": "v1", "cert_req": True, "nonce": secrets.randbits(63),
                    "message_imprint": {"hash_algorithm": algos.DigestAlgorithm(
                        {"algorithm": "sha256"}), "hashed_message": digest}})
                return container.pki_publisher.timestamp(request.dump())

            reference = per_call(timestamp, n)
            receipt = per_call(lambda: container.receipts.sign(content), n)
        finally:
            container.close()
    print(f"time stamp (reference): {reference * 1000:.2f} ms")
    print(f"signing receipt:        {receipt * 1000:.2f} ms")
    print(f"ratio receipt / time stamp: {receipt / reference:.2f}")


if __name__ == "__main__":
    main()
