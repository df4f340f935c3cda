"""Does a request cost more when the database is big? One run, one database, two sizes.

A throw-away kyso (SQLite, or PostgreSQL with ``--pg``) is seeded by bulk insert (not through
the API: SQLite ``executemany`` in big transactions, PostgreSQL ``COPY``) to ``--small``
accounts (each with a session) and ten audit records an account, and three per-request
costs are measured in process:

* signHash — the bearer check (``AccountService.authenticate``) then
  ``SigningService.sign_digests``, one hash: the session and SAD lookups, the quota debit, the
  kept signature and the audit append;
* OTP verify — ``SmartOtpService.verify`` of a fresh TOTP code (the token lookup, the replay
  guard, the audit record);
* login — ``AccountService.login`` (the login lookup, a cheap Argon2 here, a new session).

Then the database grows to ``--accounts`` accounts and ``--audit`` audit records (the records
are placed after the chain's head, which is then moved past them: the chain of this
throw-away database no longer verifies; nothing else reads it) and the same three are
measured again. Printed: each rate at both sizes and the ratio (flat: 1.0 ± 0.1), and the
plan (EXPLAIN) of every statement those requests ran, on the big database, with a warning
for any full scan of a table.

    .venv/bin/python bench/grow.py [--small 1000] [--accounts 1000000] [--audit 10000000]
                                   [--seconds 3] [--pg [URL]]
"""

from __future__ import annotations

import argparse
import base64
import csv
import hashlib
import os
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from serve import PG_DEFAULT, Kyso, make_kyso, pg_database
from sign import PASSWORD
from sqlalchemy import Engine, Table, event, insert, select, update

from kyso.accounts.service import NewAccount
from kyso.adapters.db.tables.accounts import accounts, sessions
from kyso.adapters.db.tables.audit import HEAD_ID, audit_head, audit_records
from kyso.keys.model import SignatureScheme
from kyso.otp.oath import new_seed, totp
from kyso.otp.smartotp import seal_seed
from kyso.otp.token import SmartOtpToken, TokenStatus

BATCH = 50_000


def timed(calls: Iterator[Callable[[], Any]], seconds: float) -> float:
    """Calls a second, over at most ``seconds`` (or until ``calls`` runs out)."""
    n, start = 0, time.perf_counter()
    for call in calls:
        call()
        n += 1
        if time.perf_counter() - start > seconds:
            break
    return n / (time.perf_counter() - start)


def sign_rate(k: Kyso, seconds: float) -> float:
    """Bearer check + sign_digests, one hash a call."""
    jobs = Path(tempfile.mkstemp()[1])
    lines = k.mint(int(seconds * 800) + 100, 1, jobs).read_text().splitlines()
    jobs.unlink()

    def calls() -> Iterator[Callable[[], Any]]:
        for line in lines:
            sad, digest_b64 = line.split()

            def one(sad: str = sad, digest: bytes = base64.b64decode(digest_b64)) -> None:
                k.container.accounts.authenticate(k.token)
                k.container.signing.sign_digests(k.account_id, k.credential_id, sad, [digest],
                                                 SignatureScheme.RSA_PKCS1V15_SHA256)
            yield one

    return timed(calls(), seconds)


class OtpUsers:
    """Accounts with an active SmartOTP token each (signed up through the service); every
    measurement takes users it never used, so no code is a replay."""

    def __init__(self, k: Kyso, count: int) -> None:
        self._k, self._users = k, []
        c = k.container
        for n in range(count):
            account = c.accounts.sign_up(NewAccount(
                f"otp{n}", PASSWORD, "246813", "Người Thử", f"07{n:08d}", f"o{n}@otp.vn"))
            seed, now = new_seed(32), c.clock.now()
            token = SmartOtpToken(id=f"otp-tok-{n}", account_id=account.id, sealed_seed=b"",
                                  created_at=now, status=TokenStatus.ACTIVE, activated_at=now)
            with c.uow() as uow:
                uow.smartotp.add(replace(token, sealed_seed=seal_seed(c.envelope, token.id,
                                                                      seed)))
                uow.commit()
            self._users.append((account.id, f"otp{n}", seed))

    def take(self, count: int) -> list[tuple[str, str, bytes]]:
        taken, self._users = self._users[:count], self._users[count:]
        return taken

    def verify_rate(self, seconds: float, count: int) -> float:
        """Two fresh codes a user (steps T and T+1 of the moment its turn comes: both still
        inside the window if a step boundary passes meanwhile)."""
        verify = self._k.container.smartotp.verify

        def calls() -> Iterator[Callable[[], Any]]:
            for a, _, seed in self.take(count):
                now = time.time()
                for j in (0, 1):
                    code = totp(seed, now + j * 30, algorithm="sha256")
                    yield lambda a=a, code=code: verify(a, code)

        return timed(calls(), seconds)

    def login_rate(self, seconds: float, count: int) -> float:
        login = self._k.container.accounts.login
        users = [name for _, name, _ in self.take(count)]
        return timed(((lambda name=name: login(name, PASSWORD))
                      for _ in range(1000) for name in users), seconds)


