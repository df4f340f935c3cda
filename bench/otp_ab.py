"""OTP verification over HTTP, A against B interleaved: two source trees, one run.

On a machine shared with others a number measured an hour ago says nothing about a change:
this starts one ``kyso serve`` (1 worker, SQLite) per source tree, each on a home of its
own with the same enrolled customers, and sends them the same load (``bench/otp_verify.py``:
codes of steps T-1, T, T+1 per customer, 8 keep-alive connections) in rounds that alternate
which goes first. It prints each round and the medians: requests/s, p50 and p99 latency,
and the server process's CPU time per request (``/proc``, user + system), which the other
processes on the machine disturb least.

    git archive main src | tar -x -C /tmp/base
    .venv/bin/python bench/otp_ab.py A=/tmp/base/src B=src [--rounds 6] [--users 60]

A code refused at a time-step boundary (T-1 gone stale under a slow round) is counted and
reported, not fatal.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from otp_verify import enrol, free_port, fresh_codes, login_all


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def serve(home: Path, port: int, src: str) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KYSO_")}
    env |= {"KYSO_HOME": str(home), "KYSO_ARGON2_MEMORY_KIB": "1024",
            "KYSO_ARGON2_TIME_COST": "1", "PYTHONPATH": os.pathsep.join(str(Path(part).resolve())
                                          for part in src.split(os.pathsep))}
    proc = subprocess.Popen([sys.executable, "-m", "kyso", "serve", "--port", str(port)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(600):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200:
                return proc
        except httpx.TransportError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit(f"the server of {src} did not start")


def load(base: str, users: list[tuple[str, bytes]], tokens: list[str],
         concurrency: int) -> tuple[list[float], float, int]:
    """Latencies, wall time, and how many codes were refused."""
    refused = [0]

    def one_worker(first: int) -> list[float]:
        seen = []
        with httpx.Client(base_url=base, timeout=30) as client:
            for i in range(first, len(users), concurrency):
                for code in fresh_codes(users[i][1]):
                    start = time.perf_counter()
                    r = client.post("/api/v1/smartotp/verify", json={"code": code},
                                    headers={"Authorization": f"Bearer {tokens[i]}"})
                    seen.append(time.perf_counter() - start)
                    if r.status_code != 204:
                        refused[0] += 1
        return seen

    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        latencies = [t for chunk in pool.map(one_worker, range(concurrency)) for t in chunk]
    return latencies, time.perf_counter() - started, refused[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("variants", nargs="+",
                        help="NAME=path/to/src (two or more; PYTHONPATH, ':' separated)")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--users", type=int, default=60, help="customers per round")
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    variants = [tuple(v.split("=", 1)) for v in args.variants]
    rows: dict[str, list[tuple[float, float, float, float]]] = {n: [] for n, _ in variants}
    with tempfile.TemporaryDirectory() as tmp:
        running = {}
        try:
            for name, src in variants:
                home = Path(tmp) / name
                home.mkdir()
                users = enrol(home, args.rounds * args.users + 10)  # codes are single use
                port = free_port()
                proc = serve(home, port, src)
                base = f"http://127.0.0.1:{port}"
                running[name] = (proc, base, users, login_all(base, users))
                load(base, users[-10:], running[name][3][-10:], 2)  # warm-up
            for r in range(args.rounds):
                for name, _ in (variants if r % 2 == 0 else variants[::-1]):
                    proc, base, users, tokens = running[name]
                    part = slice(r * args.users, (r + 1) * args.users)
                    before = cpu_seconds(proc.pid)
                    latencies, elapsed, refused = load(base, users[part], tokens[part],
                                                       args.concurrency)
                    cpu = (cpu_seconds(proc.pid) - before) / len(latencies) * 1000
                    q = statistics.quantiles(latencies, n=100)
                    rps, p50, p99 = len(latencies) / elapsed, q[49] * 1000, q[98] * 1000
                    rows[name].append((rps, p50, p99, cpu))
                    print(f"round {r} {name}: {rps:6.0f} req/s   p50 {p50:6.1f} ms   p99 "
                          f"{p99:6.1f} ms   server CPU {cpu:5.2f} ms/request"
                          + (f"   ({refused} refused)" if refused else ""), flush=True)
        finally:
            for proc, *_ in running.values():
                proc.terminate()
                proc.wait(10)
    for name, measured in rows.items():
        rps, p50, p99, cpu = (statistics.median(x) for x in zip(*measured, strict=True))
        print(f"median {name}: {rps:6.0f} req/s   p50 {p50:6.1f} ms   p99 {p99:6.1f} ms   "
              f"server CPU {cpu:5.2f} ms/request")


if __name__ == "__main__":
    main()
