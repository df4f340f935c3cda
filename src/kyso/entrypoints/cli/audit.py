"""``kyso audit …``: operator commands on the audit trail."""

from __future__ import annotations

from collections.abc import Callable

import typer
from rich.console import Console
from rich.markup import escape

from kyso.audit import service
from kyso.audit.errors import ChainBroken
from kyso.uow import UnitOfWorkFactory

__all__ = ["register", "verify_command"]

HELP = "Inspect the hash-chained audit trail."


def verify_command(uow_factory: UnitOfWorkFactory, console: Console | None = None) -> int:
    """Verify the whole trail, print the outcome, return the exit code (0 intact, 1 broken)."""
    console = console or Console()
    try:
        seq, digest = service.verify(uow_factory)
    except ChainBroken as exc:
        console.print(f"[bold red]{escape(exc.describe('en'))}[/]")
        return 1
    console.print(f"[green]Audit trail intact[/]: {seq} records, head {digest[:16]}")
    return 0


def register(parent: typer.Typer, get_uow_factory: Callable[[], UnitOfWorkFactory]) -> None:
    """Add the ``audit`` group to ``parent``; the factory is built only when a command runs."""
    app = typer.Typer(help=HELP, no_args_is_help=True)

    @app.command("verify")
    def verify() -> None:
        """Walk the chain; exit 1 naming the first record altered, removed or reordered."""
        raise typer.Exit(verify_command(get_uow_factory()))

    parent.add_typer(app, name="audit")
