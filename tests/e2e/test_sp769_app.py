"""SP769 end to end with real processes: ``kyso serve`` (its worker calls the webhook),
``kyso ca issue`` and ``kyso rp …`` by the administrator, the relying party over HTTP, and
the customer's ``kyso app requests`` / ``confirm`` / ``reject``. (``kyso rp`` list, rotate and
disable are covered in process by tests/integration/sp769/test_rp_cli.py.)"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.harness import (
    ACCOUNT_PIN,
    SMARTOTP_PIN,
    Customer,
    Server,
    kyso,
    new_citizen,
    register,
    sp769,
    verify_cms,
)
from tests.integration.sp769.test_webhooks import Receiver


def sign_request(rp: dict[str, Any], id_number: str, contents: list[bytes],
                 docs: list[str]) -> dict[str, Any]:
    return {"sp_id": rp["sp_id"], "sp_password": rp["sp_password"], "user_id": id_number,
            "transaction_id": f"DVC-{uuid.uuid4().hex[:10]}",
            "transaction_desc": "Đăng ký khai sinh cho con",
            "sign_files": [{"data_to_be_signed": hashlib.sha256(c).hexdigest(), "doc_id": d,
                            "file_type": "pdf", "sign_type": "hash"}
                           for c, d in zip(contents, docs, strict=True)]}


def status_of(server: Server, rp: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    answer = sp769(server, f"signatures/sign/{body['transaction_id']}/status",
                   {"sp_id": rp["sp_id"], "sp_password": rp["sp_password"]})
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def wait_for_call(receiver: Receiver, timeout: float = 30) -> tuple[bytes, dict[str, str]]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if receiver.calls:
            return receiver.calls[0]
        time.sleep(0.1)
    raise AssertionError("the server's worker never called the webhook")


@pytest.fixture(scope="module")
def citizen(server: Server, app_db_url: str,
            tmp_path_factory: pytest.TempPathFactory) -> tuple[Customer, str]:
    """A customer with SmartOTP on a device and a certificate issued by ``kyso ca issue``."""
    customer, id_number = new_citizen(server, tmp_path_factory.mktemp("phone"))
    register(customer)
    issued = kyso(server, app_db_url, "ca", "issue", "--account", customer.username,
                  "--province", "Hà Nội", "--locality", "Ba Đình", "--unlimited")
    assert issued.returncode == 0, issued.stderr
    return customer, id_number


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.stop()


@pytest.fixture(scope="module")
def rp(server: Server, app_db_url: str, receiver: Receiver) -> dict[str, Any]:
    created = kyso(server, app_db_url, "rp", "create", "Cổng Dịch vụ công Quốc gia",
                   "--public-service", "--webhook", receiver.url, "--json")
    assert created.returncode == 0, created.stderr
    return dict(json.loads(created.stdout))


@pytest.fixture(scope="module")
def consented(citizen: tuple[Customer, str], rp: dict[str, Any]) -> tuple[Customer, str]:
    """The citizen lets the portal in with ``kyso app allow`` and the account PIN (until then it
    is unknown)."""
    customer, id_number = citizen
    body = sign_request(rp, id_number, [b"chua cho phep"], ["X-1"])
    assert sp769(customer.server, "signatures/sign", body).status_code == 404
    parties = customer.run("parties")
    assert parties.returncode == 0 and rp["sp_id"] in parties.stdout, parties.stderr
    allowed = customer.run("allow", rp["sp_id"], "--pin-stdin", stdin=f"{ACCOUNT_PIN}\n")
    assert allowed.returncode == 0 and rp["sp_id"] in allowed.stdout, allowed.stderr
    [consent] = json.loads(customer.run("consents", "--json").stdout)
    assert consent["sp_id"] == rp["sp_id"] and consent["public_service"] is True
    return citizen


def test_confirm_in_the_app_then_status_and_webhook(
        server: Server, consented: tuple[Customer, str], rp: dict[str, Any],
        receiver: Receiver, tmp_path: Path) -> None:
    customer, id_number = consented
    contents, docs = [os.urandom(500), b"To khai khai sinh"], ["KS-2026-01", "KS-2026-02"]
    body = sign_request(rp, id_number, contents, docs)
    answer = sp769(server, "signatures/sign", body).json()
    assert answer["message"] == "sig_wait_for_user_confirm", answer

    listed = customer.run("requests")
    assert listed.returncode == 0, listed.stderr
    for text in ("Cổng Dịch vụ công Quốc gia", "Đăng ký khai sinh cho con", *docs):
        assert text in listed.stdout
    [request] = json.loads(customer.run("requests", "--json").stdout)
    assert request["doc_ids"] == docs and request["relying_party"] == rp["name"]

    confirmed = customer.run("confirm", request["id"], "--pin-stdin", stdin=f"{SMARTOTP_PIN}\n")
    assert confirmed.returncode == 0, confirmed.stderr
    assert "Đã xác nhận giao dịch" in confirmed.stdout and docs[1] in confirmed.stdout

    status = status_of(server, rp, body)
    assert status["message"] == "SUCCESS", status
    for sig, content in zip(status["data"]["signatures"], contents, strict=True):
        digest = verify_cms(server, sig["signature_value"], content, tmp_path)
        assert digest == hashlib.sha256(content).digest()

    sent, headers = wait_for_call(receiver)
    t, v1 = (part.split("=", 1)[1] for part in headers["X-Kyso-Signature"].split(","))
    mac = hmac.new(rp["webhook_secret"].encode(), f"{t}.".encode() + sent, hashlib.sha256)
    assert hmac.compare_digest(mac.hexdigest(), v1)
    assert json.loads(sent)["signed_files"] == status["data"]["signatures"]


def test_reject_in_the_app(server: Server, consented: tuple[Customer, str],
                           rp: dict[str, Any]) -> None:
    customer, id_number = consented
    body = sign_request(rp, id_number, [b"hop dong"], ["HD-7"])
    assert sp769(server, "signatures/sign", body).status_code == 200
    [request] = json.loads(customer.run("requests", "--json").stdout)
    rejected = customer.run("reject", request["id"])
    assert rejected.returncode == 0 and "Đã từ chối giao dịch" in rejected.stdout
    none = customer.run("requests")
    assert none.returncode == 0 and "Không có yêu cầu ký số nào" in none.stdout
    status = status_of(server, rp, body)
    assert status["message"] == "sig_rejected_by_user" and status["data"]["signatures"] == []



def test_disallow_in_the_app(server: Server, consented: tuple[Customer, str],
                             rp: dict[str, Any]) -> None:
    customer, id_number = consented
    done = customer.run("disallow", rp["sp_id"])
    assert done.returncode == 0 and rp["sp_id"] in done.stdout, done.stderr
    body = sign_request(rp, id_number, [b"sau khi thu hoi"], ["X-2"])
    assert sp769(server, "signatures/sign", body).status_code == 404
    assert json.loads(customer.run("consents", "--json").stdout) == []
    again = customer.run("disallow", rp["sp_id"])
    assert again.returncode == 1 and "Traceback" not in again.stderr
