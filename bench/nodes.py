"""One kyso node against two on one PostgreSQL, behind nginx (issue 15, item 8).

Two ``kyso serve --workers 1`` nodes with homes of their own share one database and one
master key (the key store: software keys sealed in the database), as in
tests/operations/test_failover.py. Two nginx instances (tests/operations/topology.py's
configuration) listen at once: one sends everything to node A, the other spreads over A and
B; so the one-node and two-node runs alternate against the same processes, the same database
and the same moment of a shared machine, and their ratio compares like with like.

The load is ``signatures/signHash``, 1 hash a request, each request with its own SAD minted
beforehand (bench/wrk_sign.lua): spread over several credentials (a cluster's customers) and
all on one credential (one customer's batch: its quota row is then hot as well).

Then the same loads again with a sampler (its own connection, every few milliseconds):
``pg_stat_activity`` (what each of the nodes' backends is doing: running a statement, waiting
for a lock and on which table, waiting for the WAL flush of its commit, idle inside a
transaction while the node works, idle between transactions) and ``pgrowlocks`` on
``audit_head`` and ``quota_accounts`` (is the row locked now, by whom, doing what). By
Little's law the average number of backends in a state is the rate of requests times the
time each spends there: the table gives milliseconds per signature waiting on each row, the
share of the request's time that is, and the share of the wall time each hot row is held
(its utilisation; ≈ 100 % means every signature of the cluster takes turns on it).

    .venv/bin/python bench/nodes.py [--quick] [--pg URL] [--customers 8]
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import re
import shutil
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # tests.operations.topology: the tested nginx settings

from serve import (  # noqa: E402
    CHEAP,
    PG_DEFAULT,
    Plan,
    Point,
    busy_share,
    free_port,
    machine_ticks,
    pg_database,
    process_cpu,
    running,
    sads_needed,
    wrk,
)
from sign import PASSWORD, proof  # noqa: E402
from tests.operations.topology import nginx, nginx_binary  # noqa: E402

from kyso.accounts.rules import SecretHasher  # noqa: E402
from kyso.accounts.service import NewAccount  # noqa: E402
from kyso.bootstrap import Container, bootstrap, init_home  # noqa: E402
from kyso.config import Settings  # noqa: E402
from kyso.keys.model import HashAlgorithm  # noqa: E402
from kyso.otp.factors import FactorProof  # noqa: E402
from kyso.pki.service import IssueRequest  # noqa: E402

SPREAD, ONE = "spread", "one"  # the load over every credential, or all on the first
CUSTOMERS = 8


@dataclass(frozen=True)
class Customer:
    account_id: str
    credential_id: str
    token: str
    proof: FactorProof


@dataclass
class Cluster:
    url: str
    homes: list[Settings]
    container: Container
    customers: list[Customer]

    def env(self, node: Settings, port: int) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("KYSO_")}
        return env | {"KYSO_HOME": str(node.home), "KYSO_DATABASE_URL": self.url,
                      "KYSO_MASTER_KEY_FILE": str(node.master_key_path),
                      "KYSO_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
                      "KYSO_TRUSTED_PROXIES": "127.0.0.1/32", **CHEAP}

    def mint(self, count: int, load: str, path: Path) -> Path:
        """``count`` SADs of one fresh digest each, one line a SAD ending with its
        customer's credential and token; ``load`` SPREAD takes the customers in turn."""
        who = self.customers if load == SPREAD else self.customers[:1]
        signing = self.container.signing
        credentials = [signing.credential(c.account_id, c.credential_id) for c in who]
        with path.open("w") as out:
            for start in range(0, count, 500):
                with self.container.uow() as uow:
                    for i in range(start, min(start + 500, count)):
                        c, credential = who[i % len(who)], credentials[i % len(who)]
                        digest = os.urandom(32)
                        grant = signing.grant(uow, credential, [digest], HashAlgorithm.SHA256,
                                              c.proof)
                        out.write(f"{grant.sad} {base64.b64encode(digest).decode()} "
                                  f"{c.credential_id} {c.token}\n")
                    uow.commit()
        # the grants' audit events chained now (batched mode), not by the nodes mid-load
        self.container.audit_sequencer.run_once(wait=True)
        return path


