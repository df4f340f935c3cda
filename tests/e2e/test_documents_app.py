"""``kyso app sign``: a customer signs a PDF (and, with --cades, any file) against a real
``kyso serve``; pdfsig and OpenSSL check what comes back."""

from __future__ import annotations

import os
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from asn1crypto import pem

from tests.e2e.harness import (
    CHEAP,
    KYSO,
    SMARTOTP_PIN,
    Customer,
    Server,
    new_customer,
    register,
)
from tests.integration.documents.oracles import needs_tools, openssl_cms_verify, pdfsig
from tests.integration.documents.pdfs import sample_pdf
from tests.integration.documents.xml_oracles import INVOICE, needs_xmlsec1, xmlsec1_verify


@pytest.fixture(scope="module")
def signer(server: Server, app_db_url: str, tmp_path_factory: pytest.TempPathFactory,
           ) -> Customer:
    """A customer with SmartOTP on this device and a certificate issued by ``kyso ca``."""
    customer = new_customer(server, tmp_path_factory.mktemp("phone"))
    register(customer)
    env = {k: v for k, v in os.environ.items() if not k.startswith("KYSO_")} | CHEAP | {
        "KYSO_HOME": str(server.log_path.parent / "home"),  # the server's home (harness)
        "KYSO_DATABASE_URL": app_db_url, "KYSO_PUBLIC_BASE_URL": server.url}
    issued = subprocess.run([*KYSO, "ca", "issue", "--account", customer.username,
                             "--province", "Hà Nội", "--locality", "Cầu Giấy",
                             "--id", "CCCD:001091000777", "--signatures", "5"], env=env,
                            capture_output=True,
                            text=True, timeout=120, check=False)
    assert issued.returncode == 0, issued.stdout + issued.stderr
    return customer


@pytest.fixture(scope="module")
def trust(server: Server, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """kyso's root as PEM, and an NSS database that trusts it."""
    files = tmp_path_factory.mktemp("trust")
    root = files / "root.pem"
    root.write_bytes(pem.armor("CERTIFICATE",
                               httpx.get(f"{server.url}/pki/ca/root.cer", timeout=10).content))
    nss = files / "nss"
    nss.mkdir()
    subprocess.run(["certutil", "-N", "-d", f"sql:{nss}", "--empty-password"], check=True)
    subprocess.run(["certutil", "-A", "-n", "kyso", "-t", "CT,C,C", "-i", str(root), "-d",
                    f"sql:{nss}"], check=True)
    return root, nss


@needs_tools
def test_sign_a_pdf_with_a_visible_stamp_at_b_lt(signer: Customer, trust: tuple[Path, Path],
                                                 tmp_path: Path) -> None:
    source = tmp_path / "Hợp đồng.pdf"
    original = sample_pdf()
    source.write_bytes(original)
    out = tmp_path / "signed.pdf"
    done = signer.run("sign", str(source), "--visible", "--level", "B-LT", "-o", str(out),
                      "--reason", "Đồng ý", "--pin-stdin", stdin=f"{SMARTOTP_PIN}\n")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Hợp đồng.pdf" in done.stdout and "B-LT" in done.stdout  # the details shown
    assert "Đã tự động ghi nhận mã OTP" in done.stderr and "Đã ký số" in done.stdout
    [verdict] = pdfsig(trust[1], out)
    assert verdict["Signature Validation"] == "Signature is Valid."
    assert verdict["Certificate Validation"] == "Certificate is Trusted."
    assert source.read_bytes() == original  # the original is untouched


@needs_tools
def test_sign_any_file_with_cades(signer: Customer, trust: tuple[Path, Path],
                                  tmp_path: Path) -> None:
    source = tmp_path / "bao-cao.txt"
    source.write_text("Báo cáo quý IV\n")
    done = signer.run("sign", str(source), "--cades", "--level", "B-T", "--pin-stdin",
                      stdin=f"{SMARTOTP_PIN}\n")
    assert done.returncode == 0, done.stdout + done.stderr
    signature = tmp_path / "bao-cao.txt.p7s"
    verified = openssl_cms_verify(signature, source, trust[0])
    assert verified.returncode == 0, verified.stderr


@needs_xmlsec1
def test_sign_an_e_invoice_with_xades(signer: Customer, trust: tuple[Path, Path],
                                      tmp_path: Path) -> None:
    source = tmp_path / "hoa-don.xml"
    source.write_bytes(INVOICE.read_bytes())
    done = signer.run("sign", str(source), "--xades", "--level", "B-T", "--pin-stdin",
                      stdin=f"{SMARTOTP_PIN}\n")
    assert done.returncode == 0, done.stdout + done.stderr
    verified = xmlsec1_verify(tmp_path / "hoa-don-signed.xml", trust[0], datetime.now(UTC))
    assert verified.returncode == 0, verified.stderr


def test_a_file_that_is_not_a_pdf_is_refused_clearly(signer: Customer, tmp_path: Path) -> None:
    source = tmp_path / "anh.png"
    source.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)
    done = signer.run("sign", str(source), "--pin-stdin", stdin=f"{SMARTOTP_PIN}\n")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "không phải là tài liệu PDF" in done.stderr
    assert not (tmp_path / "anh-signed.pdf").exists()


def test_a_missing_file_is_reported(signer: Customer, tmp_path: Path) -> None:
    done = signer.run("sign", str(tmp_path / "khong-co.pdf"))
    assert done.returncode == 1 and "Không đọc được tệp" in done.stderr
