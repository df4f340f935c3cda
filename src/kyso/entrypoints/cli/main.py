"""``kyso``: init, serve, worker, admin, support, ca and audit commands."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from kyso import __version__
from kyso.entrypoints.cli import admin, billing, ca, keys, quota, ra, rp, support
from kyso.entrypoints.cli import app as app_cli
from kyso.entrypoints.cli.audit import checkpoint_command, verify_command
from kyso.entrypoints.cli.backup import backup as backup_command
from kyso.entrypoints.cli.backup import restore as restore_command
from kyso.entrypoints.cli.context import console, fail, open_container
from kyso.entrypoints.cli.demo import demo as demo_command
from kyso.entrypoints.lifeline import mark_parent
from kyso.entrypoints.logs import configure_logging
from kyso.errors import KysoError

if TYPE_CHECKING:
    from kyso.bootstrap import Container

log = logging.getLogger("kyso.worker")
app = typer.Typer(help="kyso — ký số từ xa với SmartOTP (remote signing with SmartOTP).",
                  no_args_is_help=True, pretty_exceptions_enable=False)
app.add_typer(admin.app, name="admin")
app.add_typer(app_cli.app, name="app")
app.add_typer(support.app, name="support")
app.add_typer(ca.app, name="ca")
app.add_typer(rp.app, name="rp")
app.add_typer(ra.app, name="ra")
app.add_typer(billing.catalog_app, name="catalog")
app.add_typer(billing.billing_app, name="billing")
app.add_typer(quota.app, name="quota")
app.add_typer(keys.app, name="keys")
app.command("demo")(demo_command)
app.command("backup")(backup_command)
app.command("restore")(restore_command)
audit_app = typer.Typer(help="Nhật ký kiểm toán / the audit trail.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")


@app.callback()
def main_options(
    home: Annotated[Path | None, typer.Option(help="KYSO_HOME (default ./var).")] = None,
) -> None:
    if home is not None:
        os.environ["KYSO_HOME"] = str(home)


@app.command()
def version() -> None:
    """Print the version."""
    console.print(__version__)


@app.command()
def init() -> None:
    """Create KYSO_HOME, the master key, the database schema, the CA hierarchy and, when
    empty, the catalogue (safe to repeat). KYSO_HOME is made private: 0700, files 0600."""
    with open_container(init=True, repair_home=True) as container:
        s = container.settings
        console.print(f"KYSO_HOME: [bold]{s.home.resolve()}[/]")
        console.print(f"database: {_safe_url(s.sqlalchemy_url)}")
        authorities, created = container.pki.initialize(actor="cli:init")
        console.print("CA hierarchy created:" if created else "CA hierarchy:")
        ca.print_hierarchy(authorities, container.pki_config)
        if container.catalog.seed(actor="cli:init"):
            console.print("catalogue: the built-in packages loaded (kyso catalog list)")
        console.print("[green]kyso is initialized.[/]")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
) -> None:
    """Serve the API, the web app and the PKI endpoints (runs init when needed)."""
    import uvicorn

    with open_container(init=True) as container:
        container.pki.initialize(actor="cli:serve")
        container.catalog.seed(actor="cli:serve")
        base = container.settings.public_base_url
        dev = container.settings.mode != "production"
    console.print(f"kyso {__version__} on http://{host}:{port}")
    console.print(f"  web app:   {base}/")
    console.print(f"  console:   {base}/console  (RA officers, support desk)")
    console.print(f"  API docs:  {base}/docs")
    if dev:
        console.print(f"  dev inbox: {base}/dev/inbox  (SMS and email codes appear here)")
    if container.settings.payment_gateway == "sandbox":
        console.print("  payments:  the built-in VNPay sandbox (no real money)")
    factory = "kyso.entrypoints.api.app:create_app_from_env"  # serves and does the duties
    if workers > 1:
        from kyso.entrypoints.api.duties import DutiesProcess
        from kyso.entrypoints.cli.listen import serve_workers

        factory = "kyso.entrypoints.api.app:create_serving_app_from_env"  # only serves
        mark_parent()  # the workers end when this process does, even on kill -9
        _metrics_dir(container.settings.home / "metrics")
    configure_logging(container.settings.log_level, container.settings.log_format)
    # JSON logs (the app's access line names route templates, uvicorn's would name paths);
    # X-Forwarded-* are read by the app itself, from KYSO_TRUSTED_PROXIES only
    config = uvicorn.Config(factory, factory=True, host=host, port=port, workers=workers,
                            log_level=container.settings.log_level.lower(), log_config=None,
                            access_log=False, proxy_headers=False, timeout_graceful_shutdown=10)
    if workers > 1:
        duties = DutiesProcess()  # the outbox, receipts, audit sequencer, checkpoints: once
        duties.start()
        try:
            serve_workers(config)  # the shared socket with TCP_NODELAY (cli/listen.py)
        finally:
            duties.stop()
        return
    with suppress(KeyboardInterrupt):  # as uvicorn.run: Ctrl-C ends it quietly
        uvicorn.Server(config).run()


def _metrics_dir(path: Path) -> None:
    """prometheus-client's multi-process files, emptied at start (``adapters/metrics.py``);
    the workers inherit the variable, and import the metrics after it is set."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        path = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    for stale in path.glob("*.db"):
        stale.unlink()
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(path)


