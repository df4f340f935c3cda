"""``kyso audit …``: operator commands on the audit trail."""

from __future__ import annotations

from collections.abc import Callable

import typer
from rich.console import Console
from rich.markup import escape

from kyso.audit import service
from kyso.audit.checkpoint import AuditAnchor
from kyso.audit.errors import ChainBroken
from kyso.uow import UnitOfWorkFactory

__all__ = ["checkpoint_command", "register", "verify_command"]

HELP = "Inspect the hash-chained audit trail."


def verify_command(uow_factory: UnitOfWorkFactory, console: Console | None = None, *,
                   anchor: AuditAnchor | None = None) -> int:
    """Verify the whole trail (with ``anchor``: under the chain key and against the
    checkpoints), print the outcome, return the exit code (0 intact, 1 broken)."""
    console = console or Console()
    try:
        if anchor is None:
            (seq, digest), checked = service.verify(uow_factory), None
        else:
            (seq, digest), checked = anchor.verify()
    except ChainBroken as exc:
        console.print(f"[bold red]{escape(exc.describe('en'))}[/]")
        return 1
    console.print(f"[green]Audit trail intact[/]: {seq} records, head {digest[:16]}")
    if checked is not None:
        console.print(f"checkpoints agreeing: {checked}" if checked else
                      "[yellow]no checkpoint yet[/]: `kyso audit checkpoint` writes one")
    return 0


def checkpoint_command(anchor: AuditAnchor, console: Console) -> int:
    """Append a signed, time-stamped checkpoint of the head; print it."""
    point = anchor.checkpoint()
    stamped = "time-stamped by kyso's TSA" if point.timestamp else "no time stamp"
    console.print(f"checkpoint: seq {point.seq}, head {point.hash[:16]}, {point.at}, "
                  f"signed by {point.signer}, {stamped}", highlight=False)
    return 0


def register(parent: typer.Typer, get_uow_factory: Callable[[], UnitOfWorkFactory]) -> None:
    """Add the ``audit`` group to ``parent``; the factory is built only when a command runs."""
    app = typer.Typer(help=HELP, no_args_is_help=True)

    @app.command("verify")
    def verify() -> None:
        """Walk the chain; exit 1 naming the first record altered, removed or reordered."""
        raise typer.Exit(verify_command(get_uow_factory()))

    parent.add_typer(app, name="audit")
