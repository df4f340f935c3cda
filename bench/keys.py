"""Signatures per second through the key store, next to raw ``cryptography``.

For each back end (software; PKCS#11 on SoftHSM2 in a throw-away token) and each key
algorithm, ``KeyStore.sign`` and the same signature with an already-parsed ``cryptography``
key are timed in alternating slices for ``--seconds`` in all (so drift hits both alike);
the rates and their ratio are printed.
Not a test: numbers depend on the machine. Run: ``.venv/bin/python bench/keys.py``.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from kyso.adapters.keystore.software import SoftwareKeyStore
from kyso.keys.model import KeyAlgorithm, SignatureScheme
from kyso.keys.ports import KeyStore
from kyso.secrets import MasterKey

CASES = (
    (KeyAlgorithm.RSA_2048, SignatureScheme.RSA_PKCS1V15_SHA256),
    (KeyAlgorithm.RSA_3072, SignatureScheme.RSA_PKCS1V15_SHA256),
    (KeyAlgorithm.EC_P256, SignatureScheme.ECDSA_SHA256),
    (KeyAlgorithm.EC_P384, SignatureScheme.ECDSA_SHA384),
)
MODULES = ("/usr/lib/softhsm/libsofthsm2.so", "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so")
DATA = os.urandom(256)  # about the size of a CMS SignedAttributes


def rates(
    store: Callable[[], bytes], raw: Callable[[], bytes], seconds: float, rounds: int = 5
) -> tuple[float, float]:
    """Signatures per second of ``store`` and ``raw``, timed in alternating slices."""
    counts, spent = [0, 0], [0.0, 0.0]
    for sign in (store, raw):
        sign()  # warm up (and fill caches)
    for _ in range(rounds):
        for i, sign in enumerate((store, raw)):
            start = time.perf_counter()
            deadline = start + seconds / rounds / 2
            while (now := time.perf_counter()) < deadline:
                sign()
                counts[i] += 1
            spent[i] += now - start
    return counts[0] / spent[0], counts[1] / spent[1]


def raw_signer(algorithm: KeyAlgorithm, scheme: SignatureScheme) -> Callable[[], bytes]:
    hash_ = {"sha256": hashes.SHA256(), "sha384": hashes.SHA384()}[scheme.hash_algorithm.value]
    if algorithm is KeyAlgorithm.EC_P256 or algorithm is KeyAlgorithm.EC_P384:
        curve = ec.SECP256R1() if algorithm is KeyAlgorithm.EC_P256 else ec.SECP384R1()
        ec_key = ec.generate_private_key(curve)
        return lambda: ec_key.sign(DATA, ec.ECDSA(hash_))
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=algorithm.key_size)
    return lambda: rsa_key.sign(DATA, padding.PKCS1v15(), hash_)


@contextmanager
def softhsm_store() -> Iterator[KeyStore | None]:
    module = next((m for m in MODULES if Path(m).is_file()), None)
    if module is None or shutil.which("softhsm2-util") is None:
        print("pkcs11: skipped, SoftHSM2 is not installed (apt-get install softhsm2)")
        yield None
        return
    with tempfile.TemporaryDirectory(prefix="kyso-bench-") as tmp:
        conf = Path(tmp) / "softhsm2.conf"
        (Path(tmp) / "tokens").mkdir()
        conf.write_text(f"directories.tokendir = {tmp}/tokens\nlog.level = ERROR\n")
        os.environ["SOFTHSM2_CONF"] = str(conf)  # read by the module at C_Initialize
        pin = secrets.token_hex(8)
        command = ["softhsm2-util", "--init-token", "--free", "--label", "kyso-bench"]
        command += ["--pin", pin, "--so-pin", secrets.token_hex(8)]
        subprocess.run(command, check=True, capture_output=True)
        from kyso.adapters.keystore.pkcs11 import Pkcs11KeyStore

        with Pkcs11KeyStore(module, "kyso-bench", pin) as store:
            yield store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=1.0, help="per measurement")
    seconds = parser.parse_args().seconds
    raw = {alg: raw_signer(alg, scheme) for alg, scheme in CASES}
    print(f"{'back end':9} {'algorithm':9} {'scheme':20} {'store/s':>9} {'raw/s':>9} {'ratio':>6}")
    with softhsm_store() as pkcs11_store:
        stores: list[KeyStore] = [SoftwareKeyStore(MasterKey(secrets.token_bytes(32)))]
        stores += [pkcs11_store] if pkcs11_store is not None else []
        for store in stores:
            for algorithm, scheme in CASES:
                handle = store.generate(algorithm, label="bench")
                through = partial(store.sign, handle, DATA, scheme)
                got, direct = rates(through, raw[algorithm], seconds)
                line = f"{store.name:9} {algorithm.value:9} {scheme.value:20}"
                print(f"{line} {got:9.0f} {direct:9.0f} {got / direct:6.2f}")
                store.destroy(handle)


if __name__ == "__main__":
    main()
