"""Races of onboarding, with real threads on a real database: two first registrations by
the same account at once."""

from __future__ import annotations

import threading
from datetime import date, timedelta

from fastapi.testclient import TestClient

from kyso.bootstrap import Container
from kyso.clock import ManualClock
from kyso.onboarding.errors import AlreadyRegistered
from kyso.onboarding.form import RegistrationForm
from kyso.onboarding.identity import IdType, Sex
from tests.integration.api.conftest import sign_up


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
        except Exception as exc:  # noqa: BLE001  # the outcome is what the test checks
            outcomes.append(type(exc).__name__)

    threads = [threading.Thread(target=register) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(outcomes) == sorted(["awaiting_payment", AlreadyRegistered.__name__])
    assert container.registrations.mine(account_id).state.value == "awaiting_payment"
