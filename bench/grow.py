"""Does a request cost more when the database is big? Two databases, measured interleaved.

Two throw-away kysos (SQLite, or PostgreSQL with ``--pg``) side by side: *small*, seeded to
``--small`` accounts (each with a session) and ten audit records an account, and *big*,
seeded to ``--accounts`` accounts and ``--audit`` audit records. Seeding is bulk, not through
the API: SQLite ``executemany`` on a connection of its own with the journal and syncs off
(the seed only), PostgreSQL ``COPY``; the audit filler is one ``INSERT … SELECT`` over a
generated series on both (the records are placed after the chain's head, which is then moved
past them: the chain of these throw-away databases no longer verifies; nothing else reads
it). Every seeded account has the bench password and 1000 of them, drawn at random over the
whole range, a SmartOTP token, so the requests touch rows spread over the big tables, not the
few recently inserted ones.

Three per-request costs are measured in process:

* signHash — the bearer check (``AccountService.authenticate``) then
  ``SigningService.sign_digests``, one hash: the session and SAD lookups, the quota debit, the
  kept signature and the audit append;
* OTP verify — ``SmartOtpService.verify`` of a fresh TOTP code (the token lookup, the replay
  guard, the audit record);
* login — ``AccountService.login`` of a random seeded account (the login lookup, a cheap
  Argon2 here, a new session).

The machine is shared, so no two samples taken apart can be compared: the run makes
``--rounds`` rounds; in each, every measure runs a fixed number of calls on both databases,
back to back, in a random order, and the round's ratio big/small is taken. Printed for each
measure: the median per-call cost on each database and the median of the per-round ratios
with its interquartile range and a bootstrap 95 % interval, for wall time, this thread's CPU
time (``time.thread_time``: far less sensitive to other processes than wall time; on
SQLite it holds the database's own work), on PostgreSQL the backends' CPU time
(``/proc/<pid>/schedstat`` of the database's server processes), and the number of SQL
statements a call ran. Then the plan (EXPLAIN) of
every statement those requests ran, on the big database, with a warning for any full scan of
a table, and on PostgreSQL each statement's buffers on both databases (EXPLAIN ANALYZE, rolled
back) and the size of the indexes.

    .venv/bin/python bench/grow.py [--small 1000] [--accounts 1000000] [--audit 10000000]
                                   [--rounds 30] [--pg [URL]] [--out FILE.md]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import random
import sqlite3
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from serve import PG_DEFAULT, Kyso, make_kyso, pg_database
from sign import PASSWORD
from sqlalchemy import Engine, event, select, text, update

from kyso.adapters.db.tables.accounts import accounts
from kyso.adapters.db.tables.audit import HEAD_ID, audit_head
from kyso.adapters.db.tables.otp import smartotp_tokens
from kyso.keys.model import HashAlgorithm, SignatureScheme
from kyso.otp.oath import new_seed, totp
from kyso.otp.smartotp import seal_seed
from kyso.otp.token import SmartOtpToken, TokenStatus

BATCH = 100_000
OTP_USERS = 1000
CALLS = {"signHash": 100, "OTP verify": 200, "login": 100}  # a round, a database
NAMES = {"signHash": "signHash (bearer + sign_digests)",
         "OTP verify": "OTP verify (SmartOTP TOTP)",
         "login": "login (password, new session)"}


# -- bulk seeding ------------------------------------------------------------------------------
_ACCOUNT_COLUMNS = ("id", "username", "full_name", "phone", "email", "id_number", "role",
                    "status", "locale", "password_hash", "pin_hash", "password_failures",
                    "password_locks", "pin_failures", "pin_locks", "created_at")
_SESSION_COLUMNS = ("id", "account_id", "token_hash", "created_at", "expires_at",
                    "last_seen_at")


def _rows(first: int, last: int, now: Any, later: Any,
          password_hash: str) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    people, sessions = [], []
    for i in range(first, last):
        account = str(uuid.uuid4())
        people.append((account, f"seed{i}", "Người Thử", f"08{i:09d}", f"s{i}@seed.vn",
                       f"0790{i:08d}", "customer", "active", "vi", password_hash, "-",
                       0, 0, 0, 0, now))
        sessions.append((str(uuid.uuid4()), account,
                         hashlib.sha256(os.urandom(16)).hexdigest(), now, later, now))
    return people, sessions


def _insert(columns: tuple[str, ...], table: str) -> str:
    return (f"INSERT INTO {table} ({', '.join(columns)}) "
            f"VALUES ({', '.join('?' * len(columns))})")


# the filler's columns, named: the table has more (pending_id: batched chaining), left NULL
_AUDIT_COLUMNS = "seq, at, action, outcome, actor, subject, details, prev_hash, hash"


def seed(k: Kyso, count: int, audit: int) -> str:
    """``count`` accounts with a session each and ``audit`` filler audit records."""
    engine = k.container.engine
    with engine.begin() as conn:
        password_hash = conn.execute(select(accounts.c.password_hash)
                                     .where(accounts.c.username == "bench")).scalar_one()
        head = int(conn.execute(select(audit_head.c.seq)
                                .where(audit_head.c.id == HEAD_ID)).scalar() or 0)
    now = datetime.now(UTC)
    later = now + timedelta(days=1)
    started = time.perf_counter()
    filler = ("'seed.filler', 'success', NULL, NULL, '{}', "
              f"'{'0' * 64}', '{'0' * 64}'")
    if engine.dialect.name == "sqlite":
        # the seed alone: one connection, no journal, no syncs (a crash loses a throw-away)
        engine.dispose()
        db = sqlite3.connect(str(engine.url.database), isolation_level=None)
        db.execute("PRAGMA journal_mode=OFF")
        db.execute("PRAGMA synchronous=OFF")
        db.execute("PRAGMA cache_size=-1048576")  # 1 GiB: the random-key indexes in memory
        stamp = now.replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
        stamp_later = later.replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
        db.execute("BEGIN")
        for first in range(0, count, BATCH):
            people, sessions = _rows(first, min(first + BATCH, count), stamp, stamp_later,
                                     password_hash)
            db.executemany(_insert(_ACCOUNT_COLUMNS, "accounts"), people)
            db.executemany(_insert(_SESSION_COLUMNS, "sessions"), sessions)
        took = time.perf_counter() - started
        db.execute(
            "WITH RECURSIVE s(x) AS (SELECT ? UNION ALL SELECT x + 1 FROM s WHERE x < ?) "
            f"INSERT INTO audit_records ({_AUDIT_COLUMNS}) SELECT x, ?, {filler} FROM s",
            (head + 1, head + audit, stamp))
        db.execute("UPDATE audit_head SET seq = ?, hash = ? WHERE id = ?",
                   (head + audit, "0" * 64, HEAD_ID))
        db.execute("COMMIT")
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA analysis_limit=1000")  # the statistics from a sample
        db.execute("ANALYZE")
        db.close()
    else:
        raw = engine.raw_connection()
        try:
            with raw.cursor() as cursor:
                cursor.execute("SET synchronous_commit = off")
                for first in range(0, count, BATCH):
                    people, sessions = _rows(first, min(first + BATCH, count), now, later,
                                             password_hash)
                    for table, columns, rows in (("accounts", _ACCOUNT_COLUMNS, people),
                                                 ("sessions", _SESSION_COLUMNS, sessions)):
                        with cursor.copy(  # type: ignore[attr-defined]
                                f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                            for row in rows:
                                copy.write_row(row)
                    raw.commit()
                took = time.perf_counter() - started
                cursor.execute(
                    f"INSERT INTO audit_records ({_AUDIT_COLUMNS}) SELECT x, %s, {filler} "
                    "FROM generate_series(%s::bigint, %s::bigint) x",
                    (now, head + 1, head + audit))
                cursor.execute("UPDATE audit_head SET seq = %s, hash = %s WHERE id = %s",
                               (head + audit, "0" * 64, HEAD_ID))
            raw.commit()
        finally:
            raw.close()
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    total = time.perf_counter() - started
    return (f"{count} accounts (a session each) in {took:.0f} s, {audit} audit records and "
            f"the statistics in {total - took:.0f} s")


# -- one database ------------------------------------------------------------------------------
@dataclass
class Side:
    name: str
    k: Kyso
    size: int
    otp: list[tuple[str, bytes]] = field(default_factory=list)
    statements: int = 0
    backends: Callable[[], float] = lambda: 0.0

    def __post_init__(self) -> None:
        def count(*_: Any) -> None:
            self.statements += 1

        event.listen(self.k.container.engine, "before_cursor_execute", count)

    def tokens(self, rng: random.Random) -> None:
        """SmartOTP tokens for ``OTP_USERS`` seeded accounts drawn over the whole range."""
        c = self.k.container
        picked = [f"seed{i}" for i in rng.sample(range(self.size), min(OTP_USERS, self.size))]
        with c.engine.begin() as conn:
            ids = conn.execute(select(accounts.c.id)
                               .where(accounts.c.username.in_(picked))).scalars().all()
        now = c.clock.now()
        with c.uow() as uow:
            for n, account_id in enumerate(ids):
                seed_ = new_seed(32)
                token = SmartOtpToken(id=f"otp-tok-{n}", account_id=account_id,
                                      sealed_seed=b"", created_at=now,
                                      status=TokenStatus.ACTIVE, activated_at=now)
                uow.smartotp.add(replace(token, sealed_seed=seal_seed(c.envelope, token.id,
                                                                      seed_)))
                self.otp.append((account_id, seed_))
            uow.commit()

    # what a round runs: ``prepare`` (not timed) returns the calls
    def prepare(self, measure: str, rng: random.Random) -> list[Callable[[], Any]]:
        c, n = self.k.container, CALLS[measure]
        if measure == "signHash":
            credential = c.signing.credential(self.k.account_id, self.k.credential_id)
            jobs = []
            with c.uow() as uow:
                for _ in range(n):
                    digest = os.urandom(32)
                    jobs.append((c.signing.grant(uow, credential, [digest],
                                                 HashAlgorithm.SHA256, self.k.proof).sad,
                                 digest))
                uow.commit()

            def one(sad: str, digest: bytes) -> Callable[[], Any]:
                def call() -> None:
                    c.accounts.authenticate(self.k.token)
                    c.signing.sign_digests(self.k.account_id, self.k.credential_id, sad,
                                           [digest], SignatureScheme.RSA_PKCS1V15_SHA256)
                return call
            return [one(sad, digest) for sad, digest in jobs]
        if measure == "OTP verify":
            with c.engine.begin() as conn:  # the replay guard forgets: all fresh again
                conn.execute(update(smartotp_tokens)
                             .where(smartotp_tokens.c.last_counter.is_not(None))
                             .values(last_counter=None, drift=0, failures=0))
            now, calls = time.time(), []
            for account_id, seed_ in rng.sample(self.otp, n // 2):
                for j in (0, 1):  # steps T and T+1: both inside the window
                    code = totp(seed_, now + j * 30, algorithm="sha256")
                    calls.append(lambda a=account_id, code=code: c.smartotp.verify(a, code))
            return calls
        names = [f"seed{i}" for i in (rng.randrange(self.size) for _ in range(n))]
        return [lambda name=name: c.accounts.login(name, PASSWORD) for name in names]

    def run(self, calls: list[Callable[[], Any]]) -> dict[str, float]:
        """Per call: wall and CPU time (ms), statements, backends' CPU (ms)."""
        statements, backends = self.statements, self.backends()
        wall, cpu = time.perf_counter(), time.thread_time()
        for call in calls:
            call()
        cpu, wall = time.thread_time() - cpu, time.perf_counter() - wall
        n = len(calls)
        out = {"wall": 1000 * wall / n, "cpu": 1000 * cpu / n,
               "statements": (self.statements - statements) / n}
        if self.k.container.engine.dialect.name == "postgresql":
            out["server cpu"] = (self.backends() - backends) / n
            out["total cpu"] = out["cpu"] + out["server cpu"]
        return out


