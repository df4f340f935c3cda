"""``kyso keys …``: the master key's ceremony — a new key, a rotation, its status.

See docs/KEYS.md. A rotation runs while nodes serve: ``rotate-master`` stages the new key
(running nodes learn it from the database and seal under it), rewraps every sealed value in
bounded batches, then retires the old key. Interrupted, it resumes when run again with the
same new key.
"""

from __future__ import annotations

import base64
import binascii
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from kyso.config import ConfigError, Settings, load_settings
from kyso.entrypoints.cli.context import console, fail, open_container
from kyso.secrets import KeyWrapper, MasterKey, Secret, load_or_create_master_key

if TYPE_CHECKING:
    from kyso.adapters.db.rotation import MasterKeyRotation
    from kyso.bootstrap import Container

__all__ = ["app"]

app = typer.Typer(help="Khóa chủ / the master key: new key, rotation, status.",
                  no_args_is_help=True)


@app.command("new-master")
def new_master(path: Annotated[Path, typer.Argument(help="Where to write the new key (0600).")]
               ) -> None:
    """Write a new random master key to PATH (never over an existing file)."""
    if path.exists():
        raise fail(f"{path} already exists; choose a new path (a key is never overwritten)")
    key = load_or_create_master_key(path)
    console.print(f"new master key {key.key_id.hex()} written to {path} (mode 0600); back it "
                  "up before `kyso keys rotate-master --new-key-file` installs it",
                  highlight=False)


@app.command("hsm-generate")
def hsm_generate(label: Annotated[str, typer.Option(
        help="The new key's label on the token (a new label per key: kyso-master-2027).")],
                 ) -> None:
    """Make a non-extractable AES-256 master key on the PKCS#11 token
    (KYSO_PKCS11_MODULE, KYSO_MASTER_KEY_PKCS11_TOKEN, the PIN from
    KYSO_MASTER_KEY_PKCS11_PIN or KYSO_MASTER_KEY_PKCS11_PIN_FILE)."""
    from kyso.adapters.keystore.pkcs11_master import generate_master_key
    from kyso.keys.errors import KeyStoreError

    settings = _settings()
    module, token, pin = _hsm_settings(settings)
    try:
        key = generate_master_key(module, token, label, Secret(pin))
    except KeyStoreError as exc:
        raise fail(f"{exc}") from exc
    key.close()
    console.print(f"master key {label!r} made on token {token!r} (key id {key.key_id.hex()}); "
                  f"install it with `kyso keys rotate-master --new-hsm-key {label}`",
                  highlight=False)


@app.command("rotate-master")
def rotate_master(
    new_key_file: Annotated[Path | None, typer.Option(
        help="The new key's file (made by `kyso keys new-master`).")] = None,
    new_key_env: Annotated[str | None, typer.Option(
        help="Or the name of an environment variable holding it (base64 of 32 bytes).")] = None,
    new_hsm_key: Annotated[str | None, typer.Option(
        help="Or the label of an AES key on the PKCS#11 token (`kyso keys hsm-generate`).")
    ] = None,
    batch_size: Annotated[int, typer.Option(min=1, max=10_000,
                                            help="Values per transaction.")] = 200,
) -> None:
    """Install a new master key while kyso serves: stage it, rewrap every sealed value, retire
    the old key. Safe to interrupt: run it again with the same key to resume."""
    if sum(x is not None for x in (new_key_file, new_key_env, new_hsm_key)) != 1:
        raise fail("give the new key: --new-key-file PATH, --new-key-env NAME or "
                   "--new-hsm-key LABEL", 2)
    with open_container() as container:
        new = _new_key(container, new_key_file, new_key_env, new_hsm_key)
        rotation = _rotation(container)
        resumed = not rotation.begin(new)
        console.print(f"{'resuming' if resumed else 'started'} the rotation to key "
                      f"{new.key_id.hex()}", highlight=False)
        walk = rotation.rewrap(new, batch_size=batch_size, progress=_progress)
        console.print(f"waiting for every node to seal under the new key "
                      f"({rotation.grace_seconds:g} s), then the last pass", highlight=False)
        last = rotation.finish(new, batch_size=batch_size, progress=_progress)
        for damaged in sorted({*walk.damaged, *last.damaged}):
            console.print(f"[yellow]damaged, left as it was:[/] {damaged}", highlight=False)
        console.print(f"[green]rotation finished[/]: {walk.rewrapped + last.rewrapped} value(s) "
                      "rewrapped; the old key opens nothing now. Start every node with the new "
                      "key and destroy the old key's copies (docs/KEYS.md).", highlight=False)


@app.command("status")
def status() -> None:
    """The current key, a rotation under way, and values not yet under the newest key."""
    with open_container() as container:
        state = _rotation(container).status()
    console.print(f"master key: {state.current}", highlight=False)
    if state.next is not None:
        console.print(f"rotation under way to {state.next} since {state.started_at}",
                      highlight=False)
    for location, count in state.pending.items():
        console.print(f"  {location}: {count} value(s) to rewrap", highlight=False)


def _rotation(container: Container) -> MasterKeyRotation:
    from kyso.adapters.db.rotation import MasterKeyRotation  # the CLI starts fast without it

    s = container.settings
    return MasterKeyRotation(container.engine, container.keys, s.home, container.audit_key,
                             grace_seconds=2 * s.keyring_refresh_seconds)


def _new_key(container: Container, path: Path | None, env: str | None,
             hsm_label: str | None) -> KeyWrapper:
    if hsm_label is not None:
        from kyso.adapters.keystore.pkcs11_master import Pkcs11MasterKey
        from kyso.keys.errors import KeyStoreError

        module, token, pin = _hsm_settings(container.settings)
        try:
            return Pkcs11MasterKey(module, token, hsm_label, Secret(pin))
        except KeyStoreError as exc:
            raise fail(str(exc), 2) from exc
    if path is not None:
        if not path.exists():
            raise fail(f"{path} does not exist (`kyso keys new-master {path}` makes one)", 2)
        try:
            return load_or_create_master_key(path)
        except (PermissionError, ValueError) as exc:
            raise fail(str(exc), 2) from exc
    try:
        return MasterKey(base64.b64decode(os.environ.get(env or "", ""), validate=True))
    except (binascii.Error, ValueError) as exc:
        raise fail(f"${env} must hold base64 of 32 bytes", 2) from exc


def _settings() -> Settings:
    try:
        return load_settings()
    except ConfigError as exc:
        raise fail(f"cấu hình không hợp lệ / invalid configuration: {exc}", 2) from exc


def _hsm_settings(settings: Settings) -> tuple[str, str, str]:
    pin = settings.master_key_pkcs11_user_pin
    token = settings.master_key_pkcs11_token
    if not (settings.pkcs11_module and token and pin is not None):
        raise fail("the PKCS#11 master key needs KYSO_PKCS11_MODULE, "
                   "KYSO_MASTER_KEY_PKCS11_TOKEN and KYSO_MASTER_KEY_PKCS11_PIN (or _PIN_FILE)",
                   2)
    return settings.pkcs11_module, token, pin


def _progress(location: str, count: int) -> None:
    if count:
        console.print(f"  {location}: {count} rewrapped", highlight=False)
