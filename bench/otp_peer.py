"""OTP verification: kyso against privacyIDEA, the leading open-source OTP server, in one run.

Both servers run on loopback on this machine, on SQLite, one process each with 8 connections
of load in front: ``kyso serve`` (uvicorn, 1 worker) and privacyIDEA 3.14 under gunicorn
(1 worker, 8 threads). Each gets TOTP tokens (SHA-256, 6 digits, 30 s) and the same load
from wrk (``bench/wrk_otp.lua``, 2 threads, 8 keep-alive connections, a fixed time): the
codes of steps T-1, then T, then T+1 of every token, each valid and used once, so both
servers do their whole check (token lookup, seed decryption, window, replay guard, audit
record, commit); a code refused is counted and reported. kyso gets more tokens, as it gets
through them faster. kyso also checks a bearer session on every request; privacyIDEA's
``/validate/check`` takes the token serial without one. To measure privacyIDEA at its
fastest, its response signing is turned off (``PI_NO_RESPONSE_SIGN``). wrk, not a Python
client: a client in Python took as much CPU a request as kyso, and capped kyso's rate.

privacyIDEA is not a dependency of kyso: the first run creates a virtual environment for it
under ``--peer-venv`` (default ``~/.cache/kyso-bench/privacyidea``) with pip. Nothing of it is
kept in this repository.

    .venv/bin/python bench/otp_peer.py [--tokens 200] [--kyso-tokens 2500] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx
from otp_verify import enrol, free_port, fresh_codes, login_all, serve

HERE = Path(__file__).parent
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


def run_wrk(base: str, path: str, content_type: str, make_lines: Callable[[], list[str]],
            connections: int, seconds: float) -> dict[str, float]:
    """The lines ``make_lines`` makes ("<bearer or -> <body>", in order) sent by wrk for
    ``seconds``; what wrk_otp.lua's done() printed. The codes are made just before the run,
    early enough in a step that the first ones are still inside the window at its end."""
    left = 30 - time.time() % 30
    if left < seconds + 2:
        time.sleep(left + 0.05)
    lines = make_lines()
    with tempfile.NamedTemporaryFile("w", suffix=".txt") as codes:
        codes.write("\n".join(lines) + "\n")
        codes.flush()
        env = os.environ | {"BENCH_CODES": codes.name, "BENCH_PATH": path,
                            "BENCH_CONTENT_TYPE": content_type, "BENCH_THREADS": "2"}
        out = subprocess.run(["wrk", "-t", "2", "-c", str(connections), "-d",
                              f"{round(seconds)}s", "--timeout", "10s", "-s",
                              str(HERE / "wrk_otp.lua"), base],
                             env=env, capture_output=True, text=True, check=True).stdout
    return json.loads(next(x for x in out.splitlines() if x.startswith('{"requests"')))


def codes_in_steps(seeds: list[bytes], line: Callable[[int, str], str]) -> list[str]:
    """Every token's T-1 code, then every T code, then every T+1 code: a token's next code
    is sent a whole pass over the tokens after its previous one was."""
    codes = [fresh_codes(seed) for seed in seeds]
    return [line(i, c[k]) for k in range(3) for i, c in enumerate(codes)]


def report(name: str, run: dict[str, float]) -> float:
    passed = run["requests"] - run["rejected"] - run["socket_errors"]
    rps = passed / run["seconds"]
    print(f"{name:<12}: {rps:8.0f} verifications/s   p50 {run['p50']:6.2f} ms   "
          f"p99 {run['p99']:6.2f} ms   ({passed:.0f} checks passed"
          + (f", {run['rejected']:.0f} refused" if run["rejected"] else "")
          + (f", {run['socket_errors']:.0f} socket errors" if run["socket_errors"] else "")
          + ")")
    return rps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=200, help="privacyIDEA's")
    parser.add_argument("--kyso-tokens", type=int, default=2500)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=6)
    parser.add_argument("--peer-venv", type=Path,
                        default=Path.home() / ".cache" / "kyso-bench" / "privacyidea")
    args = parser.parse_args()
    bin_dir = peer_venv(args.peer_venv)
    with tempfile.TemporaryDirectory() as kyso_tmp, tempfile.TemporaryDirectory() as peer_tmp:
        users = enrol(Path(kyso_tmp), args.kyso_tokens)
        kyso_port, peer_port = free_port(), free_port()
        kyso_proc = serve(Path(kyso_tmp), kyso_port, 1)
        peer_proc = start_peer(bin_dir, Path(peer_tmp), peer_port)
        try:
            kyso_base, peer_base = f"http://127.0.0.1:{kyso_port}", f"http://127.0.0.1:{peer_port}"
            peer_seeds = [seed for _, seed in users[:args.tokens]]
            serials = enrol_peer(peer_base, peer_seeds)
            tokens = login_all(kyso_base, users)
            # the peer first, then kyso, each with codes made just before its run
            peer = report("privacyIDEA", run_wrk(
                peer_base, "/validate/check", "application/x-www-form-urlencoded",
                lambda: codes_in_steps(peer_seeds,
                                       lambda i, c: f"- serial={serials[i]}&pass={c}"),
                args.concurrency, max(args.seconds, 10)))
            ours = report("kyso", run_wrk(
                kyso_base, "/api/v1/smartotp/verify", "application/json",
                lambda: codes_in_steps([seed for _, seed in users],
                                       lambda i, c: f'{tokens[i]} {{"code":"{c}"}}'),
                args.concurrency, args.seconds))
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
