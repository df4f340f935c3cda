"""The backup's sealed keys: only the passphrase or the X25519 key they were sealed for opens
them, for this backup only; an altered value or header is refused like a wrong key."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from kyso.backup.errors import BackupError, KeyNotOpened
from kyso.backup.sealing import PassphraseSealer, RecipientSealer, open_sealed

FAST = {"memory_kib": 1024, "iterations": 1, "lanes": 1}
AAD = b"kyso-backup/1 keys 1234"


def test_a_passphrase_opens_only_its_own_backup() -> None:
    header, sealed = PassphraseSealer(b"mat-khau-dai-2026", **FAST).seal(b"key", AAD)
    assert open_sealed(header, sealed, AAD, passphrase=b"mat-khau-dai-2026") == b"key"
    with pytest.raises(KeyNotOpened, match="wrong passphrase"):
        open_sealed(header, sealed, AAD, passphrase=b"mat-khau-dai-2027")
    with pytest.raises(KeyNotOpened):  # another backup's id
        open_sealed(header, sealed, AAD + b"5", passphrase=b"mat-khau-dai-2026")
    altered = sealed[:-1] + bytes([sealed[-1] ^ 1])
    with pytest.raises(KeyNotOpened):
        open_sealed(header, altered, AAD, passphrase=b"mat-khau-dai-2026")
    with pytest.raises(KeyNotOpened, match="unusual"):  # a header asking for 1 TiB of memory
        open_sealed(header | {"memory_kib": 2**30}, sealed, AAD, passphrase=b"x" * 12)


def test_a_short_passphrase_is_refused() -> None:
    with pytest.raises(BackupError, match="12 characters"):
        PassphraseSealer(b"short")


def test_an_x25519_recipient_and_only_it_opens() -> None:
    ours, theirs = X25519PrivateKey.generate(), X25519PrivateKey.generate()
    header, sealed = RecipientSealer(ours.public_key()).seal(b"key", AAD)
    assert header["method"] == "x25519" and b"key" not in sealed
    assert open_sealed(header, sealed, AAD, identity=ours) == b"key"
    with pytest.raises(KeyNotOpened, match="wrong private key"):
        open_sealed(header, sealed, AAD, identity=theirs)
    with pytest.raises(KeyNotOpened, match="give its private key"):
        open_sealed(header, sealed, AAD, passphrase=b"mat-khau-dai-2026")


def test_a_manifest_that_is_not_one_is_refused(tmp_path: Path) -> None:
    from kyso.backup.errors import ManifestInvalid
    from kyso.backup.manifest import read_manifest

    with pytest.raises(ManifestInvalid, match="not a kyso backup"):
        read_manifest(tmp_path)
    for text in ("[1, 2]", '{"format": "kyso-backup/1", "parts": {"keys": 1, "database": 2}}',
                 "{bad json"):
        (tmp_path / "manifest.json").write_text(text)
        with pytest.raises(ManifestInvalid):
            read_manifest(tmp_path)
