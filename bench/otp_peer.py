"""OTP verification: kyso against privacyIDEA, the leading open-source OTP server, in one run.

Both servers run on loopback on this machine, on SQLite, one process each with 8 threads of
concurrency in front: ``kyso serve`` (uvicorn, 1 worker) and privacyIDEA 3.14 under gunicorn
(1 worker, 8 threads). Each gets the same number of TOTP tokens (SHA-256, 6 digits, 30 s) and
the same load: for every token, the codes of steps T-1, T and T+1, in order, over keep-alive
connections — each one valid and fresh, so both servers do their whole check (token lookup,
seed decryption, window, replay guard, audit record, commit). kyso also checks a bearer session
on every request; privacyIDEA's ``/validate/check`` takes the token serial without one. To
measure privacyIDEA at its fastest, its response signing is turned off (``PI_NO_RESPONSE_SIGN``).

privacyIDEA is not a dependency of kyso: the first run creates a virtual environment for it
under ``--peer-venv`` (default ``~/.cache/kyso-bench/privacyidea``) with pip. Nothing of it is
kept in this repository.

    .venv/bin/python bench/otp_peer.py [--tokens 200] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from otp_verify import enrol, free_port, fresh_codes, login_all, run_http, serve

PEER_VERSION = "privacyidea==3.14"
PEER_CFG = """\
SQLALCHEMY_DATABASE_URI = 'sqlite:///{home}/pi.sqlite'
SECRET_KEY = '{secret}'
PI_PEPPER = '{pepper}'
PI_ENCFILE = '{home}/enckey'
PI_AUDIT_KEY_PRIVATE = '{home}/private.pem'
PI_AUDIT_KEY_PUBLIC = '{home}/public.pem'
PI_LOGLEVEL = 30
PI_LOGFILE = '{home}/privacyidea.log'
PI_NO_RESPONSE_SIGN = True
"""


def peer_venv(path: Path) -> Path:
    """The privacyIDEA virtual environment, created on first use."""
    bin_dir = path / "bin"
    if not (bin_dir / "gunicorn").exists() or not (bin_dir / "pi-manage").exists():
        print(f"installing {PEER_VERSION} and gunicorn into {path} (first run only) …",
              file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(path)], check=True)
        subprocess.run([str(bin_dir / "pip"), "install", "--quiet", PEER_VERSION, "gunicorn"],
                       check=True)
    return bin_dir


def start_peer(bin_dir: Path, home: Path, port: int) -> subprocess.Popen[bytes]:
    cfg = home / "pi.cfg"
    cfg.write_text(PEER_CFG.format(home=home, secret=os.urandom(16).hex(),
                                   pepper=os.urandom(16).hex()))
    env = os.environ | {"PRIVACYIDEA_CONFIGFILE": str(cfg)}
    for step in ("create_enckey", "create_audit_keys", "create_tables"):
        subprocess.run([str(bin_dir / "pi-manage"), "setup", step], env=env, check=True,
                       capture_output=True)
    subprocess.run([str(bin_dir / "pi-manage"), "admin", "add", "admin", "-p", "benchpass"],
                   env=env, check=True, capture_output=True)
    factory = (f"privacyidea.app:create_app(config_name='production', config_file='{cfg}', "
               "silent=True)")
    proc = subprocess.Popen([str(bin_dir / "gunicorn"), "-w", "1", "--threads", "8", "-b",
                             f"127.0.0.1:{port}", factory], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _wait(lambda: httpx.get(f"http://127.0.0.1:{port}/healthz").status_code < 500, proc)
    return proc


def _wait(ready: Callable[[], bool], proc: subprocess.Popen[bytes]) -> None:
    for _ in range(300):
        try:
            if ready():
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    proc.kill()
    raise SystemExit("the peer server did not start")


def enrol_peer(base: str, seeds: list[bytes]) -> list[str]:
    """One TOTP token per seed (SHA-256, 6 digits, 30 s), by serial; no user needed."""
    with httpx.Client(base_url=base, timeout=60) as client:
        auth = client.post("/auth", data={"username": "admin", "password": "benchpass"})
        token = auth.json()["result"]["value"]["token"]
        serials = []
        for n, seed in enumerate(seeds):
            serial = f"BENCH{n:06d}"
            r = client.post("/token/init", headers={"Authorization": token}, data={
                "type": "totp", "serial": serial, "otpkey": seed.hex(), "genkey": "0",
                "hashlib": "sha256", "timeStep": "30", "otplen": "6"})
            if r.status_code != 200 or not r.json()["result"]["status"]:
                raise SystemExit(f"privacyIDEA refused a token: {r.text[:200]}")
            serials.append(serial)
        return serials


def run_peer(base: str, serials: list[str], seeds: list[bytes],
             concurrency: int) -> tuple[list[float], float]:
    def one_worker(first: int) -> list[float]:
        seen = []
        with httpx.Client(base_url=base, timeout=30) as client:
            for i in range(first, len(serials), concurrency):
                for code in fresh_codes(seeds[i]):
                    start = time.perf_counter()
                    r = client.post("/validate/check", data={"serial": serials[i], "pass": code})
                    seen.append(time.perf_counter() - start)
                    if r.status_code != 200 or r.json()["result"].get("value") is not True:
                        raise SystemExit(f"privacyIDEA rejected a fresh code: {r.text[:200]}")
        return seen

    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        latencies = [t for chunk in pool.map(one_worker, range(concurrency)) for t in chunk]
    return latencies, time.perf_counter() - started


def report(name: str, latencies: list[float], elapsed: float) -> float:
    rps = len(latencies) / elapsed
    q = statistics.quantiles(latencies, n=100)
    print(f"{name:<12}: {rps:8.0f} verifications/s   p50 {q[49] * 1000:6.2f} ms   "
          f"p99 {q[98] * 1000:6.2f} ms   ({len(latencies)} requests)")
    return rps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--peer-venv", type=Path,
                        default=Path.home() / ".cache" / "kyso-bench" / "privacyidea")
    args = parser.parse_args()
    bin_dir = peer_venv(args.peer_venv)
    with tempfile.TemporaryDirectory() as kyso_tmp, tempfile.TemporaryDirectory() as peer_tmp:
        users = enrol(Path(kyso_tmp), args.tokens)
        kyso_port, peer_port = free_port(), free_port()
        kyso_proc = serve(Path(kyso_tmp), kyso_port, 1)
        peer_proc = start_peer(bin_dir, Path(peer_tmp), peer_port)
        try:
            kyso_base, peer_base = f"http://127.0.0.1:{kyso_port}", f"http://127.0.0.1:{peer_port}"
            seeds = [seed for _, seed in users]
            serials = enrol_peer(peer_base, seeds)
            tokens = login_all(kyso_base, users)
            # the peer first, then kyso: each code is fresh for its own server
            peer = report("privacyIDEA", *run_peer(peer_base, serials, seeds, args.concurrency))
            ours = report("kyso", *run_http(kyso_base, users, tokens, args.concurrency))
        finally:
            for proc in (kyso_proc, peer_proc):
                proc.terminate()
            for proc in (kyso_proc, peer_proc):
                try:  # gunicorn on a busy machine may take longer: the ratio is still printed
                    proc.wait(30)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
    print(f"ratio kyso / privacyIDEA: {ours / peer:6.2f}")


if __name__ == "__main__":
    main()
