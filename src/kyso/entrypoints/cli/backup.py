"""``kyso backup DEST`` and ``kyso restore SRC`` (adapters/backup.py; docs/OPERATIONS.md).

The key material is sealed for an offline key: a passphrase (``--passphrase-file``,
``--passphrase-env NAME``, or typed at the prompt) or an X25519 public key
(``--recipient``; restore with its private key, ``--identity``).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from kyso.backup.errors import BackupError
from kyso.backup.sealing import (
    PassphraseSealer,
    RecipientSealer,
    Sealer,
    load_identity,
    load_recipient,
    open_sealed,
)
from kyso.config import ConfigError, Settings
from kyso.entrypoints.cli.context import console, fail, open_container

__all__ = ["backup", "restore"]

PassphraseFile = Annotated[Path | None, typer.Option(
    help="A file whose first line is the passphrase.")]
PassphraseEnv = Annotated[str | None, typer.Option(
    help="The name of an environment variable holding the passphrase.")]


def backup(
    dest: Annotated[Path, typer.Argument(help="A new folder for the backup.")],
    recipient: Annotated[Path | None, typer.Option(
        help="Seal the keys for this X25519 public key (PEM or base64) instead of a "
             "passphrase.")] = None,
    passphrase_file: PassphraseFile = None,
    passphrase_env: PassphraseEnv = None,
) -> None:
    """A consistent backup: the database, the document folders, the checkpoint file, and the
    master key and kyso.toml sealed for an offline key; a manifest with every part's SHA-256
    and the audit head."""
    from kyso.adapters.backup import make_backup  # the CLI starts fast without it

    try:
        sealer: Sealer = (RecipientSealer(load_recipient(recipient)) if recipient else
                          PassphraseSealer(_passphrase(passphrase_file, passphrase_env,
                                                       confirm=True)))
    except BackupError as exc:
        raise fail(str(exc), 2) from exc
    _database_exists()
    with open_container(init=False) as container:
        container.keys  # noqa: B018 -- the master key must be the database's: checked here
        # the events still pending (batched audit mode) chained first: the manifest's head
        # then covers everything committed before the backup began
        container.audit_sequencer.run_once(wait=True)
        try:
            manifest = make_backup(container.settings, dest, sealer)
        except BackupError as exc:
            raise fail(f"sao lưu thất bại / backup failed: {exc}") from exc
        _audit(container, "backup.made", manifest)
    head = manifest["audit_head"]
    console.print(f"[green]backup written[/] to {dest}: {', '.join(manifest['parts'])}; "
                  f"audit head seq {head['seq']} {head['hash'][:16]}", highlight=False)


def restore(
    src: Annotated[Path, typer.Argument(help="The backup folder.")],
    identity: Annotated[Path | None, typer.Option(
        help="The X25519 private key (PEM) the keys were sealed for.")] = None,
    passphrase_file: PassphraseFile = None,
    passphrase_env: PassphraseEnv = None,
    force: Annotated[bool, typer.Option(
        help="Restore over a non-empty KYSO_HOME (kept aside as HOME.replaced-…) and "
             "database (its objects replaced).")] = False,
) -> None:
    """Restore a backup into a fresh KYSO_HOME and an empty database: every part's SHA-256
    checked, then the audit chain verified up to the manifest's head before anything is
    moved into place."""
    from kyso.adapters.backup import restore_backup
    from kyso.config import load_settings
    from kyso.home import private_umask

    private_umask()  # the restored home is owner-only, as kyso init makes it
    try:
        settings = load_settings()
    except ConfigError as exc:
        raise fail(f"cấu hình không hợp lệ / invalid configuration: {exc}", 2) from exc
    try:
        key = load_identity(identity) if identity else None
    except BackupError as exc:
        raise fail(str(exc), 2) from exc
    cache: dict[str, bytes] = {}

    def opener(header: dict[str, Any], sealed: bytes, aad: bytes) -> bytes:
        if key is None and header.get("method") == "passphrase":
            cache.setdefault("p", _passphrase(passphrase_file, passphrase_env, confirm=False))
        return open_sealed(header, sealed, aad, passphrase=cache.get("p"), identity=key)

    try:
        done = restore_backup(settings, src, opener, _verify, force=force)
    except BackupError as exc:
        raise fail(f"khôi phục thất bại / restore failed: {exc}") from exc
    with open_container(init=False) as container:
        _audit(container, "backup.restored", done.manifest)
    console.print(f"[green]restored[/] backup {done.manifest['id']} of "
                  f"{done.manifest['created_at']} into {settings.home}; audit chain verified "
                  f"to seq {done.head[0]} {done.head[1][:16]}", highlight=False)


def _database_exists() -> None:
    from kyso.adapters.db.dump import sqlite_path
    from kyso.config import load_settings

    try:
        path = sqlite_path(load_settings().sqlalchemy_url)
    except (ConfigError, BackupError) as exc:
        raise fail(str(exc), 2) from exc
    if path is not None and not path.exists():
        raise fail(f"no database to back up: {path} does not exist (KYSO_HOME?)", 2)


def _verify(settings: Settings) -> tuple[int, str]:
    """The restored deployment's audit head, verified under its key and checkpoints."""
    from kyso.audit.errors import ChainBroken
    from kyso.backup.errors import RestoreFailed
    from kyso.bootstrap import bootstrap

    container = bootstrap(settings)
    try:
        container.keys  # noqa: B018 -- the restored key must open the restored database
        head, _ = container.audit_anchor.verify(chain=False)  # pending: chained later
    except ChainBroken as exc:
        raise RestoreFailed(f"the restored audit chain is broken: {exc.describe('en')}") \
            from exc
    except ConfigError as exc:
        raise RestoreFailed(f"the restored master key does not fit: {exc}") from exc
    finally:
        container.close()
    return head


def _audit(container: Any, action: str, manifest: dict[str, Any]) -> None:
    from kyso.audit.model import AuditEvent, Outcome

    head = manifest["audit_head"]
    with container.uow() as uow:
        uow.audit.append(AuditEvent(action, Outcome.SUCCESS, actor="cli:backup",
                                    details={"backup": manifest["id"], "seq": head["seq"],
                                             "hash": head["hash"]}),
                         container.clock.now())
        uow.commit()


def _passphrase(path: Path | None, env: str | None, *, confirm: bool) -> bytes:
    if path is not None:
        try:
            lines = path.read_text().splitlines()
        except OSError as exc:
            raise BackupError(f"cannot read {path}: {exc.strerror}") from exc
        return (lines[0] if lines else "").encode()
    if env is not None:
        if env not in os.environ:
            raise BackupError(f"${env} is not set")
        return os.environ[env].encode()
    if not sys.stdin.isatty():
        raise BackupError("give the passphrase: --passphrase-file, --passphrase-env or a "
                          "terminal to type it in (or --recipient / --identity)")
    typed = typer.prompt("passphrase", hide_input=True, confirmation_prompt=confirm)
    return str(typed).encode()
