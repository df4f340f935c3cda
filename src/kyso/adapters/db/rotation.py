"""Master-key rotation without downtime: rewrap every sealed value under a new master key.

Only the data keys are rewrapped (``Envelope.rewrap``); bodies and everything derived (the
audit chain key, OTP keys: they come from the derivation root, ``key_check.py``) stay the
same. The steps, each audited, each safe to interrupt and run again:

1. **begin** — the new key is stored sealed under the current one (``key_checks`` row
   ``next``). Running nodes learn it within ``keyring_refresh_seconds`` and seal under it;
   both keys open.
2. **rewrap** — every location of :data:`SEALED_COLUMNS` and :data:`SEALED_FILE_STORES` is
   walked in bounded batches (one short transaction each, keyset order); a value not yet
   under the new key is rewrapped, and written back only if nobody changed it meanwhile.
   An interrupted run resumes by walking again: values already moved are skipped.
3. **finish** — after the grace time (two refresh periods: every node seals under the new
   key), a last walk picks up stragglers, then in one transaction the check value and the
   derivation root are sealed under the new key and ``next`` is deleted: the old key opens
   nothing any more, and a node must start with the new one.

A new sealed column or blob store must be added to the registries below (a test compares
them with every binary column of the schema).
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    Engine,
    Table,
    and_,
    delete,
    insert,
    select,
    tuple_,
)
from sqlalchemy import update as sql_update

from kyso.adapters.blobs import write_whole
from kyso.adapters.db.engine import writer_lock
from kyso.adapters.db.key_check import (
    CHECK,
    NEXT,
    NEXT_PURPOSE,
    PURPOSE,
    ROOT,
    ROOT_PURPOSE,
    NodeKeys,
    read_only,
)
from kyso.adapters.db.repositories.audit import SqlAuditRepository
from kyso.adapters.db.tables.blobs import blob_chunks
from kyso.adapters.db.tables.csc import csc_authorizations
from kyso.adapters.db.tables.keys import key_checks
from kyso.adapters.db.tables.notify import outbox
from kyso.adapters.db.tables.otp import smartotp_tokens
from kyso.adapters.db.tables.pki import pki_keys
from kyso.adapters.db.tables.relying import relying_parties
from kyso.audit.chain import ChainKey
from kyso.audit.model import AuditEvent, Outcome
from kyso.errors import Conflict
from kyso.secrets import Envelope, Keyring, KeyWrapper, SealedValueError, key_id_of

__all__ = ["SEALED_COLUMNS", "SEALED_FILE_STORES", "MasterKeyRotation", "RotationRefused",
           "RotationStatus", "SealedColumn", "sealed_values"]


@dataclass(frozen=True)
class SealedColumn:
    """A column of envelope-sealed values; ``purpose`` gives a row's purpose from its key."""

    table: Table
    column: str
    key: str | tuple[str, ...]  # the primary key's column(s); a composite key reads "a:b"
    purpose: Callable[[str], str]
    only: Callable[[Table], ColumnElement[bool]] | None = None

    @property
    def name(self) -> str:
        return f"{self.table.name}.{self.column}"


SEALED_COLUMNS: tuple[SealedColumn, ...] = (
    SealedColumn(pki_keys, "ref", "key_id", lambda k: f"key:{k}",
                 only=lambda t: t.c.backend == "software"),
    SealedColumn(smartotp_tokens, "sealed_seed", "id", lambda k: f"smartotp-seed:{k}"),
    SealedColumn(relying_parties, "sealed_webhook_secret", "id", lambda k: f"rp-webhook:{k}"),
    SealedColumn(outbox, "sealed_body", "id", lambda k: "outbox"),
    SealedColumn(blob_chunks, "sealed", ("sha256", "seq"), lambda k: f"blob:{k}"),
    SealedColumn(csc_authorizations, "sealed_sad", "id", lambda k: f"csc-sad:{k}"),
)
"""Every sealed column but ``key_checks.sealed`` (moved last, by :meth:`finish`)."""

SEALED_FILE_STORES: tuple[str, ...] = ("onboarding",)
"""Folders of ``KYSO_HOME`` kept by ``SealedBlobStore`` (purpose ``blob:<sha256>``)."""

_BLOB_NAME = re.compile(r"[0-9a-f]{64}")
_PLAIN = b"plain"


class RotationRefused(Conflict):
    """The rotation cannot go on as asked (another new key is already being installed)."""

    vi = "Không thể thay khóa chủ."
    en = "The master-key rotation was refused."


@dataclass
class RotationStatus:
    current: str
    next: str | None
    started_at: datetime | None
    pending: dict[str, int] = field(default_factory=dict)


@dataclass
class _Walk:
    rewrapped: int = 0
    damaged: list[str] = field(default_factory=list)


Progress = Callable[[str, int], None]


