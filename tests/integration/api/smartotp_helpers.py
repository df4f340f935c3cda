"""A simulated device for the SmartOTP API tests: it keeps the seed and computes codes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient

from kyso.bootstrap import Container
from kyso.clock import ManualClock
from kyso.otp.oath import b32decode_seed, totp
from kyso.otp.ocra import ocra
from kyso.otp.terms import TERMS
from tests.integration.api.conftest import PIN, auth, last_code


@dataclass
class Device:
    seed: bytes
    algorithm: str
    digits: int
    period: int
    clock: ManualClock
    offset: float = 0.0  # the device clock minus the server clock

    def code(self, steps_ahead: int = 0) -> str:
        at = self.clock.now().timestamp() + self.offset + steps_ahead * self.period
        return totp(self.seed, at, step=self.period, digits=self.digits, algorithm=self.algorithm)

    def answer(self, transaction: dict[str, Any]) -> str:
        return ocra(transaction["ocra_suite"], self.seed, question=transaction["question"])


def sms_code(container: Container, account_id: str, purpose: str) -> str:
    return last_code(container, account_id, purpose)


def activation_code(container: Container, account_id: str) -> str:
    container.outbox_worker().run_once()
    with container.uow() as uow:
        for message in uow.outbox.recent(50):
            if message.account_id == account_id and message.purpose == "SMARTOTP_ACTIVATION":
                text = container.notifier.open_body(message).text
                return next(w.strip(";.") for w in text.split()
                            if w.strip(";.").isdigit() and len(w.strip(";.")) == 8)
    raise AssertionError("no activation code sent")


def register(client: TestClient, container: Container, token: str, account_id: str) -> str:
    """Terms + account PIN + SMS code; returns the activation code the SMS carried."""
    assert client.post("/api/v1/otp/send", headers=auth(token),
                       json={"purpose": "SMARTOTP_REGISTER"}).status_code == 202
    otp = sms_code(container, account_id, "SMARTOTP_REGISTER")
    r = client.post("/api/v1/smartotp/registrations", headers=auth(token),
                    json={"terms_version": TERMS.version, "pin": PIN, "otp": otp})
    assert r.status_code == 201, r.text
    return activation_code(container, account_id)


def enrol(client: TestClient, container: Container, token: str, account_id: str,
          clock: ManualClock, device_id: str = "device-0001") -> Device:
    code = register(client, container, token, account_id)
    r = client.post("/api/v1/smartotp/activate", headers=auth(token),
                    json={"activation_code": code, "device_id": device_id,
                          "device_name": "Điện thoại của An"})
    assert r.status_code == 200, r.text
    body = r.json()
    return Device(b32decode_seed(body["seed_b32"]), body["algorithm"], body["digits"],
                  body["period"], clock)