def measure(k: Kyso, users: OtpUsers, seconds: float) -> dict[str, float]:
    return {"signHash (bearer + sign_digests)": sign_rate(k, seconds),
            "OTP verify (SmartOTP TOTP)": users.verify_rate(seconds, 100),
            "login (password, new session)": users.login_rate(seconds, 20)}


# -- bulk seeding ------------------------------------------------------------------------------
def _account_rows(first: int, last: int, now: datetime) -> Iterator[tuple[dict[str, Any],
                                                                         dict[str, Any]]]:
    for i in range(first, last):
        account = str(uuid.uuid4())
        yield ({"id": account, "username": f"seed{i}", "full_name": "Người Thử",
                "phone": f"08{i:09d}", "email": f"s{i}@seed.vn", "id_number": f"0790{i:08d}",
                "role": "customer", "status": "active", "locale": "vi", "password_hash": "-",
                "pin_hash": "-", "password_failures": 0, "password_locks": 0,
                "pin_failures": 0, "pin_locks": 0, "created_at": now},
               {"id": str(uuid.uuid4()), "account_id": account,
                "token_hash": hashlib.sha256(os.urandom(16)).hexdigest(), "created_at": now,
                "expires_at": now + timedelta(days=1), "last_seen_at": now})


def _bulk(engine: Engine, table: Table, rows: list[dict[str, Any]]) -> None:
    """One big insert: PostgreSQL COPY (text format through psycopg), else executemany."""
    if not rows:
        return
    if engine.dialect.name != "postgresql":
        with engine.begin() as conn:
            conn.execute(insert(table), rows)
        return
    columns = list(rows[0])
    raw = engine.raw_connection()
    try:
        with raw.cursor() as cursor, cursor.copy(  # type: ignore[attr-defined]
                f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row[c] for c in columns])
        raw.commit()
    finally:
        raw.close()


def seed(k: Kyso, accounts_from: int, accounts_to: int, audit_from: int,
         audit_to: int) -> None:
    engine = k.container.engine
    now = datetime.now(UTC)
    started = time.perf_counter()
    for first in range(accounts_from, accounts_to, BATCH):
        pairs = list(_account_rows(first, min(first + BATCH, accounts_to), now))
        _bulk(engine, accounts, [a for a, _ in pairs])
        _bulk(engine, sessions, [s for _, s in pairs])
    if accounts_to > accounts_from:
        print(f"  accounts {accounts_from} → {accounts_to} (a session each) in "
              f"{time.perf_counter() - started:.0f} s", flush=True)
    started = time.perf_counter()
    with engine.begin() as conn:
        head = conn.execute(select(audit_head.c.seq).where(audit_head.c.id == HEAD_ID)).scalar()
    seq = int(head or 0)
    count = audit_to - audit_from
    for first in range(0, count, BATCH):
        _bulk(engine, audit_records, [
            {"seq": seq + i + 1, "at": now, "action": "seed.filler", "outcome": "success",
             "actor": None, "subject": None, "details": "{}", "prev_hash": "0" * 64,
             "hash": "0" * 64} for i in range(first, min(first + BATCH, count))])
    with engine.begin() as conn:
        conn.execute(update(audit_head).where(audit_head.c.id == HEAD_ID)
                     .values(seq=seq + count, hash="0" * 64))
    settle(engine)
    if count:
        print(f"  audit records {audit_from} → {audit_to} in "
              f"{time.perf_counter() - started:.0f} s", flush=True)