class MasterKeyRotation:
    def __init__(self, engine: Engine, keys: NodeKeys, home: Path, audit_key: ChainKey, *,
                 grace_seconds: float, actor: str = "cli") -> None:
        self._engine, self._keys, self._home = engine, keys, home
        self._audit_key, self._actor = audit_key, actor
        self.grace_seconds = grace_seconds
        self._envelope = Envelope(keys.keyring)

    def __repr__(self) -> str:
        return "MasterKeyRotation()"

    # the steps
    def begin(self, new: KeyWrapper) -> bool:
        """Store ``new`` as the next key; False when this very rotation is already under way."""
        with self._transaction() as conn:
            row = conn.execute(select(key_checks).where(key_checks.c.name == NEXT)).first()
            if row is not None:
                if self._envelope.open(row.sealed, NEXT_PURPOSE) != new.describe():
                    raise RotationRefused(
                        "another new key is being installed; finish that rotation with its "
                        "key first (`kyso keys status`)")
                self._audit(conn, "keys.rotation.resumed", new)
                self._keys.keyring.add(new, current=True)
                return False
            current = self._keys.keyring.current
            if current.key_id == new.key_id:
                raise RotationRefused("the new key is the current key")
            conn.execute(insert(key_checks).values(
                name=NEXT, sealed=Envelope(Keyring(current)).seal(new.describe(), NEXT_PURPOSE),
                created_at=datetime.now(UTC)))
            self._audit(conn, "keys.rotation.started", new, old=current.key_id.hex())
        self._keys.keyring.add(new, current=True)
        return True

    def rewrap(self, new: KeyWrapper, *, batch_size: int = 200,
               progress: Progress | None = None) -> _Walk:
        """Move every value of every location under ``new`` (bounded batches)."""
        walk = _Walk()
        for location in SEALED_COLUMNS:
            before = walk.rewrapped
            self._rewrap_column(location, new, batch_size, walk, progress)
            self._audit_location(location.name, new, walk.rewrapped - before)
        for folder in SEALED_FILE_STORES:
            before = walk.rewrapped
            self._rewrap_files(self._home / folder, new, walk, progress)
            self._audit_location(f"files:{folder}", new, walk.rewrapped - before)
        return walk

    def finish(self, new: KeyWrapper, *, batch_size: int = 200,
               progress: Progress | None = None) -> _Walk:
        """After the grace time, a last walk, then retire the old key."""
        with read_only(self._engine) as conn:
            started = conn.execute(select(key_checks.c.created_at)
                                   .where(key_checks.c.name == NEXT)).scalar()
        if started is None:
            raise RotationRefused("no rotation is under way")
        wait = (_aware(started) + timedelta(seconds=self.grace_seconds) - datetime.now(UTC))
        if wait.total_seconds() > 0:
            time.sleep(wait.total_seconds())
        walk = self.rewrap(new, batch_size=batch_size, progress=progress)
        with self._transaction() as conn:
            rows = {r.name: r.sealed for r in conn.execute(select(key_checks))}
            if self._envelope.open(rows[NEXT], NEXT_PURPOSE) != new.describe():
                raise RotationRefused("the key given is not the one this rotation installs")
            for name, purpose in ((CHECK, PURPOSE), (ROOT, ROOT_PURPOSE)):
                resealed = self._envelope.rewrap(rows[name], purpose, new)
                conn.execute(sql_update(key_checks).where(key_checks.c.name == name)
                             .values(sealed=resealed))
            conn.execute(delete(key_checks).where(key_checks.c.name == NEXT))
            self._audit(conn, "keys.rotation.finished", new, damaged=len(walk.damaged))
        self._keys.keyring.use(new.key_id)
        return walk

    def run(self, new: KeyWrapper, *, batch_size: int = 200,
            progress: Progress | None = None) -> _Walk:
        """begin (or resume), rewrap, finish."""
        self.begin(new)
        first = self.rewrap(new, batch_size=batch_size, progress=progress)
        last = self.finish(new, batch_size=batch_size, progress=progress)
        return _Walk(first.rewrapped + last.rewrapped, sorted({*first.damaged, *last.damaged}))

    def status(self) -> RotationStatus:
        with read_only(self._engine) as conn:
            row = conn.execute(select(key_checks).where(key_checks.c.name == NEXT)).first()
            check = conn.execute(select(key_checks.c.sealed)
                                 .where(key_checks.c.name == CHECK)).scalar_one()
            current = (key_id_of(check) or b"").hex() or "format 1"
            status = RotationStatus(current, None, None)
            if row is not None:
                staged = self._keys.keyring.current  # learnt from the row at start
                status.next, status.started_at = staged.key_id.hex(), _aware(row.created_at)
        target = self._keys.keyring.current.key_id  # the new key while one is staged
        with read_only(self._engine) as conn:
            for location in SEALED_COLUMNS:
                status.pending[location.name] = sum(
                    1 for _, value in sealed_values(conn, location) if key_id_of(value) != target)
        for folder in SEALED_FILE_STORES:
            status.pending[f"files:{folder}"] = sum(
                1 for path in _blob_files(self._home / folder)
                if _blob_key_id(path) not in (target, _PLAIN))
        return status

    # the walks
    def _rewrap_column(self, location: SealedColumn, new: KeyWrapper, batch_size: int,
                       walk: _Walk, progress: Progress | None) -> None:
        after: tuple[object, ...] | None = None
        while True:
            with read_only(self._engine) as conn:
                batch = list(_rows(conn, location, after=after, limit=batch_size))
            if not batch:
                return
            after = batch[-1][0]
            moved = 0
            with self._transaction() as conn:
                for parts, value in batch:
                    key = _key_text(parts)
                    if key_id_of(value) == new.key_id:
                        continue
                    try:
                        rewrapped = self._envelope.rewrap(value, location.purpose(key), new)
                    except SealedValueError:
                        walk.damaged.append(f"{location.name}:{key}")
                        continue
                    column: Column[bytes] = location.table.c[location.column]
                    result = conn.execute(
                        sql_update(location.table)
                        .where(_key_is(location, parts), column == value)
                        .values({location.column: rewrapped}))
                    moved += result.rowcount
            walk.rewrapped += moved
            if progress is not None:
                progress(location.name, moved)

    def _rewrap_files(self, root: Path, new: KeyWrapper, walk: _Walk,
                      progress: Progress | None) -> None:
        for path in _blob_files(root):
            if _blob_key_id(path) in (new.key_id, _PLAIN):
                continue
            raw = path.read_bytes()
            try:
                rewrapped = self._envelope.rewrap(raw, f"blob:{path.name}", new)
            except SealedValueError:
                walk.damaged.append(f"files:{path.name}")
                continue
            write_whole(path, rewrapped)
            walk.rewrapped += 1
            if progress is not None:
                progress(f"files:{root.name}", 1)

    # plumbing
    @contextmanager
    def _transaction(self) -> Iterator[Connection]:
        lock = writer_lock(self._engine)
        if lock is not None:
            lock.acquire()
        try:
            with self._engine.begin() as conn:
                yield conn
        finally:
            if lock is not None:
                lock.release()

    def _audit(self, conn: Connection, action: str, new: KeyWrapper, **details: str | int) -> None:
        event = AuditEvent(action, Outcome.SUCCESS, actor=self._actor,
                           details={"new_key": new.key_id.hex(), **details})
        SqlAuditRepository(conn, key=self._audit_key).append(event, datetime.now(UTC))

    def _audit_location(self, name: str, new: KeyWrapper, count: int) -> None:
        with self._transaction() as conn:
            self._audit(conn, "keys.rotation.rewrapped", new, location=name, values=count)


