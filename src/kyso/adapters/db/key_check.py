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

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, Engine, func, insert, select, update

from kyso.adapters.db.engine import READ_ONLY
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
from kyso.secrets import Envelope, Keyring, MasterKey, SealedValueError, load_or_create_master_key

__all__ = [
    "CHECK",
    "NEXT",
    "NEXT_PURPOSE",
    "PURPOSE",
    "ROOT",
    "ROOT_PURPOSE",
    "MasterKeyMismatch",
    "MasterKeyMissing",
    "NodeKeys",
    "open_master_key",
    "read_only",
]

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

    def __repr__(self) -> str:
        return f"NodeKeys({self.keyring!r})"


def open_master_key(path: Path, engine: Engine, given: bytes | None = None, *,
                    refresh_seconds: float | None = None) -> NodeKeys:
    """The master key ``given`` (KYSO_MASTER_KEY) or at ``path``, checked against the
    database (a file is created only for a database that holds nothing sealed); raises the
    errors above. With ``refresh_seconds`` the keyring follows a rotation while it runs."""
    where = "KYSO_MASTER_KEY" if given is not None else str(path)
    with engine.begin() as conn:
        rows = _rows(conn)
        if given is None and not path.exists() and (
                CHECK in rows or _holds_sealed_data(conn)):
            raise MasterKeyMissing(
                f"the database holds data sealed under a master key, and {path} is missing; "
                "restore the master key from its backup (a new key would open nothing)")
        master = MasterKey(given) if given is not None else load_or_create_master_key(path)
        keyring = Keyring(master)
        _learn_next(keyring, rows.get(NEXT))
        if CHECK not in rows:
            root = _first_check(conn, master, where)
        else:
            if not _opens(keyring, rows[CHECK], PURPOSE):
                raise _mismatch(where, rotating=NEXT in rows)
            root = _root(conn, keyring, rows.get(ROOT), master)
    if refresh_seconds is not None:
        keyring.refresh = _Follower(engine, refresh_seconds)
    return NodeKeys(keyring, root)


@contextmanager
def read_only(engine: Engine) -> Iterator[Connection]:
    """A connection whose transactions only read (on SQLite: no writer lock taken)."""
    with engine.connect() as conn:
        yield conn.execution_options(**{READ_ONLY: True})


def _rows(conn: Connection) -> dict[str, bytes]:
    return {r.name: r.sealed for r in conn.execute(select(key_checks.c.name, key_checks.c.sealed))}


def _learn_next(keyring: Keyring, sealed: bytes | None) -> bool:
    """Add the rotation's new key (``next``, sealed under a key of the ring) as current."""
    if sealed is None:
        return False
    try:
        material = Envelope(keyring).open(sealed, NEXT_PURPOSE)
    except SealedValueError:
        return False
    keyring.add(MasterKey(material), current=True)
    return True


class _Follower:
    """A running node's view of a rotation: re-read ``next`` and the check value every
    ``seconds`` (at once when a value names a key the node does not hold)."""

    def __init__(self, engine: Engine, seconds: float) -> None:
        self._engine, self._seconds = engine, seconds
        self._lock = threading.Lock()
        self._last = time.monotonic()

    def __call__(self, keyring: Keyring, force: bool) -> None:
        with self._lock:
            now = time.monotonic()
            if not force and now - self._last < self._seconds:
                return
            self._last = now
            with read_only(self._engine) as conn:  # may run inside a writing transaction
                rows = _rows(conn)
            if _learn_next(keyring, rows.get(NEXT)) or CHECK not in rows:
                return
            for key in keyring.held():  # no rotation under way: seal under the check's key
                if _opens(Keyring(key), rows[CHECK], PURPOSE):
                    keyring.use(key.key_id)
                    return


def _first_check(conn: Connection, master: MasterKey, where: str) -> MasterKey:
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
    root = master if used else MasterKey(os.urandom(32))  # keep what was derived before
    conn.execute(insert(key_checks).values(
        name=ROOT, sealed=envelope.seal(root.material, ROOT_PURPOSE), created_at=now))
    _key_the_audit_trail(conn, ChainKey.derived(root))
    return root


def _root(conn: Connection, keyring: Keyring, sealed: bytes | None,
          master: MasterKey) -> MasterKey:
    if sealed is None:  # a database from before the root: its subkeys came from the key
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


def _opens(keys: MasterKey | Keyring, sealed: bytes, purpose: str) -> bool:
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
