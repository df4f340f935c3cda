"""``kyso worker --metrics-port``: the worker, a process of its own, shows Prometheus what it
delivers (by channel and outcome), that its outbox loop is alive, and the backlog — the
numbers an operator alerts on (docs/OPERATIONS.md)."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from kyso.bootstrap import bootstrap
from kyso.config import load_settings
from kyso.notify.ports import EmailContent
from tests.e2e.harness import CHEAP, KYSO, _free_port, clean_env
from tests.reliability.serving import DEADLINE, until
from tests.security.homes import EC_KEYS


def samples(url: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    text = httpx.get(url, timeout=5).text
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def delivered(url: str, channel: str) -> float:
    try:
        found = samples(url)
    except httpx.TransportError:
        return 0.0
    return found.get(("kyso_outbox_deliveries_total",
                      (("channel", channel), ("outcome", "sent"))), 0.0)


def test_the_worker_counts_what_it_delivers(tmp_path: Path, db_url: str,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    home, metrics_port = tmp_path / "home", _free_port()
    env = clean_env(KYSO_HOME=str(home), KYSO_DATABASE_URL=db_url,
                    KYSO_OUTBOX_POLL_SECONDS="0.2", **CHEAP | EC_KEYS)
    made = subprocess.run([*KYSO, "init"], env=env, capture_output=True, text=True,
                          timeout=DEADLINE, check=False)
    assert made.returncode == 0, made.stderr
    for name, value in env.items():  # the same home and database, in this process
        if name.startswith("KYSO_"):
            monkeypatch.setenv(name, value)
    container = bootstrap(load_settings())
    try:
        with container.uow() as uow:
            container.notifier.queue_sms(uow, "+84912345678", "Mã xác minh: 123456")
            container.notifier.queue_email(uow, "tam@example.vn",
                                           EmailContent("Mã xác minh", "123456"))
            uow.commit()
    finally:
        container.close()
    before = time.time()
    with (tmp_path / "worker.log").open("ab") as out:
        worker = subprocess.Popen([*KYSO, "worker", "--metrics-port", str(metrics_port)],
                                  env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{metrics_port}/metrics"
        assert until(lambda: delivered(url, "sms") == 1 and delivered(url, "email") == 1,
                     DEADLINE), (tmp_path / "worker.log").read_text()
        found = samples(url)
        assert found[("kyso_worker_outbox_pass_timestamp_seconds", ())] >= before
        assert found[("kyso_outbox_pending", ())] == 0  # the backlog, read at scrape time
        assert ("kyso_outbox_deliveries_total", (("channel", "sms"), ("outcome", "dead"))) \
            not in found
    finally:
        worker.terminate()
        worker.wait(30)


def test_no_metrics_port_unless_asked(tmp_path: Path) -> None:
    """``--help`` names the option; without it nothing listens (the default is off)."""
    shown = subprocess.run([*KYSO, "worker", "--help"], capture_output=True, text=True,
                           env=clean_env(COLUMNS="200"), timeout=60, check=False)
    assert shown.returncode == 0 and "--metrics-port" in shown.stdout
