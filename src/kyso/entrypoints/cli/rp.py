"""``kyso rp``: relying parties of the SP769 API — create, list, rotate the secret, disable;
and the CSC API's OAuth2 redirect URIs (``redirect-uri``)."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from kyso.entrypoints.cli.context import console, open_container
from kyso.relying.model import RelyingParty
from kyso.relying.parties import Issued

__all__ = ["app"]

app = typer.Typer(help="Bên tin cậy (SP769) / relying parties of the SP769 API.",
                  no_args_is_help=True)
ACTOR = "cli:rp"
AsJson = Annotated[bool, typer.Option("--json", help="Kết quả dạng JSON / output JSON.")]
SpId = Annotated[str, typer.Argument(metavar="SP_ID", help="sp_id của bên tin cậy.")]


def _summary(party: RelyingParty) -> dict[str, object]:
    return {"sp_id": party.sp_id, "name": party.name, "public_service": party.public_service,
            "webhook_url": party.webhook_url, "status": party.status.value,
            "created_at": party.created_at.isoformat()}


def _print_issued(issued: Issued, as_json: bool) -> None:
    secrets = {"sp_password": issued.sp_password}
    if issued.webhook_secret:
        secrets["webhook_secret"] = issued.webhook_secret
    if as_json:
        print(json.dumps(_summary(issued.party) | secrets, ensure_ascii=False))
        return
    console.print(f"[green]{escape(issued.party.name)}[/]", highlight=False)
    for key, value in {"sp_id": issued.party.sp_id, **secrets}.items():
        console.print(f"  {key}: {value}", highlight=False, soft_wrap=True)
    console.print("[yellow]Lưu lại ngay: bí mật chỉ hiển thị một lần / "
                  "store it now: secrets are shown once.[/]")


@app.command()
def create(
    name: Annotated[str, typer.Argument(help="Tên bên tin cậy / the relying party's name.")],
    public_service: Annotated[bool, typer.Option(
        "--public-service", help="Cổng dịch vụ công (miễn phí ký) / a public-service portal "
                                 "(billing signs for free).")] = False,
    webhook: Annotated[str | None, typer.Option(
        help="URL nhận kết quả ký / webhook URL called when a request ends.")] = None,
    as_json: AsJson = False,
) -> None:
    """Tạo bên tin cậy; in sp_id và sp_password (một lần) / create; prints the secrets once."""
    with open_container() as container:
        issued = container.relying_parties.create(name, public_service=public_service,
                                                  webhook_url=webhook, actor=ACTOR)
    _print_issued(issued, as_json)


@app.command("list")
def list_parties(as_json: AsJson = False) -> None:
    """Danh sách bên tin cậy / list relying parties."""
    with open_container() as container:
        parties = container.relying_parties.parties()
    if as_json:
        print(json.dumps([_summary(p) for p in parties], ensure_ascii=False))
        return
    table = Table("sp_id", "name", "public service", "webhook", "status")
    for p in parties:
        table.add_row(p.sp_id, escape(p.name), "yes" if p.public_service else "no",
                      escape(p.webhook_url or "-"), p.status.value)
    console.print(table)


@app.command("rotate-secret")
def rotate_secret(sp_id: SpId, as_json: AsJson = False) -> None:
    """Cấp sp_password mới (mật khẩu cũ hết hiệu lực) / issue a new sp_password."""
    with open_container() as container:
        issued = container.relying_parties.rotate_secret(sp_id, actor=ACTOR)
    _print_issued(issued, as_json)


@app.command()
def disable(sp_id: SpId) -> None:
    """Vô hiệu hóa bên tin cậy / disable a relying party (its calls are refused)."""
    with open_container() as container:
        party = container.relying_parties.disable(sp_id, actor=ACTOR)
    console.print(f"[green]disabled[/] {party.sp_id} ({escape(party.name)})", highlight=False)


@app.command("redirect-uri")
def redirect_uri(
    sp_id: SpId,
    uri: Annotated[str, typer.Argument(help="URI chuyển hướng OAuth2 (khớp chính xác) / the "
                                            "OAuth2 redirect URI (matched exactly).")],
) -> None:
    """Đăng ký URI chuyển hướng OAuth2 của CSC API / register a CSC OAuth2 redirect URI
    (the party's sp_id is its client_id)."""
    with open_container() as container:
        container.csc_oauth.register_redirect_uri(sp_id, uri, actor=ACTOR)
    console.print(f"[green]registered[/] {escape(uri)} for {sp_id}", highlight=False)
