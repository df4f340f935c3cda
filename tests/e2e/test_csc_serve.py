"""The CSC API as a relying party meets it: a real ``kyso serve``, a customer who registered
SmartOTP with ``kyso app``, a certificate the operator issued with ``kyso ca issue``, and
pyHanko's own ``CSCSigner`` signing a PDF over HTTP with the code ``kyso app otp`` shows.
pyHanko's validator, trusting only the root the server publishes and checking revocation
against the server's OCSP responder, says valid — until the operator revokes the
certificate."""

from __future__ import annotations

import base64
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pyhanko.sign.general import SigningError

from tests.e2e.test_app_harness import (
    CHEAP,
    KYSO,
    PASSWORD,
    Server,
    _clean_env,
    app_db_url,
    new_customer,
    otp_json,
    register,
)
from tests.integration.csc.pyhanko_client import sign_pdfs, small_pdf, validate

__all__ = ["app_db_url"]  # the harness's module-scoped database fixture, used below


@pytest.fixture(scope="module")
def csc_server(tmp_path_factory: pytest.TempPathFactory,
               app_db_url: str) -> Iterator[tuple[Server, dict[str, str]]]:
    home = tmp_path_factory.mktemp("csc-server") / "home"
    running = Server(home, app_db_url)
    operator_env = _clean_env(KYSO_HOME=str(home), KYSO_DATABASE_URL=app_db_url,
                              KYSO_PUBLIC_BASE_URL=running.url, **CHEAP)
    yield running, operator_env
    running.stop()
    assert "Traceback" not in running.log_path.read_text(), "the server failed: see its log"


def operator(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([*KYSO, *args], capture_output=True, text=True, env=env, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_pyhanko_signs_through_a_running_kyso(csc_server: tuple[Server, dict[str, str]],
                                              tmp_path: Path) -> None:
    server, env = csc_server
    customer = new_customer(server, tmp_path / "phone")
    register(customer)
    issued = operator(env, "ca", "issue", "--account", customer.username,
                      "--province", "Hà Nội", "--locality", "Ba Đình",
                      "--id", "CCCD:001091000042", "--signatures", "5")
    assert "CN=Nguyễn Văn An" in issued

    raw = base64.b64encode(f"{customer.username}:{PASSWORD}".encode()).decode()
    login = httpx.post(f"{server.url}/csc/v2/auth/login", timeout=10,
                       headers={"Authorization": f"Basic {raw}"})
    assert login.status_code == 200, login.text
    token = login.json()["access_token"]
    listed = httpx.post(f"{server.url}/csc/v2/credentials/list", json={}, timeout=10,
                        headers={"Authorization": f"Bearer {token}"})
    [credential_id] = listed.json()["credentialIDs"]

    def code_from_the_app() -> str:
        return str(otp_json(customer)["code"])

    [signed] = sign_pdfs(server.url, token, credential_id, code_from_the_app, [small_pdf()])
    root = httpx.get(f"{server.url}/pki/ca/root.cer", timeout=10).content
    status = validate(signed, root, fetch=True)
    assert status.intact and status.valid and status.trusted, status.pretty_print_details()

    serial = credential_id.rsplit("-", 1)[1]
    operator(env, "ca", "revoke", serial, "--reason", "keyCompromise")
    assert not validate(signed, root, fetch=True).bottom_line  # the responder now says so
    calls: list[tuple[str, int]] = []
    with pytest.raises(SigningError):  # refused before any OTP is looked at
        sign_pdfs(server.url, token, credential_id, lambda: "000000", [small_pdf()],
                  calls=calls)
    assert calls == [("credentials/info", 200), ("credentials/authorize", 400)]
