"""`make bench`: the real `kyso serve` under load, next to the floors measured in the same run.

What runs (all on this machine, in one run, so the ratios compare like with like):

* floors — raw `cryptography` RSA-2048 PKCS#1 v1.5 signing on one core and on every usable
  core (one process each); a bare ASGI app (bench/floor_app.py: parse, sign, write one SQLite
  row) under uvicorn with 2 workers and the same load; in-process pyHanko with a parsed key
  (bench/sign.py); privacyIDEA in a throwaway venv (bench/otp_peer.py);
* kyso — `python -m kyso serve` (SQLite and PostgreSQL, 1 and 2 workers) loaded by Debian's
  `wrk` (bench/wrk_sign.lua) with CSC `signatures/signHash`, 1 hash a request, every request
  with its own SAD minted beforehand (the OTP check is not what is measured), at several
  connection counts (at the table's 8, the median of 3 runs, each printed); 50 hashes a
  request with the server and the floor on one core (the median of 3 runs, each between two
  measures of the floor); PDF `signDoc` (PAdES B-B, 1 MB); OTP
  verification against privacyIDEA;
* nodes — one `kyso serve --workers 1` node against two (homes of their own, one PostgreSQL
  database, one master key) behind nginx, the load over several credentials and on one, and
  where the cluster's signatures wait for each other (bench/nodes.py: lock sampling);
* memory — the RSS of the workers after the load, and the peak RSS of the worker that signs
  a large PDF through `signatures/signDoc` (JSON: bounded by its body, reported) and through
  the REST upload, confirmation and download (target ≤ 3 × the file; bench/memory.py alone).

It prints one table of ratios against the targets of issue 14 and writes
``bench-results/bench.json`` and ``bench-results/bench.png`` (throughput and p99 against
connections). Not a test: numbers depend on the machine and on what else runs on it.

    .venv/bin/python bench/serve.py [--quick] [--pg URL] [--no-peer] [--out DIR]
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import multiprocessing as mp
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import Any

import httpx
from sign import RSA_SHA256, customer, pades_once, proof, raw_rate
from sqlalchemy import text

from kyso.bootstrap import Container
from kyso.config import Settings
from kyso.keys.model import HashAlgorithm
from kyso.otp.factors import FactorProof

HERE = Path(__file__).resolve().parent
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
CHEAP = {"KYSO_ARGON2_MEMORY_KIB": "1024", "KYSO_ARGON2_TIME_COST": "1"}
WRK_THREADS = 2


@dataclass(frozen=True)
class Plan:
    seconds: float
    connections: tuple[int, ...]
    main_connections: int
    main_runs: int  # runs at main_connections, the median one kept (one run can be an outlier)
    pdfs: int
    big_pdf_mb: int
    otp_tokens: int


FULL = Plan(seconds=5, connections=(1, 4, 8, 16), main_connections=8, main_runs=3, pdfs=15,
            big_pdf_mb=100, otp_tokens=100)
QUICK = Plan(seconds=2, connections=(8,), main_connections=8, main_runs=1, pdfs=5,
             big_pdf_mb=20,
             otp_tokens=100)  # privacyIDEA's: its 10 s of wrk take some 200 codes


@dataclass
class Point:
    rps: float
    p50: float
    p99: float
    failed: int


@dataclass
class Results:
    machine: str = ""
    raw_one: float = 0.0
    raw_all: float = 0.0
    floor_app: Point | None = None
    curves: dict[str, dict[int, Point]] = field(default_factory=dict)
    fifty: float = 0.0  # the median run's signatures/s (by its ratio to raw RSA)
    fifty_raw_one: float = 0.0  # and raw RSA on that CPU around it
    fifty_runs: list[tuple[float, float]] = field(default_factory=list)  # every run's pair
    pdf: tuple[float, float] = (0.0, 0.0)  # signDoc, pyHanko: wall ms (medians)
    pdf_cpu: tuple[float, float] = (0.0, 0.0)  # the same, CPU ms, means (server + sandbox)
    otp: tuple[float, float] | None = None
    rss_workers: list[float] = field(default_factory=list)
    big_pdf: tuple[int, float] | None = None
    big_pdf_children: float = 0.0
    big_pdf_rest: float = 0.0
    nodes: dict[str, Any] = field(default_factory=dict)  # bench/nodes.py's as_json


# -- kyso: a home, a customer, SADs --------------------------------------------------------
@dataclass
class Kyso:
    home: Path
    db_url: str | None
    container: Container
    token: str
    account_id: str
    credential_id: str
    proof: FactorProof

    def env(self, port: int, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("KYSO_")}
        env |= {"KYSO_HOME": str(self.home), "KYSO_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
                **CHEAP, **extra}
        if self.db_url:
            env["KYSO_DATABASE_URL"] = self.db_url
        return env

    def mint(self, count: int, per_sad: int, path: Path) -> Path:
        """``count`` SADs of ``per_sad`` fresh digests each, one line a SAD, for wrk."""
        credential = self.container.signing.credential(self.account_id, self.credential_id)
        with path.open("w") as out:
            for start in range(0, count, 500):
                with self.container.uow() as uow:
                    for _ in range(min(500, count - start)):
                        digests = [os.urandom(32) for _ in range(per_sad)]
                        grant = self.container.signing.grant(
                            uow, credential, digests, HashAlgorithm.SHA256, self.proof)
                        hashes = ",".join(base64.b64encode(d).decode() for d in digests)
                        out.write(f"{grant.sad} {hashes}\n")
                    uow.commit()
        # the grants' audit events chained now (batched mode), not by the servers mid-load
        self.container.audit_sequencer.run_once(wait=True)
        return path

    def receipts_due(self) -> int:
        """Signing receipts not made yet."""
        with self.container.engine.connect() as conn:
            return int(conn.execute(text(
                "SELECT count(*) FROM signing_receipts WHERE receipt_sha256 IS NULL"),
            ).scalar_one())

    def settle(self, timeout: float = 120.0) -> tuple[int, float]:
        """Wait for the server to make the receipts a run left due (its worker's duty), so
        the next run is not billed for them: how many were due, and the seconds it took."""
        due, started = self.receipts_due(), time.perf_counter()
        while self.receipts_due() and time.perf_counter() - started < timeout:
            time.sleep(0.2)
        return due, time.perf_counter() - started

    def sad_for(self, digest: bytes) -> str:
        credential = self.container.signing.credential(self.account_id, self.credential_id)
        with self.container.uow() as uow:
            sad = self.container.signing.grant(uow, credential, [digest],
                                               HashAlgorithm.SHA256, self.proof).sad
            uow.commit()
        return sad


def make_kyso(home: Path, db_url: str | None, document_mb: int) -> Kyso:
    container, token, credential_id = customer(Settings(
        home=home, database_url=db_url, pki_ca_key="rsa-2048",
        document_max_bytes=document_mb * 1024 * 1024 + 1024))
    account_id = container.accounts.authenticate(token)[0].id
    return Kyso(home, db_url, container, token, account_id, credential_id,
                proof(container, account_id))


@contextmanager
def pg_database(server_url: str) -> Iterator[str]:
    """A fresh PostgreSQL database for one run, dropped afterwards."""
    import psycopg

    name = f"kyso_bench_{uuid.uuid4().hex[:8]}"
    dsn = server_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield server_url.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(port: int, proc: subprocess.Popen[bytes], path: str = "/healthz") -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server on port {port} exited ({proc.returncode})")
        with suppress(httpx.TransportError):
            if httpx.get(f"http://127.0.0.1:{port}{path}", timeout=2).status_code < 500:
                return
        time.sleep(0.2)
    proc.kill()
    raise SystemExit(f"the server on port {port} did not start")


@contextmanager
def running(cmd: list[str], env: dict[str, str], port: int, *, cpu: int | None = None,
            path: str = "/healthz") -> Iterator[subprocess.Popen[bytes]]:
    def pinned() -> None:
        if cpu is not None:
            os.sched_setaffinity(0, {cpu})

    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            preexec_fn=pinned)
    try:
        _wait(port, proc, path)
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def kyso_serve(k: Kyso, workers: int, port: int, *, cpu: int | None = None,
               **extra: str) -> Any:
    cmd = [sys.executable, "-m", "kyso", "serve", "--port", str(port), "--workers",
           str(workers)]
    mb = str(k.container.settings.document_max_bytes)
    return running(cmd, k.env(port, KYSO_DOCUMENT_MAX_BYTES=mb,
                              KYSO_MAX_BODY_BYTES=str(2 * int(mb)), **extra), port, cpu=cpu)


# -- the load -------------------------------------------------------------------------------
def wrk(port: int, sads: Path, k: Kyso | None, connections: int, seconds: float,
        path: str = "/csc/v2/signatures/signHash", cpu: int | None = None) -> Point:
    threads = min(WRK_THREADS, connections)
    env = os.environ | {"BENCH_SADS": str(sads), "BENCH_TOKEN": k.token if k else "-",
                        "BENCH_CREDENTIAL": k.credential_id if k else "-",
                        "BENCH_THREADS": str(threads), "BENCH_PATH": path}
    cmd = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{max(1, round(seconds))}s",
           "--timeout", "10s", "-s", str(HERE / "wrk_sign.lua"), f"http://127.0.0.1:{port}"]
    if cpu is not None:
        cmd = ["taskset", "-c", str(cpu), *cmd]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stdout
    line = next(x for x in out.splitlines() if x.startswith('{"requests"'))
    r = json.loads(line)
    ok = r["requests"] - r["non2xx"] - r["socket_errors"]
    return Point(ok / r["seconds"], r["p50"], r["p99"], r["non2xx"] + r["socket_errors"])


def sads_needed(rps_guess: float, seconds: float) -> int:
    # twice the best rate so far: a run at more connections may nearly double it (SQLite, 2
    # workers: 1 → 4 connections, 1.8 ×), and a run past its SADs counts the rest as failed
    return int(rps_guess * (seconds + 0.5) * 2) + 200


def sweep(k: Kyso, label: str, workers: int, plan: Plan, tmp: Path, res: Results) -> None:
    port = free_port()
    curve: dict[int, Point] = {}
    with kyso_serve(k, workers, port) as proc:
        warm = k.mint(200, 1, tmp / "warm.txt")
        wrk(port, warm, k, 4, 1)
        rate = 600.0 * workers  # a guess, then the best rate seen: enough SADs, not many more
        for c in plan.connections:
            runs = []
            for _ in range(plan.main_runs if c == plan.main_connections else 1):
                sads = k.mint(sads_needed(rate, plan.seconds), 1, tmp / f"sads-{c}.txt")
                runs.append(wrk(port, sads, k, c, plan.seconds))
                rate = max(rate, runs[-1].rps)
                due, took = k.settle()  # each run makes its own receipts, not the last's
                print(f"    {due} receipts due after the run, made in {took:.1f} s",
                      flush=True)
            # the table's point: the median run by throughput, every run printed
            curve[c] = point = sorted(runs, key=lambda r: r.rps)[len(runs) // 2]
            each = ", ".join(f"{r.rps:.0f} req/s p99 {r.p99:.0f} ms" for r in runs)
            print(f"  {label:<22} {c:3d} connections: {point.rps:7.0f} req/s  "
                  f"p50 {point.p50:6.1f} ms  p99 {point.p99:6.1f} ms"
                  + (f"  ({point.failed} failed)" if point.failed else "")
                  + (f"  (median of {len(runs)} runs: {each})" if len(runs) > 1 else ""),
                  flush=True)
        if label == "SQLite, 2 workers":
            res.rss_workers = worker_rss(proc.pid)
    res.curves[label] = curve


def worker_rss(pid: int) -> list[float]:
    """The resident memory (MB) of each worker of ``kyso serve`` (the process itself when
    it serves alone)."""
    kids = [k for k in _children(pid)
            if b"resource_tracker" not in Path(f"/proc/{k}/cmdline").read_bytes()]
    return [_status(k, "VmRSS") for k in kids or [pid]]


def _children(pid: int) -> list[int]:
    return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def descendants(pid: int) -> list[int]:
    """The children of every thread of ``pid`` and theirs: a sandbox child is the child of
    the worker thread that started it, which ``/proc/PID/task/PID/children`` (the main
    thread's, :func:`_children`) does not list."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        with suppress(OSError):
            for child in (task / "children").read_text().split():
                found += [int(child), *descendants(int(child))]
    return found


def _status(pid: int, field_name: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field_name + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


# -- floors -----------------------------------------------------------------------------------
def _raw_worker(seconds: float, out: Any) -> None:
    out.put(raw_rate(seconds))


def raw_all_cores(seconds: float) -> float:
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    procs = [ctx.Process(target=_raw_worker, args=(seconds, out))
             for _ in os.sched_getaffinity(0)]
    for p in procs:
        p.start()
    total = sum(out.get() for _ in procs)
    for p in procs:
        p.join()
    return total


def floor_app(plan: Plan, tmp: Path) -> Point:
    port = free_port()
    sads = tmp / "floor.txt"
    with sads.open("w") as f:
        for _ in range(2000):
            f.write(f"- {base64.b64encode(os.urandom(32)).decode()}\n")
    env = os.environ | {"BENCH_FLOOR_DB": str(tmp / "floor.db")}
    cmd = [sys.executable, str(HERE / "floor_app.py"), str(port), "2"]
    with running(cmd, env, port, path="/"):
        wrk(port, sads, None, 4, 1, path="/sign")
        return wrk(port, sads, None, plan.main_connections, plan.seconds, path="/sign")


def pdf_of(size: int) -> bytes:
    """A one-page PDF of about ``size`` bytes (an incompressible stream), by pyHanko."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.writer import PdfFileWriter

    writer = PdfFileWriter()
    name = generic.pdf_name
    content = writer.add_object(generic.StreamObject(stream_data=b"BT ET"))
    filler = writer.add_object(generic.StreamObject(stream_data=os.urandom(size)))
    writer.insert_page(generic.DictionaryObject({
        name("/Type"): name("/Page"), name("/Contents"): content,
        name("/KysoFiller"): filler,
        name("/MediaBox"): generic.ArrayObject([generic.NumberObject(n)
                                                for n in (0, 0, 595, 842)])}))
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def sign_doc(http: httpx.Client, k: Kyso, pdf: bytes) -> float:
    return sign_doc_cpu(http, k, pdf)[0]


def sign_doc_cpu(http: httpx.Client, k: Kyso, pdf: bytes,
                 server: int | None = None) -> tuple[float, float]:
    """One signDoc: (wall seconds at the client, CPU seconds of the ``server`` process and
    its children — the PDF sandbox — while it ran; 0 without a pid). The JSON body is made
    before the clock starts."""
    sad = k.sad_for(hashlib.sha256(pdf).digest())
    body = json.dumps({"credentialID": k.credential_id, "SAD": sad, "documents": [{
        "document": base64.b64encode(pdf).decode(), "signature_format": "P",
        "signAlgo": RSA_SHA256, "conformance_level": "Ades-B-B"}]}).encode()
    cpu = server_cpu(server) if server else 0.0
    start = time.perf_counter()
    r = http.post("/csc/v2/signatures/signDoc", content=body,
                  headers={"Authorization": f"Bearer {k.token}",
                           "Content-Type": "application/json"})
    spent = time.perf_counter() - start
    if r.status_code != 200:
        raise SystemExit(f"signDoc failed: {r.status_code} {r.text[:300]}")
    return spent, (server_cpu(server) - cpu if server else 0.0)


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) of the process ``pid`` so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # fields 14, 15


def server_cpu(pid: int) -> float:
    """CPU seconds (user + system) of ``pid`` and its live descendants (the sandbox's
    children included)."""
    return sum(process_cpu(one) for one in [pid, *descendants(pid)])


def machine_ticks() -> tuple[int, int]:
    """The whole machine's CPU time so far (``/proc/stat``): busy and total, in ticks."""
    ticks = [int(t) for t in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    idle = ticks[3] + ticks[4]  # idle, iowait
    return sum(ticks) - idle, sum(ticks)


def busy_share(before: tuple[int, int], after: tuple[int, int]) -> float:
    """The share of the machine's CPU time that was busy between two :func:`machine_ticks`."""
    total = after[1] - before[1]
    return (after[0] - before[0]) / total if total else 0.0


def reset_peak(pid: int) -> None:
    Path(f"/proc/{pid}/clear_refs").write_text("5")


def sms_code(k: Kyso) -> str:
    container = k.container
    container.outbox_worker().run_once()
    with container.uow() as uow:
        for message in uow.outbox.recent(20):
            if message.account_id == k.account_id and message.purpose == "SIGN":
                text = container.notifier.open_body(message).text
                return next(w.strip(";.") for w in text.split()
                            if w.strip(";.").isdigit() and len(w.strip(";.")) == 6)
    raise SystemExit("no SMS code in the outbox")


def rest_sign(http: httpx.Client, k: Kyso, pdf: Path, out: Path) -> int:
    """Upload, confirm, download to ``out``; the signed size."""
    headers = {"Authorization": f"Bearer {k.token}"}
    with pdf.open("rb") as body:
        r = http.post("/api/v1/documents", content=body, params={"level": "B-B"},
                      headers=headers | {"Content-Type": "application/pdf",
                                         "Content-Length": str(pdf.stat().st_size)})
    if r.status_code != 201:
        raise SystemExit(f"upload failed: {r.status_code} {r.text[:300]}")
    document = r.json()
    r = http.post(f"/api/v1/transactions/{document['transaction']['id']}/confirm",
                  json={"otp": sms_code(k)}, headers=headers)
    if r.status_code != 200:
        raise SystemExit(f"confirm failed: {r.status_code} {r.text[:300]}")
    with http.stream("GET", f"/api/v1/documents/{document['id']}/download",
                     headers=headers) as r, out.open("wb") as f:
        if r.status_code != 200:
            raise SystemExit(f"download failed: {r.status_code}")
        for part in r.iter_bytes(2**20):
            f.write(part)
    return out.stat().st_size


def pdf_and_fifty(k: Kyso, plan: Plan, tmp: Path, res: Results) -> None:
    """One worker pinned to one CPU (wrk on the other): 50 hashes a request against raw RSA
    on that CPU; signDoc of a 1 MB PDF against in-process pyHanko; the peak RSS of the
    worker signing a big PDF."""
    cpus = sorted(os.sched_getaffinity(0))
    server_cpu, client_cpu = cpus[0], cpus[-1]
    port = free_port()
    with kyso_serve(k, 1, port, cpu=server_cpu, KYSO_OTP_RESEND_SECONDS="0") as proc:
        sads = [k.mint(int(60 * (plan.seconds + 1) * 1.5) + 20, 50, tmp / f"fifty{run}.txt")
                for run in range(plan.main_runs)]
        # warmed as loaded: 4 connections, so the group commit's path is warm too
        wrk(port, k.mint(60, 50, tmp / "warm50.txt"), k, 4, 1, cpu=client_cpu)
        k.settle()  # the receipts of the runs before made first, not during these
        # as the main rows: several runs, the median kept (one run can be an outlier: on a
        # shared host, 5 s runs of one server read 0.88 to 0.99 × within a minute), each
        # between two measures of raw RSA on the server's CPU (the CPU is shared)
        os.sched_setaffinity(0, {server_cpu})
        raw = [raw_rate(min(plan.seconds, 2))]
        for run in range(plan.main_runs):
            point = wrk(port, sads[run], k, 4, plan.seconds, cpu=client_cpu)
            raw.append(raw_rate(min(plan.seconds, 2)))
            res.fifty_runs.append((point.rps * 50, (raw[-2] + raw[-1]) / 2))
            print(f"  50 hashes a request, run {run + 1}: {point.rps * 50:.0f} sig/s = "
                  f"{res.fifty_runs[-1][0] / res.fifty_runs[-1][1]:.3f} × raw RSA "
                  f"({res.fifty_runs[-1][1]:.0f}/s)", flush=True)
            k.settle()  # each run makes its own receipts, not the last's
        res.fifty, res.fifty_raw_one = sorted(
            res.fifty_runs, key=lambda r: r[0] / r[1])[len(res.fifty_runs) // 2]
        pdf = pdf_of(1024 * 1024)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=600) as http:
            # the same 1 MB PDF, RSA-2048 and PAdES B-B on both sides, interleaved (API,
            # pyHanko, API, …: the machine's load changes under a run), after a warm-up each
            pades = pades_once()
            sign_doc(http, k, pdf), pades(pdf)
            api, here = [], []
            for _ in range(plan.pdfs):
                api.append(sign_doc_cpu(http, k, pdf, proc.pid))
                here.append(pades(pdf))
            os.sched_setaffinity(0, set(cpus))
            res.pdf = (statistics.median(a[0] for a in api) * 1000,
                       statistics.median(h[0] for h in here) * 1000)
            # CPU: means (the server's is counted in clock ticks, 10 ms: a median would
            # round each request to a tick)
            res.pdf_cpu = (statistics.mean(a[1] for a in api) * 1000,
                           statistics.mean(h[1] for h in here) * 1000)
            big = pdf_of(plan.big_pdf_mb * 1024 * 1024)
            before = _status(proc.pid, "VmHWM")
            sign_doc(http, k, big)
            res.big_pdf = (len(big), _status(proc.pid, "VmHWM"))
            res.big_pdf_children = max((_status(c, "VmHWM") for c in descendants(proc.pid)),
                                       default=0.0)
            print(f"  big PDF: worker peak RSS {before:.0f} MB before, "
                  f"{res.big_pdf[1]:.0f} MB after signing {len(big) / 2**20:.0f} MB; "
                  f"its largest child (the PDF sandbox) peaked at "
                  f"{res.big_pdf_children:.0f} MB", flush=True)
            (tmp / "big.pdf").write_bytes(big)
            del big
            reset_peak(proc.pid)  # the REST path's own peak (upload, confirm, download)
            rest_sign(http, k, tmp / "big.pdf", tmp / "big-signed.pdf")
            res.big_pdf_rest = _status(proc.pid, "VmHWM")
            print(f"  big PDF by REST: worker peak RSS {res.big_pdf_rest:.0f} MB", flush=True)
    os.sched_setaffinity(0, set(cpus))


def otp_vs_peer(plan: Plan) -> tuple[float, float] | None:
    """bench/otp_peer.py in a subprocess: (ratio kyso / privacyIDEA, kyso's p99 in ms)."""
    out = subprocess.run([sys.executable, str(HERE / "otp_peer.py"), "--tokens",
                          str(plan.otp_tokens), "--concurrency", "8"],
                         capture_output=True, text=True, timeout=900)
    if out.returncode != 0:
        print(f"  otp_peer.py failed: {out.stderr.strip()[-300:]}", flush=True)
        return None
    ratio = p99 = 0.0
    for line in out.stdout.splitlines():
        if line.startswith("ratio kyso / privacyIDEA"):
            ratio = float(line.split(":")[1])
        if line.startswith("kyso"):
            p99 = float(line.split("p99")[1].split("ms")[0])
    return ratio, p99


# -- the table ------------------------------------------------------------------------------
def table(res: Results, main: int) -> list[str]:
    def curve(label: str) -> Point | None:
        return res.curves.get(label, {}).get(main)

    rows: list[tuple[str, str, str, bool | None]] = []
    # on a busy machine the processes of the all-core floor may get less than one core
    raw = max(res.raw_all, res.raw_one)
    for label, target in (("SQLite, 2 workers", 0.15), ("PostgreSQL, 2 workers", 0.10)):
        p = curve(label)
        if p is not None:
            ratio = p.rps / raw
            rows.append((f"signHash 1 hash, {label}, {main} conn.",
                         f"{p.rps:.0f} req/s = {ratio:.3f} × raw RSA ({raw:.0f}/s); "
                         f"p99 {p.p99:.0f} ms",
                         f"≥ {target} ×, p99 ≤ 50 ms", ratio >= target and p.p99 <= 50))
    for label in ("SQLite, 1 worker", "PostgreSQL, 1 worker"):
        p = curve(label)
        if p is not None:
            rows.append((f"signHash 1 hash, {label}, {main} conn.",
                         f"{p.rps:.0f} req/s = {p.rps / raw:.3f} × raw RSA; "
                         f"p99 {p.p99:.0f} ms", "(for the plot)", None))
    if res.floor_app is not None:
        f = res.floor_app
        best = curve("SQLite, 2 workers")
        against = f" ; kyso/floor {best.rps / f.rps:.2f}" if best else ""
        rows.append((f"bare ASGI app: sign + 1 SQLite row, 2 workers, {main} conn.",
                     f"{f.rps:.0f} req/s = {f.rps / raw:.3f} × raw RSA{against}",
                     "(floor)", None))
    if res.fifty:
        ratio = res.fifty / res.fifty_raw_one
        runs = (" (runs " + ", ".join(f"{s / r:.2f}" for s, r in res.fifty_runs) + ")"
                if len(res.fifty_runs) > 1 else "")
        rows.append(("signHash 50 hashes, 1 worker on 1 CPU",
                     f"{res.fifty:.0f} sig/s = {ratio:.2f} × raw RSA on that CPU{runs}",
                     "≥ 0.9 ×", ratio >= 0.9))
    if res.otp is not None:
        ratio, p99 = res.otp
        rows.append(("OTP verify over HTTP vs privacyIDEA 3.14",
                     f"{ratio:.1f} ×, kyso p99 {p99:.0f} ms", "≥ 25 ×, p99 ≤ 50 ms",
                     ratio >= 25 and p99 <= 50))
    if res.pdf[1]:
        api, here = res.pdf
        cpu = (f"; CPU {res.pdf_cpu[0]:.0f} / {res.pdf_cpu[1]:.0f} ms = "
               f"{res.pdf_cpu[0] / res.pdf_cpu[1]:.2f} ×" if res.pdf_cpu[1] else "")
        rows.append(("PDF signDoc B-B, 1 MB, vs in-process pyHanko",
                     f"{api:.0f} ms / {here:.0f} ms = {api / here:.2f} ×{cpu}", "≤ 1.5 ×",
                     api / here <= 1.5))
    if res.rss_workers:
        worst = max(res.rss_workers)
        rows.append(("worker RSS after the load (SQLite, 2 workers)",
                     " / ".join(f"{r:.0f}" for r in res.rss_workers) + " MB", "≤ 200 MB",
                     worst <= 200))
    if res.big_pdf is not None:
        size, peak = res.big_pdf
        mb = size / 2**20
        child = (f" (PDF sandbox child {res.big_pdf_children:.0f} MB)"
                 if res.big_pdf_children else "")
        rows.append((f"peak RSS of the worker signing a {mb:.0f} MB PDF (signDoc)",
                     f"{peak:.0f} MB = {peak / mb:.1f} × its size{child}",
                     "(JSON: see DOCUMENTS.md)", None))
        if res.big_pdf_rest:
            rest = res.big_pdf_rest
            rows.append((f"peak RSS of the worker signing a {mb:.0f} MB PDF (REST upload)",
                         f"{rest:.0f} MB = {rest / mb:.1f} × its size", "≤ 3 ×",
                         rest / mb <= 3))
    rows += node_rows(res, main)
    rows.append(("growth 1 k → 1 M accounts, 10 M audit records", "not measured by this run",
                 "flat ± 10 %", None))
    width = max(len(r[0]) for r in rows)
    vwidth = max(len(r[1]) for r in rows)
    lines = [f"| {'measure':<{width}} | {'measured':<{vwidth}} | target | |",
             f"|{'-' * (width + 2)}|{'-' * (vwidth + 2)}|---|---|"]
    for name, value, target, ok in rows:
        mark = "" if ok is None else ("yes" if ok else "**no**")
        lines.append(f"| {name:<{width}} | {value:<{vwidth}} | {target} | {mark} |")
    return lines


def node_rows(res: Results, main: int) -> list[tuple[str, str, str, bool | None]]:
    """The rows of bench/nodes.py: two nodes against one, and the hot rows' share of time."""
    rows: list[tuple[str, str, str, bool | None]] = []
    one, two = (res.curves.get(f"PostgreSQL, {w}", {}).get(main) for w in ("1 worker",
                                                                          "2 workers"))
    workers = f"; 2 workers / 1 worker, one node: {two.rps / one.rps:.2f} ×" if one and two \
        else ""
    for pair in res.nodes.get("pairs", []):
        if pair["connections"] != main and pair["load"] == "spread":
            continue
        who = (f"{res.nodes.get('customers', '?')} credentials" if pair["load"] == "spread"
               else "1 credential")
        a, b = pair["one"], pair["two"]
        rows.append((f"signHash via nginx, PostgreSQL, {who}, 2 nodes / 1 node, "
                     f"{pair['connections']} conn.",
                     f"{b['rps']:.0f} / {a['rps']:.0f} req/s = {pair['ratio']:.2f} ×; "
                     f"p99 {b['p99']:.0f} / {a['p99']:.0f} ms",
                     f"grows with nodes (issue 15){workers}", None))
    for f in res.nodes.get("findings", []):
        rps, samples = f["point"]["rps"], max(1, f["samples"])
        held = []
        for table in ("audit_head", "quota_accounts"):
            share = f["held"].get(table, 0) / samples
            held.append(f"{table} {share:.0%} ({share / rps * 1000:.1f} ms/sig.)"
                        if rps else f"{table} —")
        rows.append((f"rows locked, {f['label']} ({rps:.0f} req/s, sampled)",
                     ", ".join(held), "(bench/nodes.py)", None))
    return rows


def plot(res: Results, path: Path) -> bool:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("(matplotlib missing: pip install -c requirements.lock -r bench/requirements.txt)")
        return False
    fig, (a, b) = plt.subplots(1, 2, figsize=(11, 4.2))
    for label, curve in res.curves.items():
        xs = sorted(curve)
        a.plot(xs, [curve[x].rps for x in xs], marker="o", label=label)
        b.plot(xs, [curve[x].p99 for x in xs], marker="o", label=label)
    if res.floor_app is not None:
        a.axhline(res.floor_app.rps, color="grey", ls="--", label="bare ASGI app (floor)")
    a.axhline(max(res.raw_all, res.raw_one) * 0.15, color="red", ls=":",
              label="target SQLite (0.15 × raw)")
    b.axhline(50, color="red", ls=":", label="target p99 50 ms")
    a.set(title="signHash, 1 hash a request", xlabel="connections", ylabel="requests/s")
    b.set(title="p99 latency", xlabel="connections", ylabel="ms")
    a.legend(fontsize=7)
    b.legend(fontsize=7)
    fig.suptitle(res.machine, fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    return True


def load(path: Path) -> Results:
    data = json.loads(path.read_text())
    res = Results(**{k: v for k, v in data.items() if k not in ("floor_app", "curves")})
    res.floor_app = Point(**data["floor_app"]) if data.get("floor_app") else None
    res.curves = {label: {int(c): Point(**p) for c, p in curve.items()}
                  for label, curve in data["curves"].items()}
    res.pdf = tuple(res.pdf)  # type: ignore[assignment]
    res.pdf_cpu = tuple(res.pdf_cpu)  # type: ignore[assignment]
    res.big_pdf = tuple(res.big_pdf) if res.big_pdf else None  # type: ignore[assignment]
    res.otp = tuple(res.otp) if res.otp else None  # type: ignore[assignment]
    return res


def nodes_run(server: str, plan: Plan, tmp: Path, res: Results) -> None:
    """bench/nodes.py: one node against two behind nginx, then the lock sampling."""
    sys.modules.setdefault("serve", sys.modules[__name__])  # nodes.py imports this module
    import nodes

    with pg_database(server) as url:
        cluster = nodes.make_cluster(tmp / "nodes", url, nodes.CUSTOMERS)
        try:
            pairs, findings = nodes.measure(cluster, plan, tmp / "nodes",
                                            log=lambda line: print(line, flush=True))
        finally:
            cluster.container.close()
    res.nodes = nodes.as_json(pairs, findings, plan.main_connections, nodes.CUSTOMERS)
    for pair in pairs:
        if pair.load == nodes.SPREAD:
            for n, point in ((1, pair.one), (2, pair.two)):
                label = f"PostgreSQL via nginx, {n} node{'s' if n > 1 else ''} × 1 worker"
                res.curves.setdefault(label, {})[pair.connections] = point


def machine() -> str:
    model = next((line.split(":", 1)[1].strip() for line in
                  Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor())
    load = os.getloadavg()[0]
    return (f"{len(os.sched_getaffinity(0))} usable CPUs ({model}), Python "
            f"{platform.python_version()}, {platform.system()} {platform.release()}; "
            f"load average {load:.1f} at start")


def audit_ab(pg: str, plan: Plan, tmp: Path, reps: int, workers: int = 2) -> None:
    """The PostgreSQL signHash row, KYSO_AUDIT_CHAIN=inline against batched: both servers
    run at once on one database, loaded in turn (``reps`` rounds): interleaved, so the
    busy machine weighs on both alike. Prints each round and the medians."""
    modes = ("inline", "batched")
    found: dict[str, list[Point]] = {m: [] for m in modes}
    c = plan.main_connections
    with pg_database(pg) as url:
        k = make_kyso(tmp / "pg-ab", url, 2)
        ports = {m: free_port() for m in modes}
        with kyso_serve(k, workers, ports["inline"], KYSO_AUDIT_CHAIN="inline"), \
                kyso_serve(k, workers, ports["batched"], KYSO_AUDIT_CHAIN="batched"):
            rate = 300.0 * workers
            for mode in modes:
                wrk(ports[mode], k.mint(200, 1, tmp / "warm.txt"), k, 4, 1)
            for n in range(reps):
                for mode in modes if n % 2 == 0 else modes[::-1]:
                    sads = k.mint(sads_needed(rate, plan.seconds), 1, tmp / "sads.txt")
                    point = wrk(ports[mode], sads, k, c, plan.seconds)
                    rate = max(rate, point.rps)
                    k.settle()
                    found[mode].append(point)
                    print(f"  round {n + 1} {mode:<8} PostgreSQL, {workers} workers, {c} conn.: "
                          f"{point.rps:6.0f} req/s  p50 {point.p50:6.1f} ms  "
                          f"p99 {point.p99:6.1f} ms"
                          + (f"  ({point.failed} failed)" if point.failed else ""), flush=True)
        k.container.close()
    med = {m: statistics.median(p.rps for p in found[m]) for m in modes}
    ratios = [b.rps / a.rps for a, b in zip(found["inline"], found["batched"], strict=True)
              if a.rps]
    print(f"  median: inline {med['inline']:.0f} req/s, batched {med['batched']:.0f} req/s; "
          f"batched/inline per round {' '.join(f'{r:.2f}' for r in ratios)} "
          f"(median {statistics.median(ratios):.2f})", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one connection count, short")
    parser.add_argument("--pg", default=os.environ.get("KYSO_BENCH_PG", PG_DEFAULT),
                        help="a PostgreSQL server URL whose user may create databases")
    parser.add_argument("--no-pg", action="store_true")
    parser.add_argument("--no-peer", action="store_true", help="skip privacyIDEA")
    parser.add_argument("--out", type=Path, default=Path("bench-results"))
    parser.add_argument("--render", type=Path, help="print the table of a bench.json again")
    parser.add_argument("--ab-audit", type=int, metavar="ROUNDS",
                        help="only the PostgreSQL signHash row, KYSO_AUDIT_CHAIN inline "
                             "against batched, interleaved for ROUNDS rounds")
    args = parser.parse_args()
    if args.render:
        print("\n".join(table(load(args.render), QUICK.main_connections)))
        return
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: scripts/bench-deps.sh installs it")
    plan = QUICK if args.quick else FULL
    if args.ab_audit:
        with tempfile.TemporaryDirectory() as tmp_name:
            audit_ab(args.pg, plan, Path(tmp_name), args.ab_audit)
        return
    started = time.monotonic()
    res = Results(machine=machine())
    print(res.machine, flush=True)
    res.raw_one = raw_rate(min(plan.seconds, 3))
    res.raw_all = raw_all_cores(min(plan.seconds, 3))
    print(f"  raw RSA-2048: {res.raw_one:.0f}/s on one core, {res.raw_all:.0f}/s on all",
          flush=True)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        res.floor_app = floor_app(plan, tmp)
        print(f"  bare ASGI app: {res.floor_app.rps:.0f} req/s, p99 {res.floor_app.p99:.1f} ms",
              flush=True)
        k = make_kyso(tmp / "sqlite", None, plan.big_pdf_mb + 1)
        for workers in (1, 2):
            sweep(k, f"SQLite, {workers} worker{'s' if workers > 1 else ''}", workers, plan,
                  tmp, res)
        pdf_and_fifty(k, plan, tmp, res)
        k.container.close()
        if not args.no_pg:
            with pg_database(args.pg) as url:
                k = make_kyso(tmp / "pg", url, 2)
                for workers in (1, 2):
                    sweep(k, f"PostgreSQL, {workers} worker{'s' if workers > 1 else ''}",
                          workers, plan, tmp, res)
                k.container.close()
            nodes_run(args.pg, plan, tmp, res)
    if not args.no_peer:
        res.otp = otp_vs_peer(plan)
    lines = table(res, plan.main_connections)
    args.out.mkdir(exist_ok=True)
    (args.out / "bench.md").write_text(
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {res.machine}; "
        f"{'quick' if args.quick else 'full'} run.\n\n" + "\n".join(lines) + "\n")
    (args.out / "bench.json").write_text(json.dumps(res, default=lambda o: o.__dict__,
                                                    indent=1))
    drawn = plot(res, args.out / "bench.png")
    print()
    print("\n".join(lines))
    print(f"\n{args.out / 'bench.md'}" + (f", {args.out / 'bench.png'}" if drawn else "")
          + f"; {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
