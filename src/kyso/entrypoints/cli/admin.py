"""``kyso admin``: staff accounts and roles."""

from __future__ import annotations

from typing import Annotated

import typer

from kyso.accounts.model import Role
from kyso.accounts.service import NewAccount
from kyso.entrypoints.cli.context import console, open_container

app = typer.Typer(help="Quản trị / administration.", no_args_is_help=True)


@app.command("create-user")
def create_user(
    username: Annotated[str, typer.Option(help="Login name.")],
    full_name: Annotated[str, typer.Option(help="Full name (with diacritics).")],
    phone: Annotated[str, typer.Option(help="Phone number.")],
    email: Annotated[str, typer.Option(help="Email address.")],
    role: Annotated[Role, typer.Option(help="Role.")] = Role.SUPPORT,
    password: Annotated[str, typer.Option(prompt=True, hide_input=True,
                                          confirmation_prompt=True,
                                          help="Password (prompted).")] = "",
    pin: Annotated[str, typer.Option(prompt="Account PIN (6 digits)", hide_input=True,
                                     confirmation_prompt=True,
                                     help="Account PIN (prompted).")] = "",
) -> None:
    """Create a staff account (ra_officer, support, admin) or a customer."""
    with open_container() as container:
        account = container.accounts.sign_up(
            NewAccount(username=username, password=password, pin=pin, full_name=full_name,
                       phone=phone, email=email, role=role),
            actor="cli:admin",
        )
        console.print(
            f"[green]created[/] {account.username} ({account.role.value}) id={account.id}"
        )
