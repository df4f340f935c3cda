"""``kyso quota``: signatures of a certificate — credit, unlimited term, balance, history,
check, sweep. Every change is audited; a ``--reference`` makes a change count once."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Annotated

import typer
from rich.table import Table

from kyso.billing.quota import Balance
from kyso.entrypoints.cli.context import console, open_container

__all__ = ["app", "print_balance"]

app = typer.Typer(help="Lượt ký của chứng thư số / a certificate's signature quota.",
                  no_args_is_help=True)
ACTOR = "cli:quota"
CredentialArg = Annotated[str, typer.Argument(
    metavar="CREDENTIAL", help="<CA phát hành>-<số hiệu hex>, e.g. kyso-issuing-ca-1f2e…")]
Reference = Annotated[str | None, typer.Option(
    help="Mã tham chiếu: cùng mã chỉ cộng một lần / the same reference counts once.")]
AsJson = Annotated[bool, typer.Option("--json", help="Kết quả dạng JSON / output JSON.")]


def balance_json(credential: str, b: Balance) -> dict[str, object]:
    return {"credential": credential, "available": b.available, "reserved": b.reserved,
            "consumed": b.consumed, "credited": b.credited,
            "unlimited_until": b.unlimited_until.isoformat() if b.unlimited_until else None}


def print_balance(credential: str, b: Balance, as_json: bool = False) -> None:
    if as_json:
        print(json.dumps(balance_json(credential, b), ensure_ascii=False))
        return
    console.print(f"[bold]{credential}[/]: lượt ký khả dụng / available [bold]{b.available}"
                  f"[/], đang giữ / reserved {b.reserved}, đã dùng / consumed {b.consumed}",
                  highlight=False, soft_wrap=True)
    if b.unlimited_until is not None:
        console.print(f"  không giới hạn đến / unlimited until {b.unlimited_until:%Y-%m-%d %H:%M}"
                      " UTC", highlight=False)


@app.command()
def credit(
    credential: CredentialArg,
    count: Annotated[int, typer.Argument(min=1, help="Số lượt ký / signatures to add.")],
    reference: Reference = None,
    as_json: AsJson = False,
) -> None:
    """Cộng lượt ký / add signatures to a certificate."""
    with open_container() as container:
        b = container.quotas.credit(credential, count, actor=ACTOR, reference=reference)
    print_balance(credential, b, as_json)


@app.command()
def unlimited(
    credential: CredentialArg,
    days: Annotated[int, typer.Option(min=1, max=3 * 366, help="Thời hạn / term in days.")]
    = 365,
    reference: Reference = None,
    as_json: AsJson = False,
) -> None:
    """Ký không giới hạn trong thời hạn / sign without counting for a term."""
    with open_container() as container:
        until = container.clock.now() + timedelta(days=days)
        b = container.quotas.grant_unlimited(credential, until, actor=ACTOR,
                                             reference=reference)
    print_balance(credential, b, as_json)


@app.command()
def balance(credential: CredentialArg, as_json: AsJson = False) -> None:
    """Số lượt ký khả dụng / the balance."""
    with open_container() as container:
        b = container.quotas.balance(credential)
    print_balance(credential, b, as_json)


@app.command()
def history(credential: CredentialArg) -> None:
    """Sổ cái lượt ký / the ledger, oldest first."""
    with open_container() as container:
        entries = container.quotas.history(credential)
    table = Table("at (UTC)", "kind", "count", "basis", "source / reservation")
    for e in entries:
        table.add_row(f"{e.at:%Y-%m-%d %H:%M:%S}", e.kind.value, str(e.count), e.basis.value,
                      e.source or e.reservation or e.id)
    console.print(table)


@app.command()
def check(credential: CredentialArg) -> None:
    """So tổng đã lưu với sổ cái / check the stored totals against the ledger (exit 1 if
    they differ)."""
    with open_container() as container:
        ok = container.quotas.verify(credential)
    console.print("[green]khớp / consistent[/]" if ok else "[red]lệch / inconsistent[/]")
    raise typer.Exit(0 if ok else 1)


@app.command()
def sweep() -> None:
    """Trả lại lượt ký giữ chỗ đã hết hạn / release expired reservations."""
    with open_container() as container:
        console.print(f"released: {container.quotas.sweep()}")
