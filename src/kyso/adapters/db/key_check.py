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
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, Engine, func, insert, select, update

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
from kyso.secrets import Envelope, MasterKey, SealedValueError, load_or_create_master_key

__all__ = ["MasterKeyMismatch", "MasterKeyMissing", "open_master_key"]

PURPOSE = "master-key-check"
_CHECK = b"kyso: the sealed values of this database open with this master key"


class MasterKeyMismatch(ConfigError):
    """The master key does not open what the database holds."""


class MasterKeyMissing(ConfigError):
    """The database holds sealed data but the master key file is absent."""


def open_master_key(path: Path, engine: Engine, given: bytes | None = None) -> MasterKey:
    """The master key ``given`` (KYSO_MASTER_KEY) or at ``path``, checked against the
    database (a file is created only for a database that holds nothing sealed); raises the
    errors above."""
    where = "KYSO_MASTER_KEY" if given is not None else str(path)
    with engine.begin() as conn:
        sealed = conn.execute(select(key_checks.c.sealed)
                              .where(key_checks.c.name == "master")).scalar()
        if given is None and not path.exists() and (
                sealed is not None or _holds_sealed_data(conn)):
            raise MasterKeyMissing(
                f"the database holds data sealed under a master key, and {path} is missing; "
                "restore the master key from its backup (a new key would open nothing)")
        master = MasterKey(given) if given is not None else load_or_create_master_key(path)
        if sealed is None:
            _first_check(conn, master, where)
        elif not _opens(master, sealed, PURPOSE):
            raise _mismatch(where)
    return master


def _first_check(conn: Connection, master: MasterKey, where: str) -> None:
    legacy = conn.execute(select(pki_keys.c.key_id, pki_keys.c.ref)
                          .where(pki_keys.c.backend == "software").limit(1)).first()
    if legacy is not None and not _opens(master, legacy.ref, "key:" + legacy.key_id):
        raise _mismatch(where)
    conn.execute(insert(key_checks).values(
        name="master", sealed=Envelope(master).seal(_CHECK, PURPOSE),
        created_at=datetime.now(UTC)))
    _key_the_audit_trail(conn, ChainKey.derived(master))


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


def _opens(master: MasterKey, sealed: bytes, purpose: str) -> bool:
    try:
        Envelope(master).open(sealed, purpose)
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


def _mismatch(where: str) -> MasterKeyMismatch:
    return MasterKeyMismatch(
        f"the master key {where} does not open the data sealed in this database (another "
        "node's or a new key); start with the key this database was initialized with")
