"""What a signing receipt costs, and who pays it, in process, in a throw-away kyso (SQLite,
software keys):

1. ``ReceiptService.sign`` (a CMS SignedData over ~700 bytes of JSON by kyso's seal, with a
   signature time stamp from kyso's TSA) next to one bare time stamp from the same TSA
   (``PkiPublisher.timestamp``: the cost every B-T signature already pays);
2. signDoc (``DocumentSigner.sign_pdf``, a small PDF at B-B) as it is now — the receipt is
   a queued row the worker makes later — interleaved with signDoc followed by the worker's
   ``make_due`` right away, which is the work the request used to do inline. Wall time
   (median) and this process's CPU time (the sandbox's pyHanko runs in its own process and
   is the same on both sides).

Not a test: numbers depend on the machine. Run: ``.venv/bin/python bench/receipt.py``.
"""

from __future__ import annotations

import argparse
import hashlib
import secrets
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from asn1crypto import algos, tsp
from sign import proof, setup, small_pdf

from kyso.bootstrap import bootstrap, init_home
from kyso.config import Settings
from kyso.keys.model import HashAlgorithm
from kyso.signing.document import Level, SignOptions


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
    sign_doc_ab(max(10, n // 2))


def sign_doc_ab(n: int) -> None:
    """signDoc now (receipt queued) vs signDoc + the receipt made at once (as before)."""
    with tempfile.TemporaryDirectory() as tmp:
        container, token, credential_id = setup(Path(tmp))
        try:
            account_id = container.accounts.authenticate(token)[0].id
            credential = container.signing.credential(account_id, credential_id)
            proven, pdf = proof(container, account_id), small_pdf()
            digest = hashlib.sha256(pdf).digest()
            options = SignOptions(Level.B_B)

            def sign_doc() -> None:
                with container.uow() as uow:
                    sad = container.signing.grant(uow, credential, [digest],
                                                  HashAlgorithm.SHA256, proven).sad
                    uow.commit()
                container.document_signer.sign_pdf(account_id, credential_id, sad, pdf,
                                                   options)

            def inline() -> None:  # what the request used to pay
                sign_doc()
                assert container.receipts.make_due() == 1

            sign_doc()
            container.receipts.make_due()  # warm both paths (the seal is made on first use)
            times: dict[str, list[tuple[float, float]]] = {"queued": [], "inline": []}
            for _ in range(n):  # interleaved A/B
                for name, fn in (("queued", sign_doc), ("inline", inline)):
                    wall, cpu = time.perf_counter(), time.process_time()
                    fn()
                    times[name].append((time.perf_counter() - wall, time.process_time() - cpu))
                    container.receipts.make_due()  # the worker catches up, off the clock
        finally:
            container.close()
    for name, label in (("queued", "signDoc, receipt queued (now)"),
                        ("inline", "signDoc + receipt made inline")):
        walls, cpus = zip(*times[name], strict=True)
        print(f"{label:32s}: {statistics.median(walls) * 1000:7.2f} ms wall, "
              f"{statistics.median(cpus) * 1000:7.2f} ms CPU in this process (median of {n})")
    saved = (statistics.median([w for w, _ in times["inline"]])
             - statistics.median([w for w, _ in times["queued"]]))
    print(f"the request no longer pays     : {saved * 1000:7.2f} ms")


if __name__ == "__main__":
    main()
