"""Races of onboarding, with real threads on a real database: two first registrations by
the same account at once; a signature slipping past the acceptance gate."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import date, timedelta

from fastapi.testclient import TestClient

from kyso.bootstrap import Container
from kyso.clock import ManualClock
from kyso.onboarding.errors import AlreadyRegistered
from kyso.onboarding.form import RegistrationForm
from kyso.onboarding.identity import IdType, Sex
from kyso.signing.document import DocumentStatus
from tests.integration.api.conftest import sign_up
from tests.integration.onboarding.test_flow import BASE, _csc_sign, officer, to_review


def a_form(clock: ManualClock) -> RegistrationForm:
    today = clock.now().date()
    return RegistrationForm(
        "Nguyễn Văn An", date(1991, 3, 4), Sex("M"), IdType("CCCD"), "001091000001",
        today - timedelta(days=400), today + timedelta(days=3000), "an@example.vn",
        "0912345671", "12 Trần Duy Hưng", "Hà Nội", "Cầu Giấy", "per-signature-1y",
        "device-0001")


def test_two_first_registrations_at_once_give_one_and_a_409(
        client: TestClient, container: Container, clock: ManualClock) -> None:
    account_id = sign_up(client)["id"]
    barrier, outcomes = threading.Barrier(2), []

    def register() -> None:
        barrier.wait()
        try:
            outcomes.append(container.registrations.start(account_id, a_form(clock)).state.value)
        except Exception as exc:  # the outcome is what the test checks
            outcomes.append(type(exc).__name__)

    threads = [threading.Thread(target=register) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(outcomes) == sorted(["awaiting_payment", AlreadyRegistered.__name__])
    assert container.registrations.mine(account_id).state.value == "awaiting_payment"


def test_nothing_else_signs_while_the_acceptance_record_is_being_signed(
        client: TestClient, container: Container, clock: ManualClock) -> None:
    """The window the gate used to leave open: the record's document is *signing* (taken
    by the confirming call), and the same customer signs something else with the same
    certificate at that moment — through the CSC API, from another request."""
    _, headers, device = to_review(client, container, clock)
    ra = officer(container, client)
    [case] = client.get("/api/v1/ra/registrations", headers=ra).json()
    assert client.post(f"/api/v1/ra/registrations/{case['id']}/approve",
                       headers=ra).status_code == 200
    clock.advance(30)
    r = client.post(f"{BASE}/acceptance", headers=headers)
    assert r.status_code == 201, r.text
    tx, document_id = r.json()["transaction"], r.json()["document_id"]
    _set_status(container, document_id, DocumentStatus.SIGNING)  # as the record's take does
    refused = _csc_sign(client, device)
    assert refused.status_code == 400, refused.text
    assert "«chờ ký biên bản nghiệm thu»" in refused.text, refused.text
    _set_status(container, document_id, DocumentStatus.PENDING)
    clock.advance(30)
    r = client.post(f"/api/v1/transactions/{tx['id']}/confirm",
                    json={"otp": device.answer(tx)}, headers=headers)
    assert r.status_code == 200, r.text  # the record itself still signs, free
    assert client.get(BASE, headers=headers).json()["state"] == "active"


def _set_status(container: Container, document_id: str, status: DocumentStatus) -> None:
    with container.uow() as uow:
        document = uow.documents.get(document_id, for_update=True)
        assert document is not None
        uow.documents.save(replace(document, status=status))
        uow.commit()
