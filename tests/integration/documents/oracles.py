"""Independent validators: poppler's pdfsig (NSS), pdftotext, pdftoppm, and OpenSSL."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import pytest

NEEDED = ("pdfsig", "pdftotext", "pdftoppm", "certutil", "openssl")
missing = [tool for tool in NEEDED if shutil.which(tool) is None]
needs_tools = pytest.mark.skipif(bool(missing), reason=f"missing {missing}: "
                                 "run scripts/system-deps.sh")


def pdfsig(nss: Path, pdf: Path) -> list[dict[str, str]]:
    """pdfsig's verdict per signature (it exits 0 even when a signature is invalid)."""
    done = subprocess.run(["pdfsig", "-nssdir", f"sql:{nss}", str(pdf)], capture_output=True,
                          text=True, timeout=60, check=False)
    found: list[dict[str, str]] = []
    for line in done.stdout.splitlines():
        if re.match(r"Signature #\d+:", line):
            found.append({})
        elif found and (m := re.match(r"\s+- ([^:]+): (.*)", line)):
            found[-1][m.group(1)] = m.group(2).strip()
    return found


def pdftotext(pdf: Path) -> str:
    done = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          timeout=60, check=True)
    return done.stdout


def dark_pixels(pdf: Path, page: int, box: tuple[int, int, int, int], page_height: int) -> int:
    """Pixels darker than mid-grey inside ``box`` (PDF points) of ``page`` at 72 dpi."""
    x1, y1, x2, y2 = box
    done = subprocess.run(["pdftoppm", "-gray", "-r", "72", "-singlefile", "-f", str(page),
                           "-l", str(page), "-x", str(x1),
                           "-y", str(page_height - y2), "-W", str(x2 - x1), "-H", str(y2 - y1),
                           str(pdf)], capture_output=True, timeout=60, check=True)
    header, _, pixels = _pgm(done.stdout)
    return sum(1 for value in pixels if value < 128) if header else 0


def _pgm(raw: bytes) -> tuple[bytes, bytes, bytes]:
    """Split a binary PGM (P5) into magic, size and pixel bytes."""
    parts = raw.split(maxsplit=4)  # P5, width, height, maxval, pixels
    return parts[0], b" ".join(parts[1:3]), parts[4]


def openssl_cms_verify(signature: Path, content: Path, root: Path,
                       at: datetime | None = None) -> subprocess.CompletedProcess[str]:
    """``openssl cms -verify``; ``at``: the time to verify at — the test world's clock, whose
    certificates may start a little after the wall clock's now."""
    when = ["-attime", str(int(at.timestamp()))] if at else []
    return subprocess.run(["openssl", "cms", "-verify", "-binary", "-inform", "DER",
                           "-in", str(signature), "-content", str(content),
                           "-CAfile", str(root), "-purpose", "any", *when, "-out", "/dev/null"],
                          capture_output=True, text=True, timeout=60, check=False)
