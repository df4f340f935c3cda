"""A SoftHSM2 configuration for the test process, shared by the key store and PKI tests.

SoftHSM2 is required, not optional: a missing ``softhsm2`` package FAILS the run. The
tokens live in a temporary directory named by a private ``SOFTHSM2_CONF``; the module reads
that variable at ``C_Initialize`` (once per process), so there is one configuration per
process, set up by the session fixture ``softhsm`` in ``tests/conftest.py``. Subprocesses
inherit ``SOFTHSM2_CONF`` and see the same tokens.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pkcs11
import pytest

__all__ = ["MODULE_CANDIDATES", "SoftHsm", "start_softhsm"]

MODULE_CANDIDATES = (
    os.environ.get("KYSO_TEST_PKCS11_MODULE", ""),
    "/usr/lib/softhsm/libsofthsm2.so",
    "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
)


@dataclass(frozen=True)
class SoftHsm:
    module: str
    conf: Path
    token: str
    pin: str
    other_token: str  # a second token, for tests that log in, out or fail to
    other_pin: str
    pki_token: str  # the PKI tests' own token: closing a store logs its token out
    pki_pin: str


def _module_path() -> str:
    found = next((p for p in MODULE_CANDIDATES if p and Path(p).is_file()), None)
    if found is None or shutil.which("softhsm2-util") is None:
        pytest.fail("SoftHSM2 is missing: install the Debian package softhsm2", pytrace=False)
    return found


def _init_token(conf: Path, label: str, pin: str) -> None:
    so_pin = secrets.token_hex(8)
    command = ["softhsm2-util", "--init-token", "--free", "--label", label]
    command += ["--pin", pin, "--so-pin", so_pin]
    env = {**os.environ, "SOFTHSM2_CONF": str(conf)}
    subprocess.run(command, env=env, check=True, capture_output=True, timeout=60)


def start_softhsm(root: Path) -> Iterator[SoftHsm]:
    """Make the tokens under ``root`` and point this process (and its children) at them."""
    module = _module_path()
    (root / "tokens").mkdir()
    conf = root / "softhsm2.conf"
    conf.write_text(
        f"directories.tokendir = {root / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n"
    )
    hsm = SoftHsm(module, conf, "kyso-test", secrets.token_hex(8), "kyso-test-2", "1111-2222",
                  "kyso-pki", secrets.token_hex(8))
    for label, pin in ((hsm.token, hsm.pin), (hsm.other_token, hsm.other_pin),
                       (hsm.pki_token, hsm.pki_pin)):
        _init_token(conf, label, pin)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOFTHSM2_CONF", str(conf))
        pkcs11.lib(module).reinitialize()  # pick up this configuration even if loaded before
        yield hsm
