"""Server texts follow the language: notices and product names in the request's language
(``Accept-Language``), emails and SMS in the account's (recorded by ``PUT /me/locale``)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from kyso.bootstrap import Container
from tests.integration.api.conftest import auth, login, sign_up

VI, EN = {"Accept-Language": "vi"}, {"Accept-Language": "en-GB,en;q=0.9"}


def _sent(container: Container, account_id: str, seen: set[str]) -> list[tuple[str, str]]:
    """(channel, text) of the account's ACCOUNT_SECURITY messages not ``seen`` yet, email
    first; their ids join ``seen``."""
    container.outbox_worker().run_once()
    with container.uow() as uow:
        mine = [m for m in uow.outbox.recent(50) if m.id not in seen
                and m.account_id == account_id and m.purpose == "ACCOUNT_SECURITY"]
    seen.update(m.id for m in mine)
    return sorted((m.channel.value, container.notifier.open_body(m).text) for m in mine)


def test_notices_are_read_in_the_requests_language_and_messages_in_the_accounts(
        client: TestClient, container: Container) -> None:
    account = sign_up(client)
    headers = auth(login(client))
    container.recovery.pin_changed(account["id"])
    inbox = client.get("/api/v1/notifications", headers=headers | VI).json()
    assert inbox[0]["title"] == "Mã PIN tài khoản của Quý khách vừa được thay đổi"
    assert "Nếu không phải Quý khách" in inbox[0]["body"]
    inbox = client.get("/api/v1/notifications", headers=headers | EN).json()
    assert inbox[0]["title"] == "Your account PIN has just been changed"
    assert "If this was not you" in inbox[0]["body"]
    assert client.get("/api/v1/notifications", headers=headers).json()[0]["title"].startswith(
        "Mã PIN")  # no header: Vietnamese
    seen: set[str] = set()
    first = _sent(container, account["id"], seen)
    assert [c for c, _ in first] == ["email", "sms"]
    assert all("Mã PIN tài khoản" in text for _, text in first)

    chosen = client.put("/api/v1/me/locale", json={"locale": "en"}, headers=headers)
    assert chosen.status_code == 200 and chosen.json()["locale"] == "en"
    container.recovery.pin_changed(account["id"])
    newest = _sent(container, account["id"], seen)
    assert [c for c, _ in newest] == ["email", "sms"]
    assert all("Your account PIN has just been changed" in text for _, text in newest)
    with container.uow() as uow:
        actions = [r.event.action for r in uow.audit.records()]
    assert actions.count("account.locale_changed") == 1


def test_a_language_kyso_does_not_speak_is_refused(client: TestClient) -> None:
    sign_up(client)
    headers = auth(login(client))
    refused = client.put("/api/v1/me/locale", json={"locale": "fr"}, headers=headers | VI)
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_request"
    assert client.get("/api/v1/me", headers=headers).json()["locale"] == "vi"
    assert client.put("/api/v1/me/locale", json={"locale": "en"}).status_code == 401


def test_product_names_follow_the_language(client: TestClient, container: Container) -> None:
    container.catalog.load(actor="test")
    vi = {p["code"]: p["name"] for p in client.get("/api/v1/billing/catalog",
                                                   headers=VI).json()}
    en = {p["code"]: p["name"] for p in client.get("/api/v1/billing/catalog",
                                                   headers=EN).json()}
    assert vi["pack-10"] == "Gói 10 lượt ký" and en["pack-10"] == "Pack of 10 signatures"
    assert en["unlimited-1y"] == "Personal certificate, unlimited signatures, 1 year"
    assert set(vi) == set(en) and all(vi[c] != en[c] for c in vi)