@app.command()
def worker(
    once: Annotated[bool, typer.Option(help="Deliver what is due, then exit.")] = False,
    metrics_port: Annotated[int | None, typer.Option(
        envvar="KYSO_WORKER_METRICS_PORT", min=1, max=65535,
        help="Serve this worker's Prometheus metrics on this port (off by default).")] = None,
    metrics_host: Annotated[str, typer.Option(
        envvar="KYSO_WORKER_METRICS_HOST", help="Address for --metrics-port.")] = "127.0.0.1",
) -> None:
    """Deliver the outbox (email, SMS, relying-party webhooks) with retries, release
    expired quota reservations, expire unpaid orders and stale registrations; runs until
    interrupted."""
    from kyso.adapters import metrics

    with open_container(init=True) as container:
        configure_logging(container.settings.log_level, container.settings.log_format)
        outbox = container.outbox_worker(observe=metrics.observe_delivery,
                                         every_pass=metrics.observe_outbox_pass)
        if once:
            chained = container.audit_sequencer.run_once(wait=True)
            console.print(f"audit events chained: {chained}")
            console.print(f"delivered or retried: {outbox.run_once()}")
            for name, _, action in _chores(container):
                console.print(f"{name}: {_once(action)}", highlight=False)
            return
        if metrics_port is not None:
            metrics.serve_worker_metrics(container.engine, metrics_host, metrics_port)
        stop = threading.Event()
        container.audit_sequencer.start(stop)  # chains the pending audit events
        for name, every, action in _chores(container):
            threading.Thread(target=_repeat, args=(name, every, action, stop),
                             name=f"kyso-{name}", daemon=True).start()
        console.print("kyso worker: delivering the outbox (Ctrl+C to stop)")
        try:
            outbox.run_forever(stop, container.settings.outbox_poll_seconds)
        except KeyboardInterrupt:
            stop.set()


@audit_app.command("verify")
def audit_verify() -> None:
    """Walk the keyed chain and check it against the checkpoints; exit 1 naming the first
    record altered, removed, reordered or rewritten, or the range cut or wiped."""
    with open_container() as container:
        code = verify_command(container.uow, console, anchor=container.audit_anchor)
    raise typer.Exit(code)


@audit_app.command("checkpoint")
def audit_checkpoint() -> None:
    """Append the audit head, signed by kyso's seal and time-stamped by its TSA, to the
    checkpoint file outside the database (the worker does it every 10 minutes)."""
    with open_container() as container:
        code = checkpoint_command(container.audit_anchor, console)
    raise typer.Exit(code)


def _chores(container: Container) -> list[tuple[str, float, Callable[[], object]]]:
    """What the worker does besides the outbox: (name, every seconds, action)."""
    return [
        # release expired quota reservations (reserve also does it lazily; docs/QUOTA.md)
        ("quota sweep", 60.0, container.quotas.sweep),
        # unpaid orders past their time and the IPN grace (docs/BILLING.md)
        ("order expiry", 60.0, container.orders.expire_due),
        # registrations left before approval too long (docs/ONBOARDING.md)
        ("registration expiry", 3600.0, container.registrations.expire_stale),
        # the audit head, signed, to the checkpoint file outside the database (docs/ARCHITECTURE.md)
        ("audit checkpoint", 600.0, container.audit_anchor.checkpoint_if_moved),
        # signatures kept for a repeated signHash, once their SAD expired (docs/CSC.md)
        ("kept signature expiry", 300.0, container.signing.forget_delivered),
        # accepted contracts whose seal failed: sealed again (docs/ONBOARDING.md)
        ("contract seal retry", 300.0, container.contract_seals.retry_due),
        # blobs no document or registration names, past KYSO_BLOB_RETENTION_DAYS
        ("blob clean-up", 3600.0, container.sweep_blobs),
        # identity-recovery requests and approval codes past their time (docs/ACCOUNTS.md)
        ("identity recovery expiry", 300.0, container.identity_recovery.expire_lapsed),
        # CSC OAuth2 codes, tokens, refresh tokens, signPolling responses past
        # KYSO_CSC_RETENTION_HOURS (docs/CSC.md)
        ("csc clean-up", 600.0, container.csc_cleanup.sweep),
    ]


def _once(action: Callable[[], object]) -> object:
    """A chore's result, or why it could not run (e.g. no CA yet for the audit checkpoint)."""
    try:
        return action()
    except KysoError as exc:
        return f"skipped ({exc.describe('en')})"


def _repeat(name: str, every: float, action: Callable[[], object],
            stop: threading.Event) -> None:
    from kyso.adapters.metrics import observe_chore

    while not stop.wait(every):
        try:
            action()
        except Exception:  # the database may be away for a while; keep the loop alive
            log.exception("%s failed", name)
            observe_chore(name, ok=False)
        else:
            observe_chore(name, ok=True)


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def main() -> None:
    try:
        app()
    except PermissionError as exc:
        raise SystemExit(fail(str(exc)).exit_code) from exc
