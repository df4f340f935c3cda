"""Consents: granting takes the account PIN (counted, locked after five wrong tries like
every PIN check); revoking is free and ends the party's requests still waiting."""

from __future__ import annotations

import os

from sqlalchemy import select

from kyso.adapters.db.tables.notify import outbox
from kyso.relying.webhooks import purpose_of
from tests.integration.api.conftest import PIN
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


def _put(env: Env, token: str, sp_id: str, **body: str) -> tuple[int, str]:
    r = env.client.put(f"/api/v1/consents/{sp_id}", json=body or None, headers=auth(token))
    return r.status_code, (r.json().get("error", "") if r.status_code != 200 else "")


def test_granting_takes_the_account_pin_with_its_attempt_limit(env: Env) -> None:
    party, customer = new_party(env), new_signer(env)
    sp_id = party.party.sp_id
    assert _put(env, customer.token, sp_id) == (400, "invalid_request")  # no PIN
    assert _put(env, customer.token, sp_id, pin="000000")[0] == 401
    assert env.client.get("/api/v1/consents", headers=auth(customer.token)).json() == []
    for _ in range(4):
        _put(env, customer.token, sp_id, pin="000000")
    locked = _put(env, customer.token, sp_id, pin=PIN)  # the right PIN, once locked
    assert locked[0] == 423, locked
    assert env.client.get("/api/v1/consents", headers=auth(customer.token)).json() == []
    with env.container.uow() as uow:
        failed = [r.event.action for r in uow.audit.records()
                  if r.event.subject == customer.account_id
                  and r.event.action.startswith("auth.pin")]
    assert failed.count("auth.pin_failed") == 5 and "auth.pin_locked" in failed


def test_revoking_ends_the_partys_waiting_requests(env: Env) -> None:
    party = new_party(env, webhook_url="http://127.0.0.1:9/hook")
    other, customer = new_party(env, "Sàn hợp đồng"), new_signer(env)
    customer.allow(party)
    customer.allow(other)
    body = sign_body(party, customer, [os.urandom(40)])
    assert env.client.post(SIGN, json=body).status_code == 200
    kept = sign_body(other, customer, [os.urandom(40)])
    assert env.client.post(SIGN, json=kept).status_code == 200
    [waiting] = [tx for tx in pending(env, customer) if party.party.name in str(tx)]
    r = env.client.delete(f"/api/v1/consents/{party.party.sp_id}", headers=auth(customer.token))
    assert r.status_code == 204
    ended = status(env, party, body["transaction_id"]).json()["data"]
    assert (ended["status"], ended["error"]) == ("failed", "consent_revoked")
    assert status(env, other, kept["transaction_id"]).json()["data"]["status"] == "waiting"
    assert waiting["id"] not in [tx["id"] for tx in pending(env, customer)]
    assert confirm(env, customer, waiting).status_code in (404, 409)  # nothing left to sign
    with env.container.engine.connect() as conn:
        calls = conn.execute(select(outbox.c.channel).where(
            outbox.c.purpose == purpose_of(party.party.id))).all()
    assert [c.channel for c in calls] == ["webhook"]
