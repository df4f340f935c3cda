"""The device state file: 0600, replaced atomically, the seed only ever locked, no PIN."""

from __future__ import annotations

import base64
import os
import stat
from pathlib import Path

import pytest

from kyso.app.errors import AppError
from kyso.app.state import DeviceState, Session, StateStore, StoredToken, default_home
from kyso.otp.device import DeviceKdf, lock_seed
from kyso.otp.oath import OathParams, b32encode_seed
from kyso.secrets import Secret

KDF = DeviceKdf(time_cost=1, memory_kib=1024, parallelism=1)
SEED = bytes(range(32))
PIN = "135792"


def _token() -> StoredToken:
    return StoredToken("tok-1", lock_seed(SEED, PIN, KDF), OathParams("sha256", 6, 30),
                       "OCRA-1:HOTP-SHA256-8:QH64", "2026-11-22T07:00:00+00:00")


def _full_state(store: StateStore) -> DeviceState:
    session = Session("http://kyso.test", "khach1", Secret("session-token-xyz"), "2026-11-23")
    return store.load().update(server="http://kyso.test", session=session, token=_token(),
                               clock_offset=-12.5)


def test_a_fresh_device_gets_one_random_id_kept_in_a_0600_file(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "app")
    first = store.load()
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(store.home.stat().st_mode) == 0o700
    assert StateStore(tmp_path / "app").load().device_id == first.device_id
    assert StateStore(tmp_path / "other").load().device_id != first.device_id


def test_round_trip_keeps_everything(tmp_path: Path) -> None:
    store = StateStore(tmp_path)
    state = _full_state(store)
    store.save(state)
    again = store.load()
    assert again.session is not None and again.session.token.reveal() == "session-token-xyz"
    assert again.token is not None and again.token.seed == state.token.seed
    assert again.token.params == OathParams("sha256", 6, 30)
    assert again.clock_offset == -12.5 and again.server == "http://kyso.test"


def test_the_file_holds_no_plain_seed_and_no_pin(tmp_path: Path) -> None:
    store = StateStore(tmp_path)
    store.save(_full_state(store))
    raw = store.path.read_bytes()
    for secret in (SEED, base64.b64encode(SEED), b32encode_seed(SEED).encode(),
                   SEED.hex().encode(), PIN.encode()):
        assert secret not in raw
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600


def test_secrets_stay_out_of_reprs(tmp_path: Path) -> None:
    state = _full_state(StateStore(tmp_path))
    text = repr(state)
    assert "session-token-xyz" not in text and "masked" not in text


def test_a_failed_write_leaves_the_old_file_and_no_temporary(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = StateStore(tmp_path)
    original = store.load()
    before = store.path.read_bytes()

    def crash(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(AppError) as caught:
        store.save(_full_state(store))
    assert "No space left" in caught.value.describe("en")
    assert store.path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.json"]
    assert store.load().device_id == original.device_id


def test_a_loose_umask_still_gives_0600(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        store = StateStore(tmp_path / "loose")
        store.save(_full_state(store))
    finally:
        os.umask(old)
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600


def test_a_damaged_file_is_a_clear_error(tmp_path: Path) -> None:
    store = StateStore(tmp_path)
    store.path.write_text("{not json")
    with pytest.raises(AppError) as caught:
        store.load()
    assert "state.json" in caught.value.describe("vi")


def test_the_session_goes_only_to_its_own_server(tmp_path: Path) -> None:
    state = _full_state(StateStore(tmp_path))
    assert state.session_for("http://kyso.test") is state.session
    assert state.session_for("http://evil.test") is None


def test_home_from_the_environment() -> None:
    assert default_home({"KYSO_APP_HOME": "/x/y"}) == Path("/x/y")
    assert default_home({}) == Path.home() / ".config" / "kyso-app"
