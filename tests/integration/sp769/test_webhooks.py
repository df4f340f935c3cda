"""Webhooks to a real HTTP receiver on loopback, delivered by the one outbox worker
(HMAC-signed, retried with back-off, sent for every end: signed, rejected, expired), the SMS
method, the in-app notice and the audit trail; secrets at rest."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import socket
import threading
from collections.abc import Iterator, Mapping
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from sqlalchemy import select

from kyso.adapters.db.tables.notify import outbox
from kyso.adapters.db.tables.relying import relying_parties
from kyso.audit.service import verify
from kyso.notify.ports import DeliveryError
from kyso.notify.worker import OutboxWorker
from kyso.relying.model import RequestStatus
from kyso.relying.parties import Issued
from kyso.relying.webhooks import PartyWebhooks, purpose_of
from tests.integration.api.conftest import PIN, last_code
from tests.integration.sp769.conftest import (
    SIGN,
    Env,
    auth,
    confirm,
    new_party,
    new_signer,
    pending,
    sign_body,
    status,
)


class Receiver:
    """A relying party's webhook endpoint: records each call, answers the next status."""

    def __init__(self) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.statuses: list[int] = []
        self.calls: list[tuple[bytes, dict[str, str]]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.calls.append((body, dict(self.headers.items())))
                self.send_response(receiver.statuses.pop(0) if receiver.statuses else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=lambda: self._server.serve_forever(0.05), daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/kyso/webhook"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.stop()


def checked(party: Issued, body: bytes, headers: dict[str, str]) -> dict[str, Any]:
    """The body, once its signature is checked the way a relying party would."""
    fields = dict(part.split("=", 1) for part in headers["X-Kyso-Signature"].split(","))
    assert party.webhook_secret is not None
    mac = hmac.new(party.webhook_secret.encode(), f"{fields['t']}.".encode() + body,
                   hashlib.sha256).hexdigest()
    assert hmac.compare_digest(mac, fields["v1"])
    return dict(json.loads(body))


def test_signed_request_calls_the_webhook_with_retries(env: Env, receiver: Receiver) -> None:
    signer = new_signer(env)
    party = new_party(env, webhook_url=receiver.url, public_service=True)
    body = sign_body(party, signer, [os.urandom(100), os.urandom(100)])
    assert env.client.post(SIGN, json=body).status_code == 200
    worker = env.container.outbox_worker()
    worker.run_once()
    assert receiver.calls == []  # nothing ended yet
    [tx] = pending(env, signer)
    assert confirm(env, signer, tx).status_code == 200
    receiver.statuses = [503]
    worker.run_once()
    assert len(receiver.calls) == 1  # refused by the receiver: retried later
    worker.run_once()
    assert len(receiver.calls) == 1  # not due yet
    env.clock.advance(7)  # base 5 s, up to 25 % jitter
    worker.run_once()
    assert len(receiver.calls) == 2
    first, second = receiver.calls
    assert first[0] == second[0] and first[1]["X-Kyso-Delivery"] == second[1]["X-Kyso-Delivery"]
    sent = checked(party, *second)
    polled = status(env, party, body["transaction_id"]).json()
    assert sent["message"] == "SUCCESS" and sent["status"] == "signed"
    assert sent["sp_id"] == party.party.sp_id and sent["tran_code"] == polled["data"]["tran_code"]
    assert sent["signed_files"] == polled["data"]["signatures"]
    env.clock.advance(3600)
    worker.run_once()
    assert len(receiver.calls) == 2  # delivered once


def test_tampered_body_fails_the_signature_check(env: Env, receiver: Receiver) -> None:
    signer = new_signer(env)
    party = new_party(env, webhook_url=receiver.url)
    assert env.client.post(SIGN, json=sign_body(party, signer, [b"a"])).status_code == 200
    [tx] = pending(env, signer)
    env.client.post(f"/api/v1/transactions/{tx['id']}/reject", headers=auth(signer.token))
    env.container.outbox_worker().run_once()  # the sweep settles the rejection
    [(body, headers)] = receiver.calls
    assert checked(party, body, headers)["status"] == "rejected"
    with pytest.raises(AssertionError):
        checked(party, body.replace(b"rejected", b"signed__"), headers)


def test_expiry_is_announced_by_the_worker(env: Env, receiver: Receiver) -> None:
    signer = new_signer(env)
    party = new_party(env, webhook_url=receiver.url)
    body = sign_body(party, signer, [b"a"])
    assert env.client.post(SIGN, json=body).status_code == 200
    env.clock.advance(301)
    env.container.outbox_worker().run_once()
    [(sent, headers)] = receiver.calls
    assert checked(party, sent, headers) | {"tran_code": None} == {
        "sp_id": party.party.sp_id, "status_code": 200, "message": "sig_expired",
        "transaction_id": body["transaction_id"], "tran_code": None, "status": "expired",
        "signed_files": [], "error": None}
    assert status(env, party, body["transaction_id"]).json()["data"]["status"] == "expired"
    env.container.outbox_worker().run_once()
    assert len(receiver.calls) == 1


def notices_of(env: Env, token: str) -> list[dict[str, Any]]:
    r = env.client.get("/api/v1/notifications", headers=auth(token))
    assert r.status_code == 200, r.text
    return list(r.json())


def test_sms_method_notice_and_audit(env: Env) -> None:
    signer = new_signer(env)
    r = env.client.put("/api/v1/me/otp-method", headers=auth(signer.token),
                       json={"method": "sms", "pin": PIN})
    assert r.status_code == 200, r.text
    party = new_party(env, "Cổng thông tin BHXH")
    body = sign_body(party, signer, [b"to khai"])
    assert env.client.post(SIGN, json=body).status_code == 200
    [tx] = pending(env, signer)
    assert tx["method"] == "sms" and tx["question"] is None
    [notice] = [n for n in notices_of(env, signer.token) if n["title"] == "Yêu cầu ký số mới"]
    assert "Cổng thông tin BHXH" in notice["body"] and "HS-001" in notice["body"]
    code = last_code(env.container, signer.account_id, "SIGN")
    assert confirm(env, signer, tx, code).status_code == 200
    assert status(env, party, body["transaction_id"]).json()["data"]["status"] == "signed"
    titles = [n["title"] for n in notices_of(env, signer.token)]
    assert "Đã ký số theo yêu cầu" in titles
    verify(env.container.uow, key=env.container.audit_key)  # the chain holds every record


def test_secrets_are_not_stored_in_plaintext(env: Env, receiver: Receiver) -> None:
    party = new_party(env, webhook_url=receiver.url)
    with env.container.engine.connect() as conn:
        row = conn.execute(select(relying_parties)
                           .where(relying_parties.c.sp_id == party.party.sp_id)).one()
    assert row.secret_hash.startswith("$argon2id$")
    assert party.sp_password not in row.secret_hash
    assert party.webhook_secret is not None
    assert party.webhook_secret.encode() not in row.sealed_webhook_secret
    assert "sp_password" not in repr(party) and party.sp_password not in repr(party)


class Refusing:
    """A webhook sender whose receiver is always down."""

    def __init__(self) -> None:
        self.calls = 0

    def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> None:
        self.calls += 1
        raise DeliveryError("webhook answered HTTP 502")


def test_calls_die_after_the_last_attempt_or_when_the_party_is_disabled(env: Env) -> None:
    container = env.container
    sender = Refusing()
    worker = OutboxWorker(container.uow, container.envelope, container.email_sender(),
                          container.sms_sender(), env.clock, max_attempts=2, backoff_seconds=1,
                          webhook=PartyWebhooks(container.uow, env.clock,
                                                container.relying_parties, sender),
                          chores=(container.sp769_settler.sweep,))
    signer = new_signer(env)
    down = new_party(env, webhook_url="http://127.0.0.1:9/down")
    gone = new_party(env, webhook_url="http://127.0.0.1:9/gone")
    for party in (down, gone):
        assert env.client.post(SIGN, json=sign_body(party, signer, [os.urandom(8)])).status_code \
            == 200
    container.relying_parties.disable(gone.party.sp_id, actor="test")
    for tx in pending(env, signer):
        env.client.post(f"/api/v1/transactions/{tx['id']}/reject", headers=auth(signer.token))
    worker.run_once()
    env.clock.advance(3)
    worker.run_once()
    env.clock.advance(10)
    worker.run_once()
    assert sender.calls == 2  # the disabled party's call was never tried
    with container.engine.connect() as conn:
        calls = conn.execute(select(outbox).where(outbox.c.purpose.in_(
            [purpose_of(down.party.id), purpose_of(gone.party.id)]))).all()
    assert sorted((c.status, c.attempts) for c in calls) == [("dead", 1), ("dead", 2)]
    assert all(c.last_error and c.sealed_body is None for c in calls)
    assert {c.channel for c in calls} == {"webhook"}


def test_a_request_stuck_in_signing_fails_once_its_sad_is_useless(env: Env,
                                                                  receiver: Receiver) -> None:
    signer = new_signer(env)
    party = new_party(env, webhook_url=receiver.url)
    body = sign_body(party, signer, [b"a"])
    assert env.client.post(SIGN, json=body).status_code == 200
    with env.container.uow() as uow:  # as if the process died right after the SAD was issued
        request = uow.relying.request_by_ref(party.party.id, body["transaction_id"],
                                             for_update=True)
        assert request is not None
        uow.relying.save_request(replace(request, status=RequestStatus.SIGNING))
        uow.commit()
    env.clock.advance(301)
    assert status(env, party, body["transaction_id"]).json()["data"]["status"] == "waiting"
    env.clock.advance(300)
    env.container.outbox_worker().run_once()
    [(sent, headers)] = receiver.calls
    assert checked(party, sent, headers)["message"] == "sig_failed"
    assert status(env, party, body["transaction_id"]).json()["data"]["status"] == "failed"
