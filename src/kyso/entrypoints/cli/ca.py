"""``kyso ca``: the CA hierarchy, and certificates issued, revoked, suspended and resumed."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import typer
from asn1crypto import pem
from rich.markup import escape
from rich.table import Column, Table

from kyso.bootstrap import Container
from kyso.entrypoints.cli.context import console, fail, open_container
from kyso.entrypoints.cli.quota import print_balance
from kyso.keys import KeyAlgorithm
from kyso.pki.certificates import describe
from kyso.pki.config import PLACEHOLDER_ARC, PkiConfig
from kyso.pki.model import Authority, IssuedCertificate, RevocationReason
from kyso.pki.service import IssueRequest
from kyso.signing.model import credential_id

__all__ = ["app", "print_hierarchy"]

app = typer.Typer(help="Tổ chức chứng thực / the certificate authority.", no_args_is_help=True)
ACTOR = "cli:ca"
Serial = Annotated[str, typer.Argument(help="Serial number in hex (as openssl prints it).")]
Issuer = Annotated[str | None, typer.Option(help="Issuing CA (default: found by serial).")]


def parse_serial(text: str) -> int:
    digits = re.sub(r"[\s:]", "", text).lower().removeprefix("0x")
    if not re.fullmatch(r"[0-9a-f]{1,40}", digits):
        raise fail(f"số hiệu không hợp lệ / not a hex serial: {text!r}", 2)
    return int(digits, 16)


def print_hierarchy(authorities: list[Authority], config: PkiConfig) -> None:
    for a in authorities:
        info = describe(a.certificate)
        console.print(f"[bold]{a.name}[/] ({a.role.value}) {escape(info.subject)}",
                      highlight=False, soft_wrap=True)
        console.print(f"    serial {a.serial:X}  valid {info.not_before:%Y-%m-%d} → "
                      f"{info.not_after:%Y-%m-%d}  key {a.key.backend}/{a.key.algorithm.value}",
                      highlight=False, soft_wrap=True)
        if a.role.is_ca:
            console.print(f"    {config.ca_url(a.name)}  {config.crl_url(a.name)}",
                          highlight=False, soft_wrap=True)
    console.print(f"OCSP {config.ocsp_url}  TSA {config.tsa_url}", highlight=False,
                  soft_wrap=True)
    if any(oid.startswith(f"{PLACEHOLDER_ARC}.") for oid in (config.policy_oid,
                                                            config.tsa_policy_oid)):
        console.print("[yellow]policy OIDs are placeholders (2.25.0…): set KYSO_PKI_POLICY_OID "
                      "and KYSO_PKI_TSA_POLICY_OID to OIDs registered to you[/]", soft_wrap=True)


@app.command()
def show() -> None:
    """Print the hierarchy: root CA, issuing CA, OCSP responder, TSA."""
    with open_container() as container:
        authorities = container.pki.authorities()
        if not authorities:
            raise fail("chưa khởi tạo CA / no CA yet: run kyso init")
        print_hierarchy(authorities, container.pki_config)


@app.command()
def issue(
    account: Annotated[str, typer.Option(help="Account id or login (username, phone, …).")],
    province: Annotated[str, typer.Option(help="ST: tỉnh/thành phố, e.g. 'Hà Nội'.")],
    locality: Annotated[str, typer.Option(help="L: quận/huyện, e.g. 'Cầu Giấy'.")],
    name: Annotated[str | None, typer.Option(help="CN (default: the account's full name).")]
    = None,
    identity: Annotated[str | None, typer.Option(
        "--id", help="UID: CCCD:<12 digits>, CMND:<9|12> or HC:<passport>.")] = None,
    days: Annotated[int | None, typer.Option(help="Validity in days (≤ 1095).")] = None,
    algorithm: Annotated[KeyAlgorithm | None, typer.Option(help="Key algorithm.")] = None,
    out: Annotated[Path | None, typer.Option(help="Write the certificate (PEM) here.")] = None,
    signatures: Annotated[int | None, typer.Option(
        min=1, help="Cộng N lượt ký / credit N signatures.")] = None,
    unlimited: Annotated[bool, typer.Option(
        help="Ký không giới hạn trong thời hạn chứng thư / unlimited for the certificate's "
             "term.")] = False,
) -> None:
    """Generate a key in the key store for an account and issue its certificate; with
    --signatures or --unlimited, also give it signatures (none otherwise: it cannot sign)."""
    if signatures is not None and unlimited:
        raise fail("--signatures hoặc --unlimited, không cả hai / not both", 2)
    request = IssueRequest(account, province, locality, name, identity, days, algorithm)
    with open_container() as container:
        record = container.pki.issue(request, actor=ACTOR)
        _print_record(record)
        _give_signatures(container, record, signatures, unlimited)
    if out is not None:
        out.write_bytes(pem.armor("CERTIFICATE", record.certificate))
        console.print(f"written: {out}")


@app.command("list")
def list_(
    account: Annotated[str | None, typer.Option(help="Only this account's.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 100,
) -> None:
    """Issued certificates, newest first."""
    with open_container() as container:
        records = container.pki.certificates(account=account, limit=limit)
        at = container.clock.now()
    table = Table(Column("serial", min_width=32), "issuer", "subject", "uid", "status",
                  "not after")
    for r in records:
        table.add_row(f"{r.serial:X}", r.issuer, escape(r.subject), r.uid or "",
                      r.status_at(at).value, f"{r.not_after:%Y-%m-%d}")
    console.print(table)


@app.command()
def cert(serial: Serial, issuer: Issuer = None) -> None:
    """Print an issued certificate in PEM."""
    number = parse_serial(serial)
    with open_container() as container:
        record = container.pki.certificate(number, issuer=issuer)
    typer.echo(pem.armor("CERTIFICATE", record.certificate).decode(), nl=False)


@app.command()
def revoke(
    serial: Serial,
    reason: Annotated[RevocationReason, typer.Option(help="RFC 5280 reason.")] =
    RevocationReason.UNSPECIFIED,
    issuer: Issuer = None,
) -> None:
    """Revoke a certificate for good (the CRL is signed again at once)."""
    number = parse_serial(serial)
    with open_container() as container:
        record = container.pki.revoke(number, reason, actor=ACTOR, issuer=issuer)
    _print_record(record)


@app.command()
def suspend(serial: Serial, issuer: Issuer = None) -> None:
    """Put a certificate on hold (certificateHold) until it is resumed."""
    number = parse_serial(serial)
    with open_container() as container:
        record = container.pki.suspend(number, actor=ACTOR, issuer=issuer)
    _print_record(record)


@app.command()
def resume(serial: Serial, issuer: Issuer = None) -> None:
    """Take a suspended certificate off hold."""
    number = parse_serial(serial)
    with open_container() as container:
        record = container.pki.resume(number, actor=ACTOR, issuer=issuer)
    _print_record(record)


def _give_signatures(container: Container, record: IssuedCertificate, signatures: int | None,
                     unlimited: bool) -> None:
    credential = credential_id(record.issuer, record.serial)
    reference = f"issue:{record.serial:x}"
    if signatures is not None:
        balance = container.quotas.credit(credential, signatures, actor=ACTOR,
                                          reference=reference)
    elif unlimited:
        balance = container.quotas.grant_unlimited(credential, record.not_after, actor=ACTOR,
                                                   reference=reference)
    else:
        console.print(f"credential {credential}: 0 lượt ký / no signatures "
                      f"(kyso quota credit {credential} N)", highlight=False, soft_wrap=True)
        return
    print_balance(credential, balance)


def _print_record(record: IssuedCertificate) -> None:
    reason = f" ({record.reason.value})" if record.reason else ""
    console.print(f"serial [bold]{record.serial:X}[/] issuer {record.issuer} "
                  f"status [bold]{record.status.value}[/]{reason}", highlight=False,
                  soft_wrap=True)
    console.print(f"subject {escape(describe(record.certificate).subject)}", highlight=False,
                  soft_wrap=True)