def make_cluster(tmp: Path, url: str, customers: int) -> Cluster:
    """Two homes on ``url`` sharing node A's master key; ``customers`` customers, each with
    an RSA-2048 credential holding a million counted signatures and a bearer session."""
    a = Settings(home=tmp / "node-a", database_url=url, pki_ca_key="rsa-2048")
    init_home(a)
    b = Settings(home=tmp / "node-b", database_url=url, master_key_file=a.master_key_path)
    init_home(b)
    container = bootstrap(a, hasher=SecretHasher(1, 1024, 1))
    container.pki.initialize(actor="bench")
    made = []
    for n in range(customers):
        account = container.accounts.sign_up(NewAccount(
            f"node{n}", PASSWORD, "246813", "Người Thử", f"0911{n:06d}", f"node{n}@bench.vn",
            id_number=f"00109200{n:04d}"))
        container.pki.issue(IssueRequest(account=account.id, province="Hà Nội",
                                         locality="Ba Đình"), actor="bench")
        [credential] = container.signing.credentials(account.id)
        with container.uow() as uow:
            container.quota.credit(uow, credential.id, 1_000_000, source="bench")
            uow.commit()
        _, token = container.accounts.login(f"node{n}", PASSWORD)
        made.append(Customer(account.id, credential.id, token, proof(container, account.id)))
    return Cluster(url, [a, b], container, made)


@contextmanager
def serving(cluster: Cluster, root: Path) -> Iterator[tuple[int, int, list[int]]]:
    """Both nodes, nginx in front of node A alone and nginx in front of A and B: the two
    nginx ports and the nodes' process ids."""
    binary = nginx_binary()
    if binary is None:
        raise SystemExit("nginx is missing: scripts/bench-deps.sh installs it")
    with ExitStack() as stack:
        ports, pids = [], []
        for node in cluster.homes:
            port = free_port()
            cmd = [sys.executable, "-m", "kyso", "serve", "--port", str(port), "--workers", "1"]
            proc = stack.enter_context(running(cmd, cluster.env(node, port), port))
            ports.append(port)
            pids.append(proc.pid)
        one = stack.enter_context(nginx(binary, ports[:1], root / "nginx-one"))
        two = stack.enter_context(nginx(binary, ports, root / "nginx-two"))
        yield one, two, pids


@contextmanager
def variants(cluster: Cluster, root: Path,
             envs: dict[str, dict[str, str]]) -> Iterator[dict[str, tuple[int, list[int]]]]:
    """For an A/B: two nodes per variant (its extra environment), nginx in front of each
    pair; variant → (nginx port, the nodes' process ids). All on the one database."""
    binary = nginx_binary()
    if binary is None:
        raise SystemExit("nginx is missing: scripts/bench-deps.sh installs it")
    out = {}
    with ExitStack() as stack:
        for i, (name, extra) in enumerate(envs.items()):
            ports, pids = [], []
            for node in cluster.homes:
                port = free_port()
                cmd = [sys.executable, "-m", "kyso", "serve", "--port", str(port),
                       "--workers", "1"]
                proc = stack.enter_context(running(cmd, cluster.env(node, port) | extra, port))
                ports.append(port)
                pids.append(proc.pid)
            out[name] = (stack.enter_context(nginx(binary, ports, root / f"nginx-variant{i}")),
                         pids)
        yield out


def ab(cluster: Cluster, plan: Plan, tmp: Path, envs: dict[str, dict[str, str]], reps: int,
       load: str = SPREAD, log: Any = print) -> dict[str, list[Finding]]:
    """Two nodes per variant, ``reps`` rounds; each round runs every variant once, in turn,
    sampled: throughput and the hot rows' hold time side by side."""
    found: dict[str, list[Finding]] = {name: [] for name in envs}
    c = plan.main_connections
    with variants(cluster, tmp, envs) as served:
        warm = cluster.mint(400, load, tmp / "warm.txt")
        rate = 1.5 * max([33.0] + [wrk(port, warm, None, 4, 1).rps
                                   for port, _ in served.values()])
        for _ in range(reps):
            for name, (port, pids) in served.items():
                sads = cluster.mint(sads_needed(rate, plan.seconds), load, tmp / "sads.txt")
                before = _cpu(pids)
                with Sampler(cluster.url) as sampler:
                    point = wrk(port, sads, None, c, plan.seconds)
                requests = point.rps * sampler.result.seconds
                cpu = (_cpu(pids) - before) * 1000 / requests if requests else 0.0
                rate = max(rate, point.rps)
                finding = Finding(f"{name}, 2 nodes, {_name(load, len(cluster.customers))}",
                                  point, sampler.result, cpu)
                found[name].append(finding)
                for line in explain(finding, c)[:1] + explain(finding, c)[-2:]:
                    log("  " + line)
    return found


