"""The harness of the end-to-end tests (``conftest.py`` holds their fixtures).

A real ``kyso serve`` (uvicorn in a subprocess, its outbox worker delivering SMS to the dev
inbox and webhooks to relying parties), customers who run ``python -m kyso app …`` as real
processes (one device home each; a token's replay guard and failure counter are per customer,
so each test makes its own), the administrator's ``kyso …`` commands on the server's home and
database, SP769 calls and CMS checks.
"""

from __future__ import annotations

import base64
import json
import os
import re
import socket
import struct
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from asn1crypto import cms

PASSWORD = "Matkhau2026!"
ACCOUNT_PIN = "246813"
SMARTOTP_PIN = "135792"
KYSO = [sys.executable, "-m", "kyso"]
CHEAP = {"KYSO_ARGON2_MEMORY_KIB": "1024", "KYSO_ARGON2_TIME_COST": "1"}


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KYSO_")}
    return env | {"NO_COLOR": "1", "COLUMNS": "200", "LANG": "C.UTF-8"} | extra


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """``kyso serve`` in a subprocess, cheap argon2, local SMS, a 2 s resend cool-down."""

    def __init__(self, home: Path, db_url: str, **extra_env: str) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = clean_env(KYSO_HOME=str(home), KYSO_DATABASE_URL=db_url,
                         KYSO_PUBLIC_BASE_URL=self.url, KYSO_OTP_RESEND_SECONDS="2",
                         KYSO_OUTBOX_POLL_SECONDS="0.2", **CHEAP | extra_env)
        self.env = env
        self.log_path = home.parent / "server.log"
        self.log = self.log_path.open("w")
        self.process = subprocess.Popen([*KYSO, "serve", "--port", str(self.port)], env=env,
                                        stdout=self.log, stderr=subprocess.STDOUT)
        self._wait_ready()

    def _wait_ready(self, timeout: float = 180) -> None:  # init makes CA keys: slow
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("kyso serve exited")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.1)
        raise RuntimeError("kyso serve did not start")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()

    def kyso(self, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        """An operator's ``kyso`` command on the server's home and database."""
        return subprocess.run([*KYSO, *args], input=stdin, capture_output=True, text=True,
                               env=self.env, timeout=180, check=False)

    def api(self, method: str, path: str, token: str | None = None,
            **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.request(method, f"{self.url}/api/v1{path}", headers=headers, timeout=30,
                             **kwargs)

    def wait_code(self, phone: str, purpose: str, seen: set[str],
                  timeout: float = 30) -> str:
        """The newest code sent to ``phone`` for ``purpose`` that was not ``seen`` yet."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for msg in httpx.get(f"{self.url}/dev/inbox.json", timeout=5).json():
                if (msg["to"] == phone and msg["purpose"] == purpose and msg["text"]
                        and msg["id"] not in seen):
                    seen.add(msg["id"])
                    return str(re.findall(r"\b(\d{6,8})\b", msg["text"])[0])
            time.sleep(0.1)
        raise AssertionError(f"no {purpose} message to {phone}")


@dataclass
class Customer:
    """A customer with a phone (one device home) talking to ``server``."""

    server: Server
    home: Path
    username: str
    phone: str
    seen: set[str] = field(default_factory=set)

    def run(self, *args: str, stdin: str = "", **env: str) -> subprocess.CompletedProcess[str]:
        environment = clean_env(KYSO_APP_HOME=str(self.home), KYSO_APP_SERVER=self.server.url,
                                 KYSO_APP_KDF_MEMORY_KIB="1024") | env
        return subprocess.run([*KYSO, "app", *args], input=stdin, capture_output=True,
                              text=True, env=environment, timeout=180, check=False)

    def start(self, *args: str, **env: str) -> AppProcess:
        environment = clean_env(KYSO_APP_HOME=str(self.home), KYSO_APP_SERVER=self.server.url,
                                 KYSO_APP_KDF_MEMORY_KIB="1024") | env
        return AppProcess([*KYSO, "app", *args], environment)

    def code(self, purpose: str) -> str:
        return self.server.wait_code(self.phone, purpose, self.seen)

    def session(self) -> str:
        """A session of the customer's own (another channel: the web, a relying party)."""
        r = self.server.api("POST", "/auth/login",
                            json={"login": self.username, "password": PASSWORD})
        assert r.status_code == 200, r.text
        return str(r.json()["access_token"])

    def verify(self, code: str) -> httpx.Response:
        return self.server.api("POST", "/smartotp/verify", self.session(), json={"code": code})

    def state(self) -> dict[str, Any]:
        return dict(json.loads((self.home / "state.json").read_text()))

    def set_clock_offset(self, seconds: float) -> None:
        """Make this device's clock run ``seconds`` off the server's (as if never synced)."""
        state = self.state() | {"clock_offset": seconds}
        (self.home / "state.json").write_text(json.dumps(state))


def new_customer(server: Server, home: Path, *, login: bool = True) -> Customer:
    n = uuid.uuid4().int % 10**8
    body = {"username": f"khach{n}", "password": PASSWORD, "pin": ACCOUNT_PIN,
            "full_name": "Nguyễn Văn An", "phone": f"09{n:08d}", "email": f"k{n}@example.vn"}
    created = server.api("POST", "/accounts", json=body)
    assert created.status_code == 201, created.text
    customer = Customer(server, home, body["username"], created.json()["phone"])
    if login:
        done = customer.run("login", "--login", customer.username, stdin=f"{PASSWORD}\n")
        assert done.returncode == 0, done.stderr
    return customer


class AppProcess:
    """A running ``kyso app`` driven like a person at a prompt: expect text, send a line."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.process = subprocess.Popen(argv, env=env, stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                        text=True, bufsize=1)  # one stream keeps the order
        self.output = ""
        self._pos = 0
        self._lock = threading.Lock()
        threading.Thread(target=self._pump, args=(self.process.stdout,), daemon=True).start()

    def _pump(self, stream: Any) -> None:
        for char in iter(lambda: stream.read(1), ""):
            with self._lock:
                self.output += char

    def expect(self, text: str, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                found = self.output.find(text, self._pos)
                if found >= 0:
                    self._pos = found + len(text)
                    return
            if self.process.poll() is not None:
                time.sleep(0.2)
                with self._lock:
                    if self.output.find(text, self._pos) < 0:
                        break
            time.sleep(0.02)
        raise AssertionError(f"expected {text!r}; got:\n{self.output}")

    def send(self, line: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()

    def finish(self, timeout: float = 180) -> int:
        if self.process.stdin:
            self.process.stdin.close()
        code = self.process.wait(timeout)
        time.sleep(0.1)  # let the pumps drain
        return code


def register(customer: Customer, pin: str = SMARTOTP_PIN, *, answers: str = "c") -> AppProcess:
    """``kyso app smartotp-register`` answered like the guide: terms, account PIN, SMS code,
    activation code, new SmartOTP PIN twice. Returns the finished process."""
    p = customer.start("smartotp-register")
    drive_register(p, customer, pin, answers=answers)
    assert p.finish() == 0, p.output
    return p


def drive_register(p: AppProcess, customer: Customer, pin: str = SMARTOTP_PIN, *,
                   answers: str = "c") -> None:
    p.expect("Tôi đã đọc và đồng ý")
    p.send(answers)
    p.expect("PIN tài khoản")
    p.send(ACCOUNT_PIN)
    p.expect("Nhập mã OTP đã gửi đến")
    p.send(customer.code("SMARTOTP_REGISTER"))
    p.expect("Nhập mã kích hoạt")
    p.send(customer.code("SMARTOTP_ACTIVATION"))
    p.expect("Thiết lập PIN SmartOTP mới")
    p.send(pin)
    p.expect("Xác nhận lại PIN SmartOTP mới")
    p.send(pin)
    p.expect("Đăng ký SmartOTP thành công")


def submit_registration(customer: Customer, number: str, full_name: str, out_dir: Path) -> None:
    """``kyso app register`` answered up to "waiting for appraisal": the form, the activation
    code, three ID images, the contract signed with an SMS code."""
    p = customer.start("register", "--out-dir", str(out_dir))
    for prompt, answer in [("Họ và tên", full_name), ("Ngày sinh", "04/03/1991"),
                           ("Giới tính", "Nam"), ("Loại giấy tờ", "CCCD"),
                           ("Số giấy tờ", number), ("Ngày cấp", "01/05/2021"),
                           ("Có giá trị đến", "04/03/2031"), ("Dòng 1 vùng MRZ", ""),
                           ("Email liên hệ", "an@example.vn"),
                           ("Số điện thoại liên hệ", customer.phone),
                           ("Địa chỉ liên hệ", "12 Trần Duy Hưng"), ("Quận/huyện", "Cầu Giấy"),
                           ("Tỉnh/thành phố", "Hà Nội"), ("Gói chứng thư số", "")]:
        p.expect(prompt)
        p.send(answer)
    p.expect("Nhập mã kích hoạt đã gửi qua SMS và email")
    p.send(customer.code("ONBOARDING_ACTIVATION"))
    for prompt, name in [("mặt trước", "front.png"), ("mặt sau", "back.png"),
                         ("ảnh chân dung", "portrait.png")]:
        p.expect(prompt)
        p.send(png(out_dir / name))
    p.expect("Quý khách đồng ý với Hợp đồng")
    p.send("c")
    p.expect("Nhập mã OTP đã gửi qua SMS")
    p.send(customer.code("SIGN"))
    p.expect("Hồ sơ đang chờ thẩm định")
    assert p.finish() == 0, p.output


def approve_registration(server: Server, number: str, officer: str, phone: str) -> None:
    """An RA officer (made here with ``kyso admin create-user``) approves the registration of
    the ID card ``number`` with ``kyso ra approve``."""
    made = server.kyso("admin", "create-user", "--username", officer, "--full-name",
                       "Cán bộ RA", "--phone", phone, "--email", f"{officer}@ca.vn",
                       "--role", "ra_officer",
                       stdin=f"{PASSWORD}\n{PASSWORD}\n{ACCOUNT_PIN}\n{ACCOUNT_PIN}\n")
    assert made.returncode == 0, made.stderr
    listed = server.kyso("ra", "list", "--officer", officer, stdin=f"{PASSWORD}\n")
    assert listed.returncode == 0 and number in listed.stdout, listed.stdout + listed.stderr
    case = next(line.split()[1] for line in listed.stdout.splitlines() if number in line)
    approved = server.kyso("ra", "approve", case, "--officer", officer, stdin=f"{PASSWORD}\n")
    assert approved.returncode == 0, approved.stdout + approved.stderr


def png(path: Path) -> str:
    """A small PNG header of 800×600 with random bytes: what eKYC's checks accept."""
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR" + struct.pack(">II", 800, 600)
                     + os.urandom(64))
    return str(path)


def otp_json(customer: Customer, pin: str = SMARTOTP_PIN, **env: str) -> dict[str, Any]:
    done = customer.run("otp", "--json", "--pin-stdin", stdin=f"{pin}\n", **env)
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout))


