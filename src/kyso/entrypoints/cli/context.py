"""Shared CLI plumbing: settings from the environment, the container, clean failures."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import typer
from rich.console import Console

from kyso.config import ConfigError, load_settings
from kyso.errors import KysoError
from kyso.home import check_home, make_private, private_umask

if TYPE_CHECKING:
    from kyso.bootstrap import Container

__all__ = ["console", "err_console", "fail", "open_container"]

console = Console()
err_console = Console(stderr=True)
log = logging.getLogger(__name__)


def fail(message: str, code: int = 1) -> typer.Exit:
    err_console.print(f"[bold red]Lỗi / error:[/] {message}", highlight=False)
    return typer.Exit(code)


@contextmanager
def open_container(*, init: bool = True, repair_home: bool = False) -> Iterator[Container]:
    """Settings from the environment, ``kyso init`` when needed, errors as clean exits.

    ``KYSO_HOME`` stays private (``kyso.home``): the process creates owner-only files;
    ``repair_home`` (``kyso init``) takes group/other permissions off an existing home;
    then a home others can open stops a production node and warns in development.

    The composition root is imported here, not at module level: it pulls in every area
    (pyHanko, SQLAlchemy, FastAPI), and ``kyso app`` commands, which never need it, must
    start fast."""
    from kyso.bootstrap import bootstrap, init_home  # see docstring

    try:
        settings = load_settings()
        private_umask()
        if repair_home and (changed := make_private(settings.home)):
            console.print(f"made private (owner only): {len(changed)} path(s) in "
                          f"{settings.home}", highlight=False)
        for path in check_home(settings):
            err_console.print(f"[yellow]cảnh báo / warning:[/] {path} is readable by others; "
                              "`kyso init` makes KYSO_HOME private", highlight=False)
        if init:
            init_home(settings)
        container = bootstrap(settings)
    except ConfigError as exc:
        raise fail(f"cấu hình không hợp lệ / invalid configuration: {exc}", 2) from exc
    try:
        yield container
    except KysoError as exc:
        raise fail(f"{exc.describe('vi')} / {exc.describe('en')}") from exc
    finally:
        _chain_audit(container)
        container.close()


def _chain_audit(container: Container) -> None:
    """A command leaves no audit event of its own pending (batched mode) once it exits: a
    short-lived process has no sequencer thread to chain it ~50 ms later."""
    if "engine" not in container.__dict__ or container.audit_chain != "batched":
        return  # nothing opened the database, or inline mode: nothing of ours is pending
    try:
        container.audit_sequencer.run_once(wait=True)
    except Exception:  # the database away: a serve or worker process chains it later
        log.warning("audit events left pending for the sequencer", exc_info=True)
