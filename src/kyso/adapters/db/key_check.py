"""The master key and the database belong together.

Everything secret in the database (software private keys, SmartOTP seeds, webhook secrets,
outbox bodies) is sealed under the master key. A node started with another key would open
none of it, yet it used to create a fresh key, report healthy and answer 500 to every
signature. So the first initialization stores a check value (a constant sealed under the
key, purpose ``master-key-check``) and every start opens it:

- the check opens: the key is the database's;
- it does not: :class:`MasterKeyMismatch`, the node refuses to start;
- no key file while the database holds a check value or sealed data: :class:`MasterKeyMissing`,
  never a new key (restore the key from its backup instead);
- a database from before the check value: the key is tried on a sealed software key first,
  then the check value is written, and the audit trail, chained with plain SHA-256 until
  then, is chained again under the key (``audit/chain.py``) if it verifies (a broken one is
  left as it is, for ``kyso audit verify`` to report).

The subkeys (the audit chain's HMAC key, the OTP and activation keys) come from a
**derivation root**, not from the master key itself, so that a new master key changes none
of them: the root is a random secret sealed under the master key (row ``root``, purpose
``derivation-root``); a database from before the root keeps the master key's own bytes as
its root, which changes nothing that was derived. The database alone gives neither.

During a master-key rotation (``rotation.py``) the row ``next`` holds the new key sealed
under the current one: a node started with the current key learns the new key from it (at
start and, while running, through :attr:`Keyring.refresh`) and seals under it.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, Engine, func, insert, select, update

from kyso.adapters.db.engine import mark_read_only
from kyso.adapters.db.repositories.audit import SqlAuditRepository
from kyso.adapters.db.tables.audit import HEAD_ID, audit_head, audit_records
from kyso.adapters.db.tables.keys import key_checks
from kyso.adapters.db.tables.notify import outbox
from kyso.adapters.db.tables.otp import smartotp_tokens
from kyso.adapters.db.tables.pki import pki_keys
from kyso.adapters.db.tables.relying import relying_parties
from kyso.audit.chain import GENESIS, ChainKey, seal, verify_chain
from kyso.audit.errors import ChainBroken
from kyso.config import ConfigError
from kyso.keys.errors import KeyNotFound, KeyStoreError
from kyso.secrets import (
    Envelope,
    Keyring,
    KeyWrapper,
    MasterKey,
    SealedValueError,
    load_or_create_master_key,
)

__all__ = [
    "CHECK",
    "NEXT",
    "NEXT_PURPOSE",
    "PURPOSE",
    "ROOT",
    "ROOT_PURPOSE",
    "HsmOpener",
    "MasterKeyMismatch",
    "MasterKeyMissing",
    "NodeKeys",
    "open_master_key",
    "read_only",
    "staged_key",
]

log = logging.getLogger(__name__)

PURPOSE = "master-key-check"
ROOT_PURPOSE = "derivation-root"
NEXT_PURPOSE = "master-key-next"
CHECK, ROOT, NEXT = "master", "root", "next"  # rows of key_checks
_CHECK = b"kyso: the sealed values of this database open with this master key"


class MasterKeyMismatch(ConfigError):
    """The master key does not open what the database holds."""


class MasterKeyMissing(ConfigError):
    """The database holds sealed data but the master key file is absent."""


@dataclass(frozen=True, repr=False)
class NodeKeys:
    """What a node holds: its master key(s), and the root its subkeys are derived from."""

    keyring: Keyring
    root: MasterKey
    follower: _Follower | None = None

    def __repr__(self) -> str:
        return f"NodeKeys({self.keyring!r})"

    def close(self) -> None:
        """Stop following rotations; close the keys held in a token."""
        if self.follower is not None:
            self.follower.stop()
        for key in self.keyring.held():
            close = getattr(key, "close", None)
            if close is not None:
                close()


HsmOpener = Callable[[str, str], KeyWrapper]
"""Opens the AES key ``(token label, key label)`` of the node's PKCS#11 module."""


