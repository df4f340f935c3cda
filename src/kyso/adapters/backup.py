"""``kyso backup DEST`` and ``kyso restore SRC``: a whole deployment, as one folder.

A backup (``backup/manifest.py`` draws the folder) is made in ``DEST.partial-…`` and renamed
to ``DEST`` when complete, so a folder named ``DEST`` is always whole. The order keeps it
consistent while kyso serves: the checkpoint file first (its last checkpoint then lies at or
before the database's head), the database snapshot, then the document folders (content-
addressed and never rewritten: whatever the snapshot names was written before it).

A restore checks everything it can before writing anything — the target is empty (unless
``force``), every part has its SHA-256, the offline key opens the sealed keys, the manifest
is the one sealed with them — then builds the new home beside the target, restores the
database (SQLite into the staged home; PostgreSQL in one transaction), verifies the audit
chain under the restored key up to the manifest's head, and only then moves the staged
files into place. Any failure removes what it wrote.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import shutil
import tarfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from kyso import __version__
from kyso.adapters.db.dump import (
    database_is_empty,
    drop_restored,
    dump_database,
    restore_database,
    sqlite_path,
)
from kyso.backup.errors import BackupError, ManifestInvalid, RestoreFailed, TargetNotEmpty
from kyso.backup.manifest import (
    FORMAT,
    body_digest,
    check_parts,
    digest_file,
    read_manifest,
    write_manifest,
)
from kyso.backup.sealing import Sealer
from kyso.config import Settings
from kyso.secrets import MasterKey

__all__ = ["Opener", "Restored", "Verifier", "make_backup", "restore_backup"]

FOLDERS = ("documents", "onboarding")  # KYSO_HOME's blob folders (the files store)
_AAD = b"kyso-backup/1 keys "

Opener = Callable[[dict[str, Any], bytes, bytes], bytes]
"""Opens the sealed keys: (header, sealed bytes, associated data) -> plaintext."""
Verifier = Callable[[Settings], tuple[int, str]]
"""Opens a restored deployment and returns its verified audit head (or raises)."""


def make_backup(settings: Settings, dest: Path, sealer: Sealer) -> dict[str, Any]:
    """Write the backup folder ``dest`` (which must not exist); return its manifest."""
    if dest.exists() and any(dest.iterdir()):
        raise TargetNotEmpty(f"{dest} exists and is not empty; choose a new folder")
    work = dest.parent / f".{dest.name}.partial-{secrets.token_hex(4)}"
    work.mkdir(mode=0o700, parents=True)
    try:
        manifest = _write_parts(settings, work, sealer)
        if dest.exists():
            dest.rmdir()
        work.rename(dest)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return manifest


def _write_parts(settings: Settings, work: Path, sealer: Sealer) -> dict[str, Any]:
    parts: dict[str, Any] = {}
    checkpoints = settings.audit_checkpoint_path
    if checkpoints.exists():  # first: its checkpoints lie at or before the snapshot's head
        copied = work / "audit-checkpoints.jsonl"
        text = checkpoints.read_bytes()
        copied.write_bytes(text[: text.rfind(b"\n") + 1])  # whole lines only
        parts["checkpoints"] = digest_file(copied)
    dumped = dump_database(settings.sqlalchemy_url, work)
    parts["database"] = digest_file(dumped.path)
    folders = [name for name in FOLDERS if (settings.home / name).is_dir()]
    if folders:
        with tarfile.open(work / "files.tar", "w") as tar:
            for name in folders:
                tar.add(settings.home / name, arcname=name)
        parts["files"] = digest_file(work / "files.tar")
    manifest: dict[str, Any] = {
        "format": FORMAT, "id": str(uuid.uuid4()), "kyso_version": __version__,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "audit_head": {"seq": dumped.head[0], "hash": dumped.head[1]},
        "database": dumped.info, "folders": folders,
        "master_key": _key_description(settings), "settings": _settings_summary(settings),
        "parts": parts,
    }
    bundle = {"manifest": body_digest(manifest), "master_key": _key_text(settings),
              "kyso_toml": _read_text(settings.home / "kyso.toml")}
    header, sealed = sealer.seal(json.dumps(bundle).encode(), _AAD + manifest["id"].encode())
    (work / "keys.sealed").write_bytes(sealed)
    manifest["parts"]["keys"] = digest_file(work / "keys.sealed")
    manifest["keys"] = header
    write_manifest(work, manifest)
    return manifest


def _key_description(settings: Settings) -> dict[str, Any]:
    if settings.master_key_backend == "pkcs11":  # the key never leaves the token: its name
        return {"kind": "pkcs11", "module": settings.pkcs11_module,
                "token": settings.master_key_pkcs11_token,
                "label": settings.master_key_pkcs11_label}
    return {"kind": "file", "key_id": MasterKey(_key_bytes(settings)).key_id.hex()}


def _key_text(settings: Settings) -> str | None:
    if settings.master_key_backend == "pkcs11":
        return None
    return base64.b64encode(_key_bytes(settings)).decode()


def _key_bytes(settings: Settings) -> bytes:
    given = settings.given_master_key
    if given is not None:
        return given
    try:
        return settings.master_key_path.read_bytes()
    except OSError as exc:
        raise BackupError(f"cannot read the master key {settings.master_key_path}: "
                          f"{exc.strerror}") from exc


def _settings_summary(settings: Settings) -> dict[str, Any]:
    """The settings that differ from the defaults, secrets left out (names only)."""
    summary: dict[str, Any] = {}
    for name, info in Settings.model_fields.items():
        value = getattr(settings, name)
        if name == "home" or value == info.get_default(call_default_factory=True):
            continue
        if isinstance(value, SecretStr):
            summary[name] = "(secret, not recorded)"
        elif name == "database_url" and value:
            from sqlalchemy.engine import make_url

            summary[name] = make_url(value).render_as_string(hide_password=True)
        else:
            summary[name] = str(value) if isinstance(value, Path) else value
    return summary


def _read_text(path: Path) -> str | None:
    return path.read_text() if path.is_file() else None


# restore

@dataclass
class Restored:
    manifest: dict[str, Any]
    head: tuple[int, str]
    placed: list[Path] = field(default_factory=list)


@dataclass
class _Plan:
    """Where each restored file goes, staged first: (staged, final)."""

    stage: Path
    moves: list[tuple[Path, Path]] = field(default_factory=list)

    def path(self, settings: Settings, final: Path) -> Path:
        home = settings.home.resolve()
        final = final.resolve()
        if final.is_relative_to(home):
            return self.stage / final.relative_to(home)
        staged = final.parent / f".{final.name}.restoring-{secrets.token_hex(4)}"
        self.moves.append((staged, final))
        return staged

    def discard(self) -> None:
        shutil.rmtree(self.stage, ignore_errors=True)
        for staged, _ in self.moves:
            staged.unlink(missing_ok=True)


def restore_backup(settings: Settings, src: Path, opener: Opener, verify: Verifier, *,
                   force: bool = False) -> Restored:
    manifest = read_manifest(src)
    check_parts(src, manifest)
    bundle = _open_bundle(src, manifest, opener)
    _check_key_kind(settings, manifest, bundle)
    if not force:
        _check_empty(settings)
    home = settings.home
    plan = _Plan(home.parent / f".{home.name}.restoring-{secrets.token_hex(4)}")
    home.parent.mkdir(parents=True, exist_ok=True)
    plan.stage.mkdir(mode=0o700)
    restored_pg = False
    try:
        staged = _stage_files(settings, src, manifest, bundle, plan)
        db_file = sqlite_path(settings.sqlalchemy_url)
        staged_db = plan.path(settings, db_file) if db_file is not None else None
        if staged_db is not None:
            staged_db.parent.mkdir(parents=True, exist_ok=True)
        part = src / manifest["parts"]["database"]["file"]
        restore_database(settings.sqlalchemy_url, part, manifest["database"], staged=staged_db,
                         force=force)
        restored_pg = staged_db is None
        check = settings.model_copy(update={
            "home": plan.stage, "audit_checkpoint_file": staged["checkpoints"],
            "database_url": f"sqlite:///{staged_db}" if staged_db else settings.database_url,
            **({"master_key_file": staged["key"]} if staged.get("key") else {})})
        head = _verified(verify, check, manifest)
        placed = _place(settings, plan, force=force)
    except BaseException:
        plan.discard()
        if restored_pg:
            drop_restored(settings.sqlalchemy_url)
        raise
    return Restored(manifest, head, placed)


def _open_bundle(src: Path, manifest: dict[str, Any], opener: Opener) -> dict[str, Any]:
    sealed = (src / manifest["parts"]["keys"]["file"]).read_bytes()
    header = manifest.get("keys")
    if not isinstance(header, dict):
        raise ManifestInvalid("the manifest does not say how its keys are sealed")
    plain = opener(header, sealed, _AAD + str(manifest.get("id")).encode())
    bundle: dict[str, Any] = json.loads(plain)
    if bundle.get("manifest") != body_digest(manifest):
        raise ManifestInvalid("the manifest was altered after the backup (it is not the one "
                              "sealed with the keys)")
    return bundle


def _check_key_kind(settings: Settings, manifest: dict[str, Any],
                    bundle: dict[str, Any]) -> None:
    kind = manifest["master_key"].get("kind")
    if kind == "pkcs11" and settings.master_key_backend != "pkcs11":
        raise BackupError("this backup's master key is on a PKCS#11 token "
                          f"({manifest['master_key'].get('token')}/"
                          f"{manifest['master_key'].get('label')}): configure "
                          "KYSO_MASTER_KEY_BACKEND=pkcs11 and the token")
    if kind == "file" and settings.master_key_backend == "pkcs11":
        raise BackupError("this backup's master key is a file key; the target is configured "
                          "for a PKCS#11 key")
    given = settings.given_master_key
    if kind == "file" and given is not None and \
            base64.b64encode(given).decode() != bundle.get("master_key"):
        raise BackupError("KYSO_MASTER_KEY is not this backup's master key")


def _check_empty(settings: Settings) -> None:
    home = settings.home
    if home.exists() and any(home.iterdir()):
        raise TargetNotEmpty(f"KYSO_HOME {home} is not empty (restore into a fresh home, or "
                             "--force)")
    if not database_is_empty(settings.sqlalchemy_url):
        raise TargetNotEmpty("the target database is not empty (restore into an empty "
                             "database, or --force)")
    outside = [p for p in (settings.master_key_path, settings.audit_checkpoint_path)
               if p.exists() and not p.resolve().is_relative_to(home.resolve())]
    if outside and settings.master_key_backend != "pkcs11" and settings.master_key is None:
        raise TargetNotEmpty(f"{outside[0]} exists (restore over it with --force)")


def _stage_files(settings: Settings, src: Path, manifest: dict[str, Any],
                 bundle: dict[str, Any], plan: _Plan) -> dict[str, Path | None]:
    parts = manifest["parts"]
    staged: dict[str, Path | None] = {"checkpoints": None, "key": None}
    if "files" in parts:
        with tarfile.open(src / parts["files"]["file"]) as tar:
            tar.extractall(plan.stage, filter="data")
    if "checkpoints" in parts:
        target = plan.path(settings, settings.audit_checkpoint_path)
        _write_private(target, (src / parts["checkpoints"]["file"]).read_bytes())
        staged["checkpoints"] = target
    if bundle.get("master_key") and settings.master_key is None:
        target = plan.path(settings, settings.master_key_path)
        _write_private(target, base64.b64decode(bundle["master_key"]))
        staged["key"] = target
    if bundle.get("kyso_toml") is not None:
        _write_private(plan.stage / "kyso.toml", str(bundle["kyso_toml"]).encode())
    return staged


def _write_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def _verified(verify: Verifier, check: Settings, manifest: dict[str, Any]) -> tuple[int, str]:
    want = (int(manifest["audit_head"]["seq"]), str(manifest["audit_head"]["hash"]))
    head = verify(check)
    if head != want:
        raise RestoreFailed(f"the restored audit chain ends at seq {head[0]} "
                            f"({head[1][:16]}…), the manifest says seq {want[0]} "
                            f"({want[1][:16]}…)")
    return head


def _place(settings: Settings, plan: _Plan, *, force: bool) -> list[Path]:
    home = settings.home
    for name in ("kyso.db-wal", "kyso.db-shm"):  # left by the check, if any
        (plan.stage / name).unlink(missing_ok=True)
    if home.exists():
        if any(home.iterdir()):
            assert force
            home.rename(home.parent / f"{home.name}.replaced-"
                                      f"{datetime.now(UTC):%Y%m%dT%H%M%S}")
        else:
            home.rmdir()
    plan.stage.rename(home)
    for staged, final in plan.moves:
        os.replace(staged, final)
    return [home, *(final for _, final in plan.moves)]