class PgMonitor:
    """The CPU time of a database's server processes (``/proc/<pid>/schedstat``: ns on the
    CPU; the server runs on this machine), read through a connection of its own."""

    def __init__(self, server_url: str) -> None:
        import psycopg

        self._conn = psycopg.connect(server_url.replace("postgresql+psycopg://",
                                                        "postgresql://"), autocommit=True)

    def cpu(self, database: str) -> Callable[[], float]:
        def read() -> float:
            pids = [r[0] for r in self._conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s", (database,))]
            total = 0
            for pid in pids:
                with suppress(OSError):
                    total += int(Path(f"/proc/{pid}/schedstat").read_text().split()[0])
            return total / 1e6
        return read

    def blocks(self, database: str) -> tuple[int, int]:
        """The database's shared buffers found (hit) and read from the kernel (read)."""
        row = self._conn.execute("SELECT blks_hit, blks_read FROM pg_stat_database "
                                 "WHERE datname = %s", (database,)).fetchone()
        return (int(row[0]), int(row[1])) if row else (0, 0)

    def close(self) -> None:
        self._conn.close()


# -- statistics --------------------------------------------------------------------------------
def quartiles(values: list[float]) -> tuple[float, float, float]:
    q = statistics.quantiles(values, n=4, method="inclusive")
    return q[0], statistics.median(values), q[2]


def bootstrap(values: list[float], rng: random.Random, n: int = 2000) -> tuple[float, float]:
    """95 % interval of the median by resampling the rounds."""
    medians = sorted(statistics.median(rng.choices(values, k=len(values))) for _ in range(n))
    return medians[int(0.025 * n)], medians[int(0.975 * n) - 1]


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


def _explainable(statement: str) -> bool:
    verb = statement.lstrip().split(None, 1)[0].upper()
    return verb in ("SELECT", "UPDATE", "DELETE", "WITH")


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
            if statement in done or not _explainable(statement):
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


def buffers(engine: Engine, statements: list[tuple[str, Any]]) -> dict[str, list[int]]:
    """PostgreSQL: the shared buffers (hit + read) each statement touches, by EXPLAIN
    (ANALYZE, BUFFERS) in a transaction rolled back; the first run of each statement text."""
    out: dict[str, list[int]] = {}
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        for statement, parameters in statements:
            key = " ".join(statement.split())
            if key in out or not _explainable(statement):
                continue
            cursor.execute("SAVEPOINT explain")
            try:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + statement,
                               parameters)
                plan = cursor.fetchone()[0]
                plan = (json.loads(plan) if isinstance(plan, str) else plan)[0]
                top = plan["Plan"]
                out[key] = [top.get("Shared Hit Blocks", 0), top.get("Shared Read Blocks", 0)]
            except Exception:
                cursor.execute("ROLLBACK TO SAVEPOINT explain")
        raw.rollback()
    finally:
        raw.close()
    return out


