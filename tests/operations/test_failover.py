"""The tested topology (issue 15, item 4): nginx in front of two ``kyso serve`` nodes with
homes of their own, on a PostgreSQL primary with a synchronous streaming standby.

Four CSC clients go through nginx as relying parties do: ``credentials/sendOTP`` (an SMS in
the outbox), the code checked by ``credentials/authorize``, then ``signatures/signHash``.
Mid-load the primary is stopped (``pg_ctl stop -m immediate``, a crash) and the standby
promoted; the nodes, whose database URL names both hosts with
``target_session_attrs=read-write``, find the new primary by themselves. Then:

- every answer was a success or a 503 ``service_unavailable`` (never a 500, never a 502);
  ``/readyz`` said ``unreachable`` (or ``read_only``) during the gap and ready after;
- every signature a client received is kept (for its SAD) and audited on the promoted
  database; a signHash cut by the outage, asked again with the same SAD, gets its signatures;
  the quota counted exactly the signatures received, as the audit trail says;
  ``kyso audit verify`` passes;
- every SMS the clients saw queued is still in the outbox with the same id, and delivered;
- behind nginx (``KYSO_TRUSTED_PROXIES``) the nodes record the client's address.

PostgreSQL pass only (``make test-pg``): the clusters are the test's own (initdb, port 0
picks, loopback), so the shared test database is not used; skipped where PostgreSQL's
server programs or nginx are missing.
"""

from __future__ import annotations

import base64
import hashlib
import os
import subprocess
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from kyso.accounts.service import NewAccount
from kyso.adapters.db.tables.notify import outbox
from kyso.audit.sequencer import chain_pending
from kyso.bootstrap import Container, bootstrap, init_home
from kyso.config import Settings
from kyso.keys.model import KeyAlgorithm, SignatureScheme
from kyso.notify.model import DeliveryStatus
from kyso.otp.model import Purpose
from kyso.pki.service import IssueRequest
from tests.conftest import FAST_HASHER
from tests.databases import PG_URL
from tests.e2e.harness import CHEAP, KYSO, _free_port, clean_env
from tests.operations.topology import (
    Cluster,
    nginx,
    nginx_binary,
    pg_bindir,
    replicated_pair,
    runnable,
)
from tests.quota import give_signatures
from tests.reliability.serving import DEADLINE, until
from tests.security.homes import EC_KEYS

BINDIR, NGINX = pg_bindir(), nginx_binary()

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not PG_URL, reason="the PostgreSQL pass runs it (make test-pg)"),
    pytest.mark.skipif(BINDIR is None, reason="PostgreSQL's server programs are not installed"),
    pytest.mark.skipif(not runnable(), reason="as root, PostgreSQL needs a postgres user"),
    pytest.mark.skipif(NGINX is None, reason="nginx is not installed (scripts/system-deps.sh)"),
]

PASSWORD, CLIENTS, QUOTA, PER_SAD = "Matkhau2026!", 4, 400, 2
BEFORE, AFTER, GAP_SECONDS = 16, 16, 1.5  # signatures acknowledged before and after the crash
ECDSA = SignatureScheme.ECDSA_SHA256.oid
SHA256 = "2.16.840.1.101.3.4.2.1"


@dataclass(frozen=True)
class Customer:
    account_id: str
    credential_id: str
    token: str