# -- SP769: the administrator's commands, citizens with an ID number, CMS checks ----------

def server_home(server: Server) -> Path:
    return server.log_path.parent / "home"


def kyso(server: Server, db_url: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """``kyso …`` on the server's KYSO_HOME and database, as its administrator runs it."""
    environment = clean_env(KYSO_HOME=str(server_home(server)), KYSO_DATABASE_URL=db_url,
                             KYSO_PUBLIC_BASE_URL=server.url, **CHEAP) | env
    return subprocess.run([*KYSO, *args], capture_output=True, text=True, env=environment,
                          timeout=120, check=False)


def new_citizen(server: Server, home: Path, id_number: str | None = None,
                full_name: str = "Trần Thị Bình") -> tuple[Customer, str]:
    """A customer with a CCCD number, logged in on a device home; returns it and the number."""
    n = uuid.uuid4().int % 10**8
    id_number = id_number or f"079{n:09d}"
    body = {"username": f"dan{n}", "password": PASSWORD, "pin": ACCOUNT_PIN,
            "full_name": full_name, "phone": f"08{n:08d}", "email": f"d{n}@example.vn",
            "id_number": id_number}
    created = server.api("POST", "/accounts", json=body)
    assert created.status_code == 201, created.text
    customer = Customer(server, home, body["username"], created.json()["phone"])
    done = customer.run("login", "--login", customer.username, stdin=f"{PASSWORD}\n")
    assert done.returncode == 0, done.stderr
    return customer, id_number


def sp769(server: Server, path: str, body: dict[str, Any]) -> httpx.Response:
    return httpx.post(f"{server.url}/sca/sp769/v1/{path}", json=body, timeout=30)


def verify_cms(server: Server, signature_b64: str, content: bytes, tmp: Path) -> bytes:
    """``openssl cms -verify`` over the original data, trusting the server's root CA (as
    published at /pki/ca/root.cer); returns the messageDigest signed attribute."""
    root_der, root = tmp / "root.cer", tmp / "root.pem"
    root_der.write_bytes(httpx.get(f"{server.url}/pki/ca/root.cer", timeout=10).content)
    subprocess.run(["openssl", "x509", "-inform", "DER", "-in", str(root_der), "-out",
                    str(root)], check=True, capture_output=True)
    sig, data = tmp / f"{uuid.uuid4().hex}.p7s", tmp / f"{uuid.uuid4().hex}.bin"
    sig.write_bytes(base64.b64decode(signature_b64))
    data.write_bytes(content)
    done = subprocess.run(["openssl", "cms", "-verify", "-binary", "-inform", "DER",
                           "-in", str(sig), "-content", str(data), "-CAfile", str(root),
                           "-out", "/dev/null"], capture_output=True, text=True, check=False)
    assert done.returncode == 0 and "Verification successful" in done.stderr, done.stderr
    info = cms.ContentInfo.load(base64.b64decode(signature_b64))
    for attr in info["content"]["signer_infos"][0]["signed_attrs"]:
        if attr["type"].native == "message_digest":
            return bytes(attr["values"][0].native)
    raise AssertionError("no messageDigest")
