"""Codes from the device's token: TOTP at the adjusted time, resync pairs, OCRA over the
details shown, and wrong PINs giving wrong (well-formed) codes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from kyso.app.errors import AppError
from kyso.app.models import Activation, Transaction
from kyso.app.token import SoftToken, device_kdf, device_time, new_token
from kyso.otp.device import DeviceKdf
from kyso.otp.oath import b32encode_seed, totp
from kyso.otp.ocra import ocra, transaction_challenge

KDF = DeviceKdf(time_cost=1, memory_kib=1024, parallelism=1)
SEED = bytes(range(32))
PIN = "135792"
SUITE = "OCRA-1:HOTP-SHA256-8:QH64"
NOW = 1_800_000_007.0  # 7 s into a 30 s step


def _activation(**changes: object) -> Activation:
    fields: dict[str, object] = {"token_id": "tok-1", "seed_b32": b32encode_seed(SEED),
                                 "algorithm": "sha256", "digits": 6, "period": 30,
                                 "ocra_suite": SUITE,
                                 "server_time": datetime(2026, 11, 22, tzinfo=UTC)}
    return Activation.model_validate(fields | changes)


def _token(pin: str = PIN) -> SoftToken:
    return SoftToken.open(new_token(_activation(), PIN, KDF), pin)


def _transaction(question: str | None = None, **details: str) -> Transaction:
    details = details or {"phone": "+84987654321", "description": "Thay đổi số điện thoại"}
    bound = {"transaction_id": "tx-1", "kind": "contact_change", **details}
    q = question or transaction_challenge(bound, length=64, fmt="H")
    return Transaction(id="tx-1", kind="contact_change", details=details, question=q,
                       ocra_suite=SUITE, status="pending", method="smartotp",
                       created_at=datetime(2026, 11, 22, tzinfo=UTC),
                       expires_at=datetime(2026, 11, 22, 0, 5, tzinfo=UTC))


def test_the_code_is_rfc6238_totp_at_the_given_time() -> None:
    code = _token().code_at(NOW)
    assert code.value == totp(SEED, NOW, algorithm="sha256")
    assert code.counter == int(NOW // 30) and code.expires_in == pytest.approx(23.0)


def test_device_time_adds_the_offset() -> None:
    assert device_time(-90.0, clock=lambda: NOW) == NOW - 90.0
    assert _token().code_at(device_time(30.0, lambda: NOW)).value == totp(
        SEED, NOW + 30, algorithm="sha256")


def test_a_wrong_pin_gives_a_well_formed_different_code() -> None:
    right, wrong = _token().code_at(NOW).value, _token("975318").code_at(NOW).value
    assert len(wrong) == 6 and wrong.isdigit() and wrong != right


def test_resync_sends_this_step_and_the_next() -> None:
    first, second = _token().resync_codes(NOW)
    assert first == totp(SEED, NOW, algorithm="sha256")
    assert second == totp(SEED, NOW + 30, algorithm="sha256")


def test_transaction_code_is_ocra_over_the_bound_details() -> None:
    tx = _transaction()
    assert _token().transaction_code(tx) == ocra(SUITE, SEED, question=tx.question or "")
    assert len(_token().transaction_code(tx)) == 8


def test_a_question_for_other_details_is_refused() -> None:
    forged = transaction_challenge({"transaction_id": "tx-1", "kind": "contact_change",
                                    "phone": "+84900000000"}, length=64, fmt="H")
    with pytest.raises(AppError) as caught:
        _token().transaction_code(_transaction(question=forged))
    assert "không khớp" in caught.value.describe("vi")


def test_new_token_locks_the_seed_and_checks_parameters() -> None:
    stored = new_token(_activation(algorithm="SHA256"), PIN, KDF)
    assert SEED not in stored.seed.masked and stored.params.algorithm == "sha256"
    with pytest.raises(AppError):
        new_token(_activation(algorithm="md5"), PIN, KDF)
    with pytest.raises(AppError):
        new_token(_activation(ocra_suite="OCRA-9"), PIN, KDF)


def test_change_of_pin_keeps_the_seed() -> None:
    stored = new_token(_activation(), PIN, KDF)
    relocked = SoftToken.open(stored, PIN).lock(stored, "864209", KDF)
    assert relocked.seed.salt != stored.seed.salt
    assert SoftToken.open(relocked, "864209").code_at(NOW) == _token().code_at(NOW)


def test_the_kdf_cost_comes_from_the_environment_only_when_set() -> None:
    assert device_kdf({}) == DeviceKdf()
    assert device_kdf({"KYSO_APP_KDF_MEMORY_KIB": "2048"}).memory_kib == 2048
    with pytest.raises(AppError):
        device_kdf({"KYSO_APP_KDF_MEMORY_KIB": "12"})


def test_the_opened_token_hides_its_seed() -> None:
    assert SEED.hex() not in repr(_token()) and "seed" not in repr(_activation())
