"""The statements one CSC signHash (one hash, a session bearer) runs, pinned: a request that
starts doing more work fails here, not in a benchmark (issue 14).

Eight on SQLite with the audit chain inline: the bearer check and the read in one statement
(the session joined with its account, the SAD and the certificate: ``read_ahead.py``), then
one transaction — the SAD spent by a conditional update that also keeps the signature in the
SAD's row (a ``signatures_kept`` row of its own was one INSERT more, and one row per hash of
a batch), the quota taken in one statement that also asks the onboarding acceptance gate's
question (no separate locked read of the registration), the quota ledger's entries, the
audit record (its chain head read, appended, moved) and the receipt's job row (with the
audit position the append returned). Two connections are checked out of the pool: the
bearer check and the read share one (``shared_reads``), the transaction has its own. On
PostgreSQL no connection is pinged for it (pool_pre_ping pinged on each checkout), the reads
send no BEGIN or ROLLBACK (autocommit), and the quota's UPDATE and the ledger's INSERT are
one statement (the UPDATE in a CTE).

With the audit chain in batched mode (KYSO_AUDIT_CHAIN, the default on PostgreSQL) six on
SQLite: the audit record is one INSERT into audit_pending, and the receipt's job names that
pending event instead of reading the head (the sequencer chains it after the commit); both
lock no shared row, so they come before the quota's UPDATE.

On PostgreSQL in batched mode two: the read and one statement that writes it all or
nothing and is its own transaction (adapters/db/signature_write.py: the SAD's and the quota's
rows locked if as needed, then the writes; no BEGIN, no COMMIT), on the reads' connection —
one checkout.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event

from kyso.adapters.db import engine as engine_module
from tests.integration.csc.conftest import World
from tests.integration.csc.helpers import digests, sign_hash
from tests.integration.csc.oauth_flow import (
    approve,
    credential_params,
    page_id,
    rp_client,
    start,
)

SIGN_HASH = [
    # the bearer (the session joined with its account) and the signing read (the SAD, the
    # credential's certificate): one statement
    "SELECT sessions, accounts, signature_activations, pki_certificates",
    "UPDATE signature_activations",  # the SAD spent, its signature kept in its row
    "UPDATE quota_accounts", "INSERT quota_entries",  # the quota (and the acceptance gate)
    "SELECT audit_head", "INSERT audit_records", "UPDATE audit_head",  # the audit record
    "INSERT signing_receipts",  # the receipt's job (the audit position as just appended)
]
SIGN_HASH_BATCHED = [*SIGN_HASH[:2], "INSERT audit_pending", "INSERT signing_receipts",
                     "UPDATE quota_accounts", "INSERT quota_entries"]  # the hot row last
# PostgreSQL takes the quota and adds the ledger's entries in one statement (a CTE); with the
# audit chain batched, the transaction's four writes are one statement
QUOTA_PG = "UPDATE quota_accounts + INSERT quota_entries"
AT_ONCE_PG = ("SELECT signature_activations + SELECT quota_accounts"
              " + UPDATE signature_activations + UPDATE quota_accounts + INSERT quota_entries"
              " + INSERT audit_pending + INSERT signing_receipts")


def _on(dialect: str, statements: list[str]) -> list[str]:
    if dialect != "postgresql":
        return statements
    if statements == SIGN_HASH_BATCHED:
        return [statements[0], AT_ONCE_PG]
    at = statements.index("UPDATE quota_accounts")
    assert statements[at + 1] == "INSERT quota_entries"
    return [*statements[:at], QUOTA_PG, *statements[at + 2:]]


def _name(statement: str) -> str:
    words = statement.split()
    if words[0].upper() == "WITH":  # each statement in a CTE, then the main one
        parts, rest = [], statement[len(words[0]):]
        while True:
            start = rest.index("(")
            depth, end = 0, start
            while True:
                depth += {"(": 1, ")": -1}.get(rest[end], 0)
                if depth == 0:
                    break
                end += 1
            parts.append(_name(rest[start + 1:end]))
            rest = rest[end + 1:].lstrip()
            if not rest.startswith(","):
                break
            rest = rest[1:]
        if rest.split()[0].upper() == "SELECT":  # what the CTEs wrote, counted
            return " + ".join(parts)
        return " + ".join([*parts, _name(rest)])
    verb = words[0].upper()
    table = {"SELECT": lambda: ", ".join(_read(words)),
             "INSERT": lambda: words[2], "UPDATE": lambda: words[1],
             "DELETE": lambda: words[2]}.get(verb, lambda: "")()
    return f"{verb} {table}".strip()


def _read(words: list[str]) -> list[str]:
    """The tables a SELECT reads itself: after FROM or JOIN, outside subqueries (a
    parenthesised join is not one)."""
    tables, depth, joined = [], 0, 0
    for before, word, after in zip(words[:-1], words[1:], [*words[2:], ""], strict=True):
        depth += before.count("(") - before.count(")")
        joined = min(joined, depth)  # the parenthesised join closed
        if before in ("FROM", "JOIN") and depth == joined:
            if not word.startswith("("):
                tables.append(word.rstrip(")"))
            elif after != "SELECT" and word != "(SELECT":  # "(a JOIN b ON …)"
                tables.append(word.lstrip("("))
                joined += 1
    return tables


@contextmanager
def recorded(world: World) -> Iterator[list[str]]:
    seen: list[str] = []

    def listen(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any,
               executemany: bool) -> None:
        seen.append(_name(statement))

    engine = world.container.engine
    event.listen(engine, "before_cursor_execute", listen)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", listen)


def test_one_signhash_runs_the_statements_pinned_and_no_ping(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    signer = world.customer()
    batch = digests(1)
    sad = signer.authorize(batch)
    pings: list[object] = []
    dialect = world.container.engine.dialect
    real_ping = dialect.do_ping
    monkeypatch.setattr(engine_module, "PING_AFTER_IDLE_SECONDS", 3600.0)
    monkeypatch.setattr(dialect, "do_ping", lambda c: pings.append(c) or real_ping(c))
    checkouts: list[object] = []
    pool = world.container.engine.pool

    def checked_out(*args: object) -> None:
        checkouts.append(args)
    event.listen(pool, "checkout", checked_out)
    try:
        with recorded(world) as seen:
            r = sign_hash(signer, sad, batch)
    finally:
        event.remove(pool, "checkout", checked_out)
    assert r.status_code == 200, r.text
    batched = world.container.audit_chain == "batched"
    # recorded by the front's group commit (SQLite, keys in process) or by the route's own
    # transaction: the same statements, a group of one needing no savepoint
    assert seen == _on(dialect.name, SIGN_HASH_BATCHED if batched else SIGN_HASH)
    assert pings == []
    at_once = batched and dialect.name == "postgresql"
    assert len(checkouts) == (1 if at_once else 2)  # the shared read (, the transaction)


def test_an_idle_postgresql_connection_is_pinged_before_use(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    if world.container.engine.dialect.name != "postgresql":
        pytest.skip("SQLite connections are files: nothing to ping")
    signer = world.customer()
    batch = digests(1)
    sad = signer.authorize(batch)
    pings: list[object] = []
    dialect = world.container.engine.dialect
    real_ping = dialect.do_ping
    monkeypatch.setattr(engine_module, "PING_AFTER_IDLE_SECONDS", 0.0)
    monkeypatch.setattr(dialect, "do_ping", lambda c: pings.append(c) or real_ping(c))
    assert sign_hash(signer, sad, batch).status_code == 200
    # each checkout of a pooled connection: the reads' (and, unless the write shares it in
    # batched mode, the transaction's)
    assert len(pings) >= (1 if world.container.audit_chain == "batched" else 2)


def test_an_oauth2_credential_token_is_checked_in_one_statement(world: World) -> None:
    """A relying party's call (an OAuth2 access token, credential scope: the SAD rides in its
    authorization): the token, its authorization and its party are one read, then the
    signing read and the transaction as with a session."""
    signer, rp = world.customer(), rp_client(world)
    batch = digests(1)
    flow = start(world.url, rp.party.sp_id, "credential", **credential_params(signer, batch))
    token = flow.token(approve(world, signer, page_id(world, flow)))["access_token"]
    body = {"credentialID": signer.credential_id, "signAlgo": "1.2.840.113549.1.1.11",
            "hashes": [base64.b64encode(d).decode() for d in batch]}
    with recorded(world) as seen:
        r = world.client.post("/csc/v2/signatures/signHash", json=body,
                              headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200 and len(r.json()["signatures"]) == 1, r.text
    assert seen[:2] == ["SELECT csc_tokens, csc_authorizations, relying_parties",
                        "SELECT signature_activations, pki_certificates"], seen
