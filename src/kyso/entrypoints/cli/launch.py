"""``kyso``'s entry point. ``kyso app …``, the customer's client, starts without loading the
server's side — the database, the web app, the PKI, the other command groups — which is
about half of the whole CLI's start-up (0.49 s of imports against 0.26 s here); every
other command line goes to the whole CLI (``cli/main.py``) as it is.

The client runs nested in a root command as in the whole CLI, with the same settings, so
its usage lines, help and errors read the same (``kyso app …``); the whole CLI's root
options (``kyso --home … app``) take the whole path."""

from __future__ import annotations

import sys

__all__ = ["main"]


def main() -> None:
    if sys.argv[1:2] == ["app"]:
        _client()
        return
    from kyso.entrypoints.cli.main import main as whole

    whole()


def _client() -> None:
    import typer

    from kyso.entrypoints.cli.app import app

    root = typer.Typer(no_args_is_help=True, pretty_exceptions_enable=False)  # as main.py's
    root.add_typer(app, name="app")
    try:
        root()
    except PermissionError as exc:  # as main.py answers it
        from kyso.entrypoints.cli.context import fail

        raise SystemExit(fail(str(exc)).exit_code) from exc