def _key_columns(location: SealedColumn) -> list[Column[object]]:
    names = (location.key,) if isinstance(location.key, str) else location.key
    return [location.table.c[name] for name in names]


def _key_text(parts: tuple[object, ...]) -> str:
    return ":".join(str(part) for part in parts)


def _key_is(location: SealedColumn, parts: tuple[object, ...]) -> ColumnElement[bool]:
    return and_(*(column == part for column, part in zip(_key_columns(location), parts,
                                                         strict=True)))


def _rows(conn: Connection, location: SealedColumn, *, after: tuple[object, ...] | None = None,
          limit: int | None = None) -> Iterator[tuple[tuple[object, ...], bytes]]:
    """The sealed values of ``location`` in key order (keyset pages: ``after`` the last key
    of the previous page), each with its key's parts."""
    t = location.table
    keys, column = _key_columns(location), t.c[location.column]
    query = select(*keys, column).where(column.is_not(None)).order_by(*keys)
    if location.only is not None:
        query = query.where(location.only(t))
    if after is not None:
        query = query.where(tuple_(*keys) > tuple_(*after) if len(keys) > 1
                            else keys[0] > after[0])
    if limit is not None:
        query = query.limit(limit)
    for row in conn.execute(query):
        *parts, value = row
        yield tuple(parts), value


def sealed_values(conn: Connection, location: SealedColumn) -> Iterator[tuple[str, bytes]]:
    """Every sealed value of ``location`` with its key (parts joined by ``:``)."""
    for parts, value in _rows(conn, location):
        yield _key_text(parts), value


def _blob_files(root: Path) -> Iterator[Path]:
    if not root.is_dir():
        return
    for folder in sorted(root.iterdir()):
        if folder.is_dir():
            yield from (p for p in sorted(folder.iterdir()) if _BLOB_NAME.fullmatch(p.name))


def _blob_key_id(path: Path) -> bytes | None:
    """The key id of a sealed blob; :data:`_PLAIN` for a blob stored before sealing."""
    raw = path.read_bytes()
    if hashlib.sha256(raw).hexdigest() == path.name:
        return _PLAIN
    try:
        return key_id_of(raw)
    except SealedValueError:
        return None


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)