# -- the sampler ------------------------------------------------------------------------------
_SAMPLE = """
WITH held AS (
  SELECT 'audit_head' AS tbl, unnest(pids) AS pid FROM pgrowlocks('audit_head')
  UNION ALL
  SELECT 'quota_accounts', unnest(pids) FROM pgrowlocks('quota_accounts'))
SELECT a.pid, a.state, a.wait_event_type, a.wait_event, left(a.query, 200),
       (SELECT string_agg(DISTINCT h.tbl, ',') FROM held h WHERE h.pid = a.pid)
FROM pg_stat_activity a
WHERE a.datname = current_database() AND a.pid <> pg_backend_pid()
  AND a.backend_type = 'client backend'
"""
_TABLE = re.compile(r"\b(?:FROM|UPDATE|INTO|JOIN)\s+\"?(\w+)", re.IGNORECASE)


def _state(state: str | None, wait_type: str | None, wait: str | None, query: str) -> str:
    """What one backend of a node is doing, in the words of the findings."""
    if state == "idle":
        return "idle (between transactions)"
    if state and state.startswith("idle in transaction"):
        return "in a transaction, waiting for the node"
    if wait_type == "Lock":
        tables = _TABLE.findall(query)
        return f"waiting for a lock ({wait}) on {tables[0] if tables else '?'}"
    if query.strip().upper().startswith("COMMIT"):
        return "committing" + (f" ({wait_type}:{wait})" if wait_type else "")
    if wait_type == "Client":
        return "sending to the node"
    return "running a statement" + (f" ({wait_type}:{wait})" if wait_type else "")


@dataclass
class Sampled:
    seconds: float = 0.0
    samples: int = 0
    states: Counter[str] = field(default_factory=Counter)  # backend-samples by state
    held: Counter[str] = field(default_factory=Counter)  # samples with the row locked
    holder: Counter[str] = field(default_factory=Counter)  # "table: holder's state"
    appends: int = 0  # audit records written during the window
    connections: int = 0  # the most connections the nodes had open at once


class Sampler:
    """``pg_stat_activity`` and ``pgrowlocks`` every ``interval`` seconds, on its own
    connection, until stopped."""

    def __init__(self, url: str, interval: float = 0.004) -> None:
        import psycopg

        self._conn = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"),
                                     autocommit=True)
        self._conn.execute("CREATE EXTENSION IF NOT EXISTS pgrowlocks")
        self._interval, self._stop = interval, threading.Event()
        self.result = Sampled()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _head(self) -> int:
        row = self._conn.execute("SELECT seq FROM audit_head").fetchone()
        return int(row[0]) if row else 0

    def __enter__(self) -> Sampler:
        self._first = self._head()
        self._started = time.monotonic()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.result.seconds = time.monotonic() - self._started
        self.result.appends = self._head() - self._first
        self._conn.close()

    def _run(self) -> None:
        r = self.result
        while not self._stop.is_set():
            rows = self._conn.execute(_SAMPLE).fetchall()
            r.samples += 1
            r.connections = max(r.connections, len(rows))
            held: set[str] = set()
            for _pid, state, wait_type, wait, query, holds in rows:
                what = _state(state, wait_type, wait, query or "")
                r.states[what] += 1
                for table in (holds or "").split(","):
                    if table:
                        held.add(table)
                        r.holder[f"{table}: {what}"] += 1
            for table in held:
                r.held[table] += 1
            time.sleep(self._interval)


# -- the runs -----------------------------------------------------------------------------------
@dataclass
class Pair:
    """One load at one connection count, on one node and on two, measured back to back."""

    load: str
    connections: int
    one: Point
    two: Point
    busy: tuple[float, float] = (0.0, 0.0)  # the machine's CPUs busy during each run


    @property
    def ratio(self) -> float:
        return self.two.rps / self.one.rps if self.one.rps else 0.0


@dataclass
class Finding:
    """A sampled run: throughput, then per signature the milliseconds in each state."""

    label: str
    point: Point
    sampled: Sampled
    cpu_ms: float  # the nodes' CPU time per signature


def _cpu(pids: list[int]) -> float:
    """CPU seconds (user + system) of these processes and their children so far."""
    total = 0.0
    for pid in pids:
        for p in [pid, *_descendants(pid)]:
            with suppress(OSError):  # ended meanwhile
                total += process_cpu(p)
    return total