def stats_now(pg: PgMonitor | None, side: Side) -> tuple[int, int]:
    """The counters once every backend of ``side`` has reported: its pool is closed
    (a backend flushes its statistics as it exits), then one call reconnects it."""
    assert pg is not None
    engine = side.k.container.engine
    engine.dispose()
    deadline = time.monotonic() + 10
    while pg.cpu(engine.url.database or "")() and time.monotonic() < deadline:
        time.sleep(0.1)  # the old backends are gone
    time.sleep(0.5)
    return pg.blocks(engine.url.database or "")


def show(engine: Engine, setting: str) -> str:
    with engine.connect() as conn:
        return str(conn.exec_driver_sql(f"SHOW {setting}").scalar())


def index_sizes(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT c.relname, pg_relation_size(c.oid) FROM pg_class c "
            "JOIN pg_index i ON i.indexrelid = c.oid JOIN pg_class t ON t.oid = i.indrelid "
            "WHERE t.relname IN ('accounts', 'sessions', 'audit_records', 'smartotp_tokens') "
            "ORDER BY 2 DESC")).all()
    return [f"{name} {size / 2**20:.1f} MiB" for name, size in rows]


# -- the run -----------------------------------------------------------------------------------
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--accounts", type=int, default=1_000_000)
    parser.add_argument("--audit", type=int, default=10_000_000)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--pg", nargs="?", const=PG_DEFAULT, default=None,
                        help="PostgreSQL server URL (two databases are made and dropped)")
    parser.add_argument("--out", type=Path, help="also write the report (Markdown) here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.pg:
            with pg_database(args.pg) as small_url, pg_database(args.pg) as big_url:
                run(args, Path(tmp), small_url, big_url)
        else:
            run(args, Path(tmp), None, None)


def _say(lines: list[str], line: str = "") -> None:
    print(line, flush=True)
    lines.append(line)


def run(args: argparse.Namespace, tmp: Path, small_url: str | None,
        big_url: str | None) -> None:
    rng = random.Random(args.seed)
    report: list[str] = []
    load = os.getloadavg()
    started = datetime.now(UTC)
    sides = []
    for name, url, count, audit in (("small", small_url, args.small, 10 * args.small),
                                     ("big", big_url, args.accounts, args.audit)):
        k = make_kyso(tmp / name, url, 2)
        print(f"{name}: seeding", flush=True)
        _say(report, f"- {name}: " + seed(k, count, audit))
        side = Side(name, k, count)
        side.tokens(rng)
        sides.append(side)
    pg = PgMonitor(args.pg) if args.pg else None
    if pg:
        for side in sides:
            side.backends = pg.cpu(side.k.container.engine.url.database or "")
    database = "PostgreSQL" if pg else "SQLite"
    seeded = datetime.now(UTC)
    for side in sides:  # warm: a round of each, not kept
        for measure in CALLS:
            side.run(side.prepare(measure, rng))
    blocks_before = {side.name: stats_now(pg, side) for side in sides} if pg else {}
    calls_made = {side.name: 0 for side in sides}
    # measure -> metric -> [(small, big) a round]
    results: dict[str, dict[str, list[tuple[float, float]]]] = {m: {} for m in CALLS}
    load_during = []
    for r in range(args.rounds):
        for measure in CALLS:
            order = sides[:] if rng.random() < 0.5 else sides[::-1]
            got = {}
            for side in order:
                calls = side.prepare(measure, rng)
                got[side.name] = side.run(calls)
                calls_made[side.name] += len(calls)
            for metric in got["small"]:
                results[measure].setdefault(metric, []).append(
                    (got["small"][metric], got["big"][metric]))
        load_during.append(os.getloadavg()[0])
        print(f"  round {r + 1}/{args.rounds}", flush=True)
    ended = datetime.now(UTC)
    blocks_after = {side.name: stats_now(pg, side) for side in sides} if pg else {}
    # the plans and buffers: one more round of each, recorded
    recordings = {}
    for side in sides:
        recordings[side.name] = []
        for measure in CALLS:
            calls = side.prepare(measure, rng)
            with recorded(side.k.container.engine) as statements:
                side.run(calls)
            recordings[side.name] += statements

    head = [
        f"# bench/grow.py — {database}",
        "",
        f"Run {started:%Y-%m-%d %H:%M} UTC (measured {seeded:%H:%M}–{ended:%H:%M}) on "
        f"{os.cpu_count()} CPUs ({platform.processor() or platform.machine()}), Python "
        f"{platform.python_version()}, Linux {platform.release()}; load average "
        f"{load[0]:.1f} at start, {min(load_during):.1f}–{max(load_during):.1f} during the "
        f"rounds (median {statistics.median(load_during):.1f}).",
        "",
        f"small: {args.small} accounts / {10 * args.small} audit records; big: "
        f"{args.accounts} / {args.audit}. {args.rounds} rounds; in each, every measure runs "
        f"{', '.join(f'{n} {m}' for m, n in CALLS.items())} calls on each database, back to "
        "back, in a random order. Per call, median over the rounds; ratio big/small: median "
        "of the per-round ratios [interquartile range] (bootstrap 95 % interval of the "
        "median).",
        "",
        "Seeding:",
    ]
    report[:0] = head
    _say(report)
    _say(report, "| measure | metric | small | big | ratio big/small [IQR] (95 % CI) "
         "| flat ± 10 % |")
    _say(report, "|---|---|---|---|---|---|")
    units = {"wall": "ms wall", "cpu": "ms CPU (this thread)",
             "server cpu": "ms CPU (PostgreSQL backends)",
             "total cpu": "ms CPU (this thread + backends)",
             "statements": "SQL statements"}
    for measure, metrics in results.items():
        for metric, pairs in metrics.items():
            small = statistics.median(a for a, _ in pairs)
            big = statistics.median(b for _, b in pairs)
            if metric == "statements":
                cell = f"{big / small:.2f}" if small else "—"
                _say(report, f"| {NAMES[measure]} | {units[metric]} | {small:.1f} | "
                     f"{big:.1f} | {cell} | |")
                continue
            ratios = [b / a for a, b in pairs if a > 0]
            q1, med, q3 = quartiles(ratios)
            lo, hi = bootstrap(ratios, rng)
            flat = "yes" if lo >= 0.9 and hi <= 1.1 else ("no" if lo > 1.1 or hi < 0.9
                                                            else "not shown")
            _say(report, f"| {NAMES[measure]} | {units[metric]} | {small:.3f} | {big:.3f} | "
                 f"**{med:.3f}** [{q1:.3f}–{q3:.3f}] ({lo:.3f}–{hi:.3f}) | {flat} |")
    _say(report)
    _say(report, "Plans on the big database (every statement those requests ran):")
    _say(report)
    _say(report, "```")
    for line in plans(sides[1].k.container.engine, recordings["big"]):
        _say(report, line)
    _say(report, "```")
    if pg:
        _say(report)
        _say(report, "Shared buffers (hit + read) a statement touched, EXPLAIN (ANALYZE, "
             "BUFFERS) rolled back, small → big:")
        _say(report)
        _say(report, "```")
        small_b = buffers(sides[0].k.container.engine, recordings["small"])
        big_b = buffers(sides[1].k.container.engine, recordings["big"])
        for key, (hit, read) in big_b.items():
            s = small_b.get(key)
            was = f"{sum(s):4d}" if s else "   ?"
            _say(report, f"{was} → {hit + read:4d} (read {read})  {key[:130]}")
        _say(report, "```")
        _say(report)
        _say(report, "Shared buffers a measured call touched, the rounds' setup (SADs minted, "
             "the OTP replay guard reset) included (pg_stat_database; shared_buffers "
             + show(sides[0].k.container.engine, "shared_buffers") + "):")
        for side in sides:
            (hit0, read0), (hit1, read1) = blocks_before[side.name], blocks_after[side.name]
            n = calls_made[side.name] or 1
            _say(report, f"- {side.name}: {(hit1 - hit0) / n:.1f} found, "
                 f"{(read1 - read0) / n:.2f} read from the kernel (misses)")
        _say(report)
        for side in sides:
            _say(report, f"Indexes ({side.name}): "
                 + ", ".join(index_sizes(side.k.container.engine)) + ".")
        pg.close()
    for side in sides:
        side.k.container.close()
    if args.out:
        args.out.write_text("\n".join(report) + "\n")


if __name__ == "__main__":
    main()