def open_master_key(path: Path, engine: Engine, given: bytes | None = None, *,
                    refresh_seconds: float | None = None, hsm: HsmOpener | None = None,
                    hsm_key: tuple[str, str] | None = None) -> NodeKeys:
    """The master key: ``hsm_key`` on the token (through ``hsm``), or ``given``
    (KYSO_MASTER_KEY), or the file at ``path``; checked against the database (a file is
    created only for a database that holds nothing sealed); raises the errors above. With
    ``refresh_seconds`` the keyring follows a rotation while it runs."""
    where = ("pkcs11:{}/{}".format(*hsm_key) if hsm_key is not None else
             "KYSO_MASTER_KEY" if given is not None else str(path))
    with engine.begin() as conn:
        rows = _rows(conn)
        holds = CHECK in rows or _holds_sealed_data(conn)
        if hsm_key is None and given is None and not path.exists() and holds:
            raise MasterKeyMissing(
                f"the database holds data sealed under a master key, and {path} is missing; "
                "restore the master key from its backup (a new key would open nothing)")
        master = _master(path, given, hsm, hsm_key, holds)
        keyring = Keyring(master)
        if NEXT in rows and not _learn_next(keyring, rows[NEXT], hsm) and _opens(
                keyring, rows[NEXT], NEXT_PURPOSE):
            raise ConfigError("a master-key rotation to a PKCS#11 key is under way: this node "
                              "needs pkcs11_module and master_key_pkcs11_pin (docs/KEYS.md)")
        if CHECK not in rows:
            root = _first_check(conn, master, where)
        else:
            if not _opens(keyring, rows[CHECK], PURPOSE):
                raise _mismatch(where, rotating=NEXT in rows)
            root = _root(conn, keyring, rows.get(ROOT), master)
    follower = None
    if refresh_seconds is not None:
        keyring.refresh = follower = _Follower(engine, refresh_seconds, hsm)
        follower.watch(keyring)
    return NodeKeys(keyring, root, follower)


def _master(path: Path, given: bytes | None, hsm: HsmOpener | None,
            hsm_key: tuple[str, str] | None, holds: bool) -> KeyWrapper:
    if hsm_key is None:
        return MasterKey(given) if given is not None else load_or_create_master_key(path)
    assert hsm is not None
    try:
        return hsm(*hsm_key)
    except KeyNotFound as exc:
        if holds:
            raise MasterKeyMissing(
                f"the database holds data sealed under a master key, and the token has no "
                f"key {hsm_key[1]!r}: restore it, or start with the key the data is sealed "
                "under") from exc
        raise ConfigError(f"no master key {hsm_key[1]!r} on token {hsm_key[0]!r}: make it "
                          "with `kyso keys hsm-generate`") from exc
    except KeyStoreError as exc:
        raise ConfigError(f"the master key's token cannot be used: {exc}") from exc


@contextmanager
def read_only(engine: Engine) -> Iterator[Connection]:
    """A connection whose transactions only read (on SQLite: no writer lock taken)."""
    with engine.connect() as conn:
        yield mark_read_only(conn)


def _rows(conn: Connection) -> dict[str, bytes]:
    return {r.name: r.sealed for r in conn.execute(select(key_checks.c.name, key_checks.c.sealed))}


def staged_key(description: bytes, hsm: HsmOpener | None) -> KeyWrapper | None:
    """The key a rotation stored (``describe()``): 32 bytes of a file key, or the JSON
    naming a PKCS#11 key (None when this node has no PKCS#11 module)."""
    if len(description) == 32:  # a file key's bytes (any byte first, "{" included)
        return MasterKey(description)
    named = json.loads(description)["pkcs11"]
    return None if hsm is None else hsm(named["token"], named["key"])


def _learn_next(keyring: Keyring, sealed: bytes | None, hsm: HsmOpener | None) -> bool:
    """Add the rotation's new key (``next``, sealed under a key of the ring) as current."""
    if sealed is None:
        return False
    try:
        key = staged_key(Envelope(keyring).open(sealed, NEXT_PURPOSE), hsm)
    except SealedValueError:
        return False
    if key is None:
        return False
    keyring.add(key, current=True)
    return True


class _Follower:
    """A running node's view of a rotation: re-read ``next`` and the check value every
    ``seconds`` — from a watcher thread, and before a seal — and at once when a value names a
    key the node does not hold. The thread lets an idle node learn the new key too, within
    the grace time the rotation waits (two periods) before it retires the old key."""

    def __init__(self, engine: Engine, seconds: float, hsm: HsmOpener | None) -> None:
        self._engine, self._seconds, self._hsm = engine, seconds, hsm
        self._lock = threading.Lock()
        self._last = time.monotonic()
        self._stop = threading.Event()

    def watch(self, keyring: Keyring) -> None:
        if self._seconds > 0:
            threading.Thread(target=self._watch, args=(weakref.ref(keyring),), daemon=True,
                             name="kyso-keyring").start()

    def stop(self) -> None:
        self._stop.set()

    def _watch(self, ref: weakref.ref[Keyring]) -> None:
        while not self._stop.wait(self._seconds):
            keyring = ref()
            if keyring is None:
                return
            try:
                self(keyring, True)
            except Exception as exc:  # the database away for a moment: look again later
                log.warning("cannot look for a master-key rotation: %s", type(exc).__name__)
            del keyring

    def __call__(self, keyring: Keyring, force: bool) -> None:
        with self._lock:
            now = time.monotonic()
            if not force and now - self._last < self._seconds:
                return
            self._last = now
            with read_only(self._engine) as conn:  # may run inside a writing transaction
                rows = _rows(conn)
            if NEXT in rows:
                if not _learn_next(keyring, rows[NEXT], self._hsm):
                    log.error("a master-key rotation is under way and this node cannot use "
                              "the new key: it needs the PKCS#11 settings (docs/KEYS.md)")
                return
            for key in keyring.held():  # no rotation under way: seal under the check's key
                if CHECK in rows and _opens(Keyring(key), rows[CHECK], PURPOSE):
                    keyring.use(key.key_id)
                    return
            if CHECK in rows and not keyring.retired:
                keyring.retired = True
                log.error("this node's master key was retired by a rotation: restart it with "
                          "the new master key")


