"""OTP verification speed: HTTP requests per second and latency, against the crypto floor.

Starts `kyso serve` on loopback with a fresh KYSO_HOME, enrols N customers with SmartOTP
tokens, then sends a bounded number of `POST /api/v1/smartotp/verify` requests (each code
valid and fresh, so every request does the whole check: session, row lock, seed unsealing,
TOTP window, replay guard, audit record, commit). Prints requests/s, p50/p99 latency, and the
same check measured in-process and as the raw `match_totp` rate, with the ratios.

    .venv/bin/python bench/otp_verify.py [--users 300] [--concurrency 8] [--workers 1]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import httpx

from kyso.accounts.rules import SecretHasher
from kyso.accounts.service import NewAccount
from kyso.bootstrap import bootstrap, init_home
from kyso.config import Settings
from kyso.otp.oath import match_totp, new_seed, totp, totp_counter
from kyso.otp.smartotp import seal_seed
from kyso.otp.token import SmartOtpToken, TokenStatus

PASSWORD = "Matkhau2026!"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def enrol(home: Path, users: int) -> list[tuple[str, bytes]]:
    settings = Settings(home=home)
    init_home(settings)
    container = bootstrap(settings, hasher=SecretHasher(1, 1024, 1))
    out = []
    for n in range(users):
        account = container.accounts.sign_up(NewAccount(
            f"bench{n}", PASSWORD, "246813", "Người Thử", f"09{n:08d}", f"b{n}@bench.vn"))
        seed = new_seed(32)
        now = container.clock.now()
        token = SmartOtpToken(id=f"tok-{n}", account_id=account.id, sealed_seed=b"",
                              created_at=now, status=TokenStatus.ACTIVE, activated_at=now)
        sealed = seal_seed(container.envelope, token.id, seed)
        with container.uow() as uow:
            uow.smartotp.add(replace(token, sealed_seed=sealed))
            uow.commit()
        out.append((f"bench{n}", seed))
    container.close()
    return out


def serve(home: Path, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KYSO_")}
    env |= {"KYSO_HOME": str(home), "KYSO_ARGON2_MEMORY_KIB": "1024",
            "KYSO_ARGON2_TIME_COST": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "kyso", "serve", "--port", str(port),
                             "--workers", str(workers)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(200):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200:
                return proc
        except httpx.TransportError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("the server did not start")


BOUNDARY_GUARD = 0.5  # seconds before a 30 s step ends in which no codes are made


def fresh_codes(seed: bytes) -> list[str]:
    """The codes for steps T-1, T, T+1, in increasing order: all inside the window. Made
    no later than half a second before step T ends (else after it), so the T-1 code, sent
    first, is not outside the window by the time it arrives (a run at a step's last
    moment once lost the whole table row to a 400)."""
    now = time.time()
    left = 30 - now % 30
    if left < BOUNDARY_GUARD:
        time.sleep(left + 0.01)
        now = time.time()
    return [totp(seed, now + k * 30, algorithm="sha256") for k in (-1, 0, 1)]


def login_all(base: str, users: list[tuple[str, bytes]]) -> list[str]:
    with httpx.Client(base_url=base, timeout=30) as client:
        return [client.post("/api/v1/auth/login", json={"login": u, "password": PASSWORD})
                .json()["access_token"] for u, _ in users]


def run_http(base: str, users: list[tuple[str, bytes]], tokens: list[str],
             concurrency: int) -> tuple[list[float], float]:
    """Latencies of every verify request, and the wall time of the whole run."""

    def one_worker(first: int) -> list[float]:
        """One keep-alive connection per worker thread, walking its share of the users."""
        seen = []
        with httpx.Client(base_url=base, timeout=30) as client:
            for i in range(first, len(users), concurrency):
                for code in fresh_codes(users[i][1]):
                    start = time.perf_counter()
                    r = client.post("/api/v1/smartotp/verify", json={"code": code},
                                    headers={"Authorization": f"Bearer {tokens[i]}"})
                    seen.append(time.perf_counter() - start)
                    if r.status_code != 204:
                        raise SystemExit(f"verification failed: {r.status_code} {r.text}")
        return seen

    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        latencies = [t for chunk in pool.map(one_worker, range(concurrency)) for t in chunk]
    return latencies, time.perf_counter() - started


def run_in_process(home: Path, users: list[tuple[str, bytes]]) -> float:
    """Verifications per second through the service alone (no HTTP), same checks."""
    container = bootstrap(Settings(home=home), hasher=SecretHasher(1, 1024, 1))
    with container.uow() as uow:
        ids = [uow.accounts.find_by_login(login) for login, _ in users]
    work = [(a.id, code) for a, (_, seed) in zip(ids, users, strict=True) if a is not None
            for code in fresh_codes(seed)]
    started = time.perf_counter()
    for account_id, code in work:
        container.smartotp.verify(account_id, code)
    elapsed = time.perf_counter() - started
    container.close()
    return len(work) / elapsed


def raw_rate(seconds: float = 1.0) -> float:
    seed, n, start = new_seed(32), 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        code = totp(seed, time.time(), algorithm="sha256")
        match_totp(seed, code, time.time(), window=1,
                   last_counter=totp_counter(time.time()) - 2)
        n += 1
    return n / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        everyone = enrol(home, 2 * args.users)
        users, apart = everyone[:args.users], everyone[args.users:]  # codes are single use
        port = free_port()
        proc = serve(home, port, args.workers)
        base = f"http://127.0.0.1:{port}"
        try:
            latencies, elapsed = run_http(base, users, login_all(base, users), args.concurrency)
        finally:
            proc.terminate()
            proc.wait(10)
        service = run_in_process(home, apart)
    rps = len(latencies) / elapsed
    q = statistics.quantiles(latencies, n=100)
    floor = raw_rate()
    print(f"requests: {len(latencies)} over HTTP, concurrency {args.concurrency}, "
          f"workers {args.workers}")
    print(f"verify over HTTP : {rps:8.0f} req/s   p50 {q[49] * 1000:6.2f} ms   "
          f"p99 {q[98] * 1000:6.2f} ms")
    print(f"service verify   : {service:8.0f} checks/s (in process, one thread, with DB)")
    print(f"raw match_totp   : {floor:8.0f} checks/s (in process, no I/O)")
    print(f"ratio HTTP / service : {rps / service:8.3f}")
    print(f"ratio HTTP / raw     : {rps / floor:8.4f}")


if __name__ == "__main__":
    main()