@dataclass
class Load:
    """What the clients saw through nginx."""

    signed: list[tuple[str, list[bytes], list[str]]] = field(default_factory=list)
    statuses: Counter[tuple[str, int, str]] = field(default_factory=Counter)
    queued: dict[str, str] = field(default_factory=dict)  # outbox id → account, seen by a client
    acknowledged_sends: Counter[str] = field(default_factory=Counter)
    in_doubt: list[tuple[Customer, str, list[bytes]]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    stop: threading.Event = field(default_factory=threading.Event)

    def count(self) -> int:
        with self.lock:
            return len(self.signed) * PER_SAD


def _customer(container: Container, n: int) -> Customer:
    account = container.accounts.sign_up(NewAccount(
        f"failover{n}", PASSWORD, "246813", "Lê Thị Hoa", f"0913{n:06d}",
        f"hoa{n}@example.vn", id_number=f"00119100{n:04d}"), actor="test")
    container.pki.issue(IssueRequest(account=account.id, province="Hà Nội",
                                     locality="Cầu Giấy", algorithm=KeyAlgorithm.EC_P256),
                        actor="test")
    [credential] = container.signing.credentials(account.id)
    give_signatures(container, credential.id, QUOTA)
    _, token = container.accounts.login(f"failover{n}", PASSWORD)
    return Customer(account.id, credential.id, token)


def _env(settings: Settings, port: int) -> dict[str, str]:
    return clean_env(KYSO_HOME=str(settings.home), KYSO_DATABASE_URL=settings.database_url or "",
                     KYSO_MASTER_KEY_FILE=str(settings.master_key_path),
                     KYSO_PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",
                     KYSO_TRUSTED_PROXIES="127.0.0.1/32", KYSO_OTP_RESEND_SECONDS="0",
                     KYSO_OTP_MAX_SENDS_PER_HOUR="1000", KYSO_OUTBOX_POLL_SECONDS="0.2",
                     KYSO_OUTBOX_LEASE_SECONDS="3", KYSO_SMTP_TIMEOUT_SECONDS="2",
                     KYSO_WEBHOOK_TIMEOUT_SECONDS="2",
                     KYSO_OUTBOX_BACKOFF_SECONDS="0.5",
                     **CHEAP | EC_KEYS)


def _serve(settings: Settings, port: int, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen([*KYSO, "serve", "--port", str(port)], env=_env(settings, port),
                                stdout=out, stderr=subprocess.STDOUT)


def _ready(port: int) -> tuple[int, dict[str, str]]:
    try:
        r = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5)
    except httpx.TransportError:
        return 0, {}
    return r.status_code, r.json().get("checks", {})


def _latest_code(container: Container, who: Customer, load: Load) -> str | None:
    """The newest SIGN code sent to the customer, read as their phone would once a node's
    outbox worker delivered it (to the development inbox); None if it does not come."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and not load.stop.is_set():
        try:
            with container.engine.connect() as conn:
                newest = conn.scalar(
                    select(outbox.c.id).where(outbox.c.account_id == who.account_id)
                    .where(outbox.c.purpose == Purpose.SIGN.value)
                    .order_by(outbox.c.created_at.desc(), outbox.c.id.desc()).limit(1))
            with container.uow(read_only=True) as uow:
                message = uow.outbox.get(newest) if newest is not None else None
        except DBAPIError:  # the database is away: this round starts again
            return None
        if message is not None:
            with load.lock:
                load.queued[message.id] = who.account_id
            if message.delivered_locally:
                text = container.notifier.open_body(message).text
                return next(w.strip(";.") for w in text.split()
                            if w.strip(";.").isdigit() and len(w.strip(";.")) == 6)
        time.sleep(0.05)
    return None


def _post(url: str, who: Customer, method: str, body: dict[str, object],
          load: Load) -> httpx.Response | None:
    try:
        r = httpx.post(f"{url}/csc/v2/{method}", json=body, timeout=30,
                       headers={"Authorization": f"Bearer {who.token}",
                                "Accept-Language": "en"})
    except httpx.TransportError:  # nginx is never stopped: none is expected
        with load.lock:
            load.statuses[(method, 0, "transport")] += 1
        return None
    error = "" if r.status_code < 400 else str(r.json().get("error"))
    with load.lock:
        load.statuses[(method, r.status_code, error)] += 1
    return r


def _client(url: str, container: Container, who: Customer, load: Load) -> None:
    """Rounds of sendOTP → authorize with the code → signHash, until told to stop; a round
    that meets the outage starts again (a SAD whose signHash failed is left unused)."""
    ref = {"credentialID": who.credential_id}
    for _ in range(200):  # bounded: QUOTA / PER_SAD rounds at most
        if load.stop.is_set():
            return
        sent = _post(url, who, "credentials/sendOTP", ref, load)
        if sent is None or sent.status_code != 204:
            time.sleep(0.1)
            continue
        with load.lock:
            load.acknowledged_sends[who.account_id] += 1
        code = _latest_code(container, who, load)
        if code is None:
            continue
        digests = [hashlib.sha256(os.urandom(16)).digest() for _ in range(PER_SAD)]
        hashes = [base64.b64encode(d).decode() for d in digests]
        authorized = _post(url, who, "credentials/authorize", ref | {
            "numSignatures": PER_SAD, "hashes": hashes, "hashAlgorithmOID": SHA256,
            "authData": [{"id": "OTP", "value": code}]}, load)
        if authorized is None or authorized.status_code != 200:
            continue
        sad = authorized.json()["SAD"]
        signed = _post(url, who, "signatures/signHash",
                       ref | {"SAD": sad, "signAlgo": ECDSA, "hashes": hashes}, load)
        with load.lock:
            if signed is not None and signed.status_code == 200:
                load.signed.append((sad, digests, signed.json()["signatures"]))
            else:  # counted or not: the client will ask again with the same SAD
                load.in_doubt.append((who, sad, digests))


def _ask_again(url: str, load: Load) -> None:
    """A signHash cut by the outage, sent again after it: the signatures come back (kept if
    they were counted before the crash, made now if not), counted once either way."""
    for who, sad, digests in load.in_doubt:
        hashes = [base64.b64encode(d).decode() for d in digests]
        again = _post(url, who, "signatures/signHash", {
            "credentialID": who.credential_id, "SAD": sad, "signAlgo": ECDSA,
            "hashes": hashes}, load)
        assert again is not None and again.status_code == 200, again and again.text
        load.signed.append((sad, digests, again.json()["signatures"]))


def _settings(home: Path, url: str, master_key: Path | None = None) -> Settings:
    return Settings(home=home, database_url=url, master_key_file=master_key,
                    pki_ca_key="ec-p256", pki_responder_key="ec-p256", pki_tsa_key="ec-p256")


def test_the_standby_takes_over_mid_load(tmp_path: Path) -> None:
    assert BINDIR is not None and NGINX is not None
    with replicated_pair(BINDIR) as (primary, standby):
        url = (f"postgresql+psycopg://kyso@/kyso?host=127.0.0.1:{primary.port}"
               f"&host=127.0.0.1:{standby.port}&target_session_attrs=read-write")
        node_a = _settings(tmp_path / "a" / "home", url)
        init_home(node_a)
        node_b = _settings(tmp_path / "b" / "home", url, node_a.master_key_path)
        init_home(node_b)
        container = bootstrap(node_a, hasher=FAST_HASHER)
        try:
            container.pki.initialize(actor="test")  # as `kyso init` does once
            _topology(tmp_path, primary, standby, (node_a, node_b), container)
        finally:
            container.close()


def _topology(tmp_path: Path, primary: Cluster, standby: Cluster,
              nodes: tuple[Settings, Settings], container: Container) -> None:
    ports = [_free_port(), _free_port()]
    while ports[1] == ports[0]:
        ports[1] = _free_port()
    servers = [_serve(node, port, tmp_path / f"serve-{port}.log")  # they start together
               for node, port in zip(nodes, ports, strict=True)]
    logs = lambda: "\n".join(p.read_text()[-3000:] for p in tmp_path.glob("serve-*.log"))  # noqa: E731
    load, seen_states = Load(), set()
    try:
        customers = [_customer(container, n) for n in range(CLIENTS)]  # while they start
        for port in ports:
            assert until(lambda p=port: _ready(p)[0] == 200, DEADLINE), logs()
        assert NGINX is not None
        with nginx(NGINX, ports, tmp_path / "nginx") as front, \
                ThreadPoolExecutor(CLIENTS) as pool:
            url = f"http://127.0.0.1:{front}"
            futures = [pool.submit(_client, url, container, who, load) for who in customers]
            failed = lambda: [f.exception() for f in futures if f.done()]  # noqa: E731
            assert until(lambda: load.count() >= BEFORE, 60), (load.statuses, failed(), logs())
            before = load.count()
            primary.stop("immediate")  # the primary's machine dies
            gap_end = time.monotonic() + GAP_SECONDS
            while time.monotonic() < gap_end:
                for port in ports:
                    seen_states.add(_ready(port)[1].get("database", ""))
                time.sleep(0.1)
            standby.promote()  # the operator (or the cluster manager) promotes the standby
            assert until(lambda: all(_ready(p)[0] == 200 for p in ports), 30), logs()
            assert until(lambda: load.count() >= before + AFTER, 60), \
                (load.statuses, failed(), logs())
            load.stop.set()
            for future in futures:
                future.result(timeout=60)
            _ask_again(url, load)
            _check_client_address(url, container)
        served = Counter(line.split()[-1] for line in
                         (tmp_path / "nginx" / "access.log").read_text().splitlines())
        assert {f"127.0.0.1:{p}" for p in ports} <= set(served), served  # both nodes served
        print(f"answers {dict(load.statuses)}; /readyz during the gap {seen_states}; "
              f"signatures acknowledged {load.count()}; nginx → {dict(served)}")
        _check_answers(load, seen_states)
        _check_books(container, customers, load)
        _check_outbox(container, load)
        verified = subprocess.run([*KYSO, "audit", "verify"], env=_env(nodes[0], ports[0]),
                                  capture_output=True, text=True, timeout=120, check=False)
        assert verified.returncode == 0, verified.stdout + verified.stderr
    finally:
        load.stop.set()
        for server in servers:
            server.terminate()
        for server in servers:
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(10)


def _check_client_address(url: str, container: Container) -> None:
    """Behind nginx (a trusted proxy) a node records the client's address, not nginx's, and
    not what the client claims: a login from 127.0.0.2 that sends its own X-Forwarded-For."""
    transport = httpx.HTTPTransport(local_address="127.0.0.2")
    with httpx.Client(transport=transport, timeout=30) as client:
        r = client.post(f"{url}/api/v1/auth/login", headers={"X-Forwarded-For": "203.0.113.9"},
                        json={"login": "failover0", "password": PASSWORD})
    assert r.status_code == 200, r.text
    chain_pending(container.uow)  # a reader of the trail: the pending events first
    with container.uow(read_only=True) as uow:
        logins = [record.event.details.get("ip") for record in uow.audit.records()
                  if record.event.action == "auth.login"]
    assert logins[-1] == "127.0.0.2", logins


def _check_answers(load: Load, seen_states: set[str]) -> None:
    """A success or 503 service_unavailable, nothing else; the gap was really met."""
    outcomes = {(status, error) for (_, status, error) in load.statuses}
    assert outcomes <= {(200, ""), (204, ""), (503, "service_unavailable")}, load.statuses
    assert any(status == 503 for (_, status, _) in load.statuses), load.statuses
    assert seen_states & {"unreachable", "read_only"}, seen_states


def _check_books(container: Container, customers: list[Customer], load: Load) -> None:
    """Every signature a client holds is kept and audited on the promoted database; the
    quota counted exactly what the audit trail says was signed."""
    scheme = SignatureScheme.ECDSA_SHA256
    chain_pending(container.uow)  # a reader of the trail: the pending events first
    with container.uow(read_only=True) as uow:
        audited = Counter[str]()
        audited_sads = set()
        for record in uow.audit.records():
            if record.event.action == "signing.signed":
                audited[record.event.subject or ""] += int(record.event.details["count"] or 0)
                audited_sads.add(record.event.details["sad"])
        for sad, digests, signatures in load.signed:
            activation = uow.signing.by_token_hash(hashlib.sha256(sad.encode()).hexdigest())
            assert activation is not None, "an acknowledged SAD is missing"
            kept = uow.signing.kept_signatures(
                activation.id, scheme.value, [base64.b64encode(d).decode() for d in digests])
            assert kept == [base64.b64decode(s) for s in signatures]
            assert activation.id in audited_sads
    acknowledged = sum(len(signatures) for _, _, signatures in load.signed)
    consumed = 0
    for who in customers:
        balance = container.quotas.balance(who.credential_id)
        assert balance.consumed == audited[who.credential_id]
        assert balance.available + balance.reserved + balance.consumed == QUOTA
        assert container.quotas.verify(who.credential_id)
        consumed += balance.consumed
    # nothing acknowledged is missing, nothing is counted twice (the signHash calls cut by
    # the crash were asked again: each counted once, whether it had committed or not)
    assert consumed == acknowledged


def _check_outbox(container: Container, load: Load) -> None:
    """Every code a client read is still queued under the same id on the promoted database,
    every acknowledged send has its message, and the workers deliver them all."""
    accounts = set(load.queued.values())

    def delivered() -> bool:
        with container.uow(read_only=True) as uow:
            return all((m := uow.outbox.get(i)) is not None
                       and m.status is DeliveryStatus.SENT for i in load.queued)

    def pending() -> list[object]:
        with container.uow(read_only=True) as uow:
            return [(i, m and m.status) for i in load.queued
                    if (m := uow.outbox.get(i)) is None or m.status is not DeliveryStatus.SENT]

    assert until(delivered, 30), pending()
    with container.engine.connect() as conn:
        rows = conn.execute(
            select(outbox.c.id, outbox.c.account_id, outbox.c.status)
            .where(outbox.c.account_id.in_(accounts))
            .where(outbox.c.purpose == Purpose.SIGN.value)).all()
    per_account = Counter(row.account_id for row in rows)
    for account, sends in load.acknowledged_sends.items():
        assert per_account[account] >= sends
    assert len({row.id for row in rows}) == len(rows)
