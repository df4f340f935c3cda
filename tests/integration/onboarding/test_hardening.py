"""What a review of onboarding found: a refused eKYC attempt keeps no identity images; the
onboarding store seals what it keeps; control characters and NULs are bad input (400)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from kyso.adapters.blobs import SealedBlobStore
from kyso.adapters.db.tables.blobs import blobs
from kyso.billing.errors import OrderStateConflict
from kyso.bootstrap import Container
from kyso.clock import ManualClock
from tests.integration.api.conftest import auth, last_code, login, sign_up
from tests.integration.onboarding.test_flow import BASE, form, officer, png, to_review


def _stored(container: Container) -> list[str]:
    """The blobs kept (the database store, shared by every node: adapters/blobs.py)."""
    with container.engine.connect() as conn:
        return sorted(d for (d,) in conn.execute(select(blobs.c.sha256)))


def test_refused_ekyc_attempts_keep_no_images(client: TestClient, container: Container,
                                              clock: ManualClock) -> None:
    account = sign_up(client)
    headers = auth(login(client))
    client.post(BASE, json=form(clock), headers=headers)
    code = last_code(container, account["id"], "ONBOARDING_ACTIVATION")
    client.post(f"{BASE}/activation", json={"code": code}, headers=headers)
    small = {n: (f"{n}.png", png(100, 80), "image/png") for n in ("front", "back", "portrait")}
    same = png()
    twice = {n: (f"{n}.png", same, "image/png") for n in ("front", "back", "portrait")}
    for files in (small, twice):
        assert client.post(f"{BASE}/ekyc", files=files, headers=headers).status_code == 400
    assert _stored(container) == []  # ID-card images of a refused attempt are not kept
    good = {n: (f"{n}.png", png(), "image/png") for n in ("front", "back", "portrait")}
    assert client.post(f"{BASE}/ekyc", files=good, headers=headers).status_code == 200
    assert len(_stored(container)) == 3


def test_the_onboarding_store_keeps_images_and_contracts_sealed(
        client: TestClient, container: Container, clock: ManualClock) -> None:
    """ID-card images and contracts are personal data: sealed at rest under the master key,
    each bound to its hash; a damaged or swapped file reads as missing (the one-node file
    store, KYSO_BLOB_STORE=files; the database store: tests/operations/test_blobs.py)."""
    store = SealedBlobStore(container.settings.home / "onboarding", container.envelope)
    image = png()
    digest = store.put(image)
    path = container.settings.home / "onboarding" / digest[:2] / digest
    raw = path.read_bytes()
    assert image[:8] not in raw and image[16:48] not in raw
    assert store.get(digest) == image and store.put(image) == digest
    other = store.put(png())
    path.write_bytes((path.parent.parent / other[:2] / other).read_bytes())  # swapped
    with pytest.raises(KeyError):
        store.get(digest)
    path.write_bytes(image)  # a plain blob from before the store was sealed still reads
    assert store.get(digest) == image
    for bad in ("0" * 64, "../../etc/passwd"):
        with pytest.raises(KeyError):
            store.get(bad)


@pytest.mark.parametrize("field", ["address", "province", "locality", "device_id"])
@pytest.mark.parametrize("bad", ["12\u0000 Trần", "12 Trần\u202e", "12\x07 Trần"])
def test_control_characters_in_the_form_are_refused(
        client: TestClient, container: Container, clock: ManualClock, field: str,
        bad: str) -> None:
    sign_up(client)
    r = client.post(BASE, json=form(clock, **{field: bad}), headers=auth(login(client)))
    assert (r.status_code, r.json()["error"]) == (400, "invalid_field"), r.text
    label = {"address": "Địa chỉ", "province": "Tỉnh/Thành phố", "locality": "Phường/Xã",
             "device_id": "Thiết bị"}[field]  # the form's word, not the API's name
    assert label in r.json()["error_description"] and field not in r.json()["error_description"]


def test_a_nul_in_a_path_or_a_query_is_bad_input_not_a_server_error(
        client: TestClient, container: Container) -> None:
    """PostgreSQL text cannot hold NUL: the engine turns the driver's refusal into 400."""
    sign_up(client)
    headers = auth(login(client))
    ra = officer(container, client)
    calls = [("GET", "/api/v1/billing/orders/%00", headers),
             ("POST", "/api/v1/billing/orders/%00/payment", headers),
             ("DELETE", "/api/v1/consents/%00", headers),
             ("GET", "/api/v1/ra/registrations/%00", ra),
             ("POST", "/api/v1/ra/registrations/%00/approve", ra)]
    for method, url, who in calls:
        r = client.request(method, url, headers=who)
        assert r.status_code in (400, 404) and r.json()["error"], (url, r.text)
    ipn = client.get("/api/v1/billing/vnpay/ipn", params={"vnp_TxnRef": "\x00",
                                                          "vnp_SecureHash": "00"})
    assert ipn.status_code == 200 and ipn.json()["RspCode"] == "97", ipn.text


class RefusingPackages:
    def __init__(self, inner: object) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> object:
        return getattr(self._inner, name)

    def issued(self, account_id: str, order_id: str, credential_id: str) -> None:
        raise OrderStateConflict(status="fulfilled")


def test_an_approval_stands_when_billing_refuses_the_package(
        client: TestClient, container: Container, clock: ManualClock,
        monkeypatch: pytest.MonkeyPatch) -> None:
    to_review(client, container, clock)
    monkeypatch.setattr(container.review, "_packages", RefusingPackages(container.packages))
    ra = officer(container, client)
    [case] = client.get("/api/v1/ra/registrations", headers=ra).json()
    r = client.post(f"/api/v1/ra/registrations/{case['id']}/approve", headers=ra)
    assert (r.status_code, r.json()["state"]) == (200, "approved"), r.text
    with container.uow() as uow:
        [record] = [e.event for e in uow.audit.records()
                    if e.event.action == "onboarding.package_not_attached"]
    assert record.details["error"] == "order_state" and record.details["order"]
