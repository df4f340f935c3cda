"""Receipts made per second for queued signHash jobs of one account, one receipt per job
(``make_due(batch_limit=1)``, as before batching) against batch receipts (one CMS listing
every job of an account, relying party and kind, ``make_due()``), in the same run, rounds
interleaved, in a throw-away kyso (SQLite, software keys). Each round queues ``-n`` jobs
exactly as signHash does (``hash_receipt`` + ``queue_receipt``) and drains them with the
worker's chore; wall time and this process's CPU time (the TSA is in process).

Not a test: numbers depend on the machine. Run: ``.venv/bin/python bench/receipt_batch.py``.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from sign import setup

from kyso.keys.model import SignatureScheme
from kyso.signing.receipt_jobs import ReceiptKind, hash_receipt, queue_receipt


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        container, token, credential_id = setup(Path(tmp))
        try:
            account_id = container.accounts.authenticate(token)[0].id
            credential = container.signing.credential(account_id, credential_id)
            scheme = SignatureScheme("rsa-pkcs1v15-sha256")

            def queue(n: int) -> None:
                with container.uow() as uow:
                    for _ in range(n):
                        order = hash_receipt(credential, [os.urandom(32)], scheme)
                        queue_receipt(uow, container.clock.now(), ReceiptKind.SIGN_HASH,
                                      account_id, order.claims | {"sad_sha256": "0" * 64})
                    uow.commit()

            def drain(batch_limit: int) -> tuple[float, float, int]:
                wall, cpu, made, passes = time.perf_counter(), time.process_time(), 0, 0
                while (step := container.receipts.make_due(batch_limit=batch_limit)):
                    made, passes = made + step, passes + 1
                assert made == args.n, made
                return time.perf_counter() - wall, time.process_time() - cpu, passes

            queue(5)
            drain_warm = container.receipts.make_due()  # the seal is made on first use
            assert drain_warm == 5
            results: dict[str, list[tuple[float, float, int]]] = {"one": [], "batch": []}
            for _ in range(args.rounds):
                for name, limit in (("one", 1), ("batch", 250)):
                    queue(args.n)
                    results[name].append(drain(limit))
        finally:
            container.close()
    for name, label in (("one", "one receipt per job (before)"),
                        ("batch", "batch receipts (after)")):
        for wall, cpu, passes in results[name]:
            print(f"{label:30s}: {args.n} jobs in {wall:6.2f} s wall = "
                  f"{args.n / wall:8.1f} receipts/s; {cpu:6.2f} s CPU = "
                  f"{cpu / args.n * 1000:6.2f} ms CPU per receipt; {passes} passes")


if __name__ == "__main__":
    main()