def settle(engine: Engine) -> None:
    """Measure the database, not the seed's WAL (SQLite) or stale statistics (PostgreSQL)."""
    if engine.dialect.name == "sqlite":
        raw = engine.raw_connection()  # outside a transaction (no BEGIN IMMEDIATE)
        try:
            raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
            raw.cursor().execute("ANALYZE")
            raw.commit()
        finally:
            raw.close()
    else:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")


# -- the plans ---------------------------------------------------------------------------------
@contextmanager
def recorded(engine: Engine) -> Iterator[list[tuple[str, Any]]]:
    """The statements (and their parameters) run on ``engine`` meanwhile."""
    seen: list[tuple[str, Any]] = []

    def listen(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any,
               executemany: bool) -> None:
        if not executemany:
            seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", listen)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", listen)


def plans(engine: Engine, statements: list[tuple[str, Any]]) -> list[str]:
    """Each distinct SELECT/UPDATE/DELETE's plan; a full scan of a table is marked (on
    PostgreSQL with sequential scans discouraged, so that a scan means no index fits)."""
    out, done = [], set()
    sqlite = engine.dialect.name == "sqlite"
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        if not sqlite:  # a small table is scanned whatever its indexes: ask for them
            cursor.execute("SET enable_seqscan = off")
        for statement, parameters in statements:
            verb = statement.lstrip().split(None, 1)[0].upper()
            if statement in done or verb not in ("SELECT", "UPDATE", "DELETE", "WITH"):
                continue
            done.add(statement)
            cursor.execute(("EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN ") + statement,
                           parameters)
            rows = [" ".join(str(c) for c in row) for row in cursor.fetchall()]
            scans = [r for r in rows if (" SCAN " in f" {r} " and "USING" not in r
                                         and "CONSTANT" not in r)
                     or "Seq Scan" in r]
            mark = "FULL SCAN  " if scans else "index      "
            out.append(f"{mark}{' '.join(statement.split())[:150]}")
            out += [f"             {r.strip()}" for r in (scans or rows[:2])]
        raw.rollback()
    finally:
        raw.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--accounts", type=int, default=1_000_000)
    parser.add_argument("--audit", type=int, default=10_000_000)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--pg", nargs="?", const=PG_DEFAULT, default=None,
                        help="PostgreSQL server URL (a database is made and dropped)")
    parser.add_argument("--csv", type=Path, help="append the rates to this CSV file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.pg:
            with pg_database(args.pg) as url:
                run(make_kyso(Path(tmp), url, 2), args)
        else:
            run(make_kyso(Path(tmp), None, 2), args)


def run(k: Kyso, args: argparse.Namespace) -> None:
    engine = k.container.engine
    database = "PostgreSQL" if engine.dialect.name == "postgresql" else "SQLite"
    users = OtpUsers(k, 4 * 100 + 4 * 20)
    seed(k, 0, args.small, 0, 10 * args.small)
    sign_rate(k, 0.5)  # warm
    small = [measure(k, users, args.seconds) for _ in range(2)]
    seed(k, args.small, args.accounts, 10 * args.small, args.audit)
    with recorded(engine) as statements:
        big = [measure(k, users, args.seconds) for _ in range(2)]
    print(f"\n{database}: {args.small} accounts / {10 * args.small} audit records → "
          f"{args.accounts} / {args.audit} (requests a second, two runs each)")
    rows = []
    for name in small[0]:
        a = [m[name] for m in small]
        b = [m[name] for m in big]
        ratio = sum(b) / sum(a)
        rows.append((name, a, b, ratio))
        print(f"  {name:<34} small {a[0]:7.0f} {a[1]:7.0f}   big {b[0]:7.0f} {b[1]:7.0f}   "
              f"ratio big/small {ratio:5.2f} {'(flat ± 10 %)' if abs(ratio - 1) <= 0.1 else ''}")
    print("\nplans on the big database (every statement those requests ran):")
    print("\n".join("  " + line for line in plans(engine, statements)))
    if args.csv:
        new = not args.csv.exists()
        with args.csv.open("a", newline="") as f:
            w = csv.writer(f)
            if new:
                w.writerow(["database", "small", "accounts", "audit", "measure", "small_rps",
                            "big_rps", "ratio"])
            for name, a, b, ratio in rows:
                w.writerow([database, args.small, args.accounts, args.audit, name,
                            f"{sum(a) / 2:.1f}", f"{sum(b) / 2:.1f}", f"{ratio:.3f}"])
    k.container.close()


if __name__ == "__main__":
    main()