def _descendants(pid: int) -> list[int]:
    try:
        kids = [int(k) for k in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []
    return kids + [d for k in kids for d in _descendants(k)]


def connections(plan: Plan) -> tuple[int, ...]:
    """The connection counts of the spread load: the plan's main count and above (one
    connection cannot use two nodes; fewer runs keep `make bench` under 10 minutes)."""
    return tuple(c for c in plan.connections if c >= plan.main_connections)


def measure(cluster: Cluster, plan: Plan, tmp: Path, *, sample: bool = True,
            log: Any = print) -> tuple[list[Pair], list[Finding]]:
    """The pairs (one node, two nodes) for the spread load at each of ``connections(plan)``
    and for the one-credential load at the plan's main count; then the sampled runs (one
    node and two with the spread load, two with one credential; the quick plan: two nodes
    with the spread load only)."""
    pairs: list[Pair] = []
    findings: list[Finding] = []
    with serving(cluster, tmp) as (one, two, pids):
        warm = cluster.mint(400, SPREAD, tmp / "warm.txt")
        # the warm-up's rate sizes the first batch of SADs (then the best rate seen)
        rate = 1.5 * max(33.0, wrk(one, warm, None, 4, 1).rps, wrk(two, warm, None, 4, 1).rps)

        def run(port: int, load: str, c: int) -> tuple[Point, float]:
            """The load on ``port``, and how busy the machine's CPUs were meanwhile (every
            process: the nodes, PostgreSQL, nginx, wrk; near 100 % a second node has no
            CPU to add on this machine)."""
            nonlocal rate
            sads = cluster.mint(sads_needed(rate, plan.seconds), load, tmp / "sads.txt")
            before = machine_ticks()
            point = wrk(port, sads, None, c, plan.seconds)
            busy = busy_share(before, machine_ticks())
            rate = max(rate, point.rps)
            return point, busy

        cases = [(SPREAD, c) for c in connections(plan)] + [(ONE, plan.main_connections)]
        for load, c in cases:
            (first, busy_one), (second, busy_two) = run(one, load, c), run(two, load, c)
            pair = Pair(load, c, first, second, (busy_one, busy_two))
            pairs.append(pair)
            log(f"  {_name(load, len(cluster.customers)):<24} {c:3d} conn.: 1 node "
                f"{pair.one.rps:5.0f} req/s (p99 {pair.one.p99:4.0f} ms, CPUs "
                f"{busy_one:4.0%} busy), 2 nodes {pair.two.rps:5.0f} req/s (p99 "
                f"{pair.two.p99:4.0f} ms, CPUs {busy_two:4.0%} busy) = {pair.ratio:.2f} ×"
                + (f"  ({pair.one.failed + pair.two.failed} failed)"
                   if pair.one.failed + pair.two.failed else ""))
        if not sample:
            return pairs, findings
        c = plan.main_connections
        sampled = ((1, one, SPREAD), (2, two, SPREAD), (2, two, ONE))
        for nodes, port, load in sampled if len(plan.connections) > 1 else sampled[1:2]:
            sads = cluster.mint(sads_needed(rate, plan.seconds), load, tmp / "sads.txt")
            used = pids[:nodes]
            before = _cpu(used)
            with Sampler(cluster.url) as sampler:
                point = wrk(port, sads, None, c, plan.seconds)
            cpu = _cpu(used) - before
            requests = point.rps * sampler.result.seconds
            label = f"{nodes} node{'s' if nodes > 1 else ''}, {_name(load, len(cluster.customers))}"
            finding = Finding(label, point, sampler.result,
                              cpu * 1000 / requests if requests else 0.0)
            findings.append(finding)
            for line in explain(finding, c):
                log("  " + line)
    return pairs, findings


def _name(load: str, customers: int) -> str:
    return f"{customers} credentials" if load == SPREAD else "1 credential"


def explain(f: Finding, connections: int) -> list[str]:
    """A sampled run in words: per signature, milliseconds in each backend state (Little's
    law: average backends in a state / requests per second), and each hot row's share of the
    wall time held."""
    s, rps = f.sampled, f.point.rps
    if not s.samples or not rps:
        return [f"{f.label}: nothing sampled"]
    latency = connections / rps * 1000  # ms a request spends in the system, on average
    lines = [f"{f.label}, {connections} conn. (sampled {s.samples} times in {s.seconds:.1f} s): "
             f"{rps:.0f} req/s, ~{latency:.0f} ms a request; the nodes' CPU "
             f"{f.cpu_ms:.1f} ms a signature; {s.appends / (rps * s.seconds):.1f} audit "
             f"records a signature; {s.connections} connections open at most"]
    busy = [(k, n) for k, n in s.states.most_common() if not k.startswith("idle")]
    for state, n in busy[:8]:
        ms = n / s.samples / rps * 1000
        lines.append(f"    {state:<58} {ms:6.2f} ms a signature ({ms / latency:5.1%} of it)")
    for table in ("audit_head", "quota_accounts"):
        share = s.held[table] / s.samples
        ms = share / rps * 1000  # the row's locked time per signature
        mine = [(k.split(": ", 1)[1], n) for k, n in s.holder.most_common()
                if k.startswith(table + ":")]
        total = sum(n for _, n in mine) or 1
        by = ", ".join(f"{k} {n / total:.0%}" for k, n in mine[:4])
        which = "row" if table == "audit_head" else "rows (any)"
        lines.append(f"    {table} {which} locked {share:5.1%} of the time = {ms:.2f} ms a "
                     f"signature (ceiling {rps / share if share else 0:.0f}/s); held while: "
                     f"{by or '—'}")
    return lines


def as_json(pairs: list[Pair], findings: list[Finding], connections: int,
            customers: int) -> dict[str, Any]:
    return {
        "customers": customers,
        "pairs": [{"load": p.load, "connections": p.connections, "one": p.one.__dict__,
                   "two": p.two.__dict__, "ratio": p.ratio, "cpus_busy": list(p.busy)}
                  for p in pairs],
        "findings": [{"label": f.label, "point": f.point.__dict__, "cpu_ms": f.cpu_ms,
                      "samples": f.sampled.samples, "seconds": f.sampled.seconds,
                      "appends": f.sampled.appends, "connections": f.sampled.connections,
                      "states": dict(f.sampled.states),
                      "held": dict(f.sampled.held), "holder": dict(f.sampled.holder),
                      "explained": explain(f, connections)} for f in findings]}


def summarize(found: dict[str, list[Finding]]) -> None:
    for name, runs in found.items():
        rps = [f.point.rps for f in runs]
        head = [f.sampled.held["audit_head"] / max(1, f.sampled.samples) / f.point.rps * 1000
                for f in runs if f.point.rps]
        print(f"{name:<20} req/s {' '.join(f'{r:.0f}' for r in rps)} (mean "
              f"{sum(rps) / len(rps):.0f}); audit_head held "
              f"{' '.join(f'{h:.1f}' for h in head)} ms a signature; nodes' CPU "
              f"{' '.join(f'{f.cpu_ms:.1f}' for f in runs)} ms a signature")


def main() -> None:
    from serve import FULL, QUICK

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--pg", default=os.environ.get("KYSO_BENCH_PG", PG_DEFAULT))
    parser.add_argument("--customers", type=int, default=CUSTOMERS)
    parser.add_argument("--no-sample", action="store_true")
    parser.add_argument("--seconds", type=float, help="each run's length (the plan's if not)")
    parser.add_argument("--json", type=Path, help="write the results there")
    parser.add_argument("--ab-switch", type=float, metavar="MS",
                        help="A/B instead: the nodes as they are against nodes whose Python "
                             "switches threads every MS milliseconds (sys.setswitchinterval)")
    parser.add_argument("--ab-audit", action="store_true",
                        help="A/B instead: two nodes with KYSO_AUDIT_CHAIN=inline against two "
                             "with batched (the audit chain's group commit), sampled")
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: scripts/bench-deps.sh installs it")
    plan = QUICK if args.quick else FULL
    if args.seconds:
        plan = replace(plan, seconds=args.seconds)
    print(f"load average {os.getloadavg()[0]:.1f} at start", flush=True)
    with tempfile.TemporaryDirectory() as name, pg_database(args.pg) as url:
        cluster = make_cluster(Path(name), url, args.customers)
        try:
            if args.ab_audit:
                found = ab(cluster, plan, Path(name), {
                    "inline": {"KYSO_AUDIT_CHAIN": "inline"},
                    "batched": {"KYSO_AUDIT_CHAIN": "batched"}},
                    args.reps, log=lambda line: print(line, flush=True))
                summarize(found)
                return
            if args.ab_switch:
                site = Path(name) / "switch"
                site.mkdir()
                (site / "sitecustomize.py").write_text(
                    f"import sys\nsys.setswitchinterval({args.ab_switch / 1000!r})\n")
                found = ab(cluster, plan, Path(name), {
                    "as is": {}, f"switch {args.ab_switch} ms": {"PYTHONPATH": str(site)}},
                    args.reps, log=lambda line: print(line, flush=True))
                summarize(found)
                return
            pairs, findings = measure(cluster, plan, Path(name), sample=not args.no_sample,
                                      log=lambda line: print(line, flush=True))
        finally:
            cluster.container.close()
    print(f"load average {os.getloadavg()[0]:.1f} at the end")
    if args.json:
        args.json.write_text(json.dumps(as_json(pairs, findings, plan.main_connections,
                                                args.customers), indent=1))


if __name__ == "__main__":
    sys.modules.setdefault("nodes", sys.modules["__main__"])
    main()
