"""The CA as an operator runs it: ``kyso init``, ``kyso ca …`` and ``kyso serve`` as real
processes, OpenSSL against the running server. Once per key-store back end."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from asn1crypto import pem

KYSO = [sys.executable, "-m", "kyso"]
PASSWORDS = "Matkhau2026!\nMatkhau2026!\n246813\n246813\n"


@dataclass
class Operator:
    backend: str
    home: Path
    env: dict[str, str]
    base: str

    def run(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*KYSO, *args], input=stdin, capture_output=True, text=True,
                              env=self.env, timeout=120, check=False)

    def ok(self, *args: str, stdin: str | None = None) -> str:
        done = self.run(*args, stdin=stdin)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(params=["software", "pkcs11"])
def operator(request: pytest.FixtureRequest, tmp_path: Path, db_url: str) -> Operator:
    base = f"http://127.0.0.1:{_free_port()}"
    hsm = request.getfixturevalue("softhsm") if request.param == "pkcs11" else None
    env = {k: v for k, v in os.environ.items() if not k.startswith("KYSO_")}
    env |= {"KYSO_HOME": str(tmp_path / "home"), "KYSO_DATABASE_URL": db_url,
            "KYSO_PUBLIC_BASE_URL": base, "NO_COLOR": "1", "COLUMNS": "200",
            "KYSO_ARGON2_MEMORY_KIB": "1024", "KYSO_ARGON2_TIME_COST": "1",
            "no_proxy": "127.0.0.1", "NO_PROXY": "127.0.0.1"}
    if hsm is not None:
        env |= {"SOFTHSM2_CONF": str(hsm.conf), "KYSO_KEYSTORE_BACKEND": "pkcs11",
                "KYSO_PKCS11_MODULE": hsm.module,
                "KYSO_PKCS11_TOKEN_LABEL": hsm.pki_token, "KYSO_PKCS11_USER_PIN": hsm.pki_pin,
                "KYSO_PKI_CA_KEY": "ec-p384", "KYSO_PKI_RESPONDER_KEY": "ec-p256",
                "KYSO_PKI_TSA_KEY": "ec-p256", "KYSO_PKI_SUBSCRIBER_KEY": "ec-p256"}
    return Operator(request.param, tmp_path, env, base)


def openssl(*args: str | Path) -> str:
    done = subprocess.run(["openssl", *map(str, args)], capture_output=True, text=True,
                          timeout=60, check=False, env={**os.environ, "no_proxy": "127.0.0.1"})
    return done.stdout + done.stderr


def _fetch_chain(base: str, home: Path) -> tuple[Path, Path, Path]:
    paths = []
    for name in ("root", "kyso-ca"):
        der = httpx.get(f"{base}/pki/ca/{name}.cer", timeout=10, trust_env=False).content
        path = home / f"{name}.pem"
        path.write_bytes(pem.armor("CERTIFICATE", der))
        paths.append(path)
    chain = home / "chain.pem"
    chain.write_bytes(paths[0].read_bytes() + paths[1].read_bytes())
    return paths[0], paths[1], chain


def test_the_ca_lifecycle_against_the_running_responder(operator: Operator) -> None:
    first = operator.ok("init")
    assert "CA hierarchy created" in first and "CN=kyso Root CA" in first
    assert f"{operator.base}/pki/ca/root.cer" in first
    serials = re.findall(r"serial ([0-9A-F]{32})", first)
    assert len(serials) == 4
    if operator.backend == "software":  # the second run is the same on both back ends
        second = operator.ok("init")
        assert "CA hierarchy:" in second
        assert re.findall(r"serial ([0-9A-F]{32})", second) == serials
    operator.ok("admin", "create-user", "--username", "le.hoa", "--full-name", "Lê Thị Hoà",
                "--phone", "0901000001", "--email", "hoa@example.vn", "--role", "customer",
                stdin=PASSWORDS)
    cert = operator.home / "hoa.pem"
    issued = operator.ok("ca", "issue", "--account", "le.hoa", "--province", "Hồ Chí Minh",
                         "--locality", "Quận 1", "--id", "CCCD:079190000001", "--out", str(cert))
    assert "UID=CCCD:079190000001" in issued and "CN=Lê Thị Hoà" in issued
    serial = re.search(r"serial ([0-9A-F]+)", issued).group(1)  # type: ignore[union-attr]
    with serving(operator) as base:
        root, issuing, chain = _fetch_chain(base, operator.home)
        assert openssl("verify", "-CAfile", root, "-untrusted", issuing, cert).endswith("OK\n")
        ocsp = ["ocsp", "-issuer", issuing, "-cert", cert, "-url", f"{base}/pki/ocsp",
                "-CAfile", chain]
        assert f"{cert}: good" in openssl(*ocsp)
        operator.ok("ca", "revoke", serial, "--reason", "keyCompromise")
        revoked = openssl(*ocsp)
        assert "Response verify OK" in revoked and "Reason: keyCompromise" in revoked
    assert re.search(rf"{serial}.*revoked", operator.ok("ca", "list", "--account", "le.hoa"))
    if operator.backend == "software":
        _operator_mistakes_are_clear(operator, serial)
        assert "intact" in operator.ok("audit", "verify")


def _operator_mistakes_are_clear(operator: Operator, serial: str) -> None:
    again = operator.run("ca", "revoke", serial)
    assert again.returncode == 1 and "already revoked" in again.stderr
    bad = operator.run("ca", "suspend", "not-hex")
    assert bad.returncode == 2 and "not a hex serial" in bad.stderr
    for result in (again, bad):
        assert "Traceback" not in result.stderr


@contextmanager
def serving(operator: Operator) -> Iterator[str]:
    """``kyso serve`` on the port the certificates name."""
    port = operator.base.rsplit(":", 1)[1]
    process = subprocess.Popen([*KYSO, "serve", "--port", port], env=operator.env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        _wait_for(operator.base, process)
        yield operator.base
    finally:
        process.terminate()
        process.wait(timeout=30)


def _wait_for(base: str, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{base}/healthz", timeout=2, trust_env=False).is_success:
                return
        except httpx.TransportError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise AssertionError(f"kyso serve did not start: {process.communicate()[1]}")
        time.sleep(0.1)
