"""Is this node ready to serve? And is an error the database being away?

:func:`readiness` answers ``/readyz``: the database answers and takes writes (a SQLite file
not locked by another process past the busy timeout; a PostgreSQL primary, not a standby),
its schema is at the migration heads, the master key opens the database's check value, and
the key store can use the issuing CA's key. Each check names its state; any other than
``ok`` makes the node not ready.

:func:`is_outage` tells an error of the database's availability (connection refused, lost,
locked, read-only) from a fault of kyso's: the first is a 503 that ends by itself (the pool
pings a connection before handing it out and opens a new one), the second stays a 500.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Engine, select, text
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from kyso.adapters.db.engine import is_sqlite
from kyso.adapters.db.key_check import CHECK, PURPOSE
from kyso.adapters.db.schema import at_head
from kyso.adapters.db.tables.keys import key_checks
from kyso.adapters.db.tables.pki import pki_authorities, pki_keys
from kyso.keys import KeyAlgorithm, KeyStore
from kyso.keys.model import KeyHandle
from kyso.secrets import Envelope, Keyring, SealedValueError

__all__ = ["OK", "is_outage", "readiness"]

OK = "ok"
_READ_ONLY = "25006"  # PostgreSQL: read_only_sql_transaction (a standby, or a demoted primary)
_GONE = ("57P01", "57P02", "57P03", "08000", "08003", "08006")  # admin shutdown, cannot connect


def is_outage(exc: BaseException) -> bool:
    """Whether ``exc`` is the database being unreachable, locked or read-only."""
    if isinstance(exc, OperationalError | InterfaceError):
        return True
    if isinstance(exc, DBAPIError):
        if exc.connection_invalidated:
            return True
        code = getattr(exc.orig, "sqlstate", None)
        return code == _READ_ONLY or code in _GONE
    return False


def readiness(engine: Engine, master_key: Callable[[], Keyring],
              keystore: Callable[[], KeyStore]) -> dict[str, str]:
    """``{"database", "schema", "master_key", "keystore"}`` → ``"ok"`` or what is wrong."""
    checks = {"database": OK, "schema": "unknown", "master_key": "unknown",
              "keystore": "unknown"}
    try:
        with engine.begin() as conn:  # SQLite: BEGIN IMMEDIATE, so a held write lock shows
            if not is_sqlite(engine) and conn.execute(
                    text("SELECT current_setting('transaction_read_only')")).scalar() == "on":
                checks["database"] = "read_only"
            checks["schema"] = OK if at_head(conn) else "not_at_head"
            sealed = conn.execute(select(key_checks.c.sealed)
                                  .where(key_checks.c.name == CHECK)).scalar()
            key = conn.execute(
                select(pki_keys).join(pki_authorities,
                                      pki_authorities.c.key_id == pki_keys.c.key_id)
                .order_by(pki_authorities.c.created_at, pki_authorities.c.name).limit(1)).first()
    except DBAPIError as exc:
        if not is_outage(exc):
            raise
        checks["database"] = "locked" if "locked" in str(exc.orig) else "unreachable"
        return checks
    checks["master_key"] = _master_key_state(master_key, sealed)
    checks["keystore"] = _keystore_state(keystore, key) if key is not None else "no_keys"
    return checks


def _master_key_state(master_key: Callable[[], Keyring], sealed: bytes | None) -> str:
    if sealed is None:
        return "no_check_value"
    try:
        Envelope(master_key()).open(sealed, PURPOSE)
    except SealedValueError:
        return "mismatch"
    except Exception:  # the key file unreadable, or the node's key refused at start
        return "unavailable"
    return OK


def _keystore_state(keystore: Callable[[], KeyStore], row: object) -> str:
    """The key store opens the first authority's key and gives back its public key."""
    try:
        handle = KeyHandle(key_id=row.key_id, algorithm=KeyAlgorithm(row.algorithm),  # type: ignore[attr-defined]
                           public_key_der=row.public_key, backend=row.backend,  # type: ignore[attr-defined]
                           ref=row.ref, label=row.label)  # type: ignore[attr-defined]
        same = keystore().public_key(handle) == row.public_key  # type: ignore[attr-defined]
    except Exception:  # a PKCS#11 token away, a wrong PIN, a sealed key that will not open
        return "unusable"
    return OK if same else "wrong_key"
