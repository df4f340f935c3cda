"""Memory of the document path: the peak RSS of the `kyso serve` worker signing a large PDF.

Issue 14's target: a 100 MB PDF signs with the worker's peak RSS at most 3 × its size, and a
worker at rest stays under 200 MB. One `kyso serve --workers 1` (its process is the worker;
the PDF sandbox's children are counted apart), warmed up with a small document, then:

* REST — ``POST /api/v1/documents`` (the raw body, streamed from a file), the SMS code read
  from the outbox as the phone would, ``POST /transactions/{id}/confirm`` (the signing runs
  in the worker), ``GET …/download`` streamed to a file and checked (size; pyHanko finds
  the signature intact with ``--check``);
* CSC ``signatures/signDoc`` — the same file in Base64 inside JSON (the limit of a JSON API:
  the body and its Base64 string are held whole, about 2.7 × the file, see docs/DOCUMENTS.md).

Before each path the worker's peak is reset (``/proc/PID/clear_refs`` ← 5), so each peak
is that path's own. Not a test: the numbers depend on the machine.

    .venv/bin/python bench/memory.py [--mb 100] [--pg URL] [--check]
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import sys
import tempfile
import time
from pathlib import Path

import httpx
from serve import (
    PG_DEFAULT,
    Kyso,
    _status,
    free_port,
    kyso_serve,
    make_kyso,
    pdf_of,
    pg_database,
    reset_peak,
    rest_sign,
)
from sign import RSA_SHA256

MB = 1024 * 1024


def children(pid: int) -> list[int]:
    """Every child of ``pid``, whichever thread started it (the sandbox's come from worker
    threads, which /proc/PID/task/PID/children does not list)."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def csc_sign(http: httpx.Client, k: Kyso, pdf: Path) -> int:
    data = pdf.read_bytes()
    sad = k.sad_for(hashlib.sha256(data).digest())
    body = {"credentialID": k.credential_id, "SAD": sad, "documents": [{
        "document": base64.b64encode(data).decode(), "signature_format": "P",
        "signAlgo": RSA_SHA256, "conformance_level": "Ades-B-B"}]}
    del data
    r = http.post("/csc/v2/signatures/signDoc", json=body,
                  headers={"Authorization": f"Bearer {k.token}"})
    if r.status_code != 200:
        raise SystemExit(f"signDoc failed: {r.status_code} {r.text[:300]}")
    return len(base64.b64decode(r.json()["DocumentWithSignature"][0]))


def intact(path: Path) -> bool:
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature

    with path.open("rb") as f:
        [signature] = PdfFileReader(f).embedded_signatures
        return bool(validate_pdf_signature(signature).intact)


def run(k: Kyso, mb: int, tmp: Path, check: bool) -> list[str]:
    big, small = tmp / "big.pdf", tmp / "small.pdf"
    big.write_bytes(pdf_of(mb * MB))
    small.write_bytes(pdf_of(64 * 1024))
    size = big.stat().st_size / MB
    port = free_port()
    lines = []
    with kyso_serve(k, 1, port, KYSO_OTP_RESEND_SECONDS="0") as proc, httpx.Client(
            base_url=f"http://127.0.0.1:{port}", timeout=900) as http:
        rest_sign(http, k, small, tmp / "small-signed.pdf")  # imports, a sandbox child
        csc_sign(http, k, small)
        time.sleep(1)
        rest = _status(proc.pid, "VmRSS")
        lines.append(f"worker RSS at rest, after a small signature: {rest:.0f} MB (≤ 200 MB)")
        for name, sign in (("REST upload + confirm + download",
                            lambda: rest_sign(http, k, big, tmp / "big-signed.pdf")),
                           ("CSC signDoc (JSON, Base64)", lambda: csc_sign(http, k, big))):
            reset_peak(proc.pid)
            for child in children(proc.pid):
                reset_peak(child)
            start = time.perf_counter()
            signed = sign()
            spent = time.perf_counter() - start
            peak = _status(proc.pid, "VmHWM")
            child = max((_status(c, "VmHWM") for c in children(proc.pid)), default=0.0)
            lines.append(f"{name}: {size:.0f} MB PDF, worker peak RSS {peak:.0f} MB = "
                         f"{peak / size:.2f} × its size (target ≤ 3 ×), "
                         f"+{peak - rest:.0f} MB over rest; sandbox child peak "
                         f"{child:.0f} MB; {spent:.1f} s; signed {signed / MB:.1f} MB")
            print("  " + lines[-1], flush=True)
        if check:
            lines.append(f"the REST output's signature intact (pyHanko): "
                         f"{intact(tmp / 'big-signed.pdf')}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mb", type=int, default=100)
    parser.add_argument("--pg", nargs="?", const=PG_DEFAULT, default=None,
                        help="PostgreSQL server URL (a throwaway database is made there)")
    parser.add_argument("--check", action="store_true", help="validate the signed output")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kyso-mem-") as name:
        tmp = Path(name)
        if args.pg:
            with pg_database(args.pg) as url:
                lines = run(make_kyso(tmp / "home", url, args.mb + 1), args.mb, tmp, args.check)
        else:
            lines = run(make_kyso(tmp / "home", None, args.mb + 1), args.mb, tmp, args.check)
    print("\n".join(["", f"memory ({'PostgreSQL' if args.pg else 'SQLite'}):", *lines]))


if __name__ == "__main__":
    sys.exit(main())
