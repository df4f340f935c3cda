import logging
import os
import stat
from pathlib import Path

import pytest

from kyso.secrets import Envelope, MasterKey, SealedValueError, Secret, load_or_create_master_key


def test_secret_hides_itself(caplog: pytest.LogCaptureFixture) -> None:
    s = Secret("hunter2")
    logging.getLogger("t").warning("value %s %r", s, s)
    assert "hunter2" not in caplog.text and "hunter2" not in f"{s} {s!r} {[s]}"
    assert s.reveal() == "hunter2" and s == Secret("hunter2") and s != Secret("x")


def test_envelope_round_trip_and_purpose_binding() -> None:
    env = Envelope(MasterKey(os.urandom(32)))
    sealed = env.seal(b"seed-bytes", "otp-seed")
    assert b"seed-bytes" not in sealed
    assert env.open(sealed, "otp-seed") == b"seed-bytes"
    assert env.seal(b"seed-bytes", "otp-seed") != sealed  # fresh data key and nonces
    with pytest.raises(SealedValueError):
        env.open(sealed, "outbox")


def test_envelope_detects_tampering_and_other_master_keys() -> None:
    env = Envelope(MasterKey(os.urandom(32)))
    sealed = bytearray(env.seal(b"x" * 40, "p"))
    for i in (0, 5, len(sealed) - 1):
        broken = bytearray(sealed)
        broken[i] ^= 1
        with pytest.raises(SealedValueError):
            env.open(bytes(broken), "p")
    with pytest.raises(SealedValueError):
        Envelope(MasterKey(os.urandom(32))).open(bytes(sealed), "p")
    with pytest.raises(SealedValueError):
        env.open(b"\x01", "p")


def test_master_key_file_created_0600_and_reused(tmp_path: Path) -> None:
    path = tmp_path / "home" / "master.key"
    first = load_or_create_master_key(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_or_create_master_key(path) == first
    assert repr(first) == "MasterKey(**********)"


def test_master_key_readable_by_others_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "master.key"
    load_or_create_master_key(path)
    path.chmod(0o644)
    with pytest.raises(PermissionError):
        load_or_create_master_key(path)


def test_master_key_length_checked() -> None:
    with pytest.raises(ValueError):
        MasterKey(b"short")
