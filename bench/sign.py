"""Signing through the CSC API, next to signing in-process, on the same core.

A throw-away kyso (SQLite under a temporary KYSO_HOME, software key store, an RSA-2048
customer key) is served by uvicorn in this process, pinned to one CPU; a client process on
another CPU sends ``signatures/signHash`` for ``--seconds`` each with 1 and with 50 hashes per
request (``--concurrency`` keep-alive connections). Every request does the whole path:
bearer session, SAD lookup and row lock, quota reservation (the ledger's counted path:
balance row lock, entry, hold), audit records, the RSA operation, quota commit. SADs are
minted beforehand with ``SigningService.grant`` (the OTP check is not what is measured).
The floor is raw ``cryptography`` RSA-2048 PKCS#1 v1.5 signing on the server's CPU. Then
one PDF is signed ``--pdfs`` times through ``signatures/signDoc`` (PAdES B-B) and
in-process with pyHanko's ``SimpleSigner`` (same key size, same file).
Not a test: numbers depend on the machine.

    .venv/bin/python bench/sign.py [--seconds 4] [--concurrency 4] [--pdfs 20]
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import multiprocessing as mp
import os
import socket
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.writer import PdfFileWriter
from pyhanko.sign import signers
from pyhanko.sign.fields import SigSeedSubFilter

from kyso.accounts.rules import SecretHasher
from kyso.accounts.service import NewAccount
from kyso.bootstrap import Container, bootstrap, init_home
from kyso.config import Settings
from kyso.entrypoints.api.app import create_app
from kyso.keys.model import HashAlgorithm, SignatureScheme
from kyso.otp.factors import FactorProof
from kyso.otp.model import Purpose
from kyso.pki.service import IssueRequest

PASSWORD = "Matkhau2026!"
RSA_SHA256 = "1.2.840.113549.1.1.11"


USABLE = sorted(os.sched_getaffinity(0))  # read at import, before anything is pinned
SERVER_CPU, CLIENT_CPU = USABLE[0], USABLE[-1]


def pin(cpu: int) -> str:
    os.sched_setaffinity(0, {cpu})
    return f"CPU {cpu}"


def setup(home: Path) -> tuple[Container, str, str]:
    return customer(Settings(home=home, pki_ca_key="rsa-2048",
                             max_body_bytes=16 * 1024 * 1024))


def customer(settings: Settings) -> tuple[Container, str, str]:
    """A kyso at ``settings`` with one customer: an RSA-2048 certificate holding a million
    counted signatures, and a bearer session. Returns the container, token, credential."""
    init_home(settings)
    container = bootstrap(settings, hasher=SecretHasher(1, 1024, 1))
    container.pki.initialize(actor="bench")
    account = container.accounts.sign_up(NewAccount(
        "bench", PASSWORD, "246813", "Người Thử", "0900000001", "bench@bench.vn",
        id_number="001091000001"))
    container.pki.issue(IssueRequest(account=account.id, province="Hà Nội",
                                     locality="Ba Đình"), actor="bench")
    [credential] = container.signing.credentials(account.id)
    with container.uow() as uow:  # counted signatures: the quota ledger's full path
        container.quota.credit(uow, credential.id, 1_000_000, source="bench")
        uow.commit()
    _, token = container.accounts.login("bench", PASSWORD)
    return container, token, credential.id


_PROOFS: dict[tuple[int, str], FactorProof] = {}


def proof(container: Container, account_id: str) -> FactorProof:
    """The customer proves the SMS factor once (the code read from the outbox, as the phone
    would); ``grant`` takes that proof, as it does after a real confirmation."""
    key = (id(container), account_id)
    if key not in _PROOFS:
        _PROOFS[key] = _prove(container, account_id)
    return _PROOFS[key]


def _prove(container: Container, account_id: str) -> FactorProof:
    container.accounts.send_code(account_id, Purpose.SIGN)
    container.outbox_worker().run_once()
    with container.uow() as uow:
        [message] = [m for m in uow.outbox.recent(10) if m.purpose == Purpose.SIGN.value
                     and m.account_id == account_id][:1]
        text = container.notifier.open_body(message).text
    code = next(w for w in (w.strip(";.") for w in text.split()) if w.isdigit() and len(w) == 6)
    with container.uow() as uow:
        proven = container.factors.check_code(uow, account_id, Purpose.SIGN, code)
        uow.commit()
    return proven


def mint(container: Container, account_id: str, credential_id: str, hashes_per_sad: int,
         count: int) -> list[tuple[str, list[bytes]]]:
    """``count`` SADs, each bound to ``hashes_per_sad`` fresh random digests."""
    credential = container.signing.credential(account_id, credential_id)
    out, proven = [], proof(container, account_id)
    for _ in range(count):
        digests = [hashlib.sha256(os.urandom(16)).digest() for _ in range(hashes_per_sad)]
        with container.uow() as uow:
            grant = container.signing.grant(uow, credential, digests, HashAlgorithm.SHA256,
                                            proven)
            uow.commit()
        out.append((grant.sad, digests))
    return out


def client(url: str, token: str, credential_id: str, jobs: list[tuple[str, list[bytes]]],
           per_request: int, seconds: float, concurrency: int, cpu: int,
           results: Any) -> None:
    """The load generator (its own process and CPU): signHash until time or SADs run out."""
    pin(cpu)
    # neighbouring requests use different SADs, as concurrent signing sessions would
    requests = [(sad, d[i:i + per_request]) for i in range(0, 100, per_request)
                for sad, d in jobs]
    lock, latencies = threading.Lock(), []
    deadline = time.perf_counter() + seconds

    def worker(_: int) -> None:
        with httpx.Client(base_url=url, timeout=60,
                          headers={"Authorization": f"Bearer {token}"}) as http:
            while time.perf_counter() < deadline:
                with lock:
                    if not requests:
                        return
                    sad, batch = requests.pop()
                body = {"credentialID": credential_id, "SAD": sad, "signAlgo": RSA_SHA256,
                        "hashes": [base64.b64encode(d).decode() for d in batch]}
                start = time.perf_counter()
                r = http.post("/csc/v2/signatures/signHash", json=body)
                if r.status_code != 200:
                    raise SystemExit(f"signHash failed: {r.status_code} {r.text}")
                with lock:
                    latencies.append(time.perf_counter() - start)

    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(worker, range(concurrency)))
    results.put((latencies, time.perf_counter() - started))


def raw_rate(seconds: float) -> float:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    digest, n, start = hashlib.sha256(b"x").digest(), 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        key.sign(digest, padding.PKCS1v15(), Prehashed(hashes.SHA256()))
        n += 1
    return n / (time.perf_counter() - start)


def core_rate(container: Container, account_id: str, credential_id: str,
              seconds: float) -> float:
    """``SigningService.sign_digests`` in this process, one hash a call: the signing core
    without HTTP, JSON or the bearer check."""
    jobs = mint(container, account_id, credential_id, 100, 50)
    calls, start = 0, time.perf_counter()
    for sad, digests in jobs:
        for digest in digests:
            container.signing.sign_digests(account_id, credential_id, sad, [digest],
                                           SignatureScheme.RSA_PKCS1V15_SHA256)
            calls += 1
            if time.perf_counter() - start > seconds:
                return calls / (time.perf_counter() - start)
    return calls / (time.perf_counter() - start)


def sign_hash_run(container: Container, url: str, token: str, account_id: str,
                  credential_id: str, per_request: int, args: argparse.Namespace,
                  floor: float) -> None:
    needed = int(floor * args.seconds * 1.3) + 100  # never more than the key can sign
    jobs = mint(container, account_id, credential_id, 100, needed // 100 + 1)
    results: Any = mp.get_context("spawn").Queue()
    proc = mp.get_context("spawn").Process(target=client, args=(
        url, token, credential_id, jobs, per_request, args.seconds, args.concurrency,
        CLIENT_CPU, results))
    proc.start()
    latencies, elapsed = results.get()
    proc.join()
    rps = len(latencies) / elapsed
    p50 = statistics.median(latencies) * 1000
    print(f"signHash {per_request:2d} hash/req : {rps:8.1f} req/s  {rps * per_request:8.0f} "
          f"signatures/s  p50 {p50:7.2f} ms   ratio to raw {rps * per_request / floor:5.2f}")


def pdf_run(container: Container, url: str, token: str, account_id: str, credential_id: str,
            count: int) -> None:
    pdf = small_pdf()
    digest = hashlib.sha256(pdf).digest()
    credential = container.signing.credential(account_id, credential_id)
    spent, proven = [], proof(container, account_id)
    with httpx.Client(base_url=url, timeout=60,
                      headers={"Authorization": f"Bearer {token}"}) as http:
        for _ in range(count + 1):  # the first one warms up
            with container.uow() as uow:
                sad = container.signing.grant(uow, credential, [digest],
                                              HashAlgorithm.SHA256, proven).sad
                uow.commit()
            body = {"credentialID": credential_id, "SAD": sad, "documents": [{
                "document": base64.b64encode(pdf).decode(), "signature_format": "P",
                "signAlgo": RSA_SHA256, "conformance_level": "Ades-B-B"}]}
            start = time.perf_counter()
            r = http.post("/csc/v2/signatures/signDoc", json=body)
            spent.append(time.perf_counter() - start)
            if r.status_code != 200:
                raise SystemExit(f"signDoc failed: {r.status_code} {r.text}")
    spent = spent[1:]
    local = in_process_pades(pdf, count)
    api, here = statistics.median(spent) * 1000, statistics.median(local) * 1000
    print(f"PDF (PAdES B-B)     : signDoc over HTTP {api:7.1f} ms   in-process pyHanko "
          f"{here:7.1f} ms   ratio {api / here:5.2f}   (median of {count})")


class _ParsedKeySigner(signers.Signer):
    """pyHanko's Signer on an already-parsed key (``SimpleSigner`` parses the PKCS#8 again
    for every signature, which would flatter the API)."""

    def __init__(self, certificate: asn1_x509.Certificate, key: rsa.RSAPrivateKey) -> None:
        super().__init__(signing_cert=certificate)
        self._key = key

    async def async_sign_raw(self, data: bytes, digest_algorithm: str,
                             dry_run: bool = False) -> bytes:
        return self._key.sign(data, padding.PKCS1v15(), hashes.SHA256())


def in_process_pades(pdf: bytes, count: int) -> list[float]:
    one = pades_once()
    one(pdf)  # the first one warms up
    return [one(pdf)[0] for _ in range(count)]


def pades_once() -> Callable[[bytes], tuple[float, float]]:
    """PAdES B-B with pyHanko in this process, an RSA-2048 key parsed once: a function that
    signs a PDF once and returns (wall, CPU) seconds — for a caller that interleaves it
    with the API's signDoc (on a busy machine only ratios within one run mean anything)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Người Thử")])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=30))
            .sign(key, hashes.SHA256()))
    signer = _ParsedKeySigner(
        asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)), key)
    meta = signers.PdfSignatureMetadata(field_name="Sig", md_algorithm="sha256",
                                        subfilter=SigSeedSubFilter.PADES)

    def once(pdf: bytes) -> tuple[float, float]:
        start, cpu = time.perf_counter(), time.process_time()
        signers.sign_pdf(IncrementalPdfFileWriter(BytesIO(pdf)), meta, signer=signer,
                         bytes_reserved=16384)
        return time.perf_counter() - start, time.process_time() - cpu

    return once