def _first_check(conn: Connection, master: KeyWrapper, where: str) -> MasterKey:
    legacy = conn.execute(select(pki_keys.c.key_id, pki_keys.c.ref)
                          .where(pki_keys.c.backend == "software").limit(1)).first()
    if legacy is not None and not _opens(Keyring(master), legacy.ref, "key:" + legacy.key_id):
        raise _mismatch(where)
    envelope = Envelope(master)
    now = datetime.now(UTC)
    conn.execute(insert(key_checks).values(
        name=CHECK, sealed=envelope.seal(_CHECK, PURPOSE), created_at=now))
    used = _holds_sealed_data(conn) or conn.execute(
        select(func.count()).select_from(audit_records)).scalar()
    if used and not isinstance(master, MasterKey):
        raise ConfigError("a database from before the check value opens with its file key "
                          "first; move it to the PKCS#11 key with `kyso keys rotate-master`")
    root = master if isinstance(master, MasterKey) and used else MasterKey(os.urandom(32))
    conn.execute(insert(key_checks).values(
        name=ROOT, sealed=envelope.seal(root.material, ROOT_PURPOSE), created_at=now))
    _key_the_audit_trail(conn, ChainKey.derived(root))
    return root


def _root(conn: Connection, keyring: Keyring, sealed: bytes | None,
          master: KeyWrapper) -> MasterKey:
    if sealed is None:  # a database from before the root: its subkeys came from the key
        if not isinstance(master, MasterKey):
            raise ConfigError("this database's subkeys come from its file master key: start "
                              "with it once, then rotate to the PKCS#11 key")
        conn.execute(insert(key_checks).values(
            name=ROOT, sealed=Envelope(keyring).seal(master.material, ROOT_PURPOSE),
            created_at=datetime.now(UTC)))
        return master
    try:
        return MasterKey(Envelope(keyring).open(sealed, ROOT_PURPOSE))
    except SealedValueError as exc:
        raise ConfigError("the derivation root does not open under this master key") from exc


def _key_the_audit_trail(conn: Connection, key: ChainKey) -> None:
    unkeyed = SqlAuditRepository(conn)
    head = unkeyed.head()
    try:
        verify_chain(unkeyed.records(), head)
    except ChainBroken:
        return
    prev = GENESIS
    for record in list(unkeyed.records()):
        keyed = seal(record.seq, record.at, record.event, prev, key)
        conn.execute(update(audit_records).where(audit_records.c.seq == record.seq)
                     .values(prev_hash=prev, hash=keyed.hash))
        prev = keyed.hash
    conn.execute(update(audit_head).where(audit_head.c.id == HEAD_ID).values(hash=prev))


def _opens(keys: KeyWrapper | Keyring, sealed: bytes, purpose: str) -> bool:
    try:
        Envelope(keys).open(sealed, purpose)
    except SealedValueError:
        return False
    return True


def _holds_sealed_data(conn: Connection) -> bool:
    counts = [select(func.count()).select_from(pki_keys),
              select(func.count()).select_from(smartotp_tokens),
              select(func.count()).select_from(relying_parties)
              .where(relying_parties.c.sealed_webhook_secret.is_not(None)),
              select(func.count()).select_from(outbox).where(outbox.c.sealed_body.is_not(None))]
    return any(conn.execute(q).scalar() for q in counts)


def _mismatch(where: str, *, rotating: bool = False) -> MasterKeyMismatch:
    if rotating:
        return MasterKeyMismatch(
            f"the master key {where} does not open the data sealed in this database, and a "
            "master-key rotation is under way: start with the current key (it learns the new "
            "one from the database) until `kyso keys rotate-master` has finished")
    return MasterKeyMismatch(
        f"the master key {where} does not open the data sealed in this database (another "
        "node's or a new key); start with the key this database was initialized with")
