"""The seed on the device: locked by the SmartOTP PIN with no verifier (no offline oracle)."""

from __future__ import annotations

import json
import os

import pytest

from kyso.otp.device import DeviceKdf, LockedSeed, check_smartotp_pin, lock_seed, unlock_seed
from kyso.otp.errors import WeakSmartOtpPin
from kyso.otp.oath import totp

KDF = DeviceKdf(time_cost=1, memory_kib=1024, parallelism=1)


def test_right_pin_gives_the_seed_back() -> None:
    seed = os.urandom(32)
    assert unlock_seed(lock_seed(seed, "246813", KDF), "246813") == seed


def test_wrong_pin_gives_a_different_well_formed_code_never_an_error() -> None:
    seed = os.urandom(32)
    locked = lock_seed(seed, "246813", KDF)
    right = totp(seed, 1_800_000_000, algorithm="sha256")
    for wrong_pin in ("246814", "000000", "135792468", ""):
        other = unlock_seed(locked, wrong_pin)
        assert len(other) == len(seed) and other != seed
        code = totp(other, 1_800_000_000, algorithm="sha256")
        assert len(code) == 6 and code.isdigit() and code != right


def test_locked_seed_holds_no_verifier() -> None:
    seed = os.urandom(32)
    locked = lock_seed(seed, "246813", KDF)
    # only a salt and the masked seed, the same length as the seed: nothing to test a PIN on
    assert set(vars(locked)) == {"salt", "masked", "kdf"}
    assert len(locked.masked) == len(seed) and seed not in locked.masked
    assert b"246813" not in locked.salt + locked.masked


def test_each_lock_uses_a_fresh_salt() -> None:
    seed = os.urandom(32)
    a, b = lock_seed(seed, "246813", KDF), lock_seed(seed, "246813", KDF)
    assert a.salt != b.salt and a.masked != b.masked


def test_kdf_and_locked_seed_validate() -> None:
    with pytest.raises(ValueError):
        DeviceKdf(memory_kib=8)
    with pytest.raises(ValueError):
        LockedSeed(b"short", b"x")


@pytest.mark.parametrize("pin", ["12345", "123456", "654321", "000000", "1234567890123",
                                 "24681a", "２４６８１３"])
def test_weak_smartotp_pins(pin: str) -> None:
    with pytest.raises(WeakSmartOtpPin):
        check_smartotp_pin(pin)


@pytest.mark.parametrize("pin", ["246813", "1357924680", "112358"])
def test_good_smartotp_pins(pin: str) -> None:
    check_smartotp_pin(pin)


def test_locked_seed_is_json_serialisable_as_hex() -> None:
    locked = lock_seed(os.urandom(20), "246813", KDF)
    text = json.dumps({"salt": locked.salt.hex(), "masked": locked.masked.hex()})
    assert json.loads(text)["masked"] == locked.masked.hex()
