"""The support desk finds a customer by any login (name, phone, email, ID number); only
support and admin may; every lookup is audited."""

from __future__ import annotations

from fastapi.testclient import TestClient

from kyso.accounts.model import Role
from kyso.accounts.service import NewAccount
from kyso.bootstrap import Container
from tests.integration.api.conftest import PASSWORD, PIN, auth, login, sign_up


def test_support_finds_a_customer_and_the_lookup_is_audited(client: TestClient,
                                                             container: Container) -> None:
    customer = sign_up(client)
    staff = container.accounts.sign_up(NewAccount("hotro", PASSWORD, PIN, "Hỗ trợ",
                                                  "0900000077", "ht@ca.vn", role=Role.SUPPORT))
    headers = auth(login(client, "hotro"))
    for key in ("khach1", "0912345671", "+84912345671", "KHACH1@example.vn", "001091000001"):
        r = client.get("/api/v1/support/accounts", params={"login": key}, headers=headers)
        assert r.status_code == 200, (key, r.text)
        body = r.json()
        assert body["id"] == customer["id"] and body["otp_method"] == "sms"
        assert body["methods"]["sms"] == {"locked": False, "reason": None, "locked_at": None}
    missing = client.get("/api/v1/support/accounts", params={"login": "khach9"}, headers=headers)
    assert missing.status_code == 404 and missing.json()["error_description"]
    bad = client.get("/api/v1/support/accounts", params={"login": "<script>"}, headers=headers)
    assert bad.status_code == 400
    mine = auth(login(client, "khach1"))
    denied = client.get("/api/v1/support/accounts", params={"login": "hotro"}, headers=mine)
    assert denied.status_code == 403
    with container.uow() as uow:
        viewed = [r.event for r in uow.audit.records()
                  if r.event.action == "support.account_viewed"]
    assert len(viewed) == 5 and {e.actor for e in viewed} == {staff.id}
