"""Does a signature cost more when the database is big? One run, one database, two points.

A throw-away kyso (SQLite, or PostgreSQL with ``--pg``) signs ``--seconds`` worth of
one-hash requests in process — the bearer check (``AccountService.authenticate``) then
``SigningService.sign_digests``: the session and SAD lookups, the quota debit, the kept
signature and the audit append, every statement whose cost could grow with the tables —
first on the fresh database, then again after bulk inserts (not through the API) of
``--accounts`` accounts with a session each and ``--audit`` audit records (placed after the
chain's head, which is then moved past them: the chain of this throw-away database no longer
verifies; nothing else reads it). Prints both rates and their ratio (flat: 1.0 ± 0.1).

    .venv/bin/python bench/grow.py [--accounts 1000000] [--audit 10000000] [--seconds 5]
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import os
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from serve import PG_DEFAULT, Kyso, make_kyso, pg_database
from sqlalchemy import insert, select, update

from kyso.adapters.db.tables.accounts import accounts, sessions
from kyso.adapters.db.tables.audit import HEAD_ID, audit_head, audit_records
from kyso.keys.model import SignatureScheme

BATCH = 20_000


def rate(k: Kyso, seconds: float) -> float:
    """Bearer check + sign_digests, one hash a call, for ``seconds``."""
    jobs = Path(tempfile.mkstemp()[1])
    lines = k.mint(int(seconds * 800) + 100, 1, jobs).read_text().splitlines()
    calls, start = 0, time.perf_counter()
    for line in lines:
        sad, digest_b64 = line.split()
        k.container.accounts.authenticate(k.token)
        k.container.signing.sign_digests(k.account_id, k.credential_id, sad,
                                         [base64.b64decode(digest_b64)],
                                         SignatureScheme.RSA_PKCS1V15_SHA256)
        calls += 1
        if time.perf_counter() - start > seconds:
            break
    jobs.unlink()
    return calls / (time.perf_counter() - start)


def seed(k: Kyso, n_accounts: int, n_audit: int) -> None:
    engine = k.container.engine
    now = datetime.now(UTC)
    started = time.perf_counter()
    for first in range(0, n_accounts, BATCH):
        rows, tokens = [], []
        for i in range(first, min(first + BATCH, n_accounts)):
            account = str(uuid.uuid4())
            rows.append({"id": account, "username": f"seed{i}", "full_name": "Người Thử",
                         "phone": f"08{i:09d}", "email": f"s{i}@seed.vn",
                         "id_number": f"0790{i:08d}", "role": "customer",
                         "status": "active", "locale": "vi", "password_hash": "-",
                         "pin_hash": "-", "password_failures": 0, "password_locks": 0,
                         "pin_failures": 0, "pin_locks": 0, "created_at": now})
            tokens.append({"id": str(uuid.uuid4()), "account_id": account,
                           "token_hash": hashlib.sha256(os.urandom(16)).hexdigest(),
                           "created_at": now, "expires_at": now + timedelta(days=1),
                           "last_seen_at": now})
        with engine.begin() as conn:
            conn.execute(insert(accounts), rows)
            conn.execute(insert(sessions), tokens)
    print(f"  {n_accounts} accounts and sessions in {time.perf_counter() - started:.0f} s",
          flush=True)
    started = time.perf_counter()
    with engine.begin() as conn:
        head = conn.execute(select(audit_head.c.seq).where(audit_head.c.id == HEAD_ID)).scalar()
    seq = int(head or 0)
    for first in range(0, n_audit, BATCH):
        rows = [{"seq": seq + i + 1, "at": now, "action": "seed.filler", "outcome": "success",
                 "actor": None, "subject": None, "details": "{}", "prev_hash": "0" * 64,
                 "hash": "0" * 64} for i in range(first, min(first + BATCH, n_audit))]
        with engine.begin() as conn:
            conn.execute(insert(audit_records), rows)
    with engine.begin() as conn:
        conn.execute(update(audit_head).where(audit_head.c.id == HEAD_ID)
                     .values(seq=seq + n_audit, hash="0" * 64))
    if engine.dialect.name == "sqlite":  # measure the database, not the seed's WAL
        raw = engine.raw_connection()  # outside a transaction (no BEGIN IMMEDIATE)
        try:
            raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            raw.close()
    else:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    print(f"  {n_audit} audit records in {time.perf_counter() - started:.0f} s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=1_000_000)
    parser.add_argument("--audit", type=int, default=10_000_000)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--pg", nargs="?", const=PG_DEFAULT, default=None,
                        help="PostgreSQL server URL (a database is made and dropped)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.pg:
            with pg_database(args.pg) as url:
                run(make_kyso(Path(tmp), url, 2), args)
        else:
            run(make_kyso(Path(tmp), None, 2), args)


def run(k: Kyso, args: argparse.Namespace) -> None:
    rate(k, 1)  # warm
    fresh = [rate(k, args.seconds) for _ in range(2)]
    print(f"fresh database : {fresh[0]:7.0f} and {fresh[1]:7.0f} signatures/s "
          f"(bearer check + sign_digests)", flush=True)
    seed(k, args.accounts, args.audit)
    grown = [rate(k, args.seconds) for _ in range(2)]
    print(f"after seeding  : {grown[0]:7.0f} and {grown[1]:7.0f} signatures/s")
    print(f"ratio grown / fresh (means): {sum(grown) / sum(fresh):5.2f} "
          f"({args.accounts} accounts, {args.audit} audit records)")
    k.container.close()


if __name__ == "__main__":
    main()