def small_pdf() -> bytes:
    """A one-page PDF of a few hundred bytes, written by pyHanko."""
    writer = PdfFileWriter()
    name = generic.pdf_name
    content = writer.add_object(generic.StreamObject(stream_data=b"BT ET"))
    writer.insert_page(generic.DictionaryObject({
        name("/Type"): name("/Page"), name("/Contents"): content,
        name("/MediaBox"): generic.ArrayObject([generic.NumberObject(n)
                                                for n in (0, 0, 595, 842)])}))
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def serve(container: Container) -> tuple[uvicorn.Server, str]:
    # IPPROTO_TCP, so that asyncio sets TCP_NODELAY on accepted connections (with proto 0
    # it does not, and Nagle + delayed ACKs add 40 ms to every response)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(create_app(container), log_level="warning",
                                           access_log=False))
    threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True).start()
    while not server.started:
        time.sleep(0.02)
    return server, f"http://127.0.0.1:{sock.getsockname()[1]}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--pdfs", type=int, default=20)
    args = parser.parse_args()
    where = pin(SERVER_CPU)
    with tempfile.TemporaryDirectory() as tmp:
        container, token, credential_id = setup(Path(tmp))
        account_id = container.accounts.authenticate(token)[0].id
        server, url = serve(container)
        floor = raw_rate(min(args.seconds, 3.0))
        print(f"server and raw signing pinned to {where}; the client on "
              f"{'another CPU' if CLIENT_CPU != SERVER_CPU else 'the same CPU'} "
              f"({len(USABLE)} usable); "
              f"{args.concurrency} client connections")
        print(f"raw cryptography     : {floor:8.0f} RSA-2048 signatures/s (one thread)")
        core = core_rate(container, account_id, credential_id, min(args.seconds, 3.0))
        print(f"sign_digests in-proc : {core:8.0f} signatures/s (1 hash a call, no HTTP)   "
              f"ratio to raw {core / floor:5.2f}")
        for per_request in (1, 50):
            sign_hash_run(container, url, token, account_id, credential_id, per_request,
                          args, floor)
        pdf_run(container, url, token, account_id, credential_id, args.pdfs)
        server.should_exit = True
        container.close()


if __name__ == "__main__":
    main()
