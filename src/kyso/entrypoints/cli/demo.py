"""``kyso demo``: a demo customer with SmartOTP and a certificate, and a demo relying party."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from kyso.entrypoints.cli.context import console, fail, open_container

if TYPE_CHECKING:
    from kyso.relying.demo import DemoKit

__all__ = ["demo"]


def demo(
    as_json: Annotated[bool, typer.Option(
        "--json", help="Một đối tượng JSON trên stdout / one JSON object on stdout.")] = False,
) -> None:
    """Tạo dữ liệu dùng thử (khách hàng, SmartOTP, chứng thư, bên tin cậy) / create demo data:
    a customer with SmartOTP and a certificate, and an SP769 relying party."""
    from kyso.relying.demo import DemoService  # heavy; only this command

    with open_container() as container:
        if container.settings.mode == "production":
            raise fail("kyso demo chỉ dùng khi phát triển / kyso demo is for development only")
        kit = DemoService(container.uow, container.clock, container.envelope,
                          container.accounts, container.pki, container.relying_parties,
                          container.quota, container.consents,
                          container.settings.public_base_url).create()
    if as_json:
        print(json.dumps(kit.to_json(), ensure_ascii=False))
    else:
        _print(kit)


def _print(kit: DemoKit) -> None:
    console.print("[green]Dữ liệu demo đã sẵn sàng / demo data is ready[/] "
                  "(bí mật chỉ hiển thị một lần / secrets are shown once)")
    for key, value in kit.to_json().items():
        console.print(f"  {key}: {escape(str(value))}", highlight=False, soft_wrap=True)
